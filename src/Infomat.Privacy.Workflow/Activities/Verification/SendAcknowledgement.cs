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
            // Claimed before it goes: a second run of this step does not acknowledge the request twice (decision 116).
            await Closing.AnswerOnce.SendAsync(register, time, c.Id, (x, at) => x.ClaimAcknowledgement(at), (x, at) => x.AcknowledgementNotSent(at), async claimed =>
            {
                await mail.SendAsync(PrivacyMails.Acknowledgement(claimed, dataMap, options.Value.NoticeLink(claimed.Language), time.GetUtcNow()), CancellationToken.None);
                var at = time.GetUtcNow();
                return x => x.Acknowledge(at);
            });
        }

        return true;
    }
}
