using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The real orchestration and activities on the in-process durable engine, with in-memory adapters.</summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private DurableTaskTestHost host = null!;

    public InMemoryRegister Register { get; } = new();
    public RecordingMail Mail { get; } = new();
    public FakeStores Stores { get; } = new();
    public InMemoryExports Exports { get; } = new();
    public InMemoryStaging Staging { get; } = new();
    public InMemoryAudit Audit { get; } = new();

    /// <summary>How far the mailbox has been read: by default everything up to now (no mail waiting).</summary>
    public FakeMailProgress MailProgress { get; } = new();
    public PrivacyOptions Options { get; } = new()
    {
        Tokens = new TokenOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        Verification = new VerificationOptions { Timeout = TimeSpan.FromMinutes(5) },
        Approval = new ApprovalOptions { Timeout = TimeSpan.FromMinutes(5) },
    };

    /// <summary>The data map the activities see: the deployment's, unless a test brings its own.</summary>
    public DataMap Map { get; private init; } = TestDataMaps.Real;

    /// <summary>The pseudonymisation key's hashes, as the activities get them.</summary>
    public KeyedHash Hash { get; } = new(RandomNumberGenerator.GetBytes(32));

    public DurableTaskClient Client => host.Client;

    /// <summary>What the hosts use to start, signal, reconcile and retry cases.</summary>
    public CaseWorkflow Workflow { get; }

    /// <summary>The orchestrator the host runs under the pipeline's name (a test may stand in an older release's).</summary>
    private Func<ITaskOrchestrator>? orchestrator;

    /// <summary>What the host runs for each activity, given its name and the real one (a test may count or stand in an older release's).</summary>
    private Func<string, ITaskActivity, ITaskActivity>? activities;

    public WorkflowHarness()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        Workflow = new CaseWorkflow(Register, new PrivacyMetrics(meters), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<CaseWorkflow>.Instance);
    }

    /// <summary>Store-step retries for a test of a store that stays down: given up in about a second, not minutes.</summary>
    public static Func<ITaskOrchestrator> QuickStoreRetries { get; } = () => new PrivacyRequestOrchestrator(new RetryPolicy(2, TimeSpan.FromSeconds(1)));

    public static async Task<WorkflowHarness> StartAsync(
        Action<PrivacyOptions>? configure = null, DataMap? map = null, Func<ITaskOrchestrator>? orchestrator = null, Func<string, ITaskActivity, ITaskActivity>? activities = null)
    {
        var harness = new WorkflowHarness { Map = map ?? TestDataMaps.Real, orchestrator = orchestrator, activities = activities };
        configure?.Invoke(harness.Options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                harness.host = await StartHostAsync(harness);
                return harness;
            }
            catch (IOException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another test process took the port between its choice and the bind: choose again.
            }
        }
    }

    private static Task<DurableTaskTestHost> StartHostAsync(WorkflowHarness harness) =>
        DurableTaskTestHost.StartAsync(
            r =>
            {
                if (harness.orchestrator is null && harness.activities is null)
                {
                    r.AddPrivacyWorkflow();
                    return;
                }

                r.AddOrchestrator(nameof(PrivacyRequestOrchestrator), harness.orchestrator ?? (() => new PrivacyRequestOrchestrator()));
                foreach (var activity in PrivacyWorkflow.Activities)
                {
                    if (harness.activities is { } wrap)
                    {
                        r.AddActivity(activity.Name, sp => wrap(activity.Name, (ITaskActivity)ActivatorUtilities.CreateInstance(sp, activity)));
                    }
                    else
                    {
                        r.AddActivity(activity);
                    }
                }
            },
            new DurableTaskTestHostOptions
            {
                // A port the OS says is free now, rather than the host's own random pick in 30000-40000, which the
                // other test assemblies' servers (running at the same time) can hold.
                Port = FreePort(),
                LoggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)),
                ConfigureServices = s =>
                {
                    s.AddSingleton<ICaseRegister>(harness.Register);
                    s.AddMetrics();
                    s.AddSingleton<PrivacyMetrics>();
                    s.AddSingleton<IMailSender>(harness.Mail);
                    s.AddSingleton<IEntityStoreCatalog>(harness.Stores);
                    s.AddSingleton<IStagingStorage>(harness.Staging);
                    s.AddSingleton<IExportStorage>(harness.Exports);
                    s.AddSingleton<Infomat.Privacy.Audit.IAuditTrail>(harness.Audit);
                    s.AddSingleton<Infomat.Privacy.Intake.IMailIntakeProgress>(harness.MailProgress);
                    s.AddSingleton(harness.Hash);
                    s.AddSingleton(harness.Map);
                    s.AddSingleton(new LinkTokenService(Convert.FromBase64String(harness.Options.Tokens.SigningKey), TimeProvider.System));
                    s.AddSingleton<IOptions<PrivacyOptions>>(Microsoft.Extensions.Options.Options.Create(harness.Options));
                    s.AddSingleton<Infomat.Privacy.Workflow.Activities.Verification.VerificationMail>();
                    s.AddSingleton(TimeProvider.System);
                    s.AddLogging();
                },
            });

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<PrivacyCase> NewCaseAsync(
        RequestType type = RequestType.Access, string email = "an.peeters@example.be", ControllerScope? entity = null, ObjectionScope? objection = null, string? details = null,
        IReadOnlyList<RequestType>? also = null, ConsentScope? consent = null)
    {
        // No scope given: every controller of the map, as the form's default "both".
        entity ??= ControllerScope.AllOf(Map.ControllerCodes);
        var c = PrivacyCase.Received(new ValidRequest(type, email, "An Peeters", null, entity, Language.Nl, details, objection) { AlsoRights = also ?? [], Consent = consent }, Channel.Form, DateTimeOffset.UtcNow, Map);
        await Register.CreateAsync(c, CancellationToken.None);
        await Client.ScheduleNewOrchestrationInstanceAsync(nameof(PrivacyRequestOrchestrator), c.Id, new Microsoft.DurableTask.StartOrchestrationOptions(c.Id));
        return c;
    }

    /// <summary>What the verify page does: record, then signal.</summary>
    public async Task VerifyAsync(string caseId)
    {
        await Register.UpdateAsync(caseId, x => x with { EmailVerifiedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        await Client.RaiseEventAsync(caseId, CaseEvents.EmailVerified);
    }

    /// <summary>What the approval page does: record the decision, then signal.</summary>
    public async Task DecideAsync(string caseId, DecisionOutcome outcome, string? reason = null)
    {
        await Register.UpdateAsync(caseId, x => x with { Decision = new IdentityDecision(outcome, DateTimeOffset.UtcNow, "tester", reason) }, CancellationToken.None);
        await Client.RaiseEventAsync(caseId, CaseEvents.IdentityDecided);
    }

    /// <summary>What the task page does: record the outcome of one task, then signal.</summary>
    public async Task CompleteTaskAsync(string caseId, string key, StaffTaskOutcome outcome, string? note = null)
    {
        await Register.UpdateAsync(caseId, x => x with { Tasks = x.Tasks.Select(t => t.Key == key ? t with { DoneAt = DateTimeOffset.UtcNow, DoneBy = "tester", Outcome = outcome, Note = note } : t).ToList() }, CancellationToken.None);
        await Client.RaiseEventAsync(caseId, CaseEvents.StaffTaskDone);
    }

    /// <summary>Identity verified and approved: the case goes on to its plan.</summary>
    public async Task ApproveAsync(string caseId)
    {
        await VerifyAndAwaitApprovalAsync(caseId);
        await DecideAsync(caseId, DecisionOutcome.Approve);
    }

    /// <summary>The requester confirms the address and the approval request reaches staff.</summary>
    public async Task VerifyAndAwaitApprovalAsync(string caseId)
    {
        await WaitForMailAsync(MailKind.Verification);
        await VerifyAsync(caseId);
        await WaitForMailAsync(MailKind.ApprovalRequest);
    }

    public async Task WaitForMailAsync(MailKind kind, int count = 1)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (Mail.Of(kind).Count < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"No {kind} mail within 30 s; sent: {string.Join(", ", Mail.Sent.Select(m => m.Kind))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Until the case's run waits on <paramref name="step"/> (its custom status says so); at most 30 s.</summary>
    public async Task WaitingForAsync(string caseId, CaseWait step)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await Client.GetInstanceAsync(caseId, getInputsAndOutputs: true)) is not { SerializedCustomStatus.Length: > 0 } instance
            || instance.ReadCustomStatusAs<WaitingFor>()?.Step != step)
        {
            Assert.True(DateTime.UtcNow < until, $"the run did not reach the wait for {step} within 30 s");
            await Task.Delay(50);
        }
    }

    public async Task<OrchestrationMetadata> CompletionAsync(string caseId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Client.WaitForInstanceCompletionAsync(caseId, getInputsAndOutputs: true, cts.Token);
    }

    public async ValueTask DisposeAsync() => await host.DisposeAsync();
}
