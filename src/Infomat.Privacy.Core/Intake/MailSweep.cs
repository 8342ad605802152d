namespace Infomat.Privacy.Intake;

/// <summary>
/// The rules of the mailbox's delta sweep (decisions 95 and 99): how far back a sweep without a delta link asks, and
/// up to when a complete sweep vouches that the mailbox was read.
/// </summary>
public static class MailSweep
{
    /// <summary>
    /// How long after a mail reached the mailbox a delta sweep is sure to report it: a sweep that began at T vouches for
    /// mail received before T minus this. An assumption about the mail service, not a measured figure.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(5);

    /// <summary>
    /// From when a sweep without a delta link (the first, or one restarting after the mail service forgot the link: 410)
    /// asks for mail: <paramref name="firstSweepLookback"/> ago, or, when the last complete sweep began earlier than
    /// that, from that sweep's moment less <see cref="Settle"/>, so that mail received while nothing swept (an outage
    /// longer than the look-back) is still read. Mail handled before carries its marker: asking again costs a read.
    /// </summary>
    public static DateTimeOffset LookBackFrom(DateTimeOffset now, DateTimeOffset? lastCompleteSweep, TimeSpan firstSweepLookback)
    {
        var from = now - firstSweepLookback;
        return lastCompleteSweep is { } last && last - Settle < from ? last - Settle : from;
    }
}
