using System.Text.RegularExpressions;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>A mail of the corpus sent again from a fresh address (hosts share one register).</summary>
public static partial class CorpusMail
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "MailCorpus");

    /// <summary>
    /// The corpus file's text with its From address replaced by <paramref name="sender"/> (default: a fresh address at
    /// example.org), and the tenant's Authentication-Results moved with it to the new domain (they speak of the From
    /// domain: a verdict about another domain is not believed).
    /// </summary>
    public static (string Text, string Sender) FromNewSender(string corpusFile, string? sender = null)
    {
        var text = File.ReadAllText(Path.Combine(Folder, corpusFile));
        var original = FromAddress().Match(text).Groups[1].Value;
        sender ??= $"{original.Split('@')[0]}.{Guid.NewGuid():N}@example.org";
        var headers = text[..Math.Max(0, text.IndexOf("\nFrom:", StringComparison.Ordinal))];
        var moved = headers.Replace("=" + original.Split('@')[1], "=" + sender.Split('@')[1], StringComparison.Ordinal) + text[headers.Length..];
        return (moved.Replace(original, sender, StringComparison.Ordinal), sender);
    }

    [GeneratedRegex(@"^From: .*<([^>]+)>", RegexOptions.Multiline)]
    private static partial Regex FromAddress();
}
