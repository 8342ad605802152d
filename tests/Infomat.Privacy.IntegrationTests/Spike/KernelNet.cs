using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Infomat.Privacy.IntegrationTests.Spike;

/// <summary>
/// What the machine's kernel did with TCP while a case-list look was on its way (issue 21 item 3: the slow looks' time
/// was neither in the host's page nor in either process waiting for a thread). System-wide, from <c>/proc</c>: TCP
/// retransmission timeouts and tail-loss probes (on loopback, a segment is retransmitted only when its acknowledgement
/// came late, i.e. the receiving side's packet processing was late), the softirq threads' run-queue wait (packet
/// processing deferred to <c>ksoftirqd</c> waits for a core like any thread) and the CPU pressure stall time (some
/// runnable task waiting for a core). Linux only: where <c>/proc</c> lacks the TCP counters there is no figure at all,
/// and where it does not show the softirq threads (a container's own process namespace) or the pressure (no PSI),
/// those figures are absent (null), not 0.
/// </summary>
public sealed record KernelNet(long RetransmitTimeouts, long LossProbes, long RetransmittedSegments, double? SoftirqWaitMs, double? SoftirqRunMs, double? CpuPressureMs)
{
    /// <summary>The counters now, or null where <c>/proc</c> does not have the TCP ones. Never throws.</summary>
    public static KernelNet? Read()
    {
        var ext = Quietly(() => Pairs("/proc/net/netstat", "TcpExt:"));
        var tcp = Quietly(() => Pairs("/proc/net/snmp", "Tcp:"));
        if (ext is null || tcp is null)
        {
            return null;
        }

        var softirqd = Quietly(Softirqd);
        return new KernelNet(
            ext.GetValueOrDefault("TCPTimeouts"),
            ext.GetValueOrDefault("TCPLossProbes"),
            tcp.GetValueOrDefault("RetransSegs"),
            softirqd?.WaitMs,
            softirqd?.RunMs,
            Quietly(CpuSomeMs));
    }

    /// <summary>What changed from <paramref name="before"/> to this.</summary>
    public KernelNet Since(KernelNet before) => new(
        RetransmitTimeouts - before.RetransmitTimeouts,
        LossProbes - before.LossProbes,
        RetransmittedSegments - before.RetransmittedSegments,
        SoftirqWaitMs - before.SoftirqWaitMs,
        SoftirqRunMs - before.SoftirqRunMs,
        CpuPressureMs - before.CpuPressureMs);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"RTO {RetransmitTimeouts}, loss probes {LossProbes}, retransmitted {RetransmittedSegments}, ksoftirqd waited {Ms(SoftirqWaitMs)} ran {Ms(SoftirqRunMs)}, cpu pressure {Ms(CpuPressureMs)}");

    private static string Ms(double? ms) => ms is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "not visible";

    /// <summary>A figure read from <c>/proc</c>, or null when it cannot be read (gone, not allowed, not in the expected form).</summary>
    private static T? Quietly<T>(Func<T?> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>
    /// A socket's own retransmissions, its retransmission timeout, and how long ago it last received data
    /// (<c>TCP_INFO</c>: <c>tcpi_rto</c> at byte 8, <c>tcpi_last_data_recv</c> at 52 in milliseconds, counted by the
    /// kernel's tick, <c>tcpi_rtt</c> at 68, <c>tcpi_total_retrans</c> at 100, microseconds and counts); null off Linux or
    /// on a closed socket.
    /// </summary>
    public static (long TotalRetrans, double RtoMs, double RttMs, double LastDataReceivedMs)? SocketInfo(Socket? socket)
    {
        if (socket is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var info = new byte[104];
            var length = socket.GetRawSocketOption(6 /* SOL_TCP */, 11 /* TCP_INFO */, info);
            if (length < 104)
            {
                return null;
            }

            var span = info.AsSpan();
            return (MemoryMarshal.Read<uint>(span[100..]), MemoryMarshal.Read<uint>(span[8..]) / 1000.0, MemoryMarshal.Read<uint>(span[68..]) / 1000.0, MemoryMarshal.Read<uint>(span[52..]));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    private static Dictionary<string, long> Pairs(string path, string prefix)
    {
        var lines = File.ReadAllLines(path).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var j = 1; j < Math.Min(names.Length, values.Length); j++)
            {
                if (long.TryParse(values[j], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                {
                    result[names[j]] = value;
                }
            }
        }

        return result;
    }

    /// <summary>The <c>ksoftirqd</c> threads' time waiting on a run queue and running (schedstat, nanoseconds), summed; null when none is visible.</summary>
    private static (double WaitMs, double RunMs)? Softirqd()
    {
        if (Softirqds.Value.Length == 0)
        {
            return null;
        }

        double wait = 0, run = 0;
        foreach (var pid in Softirqds.Value)
        {
            var fields = File.ReadAllText($"/proc/{pid}/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            run += long.Parse(fields[0], CultureInfo.InvariantCulture) / 1e6;
            wait += long.Parse(fields[1], CultureInfo.InvariantCulture) / 1e6;
        }

        return (wait, run);
    }

    /// <summary>The softirq threads' ids, looked up once (none where <c>/proc</c> is not there or does not show them).</summary>
    private static readonly Lazy<int[]> Softirqds = new(() => Quietly<int[]>(() => [.. Directory.EnumerateDirectories("/proc")
        .Select(Path.GetFileName)
        .Where(name => int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        .Where(pid => ReadOrEmpty($"/proc/{pid}/comm").StartsWith("ksoftirqd/", StringComparison.Ordinal))
        .Select(pid => int.Parse(pid!, CultureInfo.InvariantCulture))]) ?? []);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>PSI: the total time (µs, as ms) some runnable task waited for a core, from <c>/proc/pressure/cpu</c>; null without it.</summary>
    private static double? CpuSomeMs()
    {
        if (!File.Exists("/proc/pressure/cpu"))
        {
            return null;
        }

        var some = File.ReadLines("/proc/pressure/cpu").FirstOrDefault(l => l.StartsWith("some ", StringComparison.Ordinal));
        var total = some?.Split(' ').FirstOrDefault(f => f.StartsWith("total=", StringComparison.Ordinal))?["total=".Length..];
        return total is null ? null : long.Parse(total, CultureInfo.InvariantCulture) / 1000.0;
    }
}
