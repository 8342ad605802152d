using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

using Infomat.Privacy.Workflow.Activities.Approval;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>
/// Closes a case whose requester did not respond in time (the address never confirmed, or the identification asked
/// for never sent), then tells them why and what they can do (Art. 12(4)). The case's rule decides
/// (<see cref="PrivacyCase.ExpireRefusal"/>): never a case staff decided, nor one that waits on staff, nor one whose
/// requester's reply may have reached the mailbox in time and still be unread (<see cref="IMailIntakeProgress"/>). The status is
/// recorded first, so a verification or decision arriving meanwhile either wins or is refused, never both; the notice
/// follows once, and a retry sends it if it did not go.
/// </summary>
public sealed partial class ExpireCase(
    ICaseRegister register, IMailSender mail, DataMap dataMap, IMailIntakeProgress mailProgress, IOptions<PrivacyOptions> options, TimeProvider time, PrivacyMetrics metrics,
    ILogger<ExpireCase> log)
    : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        // Asked only for a case waiting on the requester's identification (an address never confirmed does not depend on
        // mail), and before the time is taken: mail read through a moment is never unread again, so the moment stays true.
        DateTimeOffset? readThrough = (await register.RequireAsync(input)).AwaitsIdentification ? await mailProgress.ReadThroughOrNothingAsync(input, log) : null;
        var at = time.GetUtcNow();
        var update = await register.ApplyAsync(input, x => x.Expire(at, o.Verification.Timeout, o.Approval.Timeout, readThrough), CancellationToken.None);
        var c = update.Case;
        if (!update.Refused && c.Status == CaseStatus.Failed)
        {
            // The link's time ran out after it was reported undelivered: held up for staff, as a failed step is (counted
            // and alerted once), not closed on the requester's silence.
            HeldUpLinkNotDelivered(log, c.Id);
            metrics.CaseFailed();
        }

        if (c.NeedsExpiryNotice)
        {
            // Claimed before the notice goes: a second run of this step does not send it again (decision 116).
            (c, _) = await AnswerOnce.SendAsync(register, time, c.Id, async claimed =>
            {
                await mail.SendAsync(PrivacyMails.Expired(claimed, dataMap, o.NoticeLink(claimed.Language)), CancellationToken.None);
                var sentAt = time.GetUtcNow();
                return x => x.ExpiryNoticeSent(sentAt);
            });
        }

        // False when the case did not expire (verified or decided in the meantime, or still waiting on staff): the caller goes on.
        return c.Status == CaseStatus.Expired;
    }

    [LoggerMessage(180, LogLevel.Warning, "Case {CaseId}: the time to confirm the address ran out after the link was reported undelivered; flagged for staff, not closed")]
    private static partial void HeldUpLinkNotDelivered(ILogger logger, string caseId);
}
