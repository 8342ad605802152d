using Infomat.Privacy.Mail;

namespace Infomat.LocalHost.Faults;

/// <summary>
/// The mail sender with faults: a share of sends refused with a 503 (the same exception SendGrid's adapter throws), a
/// share timing out after a wait (as the HTTP client reports it). Either way nothing is sent.
/// </summary>
internal sealed class FaultyMailSender(IMailSender inner, FaultDice dice) : IMailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (dice.Roll(dice.Options.MailFailureRate))
        {
            dice.MailRefused();
            throw new InvalidOperationException($"The mail service refused the {mail.Kind.ToWire()} mail: HTTP 503 (injected fault).");
        }

        if (dice.Roll(dice.Options.MailTimeoutRate))
        {
            dice.MailTimedOut();
            await Task.Delay(dice.Options.MailTimeout, cancellationToken);
            throw new TaskCanceledException($"The mail service did not answer in time for the {mail.Kind.ToWire()} mail (injected fault).", new TimeoutException());
        }

        await inner.SendAsync(mail, cancellationToken);
    }
}
