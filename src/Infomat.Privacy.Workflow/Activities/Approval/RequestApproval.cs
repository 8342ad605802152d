using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Activities.Closing;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Approval;

/// <summary>
/// Moves a verified case to staff approval and sends the approval request once, with what the stores in scope hold
/// for the address (counts per store) and how many approvers the case needs (two for erasure, by default).
/// </summary>
public sealed class RequestApproval(
    ICaseRegister register, IEntityStoreCatalog stores, DataMap dataMap, IMailSender mail, LinkTokenService tokens,
    IOptions<PrivacyOptions> options, TimeProvider time, ILogger<RequestApproval> log)
    : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.RequireAsync(input);
        if (c.NeedsApprovalRequest)
        {
            var holdings = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var store in dataMap.StoresOf(c.Entity))
            {
                try
                {
                    var counts = await stores.Find(store.Key).CountAsync(c.Email, CancellationToken.None);
                    holdings[store.Key] = counts.Values.Sum();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The counts only inform staff: a store that is down now must not hold up the request (-1: not counted).
                    holdings[store.Key] = -1;
                    log.StoreNotCounted(c.Id, store.Key, ex.GetType().Name);
                }
            }

            c = (await register.ApplyAsync(c.Id, x => x.PrepareApproval(holdings, o.Approval.TwoApproversForErasure), CancellationToken.None)).Case;
            // Claimed before it goes, as the requester's mails are (decision 116): a second run of this step delivered
            // at the same time waits for this one instead of mailing staff a second approval request.
            (c, var sent) = await AnswerOnce.SendAsync(register, time, c.Id, (x, at) => x.ClaimApprovalRequest(at), (x, at) => x.ApprovalRequestNotSent(at), async prepared =>
            {
                var sentAt = time.GetUtcNow();
                var link = o.ApprovalLink(tokens, prepared.Id);
                var card = ApprovalCard.ForMail(prepared, dataMap, o, () => o.ApprovalCardToken(tokens, prepared.Id), link);
                await log.SendToStaffAsync(mail, o.Staff, "Case " + prepared.Id, "approval request", to => PrivacyMails.ApprovalRequest(prepared, dataMap, link, to, o.Staff.Language, card), CancellationToken.None);
                return x => x.RequestApproval(sentAt);
            });
            if (sent)
            {
                log.Step(c.Id, "approval requested");
            }
        }

        return c.ApprovalMailSentAt is not null;
    }
}
