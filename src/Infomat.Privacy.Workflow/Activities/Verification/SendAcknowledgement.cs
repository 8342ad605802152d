using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Verification;

/// <summary>Tells the requester, once, that the (verified) request is registered, with its reference and the legal due date.</summary>
public sealed class SendAcknowledgement(ICaseRegister register, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        if (c.NeedsAcknowledgement)
        {
            await mail.SendAsync(PrivacyMails.Acknowledgement(c, dataMap, options.Value.NoticeLink(c.Language)), CancellationToken.None);
            var at = time.GetUtcNow();
            await register.ApplyAsync(c.Id, x => x.Acknowledge(at), CancellationToken.None);
        }

        return true;
    }
}
