using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// SendGrid's signed Event Webhook: each post is signed with SendGrid's ECDSA key (P-256, SHA-256) over its
/// <c>X-Twilio-Email-Event-Webhook-Timestamp</c> followed by the raw body, the signature in
/// <c>X-Twilio-Email-Event-Webhook-Signature</c> (base64, DER), and checked here with the verification key the
/// account's mail settings show (<see cref="SendGridOptions.EventWebhookPublicKey"/>). The body is a JSON array of
/// events; the mail this system sends carries its case and kind as custom arguments (<see cref="CaseArgument"/>,
/// <see cref="KindArgument"/>), which SendGrid copies into each event.
/// </summary>
public sealed class SendGridEventReports(IOptions<SendGridOptions> options) : IMailServiceReports
{
    /// <summary>The custom argument naming the case a mail is about (its reference: no personal data).</summary>
    public const string CaseArgument = "infomat_case";

    /// <summary>The custom argument naming the mail's kind (<see cref="MailKinds.ToWire"/>).</summary>
    public const string KindArgument = "infomat_kind";

    /// <summary>The custom argument naming which sending of its kind the mail was (<see cref="OutgoingMail.Sending"/>), when it is one a requester may be sent again.</summary>
    public const string SendingArgument = "infomat_sending";

    /// <summary>The curve SendGrid signs with (NIST P-256, prime256v1).</summary>
    private const string P256 = "1.2.840.10045.3.1.7";

    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";

    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>
    /// How old a signed post may be. SendGrid posts again for up to 24 hours while we do not answer 2xx; a report taken
    /// twice does nothing more (what it leads to is recorded once), so the bound only turns away very old ones.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(25);

    private readonly Lazy<ECDsa?> key = new(() =>
    {
        var configured = options.Value.EventWebhookPublicKey;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(configured.Trim()), out _);
        return ecdsa;
    });

    /// <summary>Whether <paramref name="configured"/> is empty or a P-256 public key in base64 (checked at start).</summary>
    public static bool IsKey(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return true;
        }

        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(configured.Trim()), out _);
            return ecdsa.ExportParameters(includePrivateParameters: false).Curve.Oid.Value == P256;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }
    }

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.EventWebhookPublicKey);

    public MailReportCheck Check(string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp) || key.Value is not { } verifier)
        {
            return MailReportCheck.NotSigned;
        }

        byte[] der;
        try
        {
            der = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return MailReportCheck.BadSignature;
        }

        var stamp = Encoding.UTF8.GetBytes(timestamp);
        var signed = new byte[stamp.Length + body.Length];
        stamp.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(stamp.Length));
        bool valid;
        try
        {
            valid = verifier.VerifyData(signed, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        if (!valid)
        {
            return MailReportCheck.BadSignature;
        }

        // Checked after the signature: the timestamp is part of what was signed.
        return long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            && (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() <= MaxAge
            ? MailReportCheck.Valid
            : MailReportCheck.Stale;
    }

    public IReadOnlyList<MailBounce> Bounces(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("SendGrid's event report is a JSON array.");
        }

        var bounces = new List<MailBounce>();
        foreach (var e in document.RootElement.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.Object && ForGood(e) is { } why
                && Text(e, CaseArgument) is { } caseId && CaseIds.IsWellFormed(caseId)
                && MailKinds.FromWire(Text(e, KindArgument)) is { } kind)
            {
                // Only a value of the shape this system writes (a letter and a count): anything else is as if absent.
                var sending = Text(e, SendingArgument) is { Length: >= 2 and <= 4 } named && named[0] is 'v' or 'i' && named.Skip(1).All(char.IsAsciiDigit) ? named : null;
                bounces.Add(new MailBounce(caseId, kind, why.AddressAtFault, why.Words) { Sending = sending });
            }
        }

        return bounces;
    }

    /// <summary>
    /// A mail SendGrid reports it did not deliver and will not try again: a bounce, a block (<c>bounce</c> of type
    /// <c>blocked</c>: the receiving server refused it for a reason not of the address, and SendGrid does not resend it;
    /// a domain without mail servers is reported so too), or a send it dropped (an address that bounced before or is not
    /// valid, or one on its spam-report or unsubscribe lists, which this system's mail bypasses, or any other reason).
    /// Deferrals (still being tried) and deliveries are not. Returns whether the address is at fault, and SendGrid's
    /// class for why: the address is at fault only for a bounce SendGrid classes <c>Invalid Address</c> and a drop for an
    /// address that bounced before or is not valid; one classed as about the content, the sender's reputation, the
    /// volume or a technical fault, any block, and any other drop are not. Null when the event is none of these.
    /// </summary>
    private static (bool AddressAtFault, string Words)? ForGood(JsonElement e)
    {
        switch (Text(e, "event"))
        {
            case "bounce" when Text(e, "type") is null or "bounce" or "blocked":
                var blocked = Text(e, "type") == "blocked";
                var classification = Text(e, "bounce_classification");
                var known = classification is "Invalid Address" or "Technical" or "Content" or "Reputation" or "Frequency or Volume Too High" or "Mailbox Unavailable" or "Unclassified";
                return (!blocked && classification == "Invalid Address", (blocked ? "blocked/" : "bounce/") + (known ? classification : "other"));
            case "dropped":
                // Only SendGrid's own words for a reason are kept (a free reason could quote the message).
                var reason = Text(e, "reason");
                var knownReason = reason is "Bounced Address" or "Invalid" or "Spam Reporting Address" or "Unsubscribed Address" or "Unsubscribed Group" or "Invalid SMTPAPI header" or "Spam Content";
                return (reason is "Bounced Address" or "Invalid", "dropped/" + (knownReason ? reason : "other"));
            default:
                return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
