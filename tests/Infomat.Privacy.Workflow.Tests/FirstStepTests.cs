using System.Collections.Concurrent;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Verification;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A run's first step (<see cref="LoadProgress"/>) reads the case and, while its address is to be confirmed, sends the
/// link when it has not gone and says until when to wait: a new case waits for its requester after one step, not two
/// (issue 21: one task-hub round fewer per request). The link's own step (<see cref="SendVerification"/>) still runs when
/// the first could not send it, and in the runs begun by the release before, whose history has it.
/// </summary>
public sealed class FirstStepTests
{
    [Fact]
    public async Task A_new_case_waits_for_its_requester_after_one_step_with_its_link_sent_once()
    {
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(activities: (name, real) => new Counted(name, real, runs));
        var c = await h.NewCaseAsync();

        await WaitingForAddressAsync(h, c.Id);

        Assert.Equal(1, runs.GetValueOrDefault(nameof(LoadProgress)));
        Assert.Equal(0, runs.GetValueOrDefault(nameof(SendVerification)));
        Assert.Single(h.Mail.Of(MailKind.Verification));
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.NotNull(stored.VerificationMailSentAt);

        // The wait is the requester's time from that link: confirmed, the case goes on to staff as before.
        await h.VerifyAsync(c.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        Assert.Single(h.Mail.Of(MailKind.Verification));
    }

    [Fact]
    public async Task A_link_the_first_step_could_not_send_goes_from_its_own_step_retried()
    {
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(activities: (name, real) => new Counted(name, real, runs));
        // The mail service refuses once: the first step, then the link's own step with its retries.
        h.Mail.FailNext(1);
        var c = await h.NewCaseAsync();

        await WaitingForAddressAsync(h, c.Id);

        Assert.Equal(1, runs.GetValueOrDefault(nameof(LoadProgress)));
        Assert.Equal(1, runs.GetValueOrDefault(nameof(SendVerification)));
        Assert.Single(h.Mail.Of(MailKind.Verification));
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task A_link_the_mail_service_refuses_for_good_closes_the_case_at_its_first_step_as_its_address_refused()
    {
        // Decision 141: the address the requester gave is refused (a 400 for its recipient): every try would be refused
        // alike. Before, the link's own step was tried four times and the case flagged failed, "a fault on our side".
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(activities: (name, real) => new Counted(name, real, runs));
        h.Mail.Refuses = "an.peeters@example.be";
        var c = await h.NewCaseAsync();

        Assert.Equal("\"finished\"", (await h.CompletionAsync(c.Id)).SerializedOutput);

        Assert.Equal(0, runs.GetValueOrDefault(nameof(SendVerification)));
        Assert.Empty(h.Mail.Of(MailKind.Verification));
        Assert.DoesNotContain(h.Mail.Sent, m => m.To == "an.peeters@example.be");
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Expired, stored.Status);
        Assert.NotNull(stored.VerificationMailRefusedAt);
        Assert.Equal(RequestProgress.AddressRefusedByMailService, stored.Progress);
    }

    [Fact]
    public async Task The_links_own_step_refused_for_good_says_so_to_the_run_and_again_when_run_twice()
    {
        var register = new InMemoryRegister();
        var mail = new RecordingMail { Refuses = "an.peeters@example.be" };
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var verification = new VerificationMail(register, mail, new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock),
            TestSupport.TestDataMaps.Real, Microsoft.Extensions.Options.Options.Create(new Configuration.PrivacyOptions()), clock,
            TestWorkflows.Metrics(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<VerificationMail>.Instance);
        var step = new SendVerification(register, verification);
        var request = new Requests.ValidRequest(Requests.RequestType.Access, "an.peeters@example.be", "An Peeters", null, Requests.ControllerScope.Of("be"), Requests.Language.Nl, null, null);
        var c = PrivacyCase.Received(request, Requests.Channel.Form, clock.GetUtcNow(), TestSupport.TestDataMaps.Real);
        await register.CreateAsync(c, default);

        var first = await step.RunAsync(null!, c.Id);
        var again = await step.RunAsync(null!, c.Id);

        Assert.True(first.AddressRefused);
        Assert.True(again.AddressRefused);
        Assert.Equal(1, mail.Attempts);
        Assert.True((await register.GetAsync(c.Id, default))!.ClosedAsAddressRefused);
    }

    [Fact]
    public async Task A_run_waiting_for_its_address_since_the_release_before_goes_on_after_the_release()
    {
        // The release before: the first step only read the case (its output in the history has no deadline) and the link
        // was a step of its own. A run parked at that wait replays its history under this release when the address is
        // confirmed: it must call the link's step again as the history says, not fail as a changed orchestration.
        var release = 1;
        await using var h = await WorkflowHarness.StartAsync(
            orchestrator: () => Volatile.Read(ref release) == 1 ? new ReleaseBefore() : new PrivacyRequestOrchestrator(),
            activities: (name, real) => name == nameof(LoadProgress) ? new AsBefore(real, () => Volatile.Read(ref release) == 1) : real);
        var c = await h.NewCaseAsync();
        await WaitingForAddressAsync(h, c.Id);
        Assert.Single(h.Mail.Of(MailKind.Verification));

        Volatile.Write(ref release, 2);
        await h.VerifyAsync(c.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);

        var instance = await h.Client.GetInstanceAsync(c.Id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, instance!.RuntimeStatus);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.Verification));
    }

    private static Task WaitingForAddressAsync(WorkflowHarness h, string caseId) => h.WaitingForAsync(caseId, CaseWait.EmailVerification);

    /// <summary>The release before, as far as the wait for the address: the first step, then the link's own step, then the wait.</summary>
    private sealed class ReleaseBefore : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), input);
            var link = await context.CallActivityAsync<WaitStep>(nameof(SendVerification), input);
            context.SetCustomStatus(new WaitingFor(CaseWait.EmailVerification));
            using var cancel = new CancellationTokenSource();
            var signal = context.WaitForExternalEvent<string?>(CaseEvents.EmailVerified, cancel.Token);
            var timeout = context.CreateTimer(link.DeadlineUtc, cancel.Token);
            await Task.WhenAny(signal, timeout);
            return "the release before goes no further";
        }
    }

    /// <summary>The real activity, its runs counted by name.</summary>
    private sealed class Counted(string name, ITaskActivity real, ConcurrentDictionary<string, int> runs) : ITaskActivity
    {
        public Type InputType => real.InputType;

        public Type OutputType => real.OutputType;

        public Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            runs.AddOrUpdate(name, 1, (_, n) => n + 1);
            return real.RunAsync(context, input);
        }
    }

    /// <summary>The first step as the release before answered it while <paramref name="before"/> holds: the progress without a deadline.</summary>
    private sealed class AsBefore(ITaskActivity real, Func<bool> before) : ITaskActivity
    {
        public Type InputType => real.InputType;

        public Type OutputType => real.OutputType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var result = await real.RunAsync(context, input);
            return before() && result is CaseProgress p ? p with { VerificationDeadlineUtc = null } : result;
        }
    }
}
