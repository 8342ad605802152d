namespace Infomat.Privacy.Mail;

/// <summary>Sends mail. Locally: an .eml file per message in the pickup directory.</summary>
public interface IMailSender
{
    /// <summary>
    /// Sends the mail to its one recipient. Throws <see cref="MailRefusedException"/> when the mail service refuses it for
    /// good; any other exception is a passing fault (the caller's step is retried).
    /// </summary>
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}
