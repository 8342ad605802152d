using System.Runtime.ExceptionServices;

namespace Infomat.Privacy.Mail;

/// <summary>Staff mail can go to several mailboxes: the setting is a list separated by commas or semicolons.</summary>
public static class StaffMail
{
    public static IReadOnlyList<string> Recipients(string setting) =>
        (setting ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Sends <paramref name="build"/>'s mail once to each recipient. One that the mail service refuses is skipped (the
    /// error type of each is returned, for the log) rather than failing the step: a retried step would send the mail
    /// again to every recipient that took it, and a refused escalation address would fail the case. When none took it
    /// (the mail service is down), the first error is thrown, so the step is retried as before.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SendToEachAsync(IMailSender mail, IEnumerable<string> recipients, Func<string, OutgoingMail> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(build);
        var failures = new List<Exception>();
        var sent = 0;
        foreach (var to in recipients)
        {
            try
            {
                await mail.SendAsync(build(to), cancellationToken);
                sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add(ex);
            }
        }

        if (sent == 0 && failures.Count > 0)
        {
            ExceptionDispatchInfo.Capture(failures[0]).Throw();
        }

        return [.. failures.Select(f => f.GetType().Name)];
    }
}
