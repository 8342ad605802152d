using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Approval;

/// <summary>
/// Reminds staff of an identity decision still open: the first reminder to the staff mailbox(es), the second also to
/// the escalation address. Each goes once (recorded in the case); nothing is sent once the decision is made.
/// </summary>
public sealed class SendApprovalReminder(
    ICaseRegister register, IMailSender mail, DataMap dataMap, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendApprovalReminder> log)
    : TaskActivity<ReminderInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReminderInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = options.Value;
        var c = await register.RequireAsync(input.CaseId);
        if (!c.NeedsApprovalReminder(input.Number))
        {
            return false;
        }

        var key = c.ApprovalReminderKey(input.Number);
        var remaining = c.ApprovalWaitStart(c.ReceivedAt) + o.Approval.Timeout - time.GetUtcNow();
        var token = tokens.Issue(c.Id, TokenPurpose.Approve, remaining > TimeSpan.FromMinutes(1) ? remaining : TimeSpan.FromMinutes(1));
        var escalate = input.Number >= 2 && o.Staff.EscalationAddress is { Length: > 0 };
        var recipients = StaffMail.Recipients(o.Staff.Address).Concat(escalate ? StaffMail.Recipients(o.Staff.EscalationAddress!) : []).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var to in recipients)
        {
            await mail.SendAsync(PrivacyMails.ApprovalReminder(c, dataMap, o.Link("approvals", token), to, o.Staff.Language, escalate), CancellationToken.None);
        }

        var at = time.GetUtcNow();
        await register.ApplyAsync(c.Id, x => x.RecordReminder(key, at), CancellationToken.None);
        log.Step(c.Id, escalate ? "approval reminder escalated" : "approval reminder sent");
        return true;
    }
}

/// <summary>The n-th reminder of a waiting step (1: reminder to staff, 2: escalation).</summary>
public sealed record ReminderInput(string CaseId, int Number);
