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
    /// How far back a sweep looks at most: a read of the inbox is one function run, which must end (a month and a few
    /// days of info@'s mail is a few thousand ids). Mail older than that, received while the intake was stopped, goes
    /// to staff by a notice (<see cref="SweepStart.UnreadSince"/>).
    /// </summary>
    public static readonly TimeSpan MaxLookBack = TimeSpan.FromDays(35);

    /// <summary>
    /// From when a sweep without a delta link (the first, or one restarting after the mail service forgot the link: 410)
    /// asks for mail: <paramref name="firstSweepLookback"/> ago, or, when the last complete sweep began earlier than
    /// that, from that sweep's moment less <see cref="Settle"/>, so that mail received while nothing swept (an outage
    /// longer than the look-back) is still read; at most <see cref="MaxLookBack"/> ago (also for the first sweep), and
    /// then what was not read is said.
    /// Mail handled before carries its category or marker: asking again costs a read.
    /// </summary>
    public static SweepStart LookBackFrom(DateTimeOffset now, DateTimeOffset? lastCompleteSweep, TimeSpan firstSweepLookback)
    {
        // The furthest back, on a whole minute (earlier, never later): a notice shows it to the minute.
        var limit = now - MaxLookBack;
        limit = new DateTimeOffset(limit.UtcTicks - (limit.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var from = firstSweepLookback < MaxLookBack ? now - firstSweepLookback : limit;
        if (lastCompleteSweep is not { } last || last - Settle >= from)
        {
            return new SweepStart(from, null);
        }

        return last - Settle >= limit ? new SweepStart(last - Settle, null) : new SweepStart(limit, last - Settle);
    }
}

/// <summary>
/// Where a sweep starts (<see cref="From"/>), and, when the intake was stopped for longer than
/// <see cref="MailSweep.MaxLookBack"/>, the moment since which mail was not read up to <see cref="From"/>.
/// </summary>
public sealed record SweepStart(DateTimeOffset From, DateTimeOffset? UnreadSince);
