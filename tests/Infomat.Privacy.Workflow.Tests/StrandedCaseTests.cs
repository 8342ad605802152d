using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Verification;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// No case is stranded, whatever stops its orchestration: a failure at any step flags it Failed for staff; an
/// orchestration that stopped (killed, or failed by a release that changed the code under it) is started again from the
/// register by the reconciler; a signal that was lost is sent again.
/// </summary>
public sealed class StrandedCaseTests
{
    [Fact]
    public async Task A_mail_outage_longer_than_the_retries_at_the_first_step_flags_the_case_failed_and_a_staff_retry_resumes_it()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Mail.Down = true;
        var c = await h.NewCaseAsync();

        // The verification mail cannot go (four tries over about 14 s): the case is flagged, not left "awaiting".
        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"failed\"", done.SerializedOutput);
        var failed = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Failed, failed.Status);
        Assert.Equal(nameof(SendVerification), failed.FailedStep);
        Assert.True(failed.IsUnanswered);
        Assert.Empty(h.Mail.Sent);

        // The provider is back; staff retry from the case page: the case resumes where it stood.
        h.Mail.Down = false;
        var retried = await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default);
        Assert.False(retried.Refused);
        await h.WaitForMailAsync(MailKind.Verification);
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await h.Register.GetAsync(c.Id, default))!.Status);
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.Verification));
    }

    [Fact]
    public async Task A_killed_orchestration_is_started_again_by_the_reconciler_and_the_case_completes_without_duplicate_mails()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.Client.TerminateInstanceAsync(c.Id);
        await h.CompletionAsync(c.Id);

        var result = await h.Workflow.ReconcileAsync(h.Client, default);

        Assert.Equal(1, result.Restarted);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        // The restarted orchestration found the mails already sent in the register: none went twice.
        Assert.Single(h.Mail.Of(MailKind.Verification));
        Assert.Single(h.Mail.Of(MailKind.Acknowledgement));
        Assert.Single(h.Mail.Of(MailKind.ApprovalRequest));
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
    }

    [Fact]
    public async Task An_orchestration_that_keeps_stopping_is_restarted_three_times_then_the_case_is_flagged_failed_for_staff()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);

        var flagged = 0;
        for (var i = 0; i <= PrivacyCase.MaxAutomaticRestarts; i++)
        {
            await h.Client.TerminateInstanceAsync(c.Id);
            await h.CompletionAsync(c.Id);
            flagged += (await h.Workflow.ReconcileAsync(h.Client, default)).FlaggedFailed;
        }

        Assert.Equal(1, flagged);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Failed, stored.Status);
        Assert.Equal(PrivacyCase.MaxAutomaticRestarts, stored.Restarts.Count);
    }

    /// <summary>
    /// Kills the case's run until the reconciliation gives up and flags it (a pass that finds the run not yet ended
    /// counts nothing, so a few more passes than restarts are allowed; the exact count is the test above's).
    /// </summary>
    private static async Task<PrivacyCase> KilledUntilFlaggedFailedAsync(WorkflowHarness h, string caseId)
    {
        for (var i = 0; i <= PrivacyCase.MaxAutomaticRestarts + 3 && (await h.Register.GetAsync(caseId, default))!.Status != CaseStatus.Failed; i++)
        {
            await h.Client.TerminateInstanceAsync(caseId);
            await h.CompletionAsync(caseId);
            await h.Workflow.ReconcileAsync(h.Client, default);
        }

        var failed = (await h.Register.GetAsync(caseId, default))!;
        Assert.Equal(CaseStatus.Failed, failed.Status);
        return failed;
    }

    [Fact]
    public async Task A_confirmation_made_while_the_case_is_flagged_failed_counts_when_staff_retry_it()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);
        await KilledUntilFlaggedFailedAsync(h, c.Id);

        // The requester opens the link meanwhile (what POST /verify does: record, then signal): it is taken, not refused.
        var confirmed = await h.Register.ApplyAsync(c.Id, x => x.Verify(DateTimeOffset.UtcNow), default);
        Assert.False(confirmed.Refused);
        await h.Workflow.SignalAsync(h.Client, c.Id, CaseEvents.EmailVerified, default);

        // Staff retry: the run goes on from the confirmed address to the identity check; nothing asks for the link again.
        Assert.False((await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default)).Refused);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Single(h.Mail.Of(MailKind.Verification));
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task A_case_flagged_failed_after_its_link_went_gets_a_new_link_when_staff_retry_it_which_confirms_it()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);
        var failed = await KilledUntilFlaggedFailedAsync(h, c.Id);

        // Staff retry (the requester never confirmed): a new link goes, and the requester's time runs from it.
        Assert.False((await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default)).Refused);
        for (var i = 0; i < 100 && h.Mail.Of(MailKind.Verification).Count < 2; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, h.Mail.Of(MailKind.Verification).Count);
        var retried = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal([failed.VerificationMailSentAt!.Value], retried.EarlierVerificationMails);
        Assert.True(retried.VerificationMailSentAt > failed.VerificationMailSentAt);
        // The new link confirms the address and the case goes on.
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task A_decision_signalled_to_a_dead_orchestration_is_carried_out_by_a_new_one()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.Client.TerminateInstanceAsync(c.Id);
        await h.CompletionAsync(c.Id);

        // What POST /approvals does: record, then signal through the workflow, which sees the instance stopped.
        await h.Register.ApplyAsync(c.Id, x => x.Approve(1, "Els", DateTimeOffset.UtcNow, "verified-link"), default);
        await h.Workflow.SignalAsync(h.Client, c.Id, CaseEvents.IdentityDecided, default);

        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
    }

    [Fact]
    public async Task A_staff_task_whose_signal_was_lost_is_signalled_again_by_the_reconciler()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new System.Text.Json.Nodes.JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Rectification, details: "Mijn adres is Kerkstraat 2.");
        await h.ApproveAsync(c.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);
        await WaitUntilAsync(async () => (await h.Client.GetInstanceAsync(c.Id, getInputsAndOutputs: true))?.SerializedCustomStatus is { Length: > 0 });

        // The task page recorded every task; its signal never reached the orchestration.
        var open = (await h.Register.GetAsync(c.Id, default))!.Tasks;
        foreach (var task in open)
        {
            await h.Register.ApplyAsync(c.Id, x => x.CompleteTask(task.Key, StaffTaskOutcome.Done, null, "Els", DateTimeOffset.UtcNow), default);
        }

        var result = await h.Workflow.ReconcileAsync(h.Client, default);

        Assert.Equal(1, result.Resignalled);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Equal(CaseStatus.Completed, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task A_case_parked_at_the_approval_wait_completes_after_a_release_changed_the_orchestration_under_it()
    {
        // Release 1 waits for the decision with a sequence of calls release 2 no longer makes.
        var release = new ReleaseSwitch();
        await using var h = await WorkflowHarness.StartAsync(orchestrator: () => release.Current == 1 ? new PreviousRelease() : new PrivacyRequestOrchestrator());
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await WaitUntilAsync(async () => (await h.Client.GetInstanceAsync(c.Id))?.RuntimeStatus == OrchestrationRuntimeStatus.Running);

        // The release is deployed; then staff approve. The old history no longer replays under the new code.
        release.Current = 2;
        await h.Register.ApplyAsync(c.Id, x => x.Approve(1, "Els", DateTimeOffset.UtcNow, "verified-link"), default);
        await h.Workflow.SignalAsync(h.Client, c.Id, CaseEvents.IdentityDecided, default);
        var broken = await h.CompletionAsync(c.Id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, broken.RuntimeStatus);

        // The reconciler (every five minutes, and at start-up after a deployment) starts it again from the register.
        var result = await h.Workflow.ReconcileAsync(h.Client, default);

        Assert.Equal(1, result.Restarted);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        Assert.Single(h.Mail.Of(MailKind.ApprovalRequest));
    }

    [Fact]
    public void Every_step_that_can_fail_is_named_to_staff_in_words_in_every_language()
    {
        var steps = PrivacyWorkflow.Activities.Select(a => a.Name).Except([nameof(LoadProgress), "MarkFailed"]).Append("Orchestration");

        foreach (var language in new[] { Language.Nl, Language.Fr, Language.En })
        {
            Assert.All(steps, step => Assert.False(string.IsNullOrWhiteSpace(Localization.Texts.TryGet("FailedStep" + step, language)), $"no words for {step} in {language}"));
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met within 30 s");
            await Task.Delay(50);
        }
    }

    private sealed class ReleaseSwitch
    {
        public volatile int Current = 1;
    }

    /// <summary>An older release's orchestration: the same steps up to the approval wait, awaited in another order (a reminder timer first).</summary>
    private sealed class PreviousRelease : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), input);
            await context.CallActivityAsync<WaitStep>(nameof(SendVerification), input);
            await context.WaitForExternalEvent<string?>(CaseEvents.EmailVerified);
            await context.CallActivityAsync(nameof(SendAcknowledgement), input);
            await context.CallActivityAsync<bool>(nameof(RequestApproval), input);
            await context.CreateTimer(TimeSpan.FromMilliseconds(1), CancellationToken.None);
            await context.WaitForExternalEvent<string?>(CaseEvents.IdentityDecided);
            return "old";
        }
    }
}
