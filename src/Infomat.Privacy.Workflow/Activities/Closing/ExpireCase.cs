using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>Closes a case nobody acted on in time, with a mail to the requester; never one that staff decided.</summary>
public sealed class ExpireCase(ICaseRegister register, IMailSender mail, DataMap dataMap, TimeProvider time) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        if (c.ExpireRefusal() is null)
        {
            // Never verified, or verified but never decided by staff: the mail says which.
            await mail.SendAsync(c.EmailVerifiedAt is null ? PrivacyMails.Expired(c, dataMap) : PrivacyMails.ApprovalExpired(c, dataMap), CancellationToken.None);
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.Expire(at), CancellationToken.None)).Case;
        }

        // False when the case did not expire (staff decided in the meantime, or it ended otherwise): the caller goes on.
        return c.Status == CaseStatus.Expired;
    }
}
