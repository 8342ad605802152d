using System.Diagnostics;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Two probes, each the worst of the last 10 s: how long work queued to this process's thread pool waited for a thread
/// (a probe queued every 100 ms), and how late a thread of its own woke from its 100-ms sleep (the operating system not
/// giving the process a core, or the collector's pauses). A request whose socket read waits for a pool thread, or a host
/// not given a core, waits before it enters the pipeline, where no step of a page sees it; the case list's
/// <c>Server-Timing</c> names both (issue 21 item 3). Durations only.
/// </summary>
public static class ThreadPoolDelay
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int Slots = 100;

    /// <summary>Per probe: when it was queued (a <see cref="Stopwatch"/> timestamp), its wait for a thread (TimeSpan ticks; -1 while it waits) and its late wake.</summary>
    private static readonly long[] QueuedAt = new long[Slots];
    private static readonly long[] Waited = new long[Slots];
    private static readonly long[] Late = new long[Slots];
    private static int running;

    /// <summary>Starts the probes (once per process; later calls do nothing).</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref running, 1) == 0)
        {
            new Thread(Probe) { IsBackground = true, Name = "thread-pool delay probe" }.Start();
        }
    }

    /// <summary>Whether <see cref="Start"/> was called in this process.</summary>
    public static bool IsRunning => Volatile.Read(ref running) == 1;

    /// <summary>The worst wait for a pool thread (one still waiting counts until now) and the worst late wake of the last 10 s.</summary>
    public static (TimeSpan Queued, TimeSpan Late) Worst()
    {
        var now = Stopwatch.GetTimestamp();
        long queued = 0, late = 0;
        for (var i = 0; i < Slots; i++)
        {
            var at = Volatile.Read(ref QueuedAt[i]);
            if (at == 0 || Stopwatch.GetElapsedTime(at, now) > Window)
            {
                continue;
            }

            var waited = Volatile.Read(ref Waited[i]);
            queued = Math.Max(queued, waited >= 0 ? waited : Stopwatch.GetElapsedTime(at, now).Ticks);
            late = Math.Max(late, Volatile.Read(ref Late[i]));
        }

        return (TimeSpan.FromTicks(queued), TimeSpan.FromTicks(late));
    }

    private static void Probe()
    {
        for (var slot = 0; ; slot = (slot + 1) % Slots)
        {
            var before = Stopwatch.GetTimestamp();
            Thread.Sleep(Interval);
            var woke = Stopwatch.GetTimestamp();
            Volatile.Write(ref Late[slot], Math.Max(0, (Stopwatch.GetElapsedTime(before, woke) - Interval).Ticks));
            Volatile.Write(ref Waited[slot], -1);
            Volatile.Write(ref QueuedAt[slot], woke);
            ThreadPool.UnsafeQueueUserWorkItem(
                static probe => Volatile.Write(ref Waited[probe.Slot], Stopwatch.GetElapsedTime(probe.At).Ticks), (Slot: slot, At: woke), preferLocal: false);
        }
    }
}
