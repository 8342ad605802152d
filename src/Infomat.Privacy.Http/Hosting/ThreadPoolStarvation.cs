using System.Diagnostics.Tracing;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Counts the times the runtime added a thread to the thread pool because queued work made no progress (its
/// "starvation" adjustment) or a pool thread blocked waiting on a task (its "cooperative blocking" adjustment), and when
/// it last did. Work queued meanwhile, a request among it, waited for that thread before it began; the case list's
/// <c>Server-Timing</c> names them (issue 21 item 3). Counts and times only, from the runtime's own events.
/// </summary>
public sealed class ThreadPoolStarvation : EventListener
{
    /// <summary>The runtime's threading events (its <c>ThreadingKeyword</c>).</summary>
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;

    /// <summary>The adjustment's reasons for starvation and for a blocked thread (the runtime's <c>ThreadAdjustmentReasonMap</c>).</summary>
    private const uint StarvationReason = 6, CooperativeBlockingReason = 8;

    private static long count;
    private static long lastAtTicks;
    private static int running;

    private static readonly Lazy<ThreadPoolStarvation> Watch = new(() => new ThreadPoolStarvation());

    private ThreadPoolStarvation()
    {
    }

    /// <summary>Starts counting (once per process; later calls do nothing).</summary>
    public static void Start()
    {
        _ = Watch.Value;
        Volatile.Write(ref running, 1);
    }

    /// <summary>Whether <see cref="Start"/> was called in this process (else the counts mean nothing).</summary>
    public static bool IsRunning => Volatile.Read(ref running) == 1;

    /// <summary>Starvation adjustments since <see cref="Start"/>.</summary>
    public static long Count => Interlocked.Read(ref count);

    /// <summary>How long ago the last one was, or null when there was none.</summary>
    public static TimeSpan? SinceLast => Interlocked.Read(ref lastAtTicks) is var at && at == 0 ? null : DateTime.UtcNow - new DateTime(at, DateTimeKind.Utc);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Informational, ThreadingKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.EventName != "ThreadPoolWorkerThreadAdjustmentAdjustment" || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var reason = names.IndexOf("Reason");
        if (reason >= 0 && payload[reason] is uint value && value is StarvationReason or CooperativeBlockingReason)
        {
            Interlocked.Increment(ref count);
            // When the runtime added the thread, not when this listener's dispatcher got to the event.
            Interlocked.Exchange(ref lastAtTicks, eventData.TimeStamp.ToUniversalTime().Ticks);
        }
    }
}
