namespace Infomat.Privacy.Mail;

/// <summary>
/// A mail to a requester that the mail service took and then reported it could not deliver for good (a hard bounce, or
/// a send it dropped). Ids only: the case the mail was about and its kind, as the sender tagged it
/// (<see cref="IMailServiceReports"/>), and the service's fixed words for why. A delivery put off or blocked for a while
/// (a full mailbox, a spam filter) is not one: the service tries again.
/// </summary>
/// <param name="CaseId">The case the mail was about (<see cref="OutgoingMail.RequestId"/>).</param>
/// <param name="Kind">What the mail was.</param>
/// <param name="AddressAtFault">
/// The report says the address is what failed: the receiving server does not know it, or the service will not send to
/// it (it bounced before, or is not valid). Otherwise the mail was refused for what it was or where it came from (its
/// content, the sender's reputation, a technical fault), which says nothing of the address.
/// </param>
/// <param name="Why">The service's own category (e.g. <c>bounce/Invalid Address</c>, <c>dropped/Bounced Address</c>), for the log: no personal data.</param>
public sealed record MailBounce(string CaseId, MailKind Kind, bool AddressAtFault, string Why)
{
    /// <summary>Which sending of its kind the mail was (<see cref="OutgoingMail.Sending"/>), when the sender tagged it; null otherwise.</summary>
    public string? Sending { get; init; }
}

/// <summary>What a post of the mail service's event reports came to.</summary>
public enum MailReportCheck
{
    /// <summary>Signed by the mail service, within the allowed age.</summary>
    Valid,

    /// <summary>No signature or no timestamp.</summary>
    NotSigned,

    /// <summary>A signature that the mail service's key does not verify.</summary>
    BadSignature,

    /// <summary>Signed too long ago (or in the future): a replay, or a clock far off.</summary>
    Stale,
}

/// <summary>
/// The mail service's reports on the mail it took (SendGrid's signed Event Webhook in Azure): whether a post is the
/// service's, and the bounces it reports. Other events (delivered, opened, deferred) are not read.
/// </summary>
public interface IMailServiceReports
{
    /// <summary>Whether the service's key is configured: without it, no report is taken.</summary>
    bool Enabled { get; }

    /// <summary>Whether <paramref name="body"/> was signed by the mail service, at <paramref name="timestamp"/>, no longer than the allowed age before <paramref name="now"/>.</summary>
    MailReportCheck Check(string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now);

    /// <summary>
    /// The bounces of requester mail this system sent, in the order reported (a report may repeat one); events of other
    /// kinds, and mail without this system's tags, are left out. Throws <see cref="System.Text.Json.JsonException"/> on a body
    /// that is not the service's report.
    /// </summary>
    IReadOnlyList<MailBounce> Bounces(ReadOnlySpan<byte> body);
}
