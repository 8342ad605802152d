using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Verification;

/// <summary>
/// The verification link, sent once per case (<see cref="PrivacyCase.NeedsVerificationMail"/>). The intake sends it the
/// moment it writes a case, before the orchestration is started, so the mail does not wait behind the durable engine's
/// queues (a spike fills them; decision 81). The orchestration's first step (<see cref="SendVerification"/>) sends it
/// when the intake could not: a mail outage, a host that stopped in between (its first step, <see cref="LoadProgress"/>,
/// tries first, and <see cref="SendVerification"/> when that could not). All go through here.
/// </summary>
public sealed partial class VerificationMail(
    ICaseRegister register, IMailSender mail, LinkTokenService tokens, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, PrivacyMetrics metrics,
    ILogger<VerificationMail> log)
{
    /// <summary>
    /// Sends the link unless it went already, the address is confirmed (a mail whose sender is proven) or the case is
    /// finished, and records when it went: the requester's time runs from this mail. Returns the case as stored after.
    /// </summary>
    /// <remarks>
    /// Once the mail service has taken the mail, the send is recorded whatever <paramref name="cancellationToken"/> says:
    /// a mail sent but not recorded would go a second time.
    /// </remarks>
    public async Task<PrivacyCase> SendOnceAsync(PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (!c.NeedsVerificationMail)
        {
            return c;
        }

        var o = options.Value;
        // The link's time runs from its token: recorded as sent then, so the moment the pages state is the moment the
        // link stops working, not that plus however long the mail service took to answer.
        var issuedAt = time.GetUtcNow();
        var token = tokens.Issue(c.Id, TokenPurpose.Verify, o.Verification.Timeout);
        try
        {
            await mail.SendAsync(PrivacyMails.Verification(c, dataMap, o.Link("verify", token), o.Verification.Timeout, o.NoticeLink(c.Language)), cancellationToken);
        }
        catch (MailRefusedException ex)
        {
            // Refused for good (the address the requester gave): on record, which closes the case, and the case page and the
            // requester's page say why (decision 141).
            var refusedAt = time.GetUtcNow();
            var closed = !(await register.ApplyAsync(c.Id, x => x.VerificationMailRefused(refusedAt), CancellationToken.None)).Refused;
            Refused(log, c.Id, ex.Answer, closed);
            if (closed)
            {
                // Counted once, by the step that closed it: ops alert on it (infra/app/monitoring.bicep).
                metrics.CaseClosedAsAddressRefused();
            }

            throw;
        }

        try
        {
            var stored = (await register.ApplyAsync(c.Id, x => x.VerificationMailSent(issuedAt), CancellationToken.None)).Case;
            log.Step(c.Id, "verification mail sent");
            return stored;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Said as it is: the mail went, and whoever sends it next (the orchestration's step) sends a second link.
            SentNotRecorded(log, c.Id, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>Until when the orchestration waits for <paramref name="c"/>'s address to be confirmed (UTC): the timeout from its link.</summary>
    public DateTime WaitUntilUtc(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.VerificationDeadline(options.Value.Verification.Timeout, time.GetUtcNow()).UtcDateTime;
    }

    [LoggerMessage(172, LogLevel.Warning, "Case {CaseId}: the mail service refused the verification link's recipient for good ({Answer}); closed as its address refused: {Closed}")]
    private static partial void Refused(ILogger logger, string caseId, string answer, bool closed);

    [LoggerMessage(134, LogLevel.Warning, "Case {CaseId}: the verification mail was sent but not recorded ({Error}); it goes again from the next step that sends it")]
    private static partial void SentNotRecorded(ILogger logger, string caseId, string error);
}
