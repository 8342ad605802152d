using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;

using Infomat.Privacy.Export;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

// The export benchmark (issue 6): throughput of the zip writer against DeflateStream on the same bytes, and peak memory
// of a 1 GB export against a 10 MB one, each size in its own process so that peaks do not mix.
//   bench export [MB] [--speed-not-held]
//                                 run everything, print the figures, exit 1 if a limit is missed; with
//                                 --speed-not-held (scripts/test.sh, at the end of a CI run on two busy cores) the
//                                 throughput ratio is printed but only the memory limits decide the exit code
//   bench throughput [MB]         only the throughput comparison (default 100 MB of records)
//   bench peak <MB>               (child) write an export of MB megabytes of records, print the peak working set
//   bench mime                    hostile MIME messages against the intake's reader (issue 21 item 4)
var mode = args.Length > 0 ? args[0] : "export";
var map = DataMapLoader.Load(DataMapFiles.Default);
var store = map.Store("be/crm");

switch (mode)
{
    case "mime":
        return HostileMime.Run();
    case "peak":
        var peakMb = long.Parse(args[1], CultureInfo.InvariantCulture);
        var written = await ExportAsync(Stream.Null, peakMb * 1024 * 1024);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{PeakWorkingSetBytes()} {written}"));
        return 0;
    case "throughput":
        var (ratio, _) = await ThroughputAsync(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 100);
        return ratio >= 0.8 ? 0 : 1;
    default:
        var (throughputRatio, throughputFigure) = await ThroughputAsync(args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? long.Parse(args[1], CultureInfo.InvariantCulture) : 100);
        var speedHeld = !args.Contains("--speed-not-held");
        var small = Peak(10);
        var large = Peak(1024);
        var peakRatio = (double)large / small;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak memory: 10 MB export {small / 1048576.0:F1} MB, 1 GB export {large / 1048576.0:F1} MB, ratio {peakRatio:F2} (limits: 1.25, and under 256 MB)"));
        var ok = (throughputRatio >= 0.8 || !speedHeld) && peakRatio <= 1.25 && large < 256L * 1024 * 1024;
        if (!speedHeld)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"throughput ratio {throughputRatio:F2} {(throughputRatio >= 0.8 ? "met" : "MISSED")}: printed, not held here (scripts/bench-export.sh holds 0.8, on a quiet machine)"));
        }

        BenchmarkFigures.Write("export",
        [
            throughputFigure,
            new("peak memory, 1 GB export vs 10 MB export", Mb(large), Mb(small) + " (10 MB export)", BenchmarkFigures.Ratio(peakRatio), "<= 1.25", peakRatio <= 1.25),
            new("peak memory of the 1 GB export", Mb(large), "-", Mb(large), "< 256 MB", large < 256L * 1024 * 1024),
        ]);
        Console.WriteLine(!ok ? "export benchmark: A LIMIT IS MISSED"
            : speedHeld ? "export benchmark: all limits met"
            : "export benchmark: the memory limits met (the throughput ratio is printed above, not held here)");
        return ok ? 0 : 1;
}

static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

// Writes an export whose records serialize to about `recordBytes`; returns the zip's size.
async Task<long> ExportAsync(Stream output, long recordBytes, IReadOnlyList<StoreRecord>? materialized = null)
{
    var counting = new CountingStream(output);
    var records = materialized is null ? Records(recordBytes) : () => Replay(materialized);
    // The record count as the collect step reports it (about 330 bytes a record): the summary shows the first 200
    // records and names the files holding the rest, as it would for a real export of this size.
    var manifest = new ExportManifest("PR-BNCH-MARK-0001", Language.Nl, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero),
        map, map.Controllers, [new StorePart(store, new Dictionary<string, int> { ["contacts"] = materialized?.Count ?? (int)Math.Min(int.MaxValue, recordBytes / 330 + 1) })]);
    await ExportPackageWriter.WriteAsync(counting, manifest, _ => records(), CancellationToken.None);
    return counting.Written;
}

static async IAsyncEnumerable<StoreRecord> Replay(IReadOnlyList<StoreRecord> records)
{
    await Task.Yield();
    foreach (var record in records)
    {
        yield return record;
    }
}

// Records like the CRM's contacts, generated as they are read (as the staging storage streams them), never kept.
Func<IAsyncEnumerable<StoreRecord>> Records(long bytes) => () => Generate(bytes);

static async IAsyncEnumerable<StoreRecord> Generate(long bytes)
{
    var random = new Random(20191216);
    string[] first = ["An", "Jan", "Sophie", "Zoë", "Alexis", "Lotte", "Pieter", "Marie", "Luc", "Emma"];
    string[] companies = ["Brouwerij Peeters NV", "De Vries Techniek BV", "Dubois & Fils SA", "Maes Consulting", "Janssens Logistics"];
    long produced = 0;
    for (var i = 0; produced < bytes; i++)
    {
        var record = new JsonObject
        {
            ["id"] = i,
            ["first_name"] = first[random.Next(first.Length)],
            ["last_name"] = "Peeters-" + random.Next(100000).ToString(CultureInfo.InvariantCulture),
            ["email"] = "an.peeters@example.be",
            ["company"] = companies[random.Next(companies.Length)],
            ["job_title"] = "Finance director",
            ["phone"] = "+32 470 " + random.Next(100000, 999999).ToString(CultureInfo.InvariantCulture),
            ["notes"] = "Contact since " + (2010 + random.Next(15)).ToString(CultureInfo.InvariantCulture) + "; prefers mail in Dutch. Ticket " + Guid.NewGuid().ToString("N"),
            ["created_at"] = new DateTime(2019, 12, 16).AddMinutes(random.Next(3_000_000)).ToString("O", CultureInfo.InvariantCulture),
        };
        produced += 330;
        if ((i & 1023) == 0)
        {
            await Task.Yield();
        }

        yield return new StoreRecord("contacts", record);
    }
}

