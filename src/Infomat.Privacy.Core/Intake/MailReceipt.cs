namespace Infomat.Privacy.Intake;

/// <summary>
/// When a mail counts as received: the legal deadline (Art. 12(3)) runs from when it reached info@infomat.eu, not from
/// when it was handled (a backlog, the delta sweep or a retry can handle it hours or days later).
/// </summary>
public static class MailReceipt
{
    /// <summary>
    /// The mailbox's delivery time (Graph <c>receivedDateTime</c>; the local inbox: the file's time) when known, else the
    /// mail's <c>Date</c> header, else now; never later than now (a sender's clock can be ahead).
    /// </summary>
    public static DateTimeOffset ReceivedAt(DateTimeOffset? deliveredAt, DateTimeOffset? dateHeader, DateTimeOffset now)
    {
        var at = deliveredAt ?? dateHeader ?? now;
        return at > now ? now : at;
    }
}
