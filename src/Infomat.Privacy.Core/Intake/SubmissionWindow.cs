namespace Infomat.Privacy.Intake;

/// <summary>
/// The rule of a submission limit: at most <see cref="Permits"/> per <see cref="Window"/>, as a sliding window
/// estimated from two fixed windows (the count of the previous window, weighted by how much of it still overlaps the
/// last <see cref="Window"/>, plus the count of the current one). Two counters per key are all a shared store needs to
/// hold, and a burst at a window boundary cannot pass twice the limit as with a fixed window alone.
/// </summary>
public sealed record SubmissionWindow(int Permits, TimeSpan Window)
{
    /// <summary>The start of the fixed window <paramref name="now"/> falls in (windows are aligned on the Unix epoch).</summary>
    public DateTimeOffset Start(DateTimeOffset now)
    {
        var ticks = now.UtcTicks - (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % Window.Ticks;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>Until when the count of the window starting at <paramref name="start"/> matters (it is the previous window for one more window).</summary>
    public DateTimeOffset Ends(DateTimeOffset start) => start + Window + Window;

    /// <summary>
    /// Null when one more submission is allowed, given <paramref name="previous"/> counted in the window before the current
    /// one and <paramref name="current"/> in the current one; otherwise how long to wait until one would be (at least a second).
    /// </summary>
    public TimeSpan? Refusal(int previous, int current, DateTimeOffset now)
    {
        var start = Start(now);
        var elapsed = (now - start) / Window;
        if ((previous * (1 - elapsed)) + current + 1 <= Permits)
        {
            return null;
        }

        TimeSpan wait;
        if (current + 1 <= Permits)
        {
            // The previous window's weight has to fall far enough: previous * (1 - f) <= Permits - 1 - current.
            var f = 1 - ((Permits - 1 - current) / (double)previous);
            wait = (f - elapsed) * Window;
        }
        else
        {
            // Not before the next window, and then until the current count, as the previous one, weighs little enough.
            var g = current == 0 ? 0 : Math.Max(0, 1 - ((Permits - 1) / (double)current));
            wait = (start + Window - now) + (g * Window);
        }

        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
    }
}
