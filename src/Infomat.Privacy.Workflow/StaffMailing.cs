using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow;

/// <summary>Every staff mail, from the workflow's steps, the intake and the sweeps: once to each staff mailbox, a refused one logged (ids only).</summary>
public static partial class StaffMailing
{
    /// <summary>
    /// Sends <paramref name="build"/>'s mail once to each staff mailbox (<see cref="StaffMail.SendToStaffAsync"/>); the
    /// mailboxes the mail service refused for good are logged by count and the service's answer (a status and code)
    /// under <paramref name="about"/> (a case id, a mail's marker or a mailbox message id, never an address). Throws when
    /// no mailbox took it, and at once on a passing fault (the caller retries).
    /// </summary>
    public static async Task SendToStaffAsync(this ILogger logger, IMailSender mail, StaffOptions staff, string about, string what, Func<string, OutgoingMail> build, CancellationToken cancellationToken, bool escalate = false)
    {
        if (await StaffMail.SendToStaffAsync(mail, staff, build, cancellationToken, escalate) is { Count: > 0 } refused)
        {
            Refused(logger, about, what, refused.Count, refused[0]);
        }
    }

    /// <summary>
    /// Art. 19: when staff are owed the mail naming the recipients to tell (<see cref="PrivacyCase.NeedsRecipientsMail"/>),
    /// sends it, naming those not yet recorded as told, and records that it went. The report step calls this after the
    /// report, and the daily sweep for a case whose step could not (<see cref="PrivacyCase.RecipientsMailLate"/>).
    /// </summary>
    public static async Task SendRecipientsMailAsync(this ILogger logger, ICaseRegister register, IMailSender mail, PrivacyOptions o, Stores.DataMap map, PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(c);
        if (!c.NeedsRecipientsMail)
        {
            return;
        }

        var recipients = c.RecipientsNotYetTold.Where(map.Recipients.ContainsKey).Select(k => map.Recipients[k]).ToList();
        if (recipients.Count > 0)
        {
            await logger.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, "recipients to tell", to => PrivacyMails.RecipientsToTell(c, recipients, o.Link("cases/" + c.Id), to, o.Staff.Language), cancellationToken);
        }

        await register.ApplyAsync(c.Id, x => x.RecipientsMailed(), cancellationToken);
    }

    [LoggerMessage(152, LogLevel.Warning, "{About}: the staff mail ({Mail}) was refused for {Refused} of its mailboxes ({Error}); the others have it")]
    private static partial void Refused(ILogger logger, string about, string mail, int refused, string error);
}
