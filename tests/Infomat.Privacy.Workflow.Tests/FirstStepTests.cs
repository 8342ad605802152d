using System.Collections.Concurrent;
using System.Text.Json;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Closing;
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

    [Fact]
    public async Task A_new_case_whose_writer_sent_its_link_waits_for_its_requester_with_no_step_and_goes_on_when_confirmed()
    {
        // Decision 90: the writer (the form, the API, a mail) sent the link and says until when to wait; the run reads
        // nothing before its wait. Seen failing before it: one step (LoadProgress) ran.
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(activities: (name, real) => new Counted(name, real, runs));
        var c = await h.WrittenAndBegunAsync();

        await WaitingForAddressAsync(h, c.Id);

        Assert.Empty(runs);
        Assert.Single(h.Mail.Of(MailKind.Verification));
        var waiting = await h.Client.GetInstanceAsync(c.Id, getInputsAndOutputs: true);
        Assert.DoesNotContain("peeters", waiting!.SerializedInput, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(c.Id, waiting.SerializedInput, StringComparison.Ordinal);

        await h.VerifyAsync(c.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        Assert.Equal(1, runs.GetValueOrDefault(nameof(LoadProgress)));
        Assert.Equal(0, runs.GetValueOrDefault(nameof(SendVerification)));
        Assert.Single(h.Mail.Of(MailKind.Verification));
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task A_new_case_whose_writer_sent_its_link_expires_at_the_links_deadline_when_nobody_confirms()
    {
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(o => o.Verification.Timeout = TimeSpan.FromSeconds(3), activities: (name, real) => new Counted(name, real, runs));
        var c = await h.WrittenAndBegunAsync();

        var done = await h.CompletionAsync(c.Id);

        Assert.Equal("\"expired\"", done.SerializedOutput);
        Assert.Equal(CaseStatus.Expired, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Equal(1, runs.GetValueOrDefault(nameof(ExpireCase)));
        Assert.Equal(0, runs.GetValueOrDefault(nameof(LoadProgress)));
    }

    [Fact]
    public async Task A_confirmation_at_the_links_deadline_wins_over_the_timer_in_a_run_that_read_nothing_before()
    {
        // The address confirmed and its signal lost: the timer fires, the expiry step finds it confirmed, and the run
        // reads the case and goes on. (10 s: the run must be at its wait before the confirmation, on a busy machine too.)
        await using var h = await WorkflowHarness.StartAsync(o => o.Verification.Timeout = TimeSpan.FromSeconds(10));
        var c = await h.WrittenAndBegunAsync();
        await WaitingForAddressAsync(h, c.Id);

        await h.Register.UpdateAsync(c.Id, x => x with { EmailVerifiedAt = DateTimeOffset.UtcNow }, default);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);

        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task A_link_its_writer_could_not_send_goes_from_the_runs_first_step()
    {
        var runs = new ConcurrentDictionary<string, int>();
        await using var h = await WorkflowHarness.StartAsync(activities: (name, real) => new Counted(name, real, runs));
        h.Mail.FailNext(1);
        var c = await h.WrittenAndBegunAsync();

        await WaitingForAddressAsync(h, c.Id);

        Assert.Equal(1, runs.GetValueOrDefault(nameof(LoadProgress)));
        Assert.Single(h.Mail.Of(MailKind.Verification));
    }

    [Fact]
    public async Task A_new_cases_first_run_that_the_release_before_cannot_read_is_restarted_by_the_reconciliation_as_a_bare_case_id()
    {
        // A rollback, or both releases side by side: a worker of the release before takes a new case's first run, whose
        // input carries the link's date. It cannot read it and the run fails; the reconciliation restarts it with the
        // bare case id, which that release reads, and the case waits for its requester with its one link.
        await using var h = await WorkflowHarness.StartAsync(orchestrator: () => new ReleaseBefore());
        var c = await h.WrittenAndBegunAsync();
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await h.Client.GetInstanceAsync(c.Id))?.RuntimeStatus != OrchestrationRuntimeStatus.Failed)
        {
            Assert.True(DateTime.UtcNow < until, "the release before's run did not fail on the new input within 30 s");
            await Task.Delay(50);
        }

        var reconciled = await h.Workflow.ReconcileAsync(h.Client, default);

        Assert.Equal(1, reconciled.Restarted);
        await WaitingForAddressAsync(h, c.Id);
        var restarted = await h.Client.GetInstanceAsync(c.Id, getInputsAndOutputs: true);
        Assert.Equal(JsonSerializer.Serialize(c.Id), restarted!.SerializedInput);
        Assert.Single(h.Mail.Of(MailKind.Verification));
    }

    [Fact]
    public void A_runs_input_reads_the_bare_case_id_of_the_runs_begun_before_and_round_trips_its_date()
    {
        Assert.Equal(new CaseRun("c-1"), JsonSerializer.Deserialize<CaseRun>("\"c-1\""));
        // A run without a date is written as the release before wrote it: that release can run it (a rollback).
        Assert.Equal("\"c-1\"", JsonSerializer.Serialize(new CaseRun("c-1")));
        Assert.Equal(new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc), JsonSerializer.Deserialize<CaseRun>("{\"caseId\":\"c-3\",\"linkSentWaitUntilUtc\":\"2026-12-06T11:00:00+01:00\"}")!.LinkSentWaitUntilUtc);
        var run = new CaseRun("c-2") { LinkSentWaitUntilUtc = new DateTime(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc) };
        var json = JsonSerializer.Serialize(run);
        Assert.Equal(run, JsonSerializer.Deserialize<CaseRun>(json));
        Assert.Equal("{\"caseId\":\"c-2\",\"linkSentWaitUntilUtc\":\"2026-12-06T10:00:00Z\"}", json);
    }

    private static async Task WaitingForAddressAsync(WorkflowHarness h, string caseId)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await h.Client.GetInstanceAsync(caseId, getInputsAndOutputs: true)) is not { SerializedCustomStatus.Length: > 0 } instance
            || instance.ReadCustomStatusAs<WaitingFor>()?.Step != CaseWait.EmailVerification)
        {
            Assert.True(DateTime.UtcNow < until, "the run did not reach the wait for the address within 30 s");
            await Task.Delay(50);
        }
    }

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
