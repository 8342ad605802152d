using System.Security.Cryptography;

using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

using MimeKit;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// Writes each message as an RFC 5322 .eml file (MimeKit) into the pickup directory, with the
/// <c>X-Infomat-Kind</c> and <c>X-Infomat-Request-Id</c> headers. The file appears whole (written, then moved).
/// </summary>
public sealed class PickupDirectoryMailSender(IOptions<MailOptions> options, TimeProvider time, KeyedHash hash) : IMailSender
{
    private readonly byte[] messageIdKey = hash.DeriveKey(OutgoingMessageIds.KeyLabel);

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var o = options.Value;
        var directory = o.PickupDirectory ?? throw new InvalidOperationException("Mail:PickupDirectory is not set.");
        Directory.CreateDirectory(directory);

        var message = ToMime(mail, o, time.GetUtcNow(), messageIdKey);
        var name = $"{time.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{mail.RequestId}-{mail.Kind.ToWire()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}.eml";
        var temp = Path.Combine(directory, "." + name + ".tmp");
        await message.WriteToAsync(temp, cancellationToken);
        File.Move(temp, Path.Combine(directory, name));
    }

    public static MimeMessage ToMime(OutgoingMail mail, MailOptions options, DateTimeOffset date, byte[] messageIdKey)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(options);
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            Date = date,
            Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.MessageId = OutgoingMessageIds.For(mail, options.From, messageIdKey);
        // One mailbox per mail, as every mail service takes it: anything else is refused for good.
        message.To.Add(MailboxAddress.TryParse(mail.To, out var to) && mail.To.IndexOfAny([',', ';']) < 0 ? to : throw new MailRefusedException("not one mail address"));
        message.Headers.Add("X-Infomat-Kind", mail.Kind.ToWire());
        message.Headers.Add("X-Infomat-Request-Id", mail.RequestId);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }
}
