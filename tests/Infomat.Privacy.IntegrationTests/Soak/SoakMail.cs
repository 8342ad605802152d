using MimeKit;

namespace Infomat.Privacy.IntegrationTests.Soak;

/// <summary>
/// Mails to info@infomat.eu for the soak run, made from the realistic corpus (MailCorpus/{right}-{language}.eml): the
/// sender becomes the soak requester, the Message-ID is new, and the DMARC verdict is a pass or a fail as planned.
/// </summary>
public static class SoakMail
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "MailCorpus");

    public static MimeMessage For(SoakRequest request, DateTimeOffset sentAt, int seed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var file = request.Type switch
        {
            "withdraw-consent" => "withdraw",
            var t => t,
        };
        var message = MimeMessage.Load(Path.Combine(Corpus, $"{file}-{request.Language}.eml"));
        message.From.Clear();
        message.From.Add(new MailboxAddress(request.Name, request.Email));
        message.MessageId = $"soak-{seed}-{request.Index:D4}@soak.example";
        message.Date = sentAt;
        if (!request.SenderVerified)
        {
            var results = message.Headers["Authentication-Results"] ?? string.Empty;
            message.Headers["Authentication-Results"] = results.Replace("dmarc=pass", "dmarc=fail", StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>
    /// Drops a mail into the watched inbox as a mail server would deliver it: written under a dot name (the watcher
    /// waits for those), then renamed, with the file's time set to when the mailbox received it.
    /// </summary>
    public static async Task DropAsync(MimeMessage message, string inbox, string name, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(message);
        var temp = Path.Combine(inbox, "." + name);
        await message.WriteToAsync(temp);
        File.SetLastWriteTimeUtc(temp, receivedAt.UtcDateTime);
        File.Move(temp, Path.Combine(inbox, name));
    }
}
