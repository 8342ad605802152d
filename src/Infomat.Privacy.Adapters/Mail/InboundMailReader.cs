using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Intake;

using Microsoft.IO;

using MimeKit;
using MimeKit.Cryptography;
using MimeKit.Text;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>Limits on an incoming message: beyond them it is refused unread (a mail bomb must not take the intake down).</summary>
public sealed record InboundMailLimits(long MaxBytes = 10 * 1024 * 1024, int MaxDepth = 8, int MaxParts = 100, int MaxBodyChars = 20_000);

/// <summary>
/// Reads an RFC 5322 message with MimeKit under limits, into what the classifier needs: the sender (From only; Reply-To
/// is never used), subject, plain text, the DMARC verdict of the receiving tenant, and whether it is automatic mail.
/// </summary>
public static class InboundMailReader
{
    /// <summary>
    /// The message in <paramref name="stream"/>. A message beyond the limits is not read: only its headers are (sender,
    /// subject, Message-ID, date), and <see cref="InboundMail.RefusedReason"/> says which limit, so it reaches staff
    /// rather than nowhere. Throws <see cref="InboundMailRejectedException"/> when not even the headers can be read.
    /// </summary>
    public static InboundMail Read(Stream stream, DateTimeOffset receivedAt, InboundMailLimits? limits = null, string? authServId = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= new InboundMailLimits();
        using var buffer = Buffers.GetStream(nameof(InboundMailReader));
        var chunk = new byte[81920];
        int read;
        CodedReason? refused = null;
        try
        {
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limits.MaxBytes)
                {
                    // Not read further: the headers are at the start of what we have.
                    // In whole MB, rounded down, so that "larger than" stays true of any limit.
                    refused = CodedReason.Of("RefusedTooLarge", (limits.MaxBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture));
                    break;
                }
            }
        }
        finally
        {
            Array.Clear(chunk);
        }

        buffer.Position = 0;
        if (refused is null)
        {
            // The message's shape first, streamed without building it (issue 21): 50,000 parts built as objects take half
            // a second and 190 MB before they can be counted; counted on the way, the reader stops at the first too many.
            refused = MimeShape.Refusal(buffer, limits);
            buffer.Position = 0;
        }

        MimeMessage message;
        try
        {
            message = refused is null
                ? MimeMessage.Load(new ParserOptions { MaxMimeDepth = limits.MaxDepth + 1 }, buffer)
                : MimeMessage.Load(HeadersOf(buffer));
        }
        catch (FormatException)
        {
            throw new InboundMailRejectedException(refused?.Then("Unreadable") ?? CodedReason.Of("Unreadable")) { MessageId = HashOf(buffer) };
        }

        if (refused is null && Depth(message.Body, 0) > limits.MaxDepth)
        {
            refused = TooDeep(limits);
        }

        if (refused is null && message.BodyParts.Count() > limits.MaxParts)
        {
            refused = TooManyParts(limits);
        }

        var from = message.From.Mailboxes.FirstOrDefault() ?? throw new InboundMailRejectedException(refused?.Then("NoSender") ?? CodedReason.Of("NoSender"))
        {
            Subject = OneLine(message.Subject, MaxSubjectChars),
            SentAt = SentAt(message),
            MessageId = message.MessageId is { Length: > 0 } rejectedId ? rejectedId : HashOf(buffer),
        };
        var body = refused is not null ? string.Empty : message.TextBody ?? HtmlToText(message.HtmlBody) ?? string.Empty;
        if (body.Length > limits.MaxBodyChars)
        {
            body = body[..limits.MaxBodyChars];
        }

        var id = message.MessageId is { Length: > 0 } messageId ? messageId : HashOf(buffer);
        var name = OneLine(from.Name, MaxNameChars);
        return new InboundMail(id, from.Address, name.Length == 0 ? null : name, OneLine(message.Subject, MaxSubjectChars), body,
            Dmarc(message, authServId), receivedAt, Automatic(message, from), SentAt(message), InfomatHeader(message), refused,
            [.. message.References, .. message.InReplyTo is { Length: > 0 } inReplyTo ? [inReplyTo] : Array.Empty<string>()],
            refused is null ? message.Attachments.Count() : null, refused is null ? ReturnedOwnMail(message) : null);
    }

    /// <summary>
    /// For a report that a mail could not be delivered (a <c>message/delivery-status</c> whose action is <c>failed</c>;
    /// a delay is not), the <c>X-Infomat-Kind</c> of the mail it returns (its <c>message/rfc822</c> part or its
    /// <c>text/rfc822-headers</c>), when that mail is ours; else null. Exchange sends such reports to the mailbox a
    /// staff mail was sent from: a wrong, removed or full staff mailbox shows here.
    /// </summary>
    public static string? ReturnedOwnMail(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var failed = message.BodyParts.OfType<MessageDeliveryStatus>()
            .Any(status => status.StatusGroups.Any(g => g["Action"]?.Trim().Equals("failed", StringComparison.OrdinalIgnoreCase) == true));
        if (!failed)
        {
            return null;
        }

        foreach (var part in message.BodyParts)
        {
            HeaderList? headers = part switch
            {
                MessagePart { Message: { } returned } => returned.Headers,
                TextPart text when text.ContentType.IsMimeType("text", "rfc822-headers") => HeadersOf(text),
                _ => null,
            };
            if (headers?["X-Infomat-Kind"] is { } kind && Infomat.Privacy.Mail.MailKinds.FromWire(kind.Trim()) is { } known)
            {
                return Infomat.Privacy.Mail.MailKinds.ToWire(known);
            }
        }

        return null;
    }

    private static HeaderList? HeadersOf(TextPart part)
    {
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(part.Text + "\r\n\r\n"));
            return HeaderList.Load(stream);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Where messages are buffered: blocks of 128 KB taken from a pool and given back, rather than an array that doubles
    /// as it grows (issue 21 item 4, decision 91). A 50 MB message read up to the 10 MB limit took 40 MB of new memory
    /// that way, and its refusal 95–131 ms, most of it the memory being handed out. The pool keeps at most 32 MB of free
    /// blocks (two or three messages at the limit read at once); a block it keeps is zeroed when given back, so a
    /// message's text does not wait in the pool for the next one (blocks past the 32 MB go to the garbage collector,
    /// as the old array did). The large pool serves only <c>GetBuffer</c>, which the reader never calls; it is bounded
    /// all the same (0 would mean no bound).
    /// </summary>
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 128 * 1024,
        MaximumSmallPoolFreeBytes = 32L * 1024 * 1024,
        MaximumLargePoolFreeBytes = 8L * 1024 * 1024,
        ZeroOutBuffer = true,
    });

    /// <summary>The SHA-256 of what was read, in lower-case hex: the id of a message without a Message-ID.</summary>
    private static string HashOf(RecyclableMemoryStream buffer)
    {
        buffer.Position = 0;
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    /// <summary>The header block at the start of <paramref name="buffer"/> as a message of its own, with an empty body.</summary>
    private static MemoryStream HeadersOf(RecyclableMemoryStream buffer)
    {
        var bytes = buffer.GetReadOnlySequence();
        var crlf = EndOf(bytes, "\r\n\r\n"u8);
        var lf = EndOf(crlf is { } c ? bytes.Slice(0, c) : bytes, "\n\n"u8);
        var end = lf ?? crlf ?? throw new FormatException("no end of headers");
        return new MemoryStream(bytes.Slice(0, end).ToArray());
    }

    /// <summary>
    /// Where the first <paramref name="delimiter"/> (at most 4 bytes) in <paramref name="bytes"/> ends, or null: each
    /// block searched whole (vectorised: a byte-by-byte search took 182 ms over 11 MB of line breaks without a blank
    /// line, this 2 ms), and the seam between two blocks on its own.
    /// </summary>
    private static long? EndOf(ReadOnlySequence<byte> bytes, ReadOnlySpan<byte> delimiter)
    {
        Span<byte> seam = stackalloc byte[8];
        var kept = 0; // the last delimiter.Length - 1 bytes (or fewer) before the current block, at the start of seam
        long offset = 0;
        foreach (var memory in bytes)
        {
            var block = memory.Span;
            if (kept > 0)
            {
                var head = Math.Min(block.Length, delimiter.Length - 1);
                block[..head].CopyTo(seam[kept..]);
                var across = seam[..(kept + head)].IndexOf(delimiter);
                if (across >= 0)
                {
                    return offset - kept + across + delimiter.Length;
                }
            }

            var at = block.IndexOf(delimiter);
            if (at >= 0)
            {
                return offset + at + delimiter.Length;
            }

            // What the next seam needs: the last delimiter.Length - 1 bytes so far (a short block adds to what was kept).
            var carried = Math.Min(kept + block.Length, delimiter.Length - 1);
            var fromBlock = Math.Min(block.Length, carried);
            var fromKept = carried - fromBlock;
            seam.Slice(kept - fromKept, fromKept).CopyTo(seam);
            block[^fromBlock..].CopyTo(seam[fromKept..]);
            kept = carried;
            offset += block.Length;
        }

        return null;
    }

    /// <summary>The longest sender name kept (issue 18): longer ones are cut.</summary>
    public const int MaxNameChars = 100;

    /// <summary>The longest subject kept (issue 18): longer ones are cut.</summary>
    public const int MaxSubjectChars = 300;

    /// <summary>
    /// A header the sender wrote (display name, subject), as one line: control characters and line breaks become spaces,
    /// so it cannot add lines to a staff page or mail, and it is cut to <paramref name="max"/> characters.
    /// </summary>
    private static string OneLine(string? value, int max)
    {
        var line = string.Join(' ', new string([.. (value ?? string.Empty).Select(c => char.IsControl(c) ? ' ' : c)])
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return line.Length > max ? line[..max] : line;
    }

    /// <summary>
    /// The DMARC result the receiving tenant wrote about the From domain, or <see cref="DmarcVerdict.None"/> when there is
    /// none to believe (issue 18, decision 64). Believed only when all of these hold: the message has exactly one From
    /// mailbox; the topmost Authentication-Results header (the one the tenant added last: headers further down can be
    /// written by anyone) parses as RFC 8601 and is the tenant's, its authserv-id being <paramref name="authServId"/>
    /// (Exchange Online writes none, or writes it after each method: null or empty means "none written"); it holds
    /// exactly one <c>dmarc</c> result; and that result's <c>header.from</c> is the From address's domain. A pass proves
    /// the domain, not the mailbox: what it may stand in for is decided in Core (<c>ImmediateRights.DomainPassSuffices</c>).
    /// </summary>
    public static DmarcVerdict Dmarc(MimeMessage message, string? authServId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.From.Count != 1 || message.From[0] is not MailboxAddress from)
        {
            return DmarcVerdict.None;
        }

        var top = message.Headers.FirstOrDefault(h => h.Id == HeaderId.AuthenticationResults);
        if (top is null || !AuthenticationResults.TryParse(top.RawValue, out var results))
        {
            return DmarcVerdict.None;
        }

        var dmarc = results.Results.Where(r => r.Method.Equals("dmarc", StringComparison.OrdinalIgnoreCase)).ToList();
        if (dmarc.Count != 1)
        {
            return DmarcVerdict.None;
        }

        var writtenBy = results.AuthenticationServiceIdentifier ?? dmarc[0].Office365AuthenticationServiceIdentifier ?? string.Empty;
        if (!writtenBy.Equals(authServId ?? string.Empty, StringComparison.OrdinalIgnoreCase))
        {
            return DmarcVerdict.None;
        }

        var about = dmarc[0].Properties
            .Where(p => p.PropertyType.Equals("header", StringComparison.OrdinalIgnoreCase) && p.Property.Equals("from", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value)
            .ToList();
        if (about.Count != 1 || !SameDomain(about[0], from.Domain))
        {
            return DmarcVerdict.None;
        }

        return dmarc[0].Result.Equals("pass", StringComparison.OrdinalIgnoreCase) ? DmarcVerdict.Pass : DmarcVerdict.Fail;
    }

    private static bool SameDomain(string a, string b)
    {
        var idn = new System.Globalization.IdnMapping();
        try
        {
            return idn.GetAscii(a.Trim().TrimEnd('.')).Equals(idn.GetAscii(b.Trim().TrimEnd('.')), StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Why a message is automatic (RFC 3834 auto-replies, bounces and reports, list and bulk mail), or null.</summary>
    public static string? Automatic(MimeMessage message, MailboxAddress from)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(from);
        var h = message.Headers;
        if (h["Auto-Submitted"] is { } auto && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            // Named by its keyword only: the header's parameters are the sender's text (RFC 5436 notifications carry an
            // owner's address there), and this reason is logged.
            var keyword = auto.Split(';', 2)[0].Trim().ToLowerInvariant();
            return "auto-submitted (" + (keyword is "auto-generated" or "auto-replied" or "auto-notified" ? keyword : "other") + ")";
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


    /// <summary>
    /// Counts a message's parts and nesting as MimeKit's streaming reader meets them, without building the message, and
    /// stops at the first that exceeds <see cref="InboundMailLimits"/>.
    /// </summary>
    private sealed class MimeShape(Stream stream, InboundMailLimits limits) : MimeReader(new ParserOptions { MaxMimeDepth = limits.MaxDepth + 1 }, stream, MimeFormat.Entity)
    {
        private int parts;
        private int depth;

        /// <summary>Why the message is refused, or null when its shape is within the limits (or it cannot be read this way).</summary>
        public static CodedReason? Refusal(Stream stream, InboundMailLimits limits)
        {
            try
            {
                new MimeShape(stream, limits).ReadMessage();
                return null;
            }
            catch (TooComplexException ex)
            {
                return ex.Reason;
            }
            catch (FormatException)
            {
                // Not a message this reader can follow: the full parse below decides, as before.
                return null;
            }
        }

        protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            if (++parts > limits.MaxParts)
            {
                throw new TooComplexException(TooManyParts(limits));
            }
        }

        protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => Deeper();

        protected override void OnMultipartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken) => depth--;

        protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => Deeper();

        protected override void OnMessagePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken) => depth--;

        private void Deeper()
        {
            if (++depth > limits.MaxDepth)
            {
                throw new TooComplexException(TooDeep(limits));
            }
        }
    }

    private static CodedReason TooDeep(InboundMailLimits limits) => CodedReason.Of("RefusedTooDeep", limits.MaxDepth.ToString(CultureInfo.InvariantCulture));

    private static CodedReason TooManyParts(InboundMailLimits limits) => CodedReason.Of("RefusedTooManyParts", limits.MaxParts.ToString(CultureInfo.InvariantCulture));

    private sealed class TooComplexException(CodedReason reason) : Exception(reason.ToString())
    {
        public CodedReason Reason { get; } = reason;
    }
}
