using System.Text.RegularExpressions;

using MimeKit;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>Reads the .eml files of the pickup directory as a user's mail client would.</summary>
public sealed partial class Mailbox(string directory)
{
    public IReadOnlyList<MimeMessage> All() =>
        Directory.GetFiles(directory, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList();

    public IReadOnlyList<MimeMessage> Of(string kind, string requestId) =>
        All().Where(m => m.Headers["X-Infomat-Kind"] == kind && m.Headers["X-Infomat-Request-Id"] == requestId).ToList();

    /// <summary>Waits for the first mail of a kind to an address, whatever its request id.</summary>
    public async Task<MimeMessage> WaitForToAsync(string kind, string to, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = All().FirstOrDefault(m => m.Headers["X-Infomat-Kind"] == kind && m.To.Mailboxes.Any(x => x.Address.Equals(to, StringComparison.OrdinalIgnoreCase)));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"No '{kind}' mail to {to}. Mails so far: {string.Join(", ", All().Select(m => m.Headers["X-Infomat-Kind"]))}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<MimeMessage> WaitForAsync(string kind, string requestId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = Of(kind, requestId);
            if (found.Count > 0)
            {
                return found[0];
            }

            if (DateTime.UtcNow > until)
            {
                var seen = string.Join(", ", All().Select(m => m.Headers["X-Infomat-Kind"] + "/" + m.Headers["X-Infomat-Request-Id"]));
                throw new TimeoutException($"No '{kind}' mail for {requestId}. Mails so far: {seen}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The first link in the mail's text part that starts with <paramref name="prefix"/>.</summary>
    public static Uri Link(MimeMessage message, string prefix)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = LinkPattern().Matches(message.TextBody ?? string.Empty).Select(m => m.Value).FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal));
        return match is null ? throw new InvalidOperationException($"No link starting with {prefix} in: {message.TextBody}") : new Uri(match);
    }

    public static string Token(Uri link) =>
        Uri.UnescapeDataString(link.Query.TrimStart('?').Split('&').First(p => p.StartsWith("token=", StringComparison.Ordinal))["token=".Length..]);

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
