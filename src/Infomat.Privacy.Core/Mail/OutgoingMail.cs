using System.Security.Cryptography;
using System.Text;

namespace Infomat.Privacy.Mail;

/// <summary>What kind of mail a message is; the wire value goes into the <c>X-Infomat-Kind</c> header.</summary>
public enum MailKind
{
    Verification,
    Acknowledgement,
    ApprovalRequest,
    Reminder,
    ExportReady,
    ActionReport,
    Rejection,
    ExtensionNotice,

    /// <summary>To staff: work to do on a case (a correction per store, an objection to weigh).</summary>
    StaffTask,

    /// <summary>To the requester: staff need more to confirm the identity.</summary>
    IdentificationRequest,

    /// <summary>To staff, afterwards: a withdrawal of consent or an objection to direct marketing was applied at once (decision 49).</summary>
    AppliedAtOnce,

    /// <summary>To the requester, before staff lift a restriction: that it will be lifted, and why (Art. 18(3)).</summary>
    RestrictionLiftNotice,

    /// <summary>To staff: the recipients to tell of what a case changed (Art. 19), recorded on the case page.</summary>
    RecipientNotice,
}

public static class MailKinds
{
    public static string ToWire(this MailKind kind) => kind switch
    {
        MailKind.Verification => "verification",
        MailKind.Acknowledgement => "acknowledgement",
        MailKind.ApprovalRequest => "approval-request",
        MailKind.Reminder => "reminder",
        MailKind.ExportReady => "export-ready",
        MailKind.ActionReport => "action-report",
        MailKind.Rejection => "rejection",
        MailKind.StaffTask => "staff-task",
        MailKind.IdentificationRequest => "identification-request",
        MailKind.AppliedAtOnce => "applied-at-once",
        MailKind.RestrictionLiftNotice => "restriction-lift-notice",
        MailKind.RecipientNotice => "recipient-notice",
        _ => "extension-notice",
    };

    /// <summary>The kind whose <see cref="ToWire"/> is <paramref name="wire"/>; null for any other text.</summary>
    public static MailKind? FromWire(string? wire) =>
        wire is null ? null : Enum.GetValues<MailKind>().Cast<MailKind?>().FirstOrDefault(k => k!.Value.ToWire() == wire);

    /// <summary>
    /// Whether a requester mail of this kind answers the request or refuses it (the export, the action report, a
    /// rejection or an expiry), or announces a decision against the person's wish (a restriction about to be lifted,
    /// Art. 18(3)): such a mail names every remedy — the complaint authorities (Art. 77) and the courts
    /// (Art. 79; in the Netherlands within six weeks, UAVG art. 35) — as Art. 12(4) asks of a refusal.
    /// </summary>
    public static bool IsAnswer(this MailKind kind) => kind is MailKind.ExportReady or MailKind.ActionReport or MailKind.Rejection or MailKind.RestrictionLiftNotice;
}

/// <summary>
/// The Message-ID of a mail we send. It names the case reference, so a reply whose subject and quote were rewritten
/// still leads back to its case through its <c>In-Reply-To</c> or <c>References</c> header (<see cref="Cases.CaseIds.FindIn"/>);
/// and it carries a tag keyed with a secret (<see cref="KeyLabel"/>), so a reply that quotes it shows that its sender
/// received our mail about that case (<see cref="Answers"/>): a forged From and a case reference are not enough.
/// </summary>
public static class OutgoingMessageIds
{
    /// <summary>The label of the key (derived from the pseudonymisation key) that tags our Message-IDs.</summary>
    public const string KeyLabel = "message-id";

    /// <summary>A new Message-ID (without angle brackets) on the domain of <paramref name="fromAddress"/>.</summary>
    public static string For(OutgoingMail mail, string fromAddress, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(fromAddress);
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 ? fromAddress[(at + 1)..] : "infomat.eu";
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return $"{mail.RequestId}.{mail.Kind.ToWire()}.{nonce}.{Tag(key, mail.RequestId, nonce)}@{domain}";
    }

    /// <summary>True when one of <paramref name="references"/> is a Message-ID we gave a mail about <paramref name="caseId"/>.</summary>
    public static bool Answers(string caseId, IEnumerable<string>? references, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(caseId);
        return references is not null && references.Any(r => IsOursFor(r, caseId, key));
    }

    private static bool IsOursFor(string? reference, string caseId, byte[] key)
    {
        var id = (reference ?? string.Empty).Trim().TrimStart('<').TrimEnd('>');
        var at = id.LastIndexOf('@');
        var parts = at > 0 ? id[..at].Split('.') : [];
        return parts.Length == 4
            && parts[0].Equals(caseId, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Tag(key, caseId, parts[2])), Encoding.ASCII.GetBytes(parts[3].ToLowerInvariant()));
    }

    private static string Tag(byte[] key, string caseId, string nonce)
    {
        ArgumentNullException.ThrowIfNull(key);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("message-id\n" + caseId.ToUpperInvariant() + "\n" + nonce.ToLowerInvariant()));
        return Convert.ToHexStringLower(mac)[..32];
    }
}

/// <summary>Who receives a mail: requesters get theirs through SendGrid in Azure, staff through Graph from the shared mailbox.</summary>
public enum Audience
{
    Requester,
    Staff,
}

/// <summary>One message to send, with a plain-text body and an HTML body saying the same.</summary>
public sealed record OutgoingMail(
    MailKind Kind,
    Audience Audience,
    string RequestId,
    string To,
    string Subject,
    string TextBody,
    string HtmlBody)
{
    /// <summary>
    /// Which sending of its kind this mail is, for the mails a requester may be sent again (<see cref="Cases.PrivacyCase.SendingOf"/>:
    /// <c>v0</c>, <c>v1</c> for the link before and after a staff retry, <c>i0</c>, <c>i1</c> for requests for
    /// identification); null for the others. The mail service copies it into its reports, so a late report is matched to
    /// the mail it is about, not to the one sent last. No personal data.
    /// </summary>
    public string? Sending { get; init; }
}
