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
/// runnable task waiting for a core). Linux only; elsewhere every figure is absent.
/// </summary>
public sealed record KernelNet(long RetransmitTimeouts, long LossProbes, long RetransmittedSegments, double SoftirqWaitMs, double SoftirqRunMs, double CpuPressureMs)
{
    /// <summary>The counters now, or null where <c>/proc</c> does not have them.</summary>
    public static KernelNet? Read()
    {
        try
        {
            var ext = Pairs("/proc/net/netstat", "TcpExt:");
            var tcp = Pairs("/proc/net/snmp", "Tcp:");
            var (wait, run) = Softirqd();
            return new KernelNet(
                ext.GetValueOrDefault("TCPTimeouts"),
                ext.GetValueOrDefault("TCPLossProbes"),
                tcp.GetValueOrDefault("RetransSegs"),
                wait,
                run,
                CpuSomeMs());
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
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
        $"RTO {RetransmitTimeouts}, loss probes {LossProbes}, retransmitted {RetransmittedSegments}, ksoftirqd waited {SoftirqWaitMs:F0} ms ran {SoftirqRunMs:F0} ms, cpu pressure {CpuPressureMs:F0} ms");

    /// <summary>
    /// A socket's own retransmissions and its retransmission timeout (<c>TCP_INFO</c>: <c>tcpi_rto</c> at byte 8,
    /// <c>tcpi_rtt</c> at 68, <c>tcpi_total_retrans</c> at 100, microseconds and counts); null off Linux or on a closed socket.
    /// </summary>
    public static (long TotalRetrans, double RtoMs, double RttMs)? SocketInfo(Socket? socket)
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
            return (MemoryMarshal.Read<uint>(span[100..]), MemoryMarshal.Read<uint>(span[8..]) / 1000.0, MemoryMarshal.Read<uint>(span[68..]) / 1000.0);
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

    /// <summary>The <c>ksoftirqd</c> threads' time waiting on a run queue and running (schedstat, nanoseconds), summed.</summary>
    private static (double WaitMs, double RunMs) Softirqd()
    {
        double wait = 0, run = 0;
        foreach (var pid in Softirqds.Value)
        {
            var fields = File.ReadAllText($"/proc/{pid}/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            run += long.Parse(fields[0], CultureInfo.InvariantCulture) / 1e6;
            wait += long.Parse(fields[1], CultureInfo.InvariantCulture) / 1e6;
        }

        return (wait, run);
    }

    private static readonly Lazy<int[]> Softirqds = new(() => [.. Directory.EnumerateDirectories("/proc")
        .Select(Path.GetFileName)
        .Where(name => int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        .Where(pid => File.Exists($"/proc/{pid}/comm") && ReadOrEmpty($"/proc/{pid}/comm").StartsWith("ksoftirqd/", StringComparison.Ordinal))
        .Select(pid => int.Parse(pid!, CultureInfo.InvariantCulture))]);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>PSI: the total time (µs, as ms) some runnable task waited for a core, from <c>/proc/pressure/cpu</c>; 0 without it.</summary>
    private static double CpuSomeMs()
    {
        if (!File.Exists("/proc/pressure/cpu"))
        {
            return 0;
        }

        var some = File.ReadLines("/proc/pressure/cpu").First(l => l.StartsWith("some ", StringComparison.Ordinal));
        var total = some.Split(' ').First(f => f.StartsWith("total=", StringComparison.Ordinal))["total=".Length..];
        return long.Parse(total, CultureInfo.InvariantCulture) / 1000.0;
    }
}
