using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

using Infomat.Privacy.Intake;

using MimeKit;
using MimeKit.Text;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>Limits on an incoming message: beyond them it is refused unread (a mail bomb must not take the intake down).</summary>
public sealed record InboundMailLimits(long MaxBytes = 10 * 1024 * 1024, int MaxDepth = 8, int MaxParts = 100, int MaxBodyChars = 20_000);

/// <summary>
/// Reads an RFC 5322 message with MimeKit under limits, into what the classifier needs: the sender (From only; Reply-To
/// is never used), subject, plain text, the DMARC verdict of the receiving tenant, and whether it is automatic mail.
/// </summary>
public static partial class InboundMailReader
{
    public static InboundMail Read(Stream stream, DateTimeOffset receivedAt, InboundMailLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= new InboundMailLimits();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limits.MaxBytes)
            {
                throw new InboundMailRejectedException($"larger than {limits.MaxBytes} bytes");
            }
        }

        buffer.Position = 0;
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new ParserOptions { MaxMimeDepth = limits.MaxDepth + 1 }, buffer);
        }
        catch (FormatException)
        {
            throw new InboundMailRejectedException("not a MIME message");
        }

        if (Depth(message.Body, 0) > limits.MaxDepth)
        {
            throw new InboundMailRejectedException($"MIME nesting deeper than {limits.MaxDepth}");
        }

        if (message.BodyParts.Count() > limits.MaxParts)
        {
            throw new InboundMailRejectedException($"more than {limits.MaxParts} MIME parts");
        }

        var from = message.From.Mailboxes.FirstOrDefault() ?? throw new InboundMailRejectedException("no From address");
        var body = message.TextBody ?? HtmlToText(message.HtmlBody) ?? string.Empty;
        if (body.Length > limits.MaxBodyChars)
        {
            body = body[..limits.MaxBodyChars];
        }

        var id = message.MessageId is { Length: > 0 } messageId ? messageId : Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
        return new InboundMail(id, from.Address, string.IsNullOrWhiteSpace(from.Name) ? null : from.Name, message.Subject ?? string.Empty, body,
            Dmarc(message), receivedAt, Automatic(message, from), SentAt(message), InfomatHeader(message));
    }

    /// <summary>
    /// The DMARC result of the topmost Authentication-Results header: the one the receiving tenant added last. Headers
    /// further down can be written by anyone and are not believed.
    /// </summary>
    public static DmarcVerdict Dmarc(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var top = message.Headers.FirstOrDefault(h => h.Field.Equals("Authentication-Results", StringComparison.OrdinalIgnoreCase));
        var match = top is null ? null : DmarcResult().Match(top.Value);
        return match is { Success: true }
            ? match.Groups[1].Value.Equals("pass", StringComparison.OrdinalIgnoreCase) ? DmarcVerdict.Pass : DmarcVerdict.Fail
            : DmarcVerdict.None;
    }

    /// <summary>Why a message is automatic (RFC 3834 auto-replies, bounces and reports, list and bulk mail), or null.</summary>
    public static string? Automatic(MimeMessage message, MailboxAddress from)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(from);
        var h = message.Headers;
        if (h["Auto-Submitted"] is { } auto && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return "auto-submitted (" + auto.Trim().ToLowerInvariant() + ")";
        }

        if (h["X-Autoreply"] is not null || h["X-Autorespond"] is not null || h["X-Auto-Reply"] is not null)
        {
            return "auto-reply header";
        }

        if (h["Precedence"]?.Trim().ToLowerInvariant() is "bulk" or "junk" or "list" or "auto_reply")
        {
            return "precedence " + h["Precedence"]!.Trim().ToLowerInvariant();
        }

        if (h["List-Id"] is not null || h["List-Unsubscribe"] is not null)
        {
            return "mailing-list mail";
        }

        if (message.Body is MultipartReport || message.BodyParts.Any(p => p.ContentType.IsMimeType("message", "delivery-status") || p.ContentType.IsMimeType("message", "disposition-notification")))
        {
            return "delivery or read report";
        }

        var local = from.LocalPart.ToLowerInvariant();
        if (local is "mailer-daemon" or "postmaster" or "noreply" or "no-reply" or "donotreply" or "do-not-reply")
        {
            return "sent by " + local;
        }

        return h["Return-Path"]?.Trim() == "<>" ? "null return path (a bounce)" : null;
    }

    /// <summary>The name of the first of our own headers (<c>X-Infomat-*</c>) the mail carries, or null.</summary>
    private static string? InfomatHeader(MimeMessage message) =>
        message.Headers.FirstOrDefault(h => h.Field.StartsWith(OwnMail.HeaderPrefix, StringComparison.OrdinalIgnoreCase))?.Field;

    /// <summary>The <c>Date</c> header, when the mail has a readable one.</summary>
    private static DateTimeOffset? SentAt(MimeMessage message) =>
        message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : null;

    private static int Depth(MimeEntity? entity, int level) => entity switch
    {
        Multipart multipart => multipart.Count == 0 ? level + 1 : multipart.Max(child => Depth(child, level + 1)),
        MessagePart { Message: { } inner } => Depth(inner.Body, level + 1),
        _ => level,
    };

    private static string? HtmlToText(string? html)
    {
        if (html is null)
        {
            return null;
        }

        var text = new StringBuilder();
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var skip = false;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style:
                    skip = !tag.IsEndTag;
                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.P or HtmlTagId.Br or HtmlTagId.Div or HtmlTagId.LI or HtmlTagId.BlockQuote:
                    text.Append('\n');
                    break;
                case HtmlDataToken data when !skip:
                    text.Append(data.Data);
                    break;
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"\bdmarc\s*=\s*([a-z]+)", RegexOptions.IgnoreCase)]
    private static partial Regex DmarcResult();
}
