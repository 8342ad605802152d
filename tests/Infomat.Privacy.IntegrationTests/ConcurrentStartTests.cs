using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Workflow;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// A case's orchestration may be started by two writers at once: its writer on one instance, and the verification
/// POST on another instance or the reconciliation after its grace (decision 81), each after finding no instance. Only
/// this process's starts are serialised (the case's start lock), so the task hub itself must make one run of two
/// starts. This checks what the Azure Storage provider the local host and the Functions app use does with them: every
/// start is accepted, and one run happens (the provider drops the duplicate start messages).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConcurrentStartTests(Azurite azurite)
{
    [Fact]
    public async Task Starts_of_one_instance_racing_each_other_make_one_run_that_takes_its_signal_and_completes()
    {
        var runs = 0;
        await using var host = new InProcessHost(azurite)
        {
            TaskHub = "race" + Guid.NewGuid().ToString("N")[..12],
            Tasks = r =>
            {
                r.AddPrivacyWorkflow();
                r.AddOrchestratorFunc<string, string>("StartedOnce", async (context, input) =>
                {
                    // The first step of a case (it sends mail in the product), then the wait for the requester.
                    await context.CallActivityAsync<string>("FirstStep", input);
                    return await context.WaitForExternalEvent<string>("go");
                });
                r.AddActivityFunc<string, string>("FirstStep", (_, input) =>
                {
                    Interlocked.Increment(ref runs);
                    return input;
                });
            },
        };
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        // Eight starts of one instance at the same moment, each after finding none (what the writers do).
        const string id = "PR-RACE-0001";
        using var gate = new ManualResetEventSlim();
        var starts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync("StartedOnce", "in", new StartOrchestrationOptions(id));
                return "started";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ex.GetType().Name;
            }
        })).ToList();
        gate.Set();
        var outcomes = await Task.WhenAll(starts);

        // One run reaches its wait; then the signal a confirmation sends reaches it and it completes.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (Volatile.Read(ref runs) == 0 || (await client.GetInstanceAsync(id, wait.Token))?.RuntimeStatus != OrchestrationRuntimeStatus.Running)
        {
            await Task.Delay(200, wait.Token);
        }

        await Task.Delay(TimeSpan.FromSeconds(5), wait.Token);
        await client.RaiseEventAsync(id, "go", "done", wait.Token);
        var state = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, wait.Token);

        Assert.True(outcomes.Contains("started"), string.Join(", ", outcomes));
        Assert.Equal((OrchestrationRuntimeStatus.Completed, "\"done\""), (state.RuntimeStatus, state.SerializedOutput));
        // Once in most runs; twice once in CI (5 December): the provider delivers a step at least once, and racing starts
        // can hand the first one to two dispatches. The product's first step is idempotent by the register (it sends
        // the link only when none is recorded: FirstStepTests); what must hold is one run that takes its signal.
        Assert.True(runs is >= 1 and <= 2, $"the first step ran {runs} times; the starts: {string.Join(", ", outcomes)}");
    }
}
