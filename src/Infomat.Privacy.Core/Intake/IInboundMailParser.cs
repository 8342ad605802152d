namespace Infomat.Privacy.Intake;

/// <summary>
/// Thrown when a message is refused; the reason names the limit or the defect, never the content, as a code that staff
/// read in their own language (its message is the English rendering, for logs).
/// </summary>
public sealed class InboundMailRejectedException(CodedReason reason) : Exception(reason?.ToString())
{
    public CodedReason Reason { get; } = reason ?? CodedReason.None;

    /// <summary>
    /// The message's subject when its headers could be read (a mail with no sender), so that staff can find it in the
    /// mailbox; never part of <see cref="Exception.Message"/>, which logs show.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>The message's Date header when its headers could be read: when it counts as received if the mailbox's own time is not known.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>
    /// The message's Message-ID when its headers could be read, else a hash of its bytes: the same mail read again (a
    /// notification and a sweep, a retry) is known, and staff are told of it once.
    /// </summary>
    public string? MessageId { get; init; }
}

/// <summary>
/// Reads one RFC 5322 message into what the classifier needs (<see cref="InboundMail"/>): the sender (From only),
/// subject, plain text, the receiving tenant's DMARC verdict and whether it is automatic mail. The MIME library stays
/// behind this port.
/// </summary>
public interface IInboundMailParser
{
    /// <summary>
    /// The message in <paramref name="message"/>, received at <paramref name="receivedAt"/>. A message too large, too deep
    /// or with too many parts is not read: only its headers are, and <see cref="InboundMail.RefusedReason"/> says why.
    /// Throws <see cref="InboundMailRejectedException"/> when not even its headers and sender can be read.
    /// </summary>
    InboundMail Parse(Stream message, DateTimeOffset receivedAt);
}
