using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The wait for the identity decision on the durable test host, with durations in seconds.</summary>
public sealed class ApprovalWaitTests
{
    [Fact]
    public async Task A_staff_mail_outage_longer_than_the_retries_does_not_fail_the_case_its_reminder_goes_once_mail_is_back()
    {
        // Review of 7 December: the reminder's send failing past its retries flagged the whole case Failed, and staff's
        // decision links then answered "no more decision" until someone retried it.
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromSeconds(2);
            o.Approval.Timeout = TimeSpan.FromMinutes(5);
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        h.Mail.Down = true;

        // Longer than the step's four tries (2 + 4 + 8 s apart).
        await Task.Delay(TimeSpan.FromSeconds(18));
        var during = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, during.Status);
        Assert.Empty(during.Reminders);

        h.Mail.Down = false;
        await h.WaitForMailAsync(MailKind.Reminder, 1);
        // The latest reminder due then goes (after a stop, only the latest one: PrivacyCase.ApprovalWaitAt).
        Assert.Contains((await h.Register.GetAsync(c.Id, default))!.Reminders, r => r.Key.StartsWith("approval-", StringComparison.Ordinal));
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task Staff_on_holiday_never_close_the_case_they_are_reminded_then_escalated_and_a_late_decision_is_carried_out()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromSeconds(2);
            o.Approval.Timeout = TimeSpan.FromSeconds(5);
            o.Staff.Address = "privacy-staff@infomat.eu; backup-staff@infomat.eu";
            o.Staff.EscalationAddress = "dpo@infomat.eu";
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        // Two reminders to both staff mailboxes, then at the timeout an escalation (staff and the escalation address),
        // repeated every reminder period: 4 + 3 + 3 mails.
        await h.WaitForMailAsync(MailKind.Reminder, 10);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));
        Assert.Equal(["approval-1", "approval-2", "approval-escalation-1", "approval-escalation-2"], stored.Reminders.Select(r => r.Key).Take(4));
        var escalations = h.Mail.Of(MailKind.Reminder).Where(m => m.Subject.StartsWith("Escalatie", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, escalations.Count(m => m.To == "dpo@infomat.eu"));
        Assert.All(escalations, m => Assert.Contains("Het verzoek blijft open", m.TextBody, StringComparison.Ordinal));

        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        var done = await h.CompletionAsync(c.Id);

        Assert.Equal("\"completed\"", done.SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
    }

    [Fact]
    public async Task A_requester_who_never_sends_the_identification_asked_for_gets_the_case_closed_with_the_reasons_and_remedies()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
            o.Approval.Timeout = TimeSpan.FromSeconds(3);
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        // What the approval page does for "request-identification": record, then signal.
        var asked = DateTimeOffset.UtcNow;
        await h.Register.ApplyAsync(c.Id, x => x.RequestIdentification("tester", "Uw klantnummer.", asked).Changed!.IdentificationMailSent(asked), default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);
        var done = await h.CompletionAsync(c.Id);

        Assert.Equal("\"expired\"", done.SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Expired, stored.Status);
        Assert.True(stored.History[^1].At >= asked + TimeSpan.FromSeconds(3));
        var notice = Assert.Single(h.Mail.Of(MailKind.Rejection));
        Assert.Contains("vroegen we u om meer informatie", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("art. 12, lid 4", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("art. 79 AVG", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("Wilt u dat de Nederlandse rechter Infomat Nederland beveelt anders op uw verzoek te beslissen, dien dan binnen zes weken", notice.TextBody, StringComparison.Ordinal);
        Assert.Empty(h.Mail.Of(MailKind.Reminder));
    }

    [Fact]
    public async Task An_escalation_address_the_mail_service_refuses_neither_repeats_the_escalation_to_staff_nor_fails_the_case()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromSeconds(30);
            o.Approval.Timeout = TimeSpan.FromSeconds(2);
            o.Staff.EscalationAddress = "dpo@infomat.eu";
        });
        h.Mail.Refuses = "dpo@infomat.eu";
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        // The escalation is due after 2 s; its second mailbox refuses it.
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await h.Register.GetAsync(c.Id, default))!.Reminders.All(r => r.Key != "approval-escalation-1"))
        {
            Assert.True(DateTime.UtcNow < until, "the escalation was never recorded");
            await Task.Delay(200);
        }

        await Task.Delay(3000);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);
        // Staff got it once, not once per retry of the step.
        Assert.Single(h.Mail.Of(MailKind.Reminder), m => m.To == h.Options.Staff.Address);
        Assert.DoesNotContain(h.Mail.Of(MailKind.Reminder), m => m.To == "dpo@infomat.eu");

        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task A_decision_after_the_first_reminder_stops_the_reminders()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromSeconds(2);
            o.Approval.Timeout = TimeSpan.FromSeconds(30);
            o.Staff.EscalationAddress = "dpo@infomat.eu";
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.WaitForMailAsync(MailKind.Reminder);

        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        await h.CompletionAsync(c.Id);
        await Task.Delay(3000);

        Assert.Single(h.Mail.Of(MailKind.Reminder));
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
    }

    [Fact]
    public async Task An_erasure_asks_for_two_approvers_and_counts_what_each_store_holds()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync(RequestType.Erasure);
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        var stored = (await h.Register.GetAsync(c.Id, default))!;

        Assert.Equal(2, stored.ApprovalsRequired);
        Assert.NotNull(stored.Holdings);
        Assert.Equal(8, stored.Holdings!.Count);
        Assert.Contains("2 verschillende collega's", h.Mail.Of(MailKind.ApprovalRequest)[0].TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_to_the_request_for_identification_keeps_the_case_open_for_staff_past_the_timeout()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
            o.Approval.Timeout = TimeSpan.FromSeconds(3);
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.Register.ApplyAsync(c.Id, x => x.RequestIdentification("tester", "Uw klantnummer.", DateTimeOffset.UtcNow).Changed!.IdentificationMailSent(DateTimeOffset.UtcNow), default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);

        // The requester replies (what mail intake records); past the timeout the case still waits, now on staff.
        await Task.Delay(1000);
        await h.Register.ApplyAsync(c.Id, x => x.IdentificationAnswered(DateTimeOffset.UtcNow), default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);
        await Task.Delay(4000);

        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
    }

    [Fact]
    public async Task A_reply_that_reached_the_mailbox_in_time_but_is_read_late_keeps_the_case_open()
    {
        await using var h = await WorkflowHarness.StartAsync(ReplyWithin(TimeSpan.FromSeconds(3)));
        // The mailbox reader is down (the mail service answers 503): nothing received since the request has been read.
        // The requester's reply reached the mailbox two seconds after the request, within their three.
        var (c, asked) = await AskWithMailReadOnlyToTheRequestAsync(h);
        await Task.Delay(6000);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));

        // The reader is back and reads the reply, dated when it reached the mailbox: the case waits on staff.
        await h.Register.ApplyAsync(c.Id, x => x.IdentificationAnswered(asked + TimeSpan.FromSeconds(2)), default);
        h.MailProgress.Through = null;
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);
        await Task.Delay(3000);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));

        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task Once_the_mailbox_is_read_past_the_end_with_no_reply_the_case_expires_without_a_signal()
    {
        await using var h = await WorkflowHarness.StartAsync(ReplyWithin(TimeSpan.FromSeconds(2)));
        var (c, _) = await AskWithMailReadOnlyToTheRequestAsync(h);

        await Task.Delay(4000);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);

        // The reader catches up and finds no reply: at its next look the case expires and the requester is told.
        var caughtUp = DateTimeOffset.UtcNow;
        h.MailProgress.Through = caughtUp;
        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"expired\"", done.SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Expired, stored.Status);
        Assert.True(stored.History[^1].At >= caughtUp);
        Assert.Single(h.Mail.Of(MailKind.Rejection));
    }

    /// <summary>The requester has <paramref name="replyTime"/> to send the identification asked for; staff never remind.</summary>
    private static Action<Configuration.PrivacyOptions> ReplyWithin(TimeSpan replyTime) => o =>
    {
        o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
        o.Approval.Timeout = replyTime;
        o.Approval.UnreadMailRecheck = TimeSpan.FromSeconds(1);
    };

    /// <summary>
    /// A case waiting on staff whose requester is then asked for more identification (what the approval page records and
    /// signals), with the mailbox read only up to that moment; returns the case and when it was asked.
    /// </summary>
    private static async Task<(PrivacyCase Case, DateTimeOffset Asked)> AskWithMailReadOnlyToTheRequestAsync(WorkflowHarness h)
    {
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        var asked = DateTimeOffset.UtcNow;
        h.MailProgress.Through = asked;
        await h.Register.ApplyAsync(c.Id, x => x.RequestIdentification("tester", "Uw klantnummer.", asked).Changed!.IdentificationMailSent(asked), default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);
        return (c, asked);
    }
}
