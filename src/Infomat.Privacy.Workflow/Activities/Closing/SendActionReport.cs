using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>Sends the requester the report of what was done, once, and closes the case as completed.</summary>
public sealed class SendActionReport(ICaseRegister register, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendActionReport> log)
    : TaskActivity<ReportInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        if (c.NeedsAnswer)
        {
            // Claimed before the report goes: a second run of this step does not send it again (decision 116).
            var (_, sent) = await AnswerOnce.SendAsync(register, time, c.Id, async claimed =>
            {
                await mail.SendAsync(PrivacyMails.ActionReport(claimed, dataMap, input.Outcomes, options.Value.NoticeLink(claimed.Language)), CancellationToken.None);
                var at = time.GetUtcNow();
                // What the report said: a restriction that found nothing has nothing to lift later (LiftRefusal).
                var foundNothing = claimed.FindsNothingIn(input.Outcomes);
                return x => x.Complete(at, foundNothing: foundNothing);
            });
            if (sent)
            {
                log.Step(c.Id, "action report sent");
            }
        }

        // Art. 19: staff get a mail naming the recipients the report named, and a notice per recipient to record on the
        // case page (after the report: a retried run opens none twice, and a run that stopped in between does it now).
        var recipients = c.RecipientsToInform(dataMap, input.Outcomes);
        if (c.Art19Applies && recipients.Count > 0)
        {
            // Staff are told before the notices are recorded: a run cut short in between tells them again, never not at all.
            var o = options.Value;
            var open = recipients.Where(r => c.RecipientNotices.All(n => n.Recipient != r.Key)).ToList();
            if (open.Count > 0)
            {
                await log.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, "recipients to tell", to => PrivacyMails.RecipientsToTell(c, open, o.Link("cases/" + c.Id), to, o.Staff.Language), CancellationToken.None);
                var at = time.GetUtcNow();
                await register.ApplyAsync(c.Id, x => x.OpenRecipientNotices(open.Select(r => r.Key), at), CancellationToken.None);
            }
        }

        return true;
    }
}

/// <summary>The report of a case: the store outcomes are counts and dates only.</summary>
public sealed record ReportInput(string CaseId, IReadOnlyList<StoreOutcome> Outcomes);
