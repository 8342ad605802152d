using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Workflow;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Verification;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The release test of issue 14 (item 2) on the durable backend Azure runs, the Azure Storage provider on Azurite: a
/// case parked at the approval wait by one release, the orchestrator changed by the next, the host restarted on the
/// same task hub; the old history no longer replays, and the reconciler starts the case again from the register.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrchestrationReleaseTests(Azurite azurite)
{
    [Fact]
    public async Task A_case_parked_at_the_approval_wait_completes_after_a_release_changed_the_orchestration_under_it()
    {
        await using var host = new InProcessHost(azurite) { TaskHub = "t" + Guid.NewGuid().ToString("N"), Tasks = PreviousRelease.Register };
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", entity: "nl");
        await flows.VerifyAsync(id);
        await host.Mailbox.WaitForAsync("approval-request", id);
        await WaitUntilAsync(async () => (await Client(host).GetInstanceAsync(id, getInputsAndOutputs: true))?.SerializedCustomStatus is { Length: > 0 } s && s != "null");

        // The release is deployed: the host stops and starts with the new orchestrator on the same task hub, where the
        // case's orchestration is still waiting. Then staff approve; its history no longer replays under the new code.
        await host.StopAsync();
        host.Tasks = null;
        await host.StartAsync();
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client(host).GetInstanceAsync(id))?.RuntimeStatus);
        await flows.DecideAsync(id, "approve");
        await WaitUntilAsync(async () => (await Client(host).GetInstanceAsync(id))?.RuntimeStatus == OrchestrationRuntimeStatus.Failed);

        // The reconciler (at start-up and every five minutes) starts it again from the register, and the case completes.
        var result = await host.Services.GetRequiredService<CaseWorkflow>().ReconcileAsync(Client(host), default);

        Assert.Equal(1, result.Restarted);
        await flows.DownloadLinkAsync(id);
        using var status = await flows.StatusOnceAsync(id, "Completed");
        Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
        Assert.Single(host.Mailbox.Of("approval-request", id));
        Assert.Single(host.Mailbox.Of("export-ready", id));
    }

    private static DurableTaskClient Client(InProcessHost host) => host.Services.GetRequiredService<DurableTaskClient>();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>An older release's orchestration: the same steps up to the approval wait, awaited in another order (a timer first).</summary>
    private sealed class PreviousRelease : TaskOrchestrator<string, string>
    {
        public static void Register(DurableTaskRegistry registry)
        {
            registry.AddOrchestrator(nameof(PrivacyRequestOrchestrator), () => new PreviousRelease());
            foreach (var activity in PrivacyWorkflow.Activities)
            {
                registry.AddActivity(activity);
            }
        }

        public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), input);
            await context.CallActivityAsync<WaitStep>(nameof(SendVerification), input);
            await context.WaitForExternalEvent<string?>(CaseEvents.EmailVerified);
            await context.CallActivityAsync<bool>(nameof(SendAcknowledgement), input);
            await context.CallActivityAsync<bool>(nameof(RequestApproval), input);
            await context.CreateTimer(TimeSpan.FromMilliseconds(1), CancellationToken.None);
            context.SetCustomStatus(new WaitingFor(CaseWait.IdentityDecision));
            await context.WaitForExternalEvent<string?>(CaseEvents.IdentityDecided);
            return "old";
        }
    }
}
