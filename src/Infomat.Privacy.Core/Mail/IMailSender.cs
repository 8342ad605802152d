namespace Infomat.Privacy.Mail;

/// <summary>Sends mail. Locally: an .eml file per message in the pickup directory.</summary>
public interface IMailSender
{
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}
