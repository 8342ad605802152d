using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Verification;

/// <summary>Sends the verification link once and says until when the orchestration waits for it (the timeout from that mail).</summary>
public sealed class SendVerification(
    ICaseRegister register, IMailSender mail, LinkTokenService tokens, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendVerification> log)
    : TaskActivity<string, WaitStep>
{
    public override async Task<WaitStep> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.RequireAsync(input);
        if (c.NeedsVerificationMail)
        {
            // The requester's time runs from this mail (a mail delayed by our own outage does not shorten it).
            var token = tokens.Issue(c.Id, TokenPurpose.Verify, o.Verification.Timeout);
            await mail.SendAsync(PrivacyMails.Verification(c, dataMap, o.Link("verify", token), o.Verification.Timeout, o.NoticeLink(c.Language)), CancellationToken.None);
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.VerificationMailSent(at), CancellationToken.None)).Case;
            log.Step(c.Id, "verification mail sent");
        }

        return new WaitStep(c.VerificationDeadline(o.Verification.Timeout, time.GetUtcNow()).UtcDateTime);
    }
}
