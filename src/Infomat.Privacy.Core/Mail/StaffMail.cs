using System.Runtime.ExceptionServices;

using Infomat.Privacy.Configuration;

namespace Infomat.Privacy.Mail;

/// <summary>Staff mail can go to several mailboxes: the setting is a list separated by commas or semicolons.</summary>
public static class StaffMail
{
    public static IReadOnlyList<string> Recipients(string? setting) =>
        (setting ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Whether a staff setting lists only mail addresses (no names, nothing else), and at least one when
    /// <paramref name="required"/>: checked at start, so that a mistyped setting stops the host rather than every staff mail.
    /// </summary>
    public static bool IsValidSetting(string? setting, bool required)
    {
        var listed = Recipients(setting);
        return (listed.Count > 0 || !required)
            && listed.All(a => System.Net.Mail.MailAddress.TryCreate(a, out var parsed) && parsed.Address == a && parsed.DisplayName.Length == 0);
    }

    /// <summary>
    /// Sends <paramref name="build"/>'s mail to staff: once to each mailbox of <see cref="StaffOptions.Address"/> (and, when
    /// <paramref name="escalate"/>, of <see cref="StaffOptions.EscalationAddress"/>), one mail per mailbox, as
    /// <see cref="SendToEachAsync"/> does. Every staff mail goes through here, so a setting listing several mailboxes
    /// ("a@x; b@x") reaches each of them rather than being refused as one recipient.
    /// </summary>
    public static Task<IReadOnlyList<string>> SendToStaffAsync(IMailSender mail, StaffOptions staff, Func<string, OutgoingMail> build, CancellationToken cancellationToken, bool escalate = false)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var recipients = Recipients(staff.Address).Concat(escalate ? Recipients(staff.EscalationAddress) : []).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return recipients.Count == 0
            ? throw new InvalidOperationException("Privacy:Staff:Address lists no mailbox.")
            : SendToEachAsync(mail, recipients, build, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="build"/>'s mail once to each recipient. One that the mail service refuses for good
    /// (<see cref="MailRefusedException"/>) is skipped (the service's answer of each is returned, for the log) rather than
    /// failing the step: a retried step would send the mail again to every recipient that took it, and a refused
    /// escalation address would fail the case. When none took it, the first refusal is thrown. Any other failure (the
    /// mail service down or slow) is thrown at once, so the step is retried: a mailbox may then get the mail twice, but
    /// none misses it for a passing fault.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SendToEachAsync(IMailSender mail, IEnumerable<string> recipients, Func<string, OutgoingMail> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(build);
        var failures = new List<MailRefusedException>();
        var sent = 0;
        foreach (var to in recipients)
        {
            try
            {
                await mail.SendAsync(build(to), cancellationToken);
                sent++;
            }
            catch (MailRefusedException ex)
            {
                failures.Add(ex);
            }
        }

        if (sent == 0 && failures.Count > 0)
        {
            ExceptionDispatchInfo.Capture(failures[0]).Throw();
        }

        return [.. failures.Select(f => f.Answer)];
    }
}