async Task<(double Ratio, BenchmarkFigure Figure)> ThroughputAsync(long megabytes)
{
    // The records, read once into memory: the comparison is the writer against DeflateStream, not the record source.
    var materialized = new List<StoreRecord>();
    await foreach (var record in Generate(megabytes * 1024 * 1024))
    {
        materialized.Add(record);
    }

    // The bytes the zip's entries hold, uncompressed, to give DeflateStream exactly the same input.
    using var zipped = new MemoryStream();
    await ExportAsync(zipped, 0, materialized);
    zipped.Position = 0;
    var plain = new MemoryStream();
    using (var zip = new ZipArchive(zipped, ZipArchiveMode.Read, leaveOpen: true))
    {
        foreach (var entry in zip.Entries)
        {
            await using var s = entry.Open();
            await s.CopyToAsync(plain);
        }
    }

    var input = plain.ToArray();
    // Rounds pair the two, and each round's ratio compares runs made moments apart (this machine's speed drifts). Which
    // goes first alternates from round to round, so a drift within a round favours neither; ten rounds after the warm-up
    // (six gave 0.79-0.96 in five CI runs of the same code, one under the limit, and 0.94-1.05 on a quiet machine).
    const int MeasuredRounds = 10;
    var ratios = new List<double>();
    var exportRates = new List<double>();
    var deflateRates = new List<double>();
    async Task<double> ExportRateAsync()
    {
        var clock = Stopwatch.StartNew();
        await ExportAsync(Stream.Null, 0, materialized);
        return input.Length / clock.Elapsed.TotalSeconds;
    }

    async Task<double> DeflateRateAsync()
    {
        var clock = Stopwatch.StartNew();
        await using (var deflate = new DeflateStream(Stream.Null, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var offset = 0; offset < input.Length; offset += 81920)
            {
                await deflate.WriteAsync(input.AsMemory(offset, Math.Min(81920, input.Length - offset)));
            }
        }

        return input.Length / clock.Elapsed.TotalSeconds;
    }

    for (var round = 0; round <= MeasuredRounds; round++)
    {
        double export, deflateRate;
        if (round % 2 == 0)
        {
            export = await ExportRateAsync();
            deflateRate = await DeflateRateAsync();
        }
        else
        {
            deflateRate = await DeflateRateAsync();
            export = await ExportRateAsync();
        }

        if (round > 0)
        {
            // The first round warms up (JIT, tiering).
            ratios.Add(export / deflateRate);
            exportRates.Add(export);
            deflateRates.Add(deflateRate);
        }
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    var ratio = Median(ratios);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"throughput: export {Median(exportRates) / 1048576:F1} MB/s, DeflateStream on the same {input.Length / 1048576.0:F0} MB {Median(deflateRates) / 1048576:F1} MB/s, ratio {ratio:F2} (limit 0.8; median of {MeasuredRounds} paired rounds after a warm-up, same level: Optimal)"));
    return (ratio, new BenchmarkFigure(
        $"export throughput vs DeflateStream on the same {input.Length / 1048576.0:F0} MB (median of {MeasuredRounds})",
        (Median(exportRates) / 1048576).ToString("F1", CultureInfo.InvariantCulture) + " MB/s",
        (Median(deflateRates) / 1048576).ToString("F1", CultureInfo.InvariantCulture) + " MB/s (DeflateStream)",
        BenchmarkFigures.Ratio(ratio), ">= 0.8", ratio >= 0.8));
}

long Peak(int megabytes)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    foreach (var arg in Environment.GetCommandLineArgs()[0].EndsWith(".dll", StringComparison.Ordinal) ? [Environment.GetCommandLineArgs()[0]] : Array.Empty<string>())
    {
        start.ArgumentList.Add(arg);
    }

    start.ArgumentList.Add("peak");
    start.ArgumentList.Add(megabytes.ToString(CultureInfo.InvariantCulture));
    using var child = Process.Start(start)!;
    var line = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    var parts = line.Split(' ');
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {megabytes} MB of records -> zip of {long.Parse(parts[1], CultureInfo.InvariantCulture) / 1048576.0:F1} MB, peak working set {long.Parse(parts[0], CultureInfo.InvariantCulture) / 1048576.0:F1} MB"));
    return long.Parse(parts[0], CultureInfo.InvariantCulture);
}

static long PeakWorkingSetBytes()
{
    // VmHWM: the peak resident set of this process, as the kernel counts it.
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    return Process.GetCurrentProcess().PeakWorkingSet64;
}

/// <summary>Counts what passes to the inner stream.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long Written { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Written += count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Written += buffer.Length;
    }
}
