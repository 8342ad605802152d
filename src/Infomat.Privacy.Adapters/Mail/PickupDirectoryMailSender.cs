using System.Security.Cryptography;
using Infomat.Privacy.Mail;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The <c>Mail</c> configuration section.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>Folder where each outgoing message is written as one .eml file (local host, tests, <c>func start</c>).</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>The sender of every mail: the shared mailbox.</summary>
    public string From { get; set; } = "info@infomat.eu";

    public string FromName { get; set; } = "Infomat Privacy";

    /// <summary>
    /// Local host: a folder watched as the info@infomat.eu inbox. Each <c>.eml</c> dropped there is handled, then moved
    /// to <c>handled/</c> (or <c>refused/</c> when it cannot be read).
    /// </summary>
    public string? InboxDirectory { get; set; }
}

/// <summary>
/// Writes each message as an RFC 5322 .eml file (MimeKit) into the pickup directory, with the
/// <c>X-Infomat-Kind</c> and <c>X-Infomat-Request-Id</c> headers. The file appears whole (written, then moved).
/// </summary>
public sealed class PickupDirectoryMailSender(IOptions<MailOptions> options, TimeProvider time) : IMailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var o = options.Value;
        var directory = o.PickupDirectory ?? throw new InvalidOperationException("Mail:PickupDirectory is not set.");
        Directory.CreateDirectory(directory);

        var message = ToMime(mail, o, time.GetUtcNow());
        var name = $"{time.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{mail.RequestId}-{mail.Kind.ToWire()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}.eml";
        var temp = Path.Combine(directory, "." + name + ".tmp");
        await message.WriteToAsync(temp, cancellationToken);
        File.Move(temp, Path.Combine(directory, name));
    }

    public static MimeMessage ToMime(OutgoingMail mail, MailOptions options, DateTimeOffset date)
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
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Headers.Add("X-Infomat-Kind", mail.Kind.ToWire());
        message.Headers.Add("X-Infomat-Request-Id", mail.RequestId);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }
}

/// <summary>
/// Where each mail goes: staff mail through Graph <c>sendMail</c> from the shared mailbox when <c>Mail:Graph</c> is set;
/// requester mail through SendGrid when <c>Mail:SendGrid</c> is set; otherwise (and locally) the pickup directory.
/// </summary>
public sealed class RoutingMailSender(
    PickupDirectoryMailSender pickup, GraphMailbox graph, IOptions<GraphMailOptions> graphOptions, SendGridMailSender sendGrid, IOptions<SendGridOptions> sendGridOptions)
    : IMailSender
{
    public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return mail.Audience switch
        {
            Audience.Staff when graphOptions.Value.Enabled => graph.SendAsync(mail, cancellationToken),
            Audience.Requester when sendGridOptions.Value.Enabled => sendGrid.SendAsync(mail, cancellationToken),
            _ => pickup.SendAsync(mail, cancellationToken),
        };
    }
}
