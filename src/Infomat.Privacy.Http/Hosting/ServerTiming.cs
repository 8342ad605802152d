using System.Diagnostics;
using System.Globalization;
using System.Text;

using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// A page's own account of where its time went, as a <c>Server-Timing</c> header (W3C Server Timing): each step's
/// milliseconds (<c>kestrel</c>, from the request's bytes reaching the host's HTTP layer to its pipeline, and
/// <c>before</c>, from its entry into the pipeline, where the host records them),
/// <c>gc</c>, the time this process was paused for garbage collection meanwhile,
/// <c>pool</c>, the thread pool's threads and queued work items as it began, <c>poolwait</c> and <c>late</c>, the worst
/// wait for a pool thread and for a core in the last 10 s (<see cref="ThreadPoolDelay"/>, when the host runs it), and <c>paused</c>, the time this process was
/// paused for garbage collection since it started, with its collections (a client comparing two looks sees the pauses
/// between them, before a request entered the pipeline among them), and <c>clock</c>, the machine's monotonic clock where
/// the host's account began and as it ended, where the host records the start, and <c>prev</c>, the same clock as the
/// previous answer on the connection was written into the server and as the kernel sent it. Names, durations, counts and clock
/// ticks only, never
/// what the page shows. A browser's developer tools show it beside the network timing; a
/// benchmark reads it to tell the server's time from the time on the way.
/// </summary>
public sealed class ServerTiming
{
    private readonly StringBuilder steps = new();
    private readonly TimeSpan pausedAtStart = GC.GetTotalPauseDuration();
    private readonly string pool = Pool();
    private readonly long? clockStart;
    private readonly (long Written, long? Sent)? previousAnswer;
    private long last = Stopwatch.GetTimestamp();

    /// <summary>The key under which the host's first middleware leaves the time a request entered the pipeline.</summary>
    public const string RequestStartKey = "Infomat.RequestStart";

    /// <summary>
    /// Begins at <paramref name="context"/>'s entry into the pipeline when the host's first middleware recorded it
    /// (the local host does): the time until the page begins is its first step, <c>before</c>.
    /// </summary>
    public ServerTiming(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(RequestStartKey, out var start) && start is RequestStart at)
        {
            // A read stamped after the pipeline began belongs to no request before it: left out.
            if (at.ReadAt is { } read && read <= at.Timestamp)
            {
                // From the request's bytes reaching the host's HTTP layer to its pipeline: parsing and dispatch.
                Append("kestrel", Stopwatch.GetElapsedTime(read, at.Timestamp), null);
                clockStart = read;
            }
            else
            {
                clockStart = at.Timestamp;
            }

            last = at.Timestamp;
            pausedAtStart = at.Paused;
            previousAnswer = at.PreviousAnswer;
            Step("before");
        }
    }

    /// <summary>
    /// Records in <paramref name="context"/> that it enters the pipeline now (the host's first middleware), its bytes
    /// having reached the host's HTTP layer at <paramref name="readAt"/> (a <see cref="Stopwatch"/> timestamp) when the
    /// host knows it.
    /// </summary>
    public static void MarkStart(HttpContext context, long? readAt = null, (long Written, long? Sent)? previousAnswer = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[RequestStartKey] = new RequestStart(Stopwatch.GetTimestamp(), GC.GetTotalPauseDuration(), readAt, previousAnswer);
    }

    private sealed record RequestStart(long Timestamp, TimeSpan Paused, long? ReadAt, (long Written, long? Sent)? PreviousAnswer);

    /// <summary>
    /// The thread pool as the page began, and the runtime's starvation adjustments so far with how long ago the last
    /// was (<see cref="ThreadPoolStarvation"/>): a request that waited for a thread shows here, not in its steps.
    /// </summary>
    private static string Pool() =>
        string.Create(CultureInfo.InvariantCulture, $"{ThreadPool.ThreadCount} threads / {ThreadPool.PendingWorkItemCount} queued")
        + (!ThreadPoolStarvation.IsRunning ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" / {ThreadPoolStarvation.Count} starved{(ThreadPoolStarvation.SinceLast is { } since ? $" (last {since.TotalMilliseconds:0} ms ago)" : "")}"));

    /// <summary>Ends the step begun at the last one (or at the start), named <paramref name="name"/>; <paramref name="description"/> a fixed word.</summary>
    public void Step(string name, string? description = null)
    {
        var now = Stopwatch.GetTimestamp();
        Append(name, Stopwatch.GetElapsedTime(last, now), description);
        last = now;
    }

    /// <summary>Sets the header: the steps so far and the collector's pauses since the start.</summary>
    public void WriteTo(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Append("gc", GC.GetTotalPauseDuration() - pausedAtStart, null);
        // The thread pool as the page began (a request that waited for a thread before it began shows here, not above).
        steps.Append(", pool;desc=\"").Append(pool).Append('"');
        if (ThreadPoolDelay.IsRunning)
        {
            // Waits no step sees: for a pool thread, and for a core (the worst of the last 10 s, this request's entry among them).
            var (queued, late) = ThreadPoolDelay.Worst();
            steps.Append(", poolwait;dur=").Append(queued.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(";desc=\"worst in 10 s\"");
            steps.Append(", late;dur=").Append(late.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(";desc=\"worst late wake in 10 s\"");
        }

        steps.Append(", paused;dur=").Append(GC.GetTotalPauseDuration().TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture))
            .Append(";desc=\"").Append(GC.CollectionCount(0).ToString(CultureInfo.InvariantCulture)).Append(" collections / ")
            .Append(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation").Append('"');
        if (clockStart is { } first)
        {
            // The machine's monotonic clock (Stopwatch ticks) where the host's account begins and as it ends: a client on
            // the same machine reading the same clock tells the way to the host from the way back.
            steps.Append(", clock;desc=\"").Append(first.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)).Append('"');
        }

        if (previousAnswer is { } previous)
        {
            // The previous answer on this connection, by the same clock: written into the server, and sent by the kernel
            // ("-" where the host cannot tell). Its headers went before these stamps existed, so they ride on this one.
            steps.Append(", prev;desc=\"").Append(previous.Written.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(previous.Sent is { } sent ? sent.ToString(CultureInfo.InvariantCulture) : "-").Append('"');
        }

        response.Headers["Server-Timing"] = steps.ToString();
    }

    private void Append(string name, TimeSpan took, string? description)
    {
        if (steps.Length > 0)
        {
            steps.Append(", ");
        }

        steps.Append(name).Append(";dur=").Append(took.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture));
        if (description is not null)
        {
            steps.Append(";desc=\"").Append(description).Append('"');
        }
    }
}
