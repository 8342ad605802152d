using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The wait for the identity decision on the durable test host, with durations in seconds.</summary>
public sealed class ApprovalWaitTests
{
    [Fact]
    public async Task Undecided_cases_remind_staff_then_escalate_then_expire_with_a_mail_to_the_requester()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromSeconds(2);
            o.Approval.Timeout = TimeSpan.FromSeconds(7);
            o.Staff.Address = "privacy-staff@infomat.eu; backup-staff@infomat.eu";
            o.Staff.EscalationAddress = "dpo@infomat.eu";
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);

        Assert.Equal("\"expired\"", done.SerializedOutput);
        Assert.Equal(["backup-staff@infomat.eu", "privacy-staff@infomat.eu"], h.Mail.Of(MailKind.ApprovalRequest).Select(m => m.To).Order());
        var reminders = h.Mail.Of(MailKind.Reminder);
        // First reminder: the two staff mailboxes. Second: them and the escalation address, with an escalation subject.
        Assert.Equal(5, reminders.Count);
        Assert.Single(reminders, m => m.To == "dpo@infomat.eu");
        Assert.All(reminders.Where(m => m.Subject.StartsWith("Escalatie", StringComparison.Ordinal)), m => Assert.Contains("nog niet beslist", m.Subject, StringComparison.Ordinal));
        Assert.Equal(3, reminders.Count(m => m.Subject.StartsWith("Escalatie", StringComparison.Ordinal)));
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Expired, stored.Status);
        Assert.Equal(["approval-1", "approval-2"], stored.Reminders.Select(r => r.Key));
        var closing = Assert.Single(h.Mail.Of(MailKind.Rejection));
        Assert.Contains("We konden de controle van uw identiteit", closing.TextBody, StringComparison.Ordinal);
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
    public async Task Asking_for_more_identification_restarts_the_wait_for_the_decision()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
            o.Approval.Timeout = TimeSpan.FromSeconds(4);
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await Task.Delay(2000);

        // What the approval page does for "request-identification": record, then signal.
        await h.Register.UpdateAsync(c.Id, x => x with { IdentificationRequestedAt = DateTimeOffset.UtcNow, IdentificationRequest = "Uw klantnummer." }, default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);
        await Task.Delay(3000);

        // Past the first deadline (4 s after the approval request), the case still waits.
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));
    }
}
