namespace Infomat.Privacy.Mail;

/// <summary>
/// The mail service refused the mail for good (its recipient is not an address it takes, the mailbox does not exist):
/// sending it again will not help. Any other exception from <see cref="IMailSender.SendAsync"/> is taken for a passing
/// fault, which a retry may cure. The message names the service's answer (a status, an error code), never the address.
/// </summary>
public sealed class MailRefusedException(string answer) : Exception($"The mail service refused the mail ({answer}).")
{
    public string Answer { get; } = answer;
}
