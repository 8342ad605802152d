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
                // The recipients the report names (Art. 19): their notices open in the same write as the completion.
                var recipients = RecipientsToTell(claimed, input.Outcomes);
                return x => x.Complete(at, foundNothing: foundNothing, recipientsToTell: recipients);
            });
            if (sent)
            {
                log.Step(c.Id, "action report sent");
            }
        }

        // Art. 19: staff get a mail naming the recipients the report named, each a notice to record on the case page.
        // Opened with the completion; a case completed by a run from before that, or cut short, opens them now. The mail
        // follows the notices: when it cannot go, the case owes it and the daily sweep sends it (the case is finished, so
        // no failure flag or retry would; decision 177).
        if (RecipientsToTell(c, input.Outcomes) is { Count: > 0 } toTell && !c.NeedsAnswer)
        {
            await register.ApplyAsync(c.Id, x => x.OpenRecipientNotices(toTell, time.GetUtcNow()), CancellationToken.None);
        }

        try
        {
            await log.SendRecipientsMailAsync(register, mail, options.Value, dataMap, await register.RequireAsync(input.CaseId), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The case is answered and finished: a failure here would only fail a run whose case cannot be flagged. The
            // mail owed is on the case (RecipientsMailDueSince), and the daily sweep sends it.
            log.RecipientsMailLeftToSweep(c.Id, ex.GetType().Name);
        }

        return true;
    }

    /// <summary>The recipients the report names for what the case changed (Art. 19), by key; none when it changed nothing they hold.</summary>
    private IReadOnlyList<string> RecipientsToTell(PrivacyCase c, IReadOnlyList<StoreOutcome> outcomes) =>
        c.Art19Applies ? [.. c.RecipientsToInform(dataMap, outcomes).Select(r => r.Key)] : [];
}

/// <summary>The report of a case: the store outcomes are counts and dates only.</summary>
public sealed record ReportInput(string CaseId, IReadOnlyList<StoreOutcome> Outcomes);
