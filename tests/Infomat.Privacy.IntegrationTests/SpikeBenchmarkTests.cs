using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.IntegrationTests.Spike;
using Infomat.Privacy.TestSupport;

using Xunit.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 21, item 3: a spike of requests (an hour's load of a publicised incident, compressed into minutes) through the
/// local host process on PostgreSQL stores. Limits: every accepted request in the register exactly once with the due
/// date of the rule from its receipt; no 5xx and no transport error; the verification mail in the mail folder within
/// 60 s of submission at p99; the host's peak resident memory (VmHWM) at most 1 GB; the staff case list (first page and a
/// filter) under a second while the spike runs and after it. The small run (80 requests at 2 a second, 50,000 contacts) is in
/// scripts/test.sh; scripts/bench-spike.sh runs 10,000 on a million contacts (<c>BENCH_SPIKE_REQUESTS</c>,
/// <c>BENCH_SPIKE_RATE</c>, <c>BENCH_SPIKE_ROWS</c>). Figures: artifacts/benchmark-spike.txt and .tsv.
/// </summary>
public sealed partial class SpikeBenchmarkTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan MailLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ListLimit = TimeSpan.FromSeconds(1);

    /// <summary>Half of the 2 GB a Flex Consumption instance has (decision 77): room for the worker beside it.</summary>
    private const long MemoryLimitMb = 1024;

    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task A_spike_of_requests_is_registered_with_due_dates_mailed_within_a_minute_in_bounded_memory_and_the_case_list_stays_fast()
    {
        var settings = SpikeSettings.FromEnvironment();
        SpikeResult result;
        await using (var run = new SpikeRun(settings, postgres, line =>
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }))
        {
            result = await run.RunAsync();
        }

        var map = TestDataMaps.Real;
        var tracks = result.Tracks;
        var accepted = tracks.Where(t => t.Accepted).ToList();
        var byName = result.Register.Select(c => (Case: c, Match: SpikeName().Match(c.Name))).Where(x => x.Match.Success)
            .ToLookup(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x => x.Case);
        var problems = new List<string>();
        var once = 0;
        var dueRight = 0;
        foreach (var t in tracks)
        {
            var cases = byName[t.Request.Index].ToList();
            var key = $"R{t.Request.Index:D5} ({t.Request.Channel}, {t.Request.Right}, {t.Request.Language})";
            if (!t.Accepted)
            {
                if (cases.Count > 0)
                {
                    problems.Add($"{key}: not accepted (status {t.Status}) but {cases.Count} case(s) in the register");
                }

                continue;
            }

            if (cases.Count != 1)
            {
                problems.Add($"{key}: {cases.Count} cases in the register");
                continue;
            }

            once++;
            var c = cases[0];
            if (DueRight(c, t, map) is { } wrong)
            {
                problems.Add($"{key} {c.Id}: {wrong}");
            }
            else
            {
                dueRight++;
            }
        }

        // The verification mail's delay from the submission; a request without one counts as never (it fails the p99).
        var delays = accepted.Select(t => t.VerificationAt is { } at ? (at - t.SentAt!.Value).TotalSeconds : double.PositiveInfinity).Order().ToList();
        var noMail = delays.Count(double.IsPositiveInfinity);
        // The same by channel: a form's link goes as its post is answered, a mail's once the inbox has been read (decision 81).
        List<double> DelaysOf(SpikeChannel channel) => accepted.Where(t => t.Request.Channel == channel)
            .Select(t => t.VerificationAt is { } at ? (at - t.SentAt!.Value).TotalSeconds : double.PositiveInfinity).Order().ToList();
        var (formDelays, mailDelays) = (DelaysOf(SpikeChannel.Form), DelaysOf(SpikeChannel.Mail));
        var p50 = Percentile(delays, 0.50);
        var p99 = Percentile(delays, 0.99);
        var max = delays.Count == 0 ? 0 : delays[^1];
        var peakMb = result.PeakResidentKb / 1024.0;
        var endFirst = Median(result.AtTheEnd.Where(l => l.Path == "/cases"));
        var endFilter = Median(result.AtTheEnd.Where(l => l.Path != "/cases"));
        var duringMax = result.DuringSpike.Count == 0 ? TimeSpan.Zero : result.DuringSpike.Max(l => l.Took);
        var browserMax = result.BrowserDuringSpike.Count == 0 ? TimeSpan.Zero : result.BrowserDuringSpike.Max(l => l.Took);
        var driverMax = result.DuringSpike.Count == 0 ? TimeSpan.Zero : result.DuringSpike.Max(l => l.TookLessClientWake);
        var listed = result.AtTheEnd.Where(l => l.Path == "/cases").Select(l => l.Cases).DefaultIfEmpty(-1).Max();
        // Each look's answer is stamped by the host on the next request of its connection: the last look has none, nor
        // the look before a new connection (the first look's connection is not a new one).
        var unanswered = Math.Max(0, result.DuringSpike.Count(l => l.Answered is null) - 1);
        var reconnects = Math.Max(0, result.DuringSpike.Count(l => l.ConnectMs is not null) - 1);
        var listedLimit = settings.Requests >= 10_000 ? 10_000 : 0;
        var form = tracks.Count(t => t.Request.Channel == SpikeChannel.Form);
        var confirmed = tracks.Count(t => t.ConfirmStatus == 200);
        var movedOn = result.ConfirmedCasesStatus.Where(s => s.Key != CaseStatus.AwaitingEmailVerification).Sum(s => s.Value);
        var rate = result.SubmissionSpan.TotalSeconds > 0 ? (tracks.Count(t => t.SentAt is not null) - 1) / result.SubmissionSpan.TotalSeconds : 0;

        string MeanOf(Func<CaseListLook, double> part) => (result.DuringSpike.Count == 0 ? 0 : result.DuringSpike.Average(part)).ToString("F0", CultureInfo.InvariantCulture);
        string MeanStep(string name) => MeanOf(l => l.Steps.GetValueOrDefault(name));
        string S(double seconds) => double.IsPositiveInfinity(seconds) ? "never" : string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s");
        string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F2} s");
        var inv = CultureInfo.InvariantCulture;
        BenchmarkFigure[] figures =
        [
            new("requests (form / mail; confirming)", string.Create(inv, $"{tracks.Count:N0} ({form:N0} / {tracks.Count - form:N0}; {tracks.Count(t => t.Request.Confirms):N0})"), "-", "-", "-", true),
            new("pace", string.Create(inv, $"{rate:F1} req/s over {result.SubmissionSpan.TotalSeconds:F0} s (planned {settings.Rate:0.#})"), "-", "-", "-", true),
            new("PostgreSQL be/crm contacts", string.Create(inv, $"{result.ContactsSeeded:N0} (seeded in {result.Seeding.TotalSeconds:F0} s)"), "-", "-", "-", true),
            new("accepted (303 or mail delivered)", string.Create(inv, $"{accepted.Count:N0}"), "-", string.Create(inv, $"{accepted.Count}/{tracks.Count}"), "all submitted", accepted.Count == tracks.Count),
            new("429 answers", string.Create(inv, $"{result.TooMany}"), "-", string.Create(inv, $"{result.TooMany}"), "= 0 (4 requests per client address)", result.TooMany == 0),
            new("in the register exactly once", string.Create(inv, $"{once:N0}"), "-", string.Create(inv, $"{once}/{accepted.Count}"), "all accepted", once == accepted.Count && problems.All(p => !p.Contains("case(s)", StringComparison.Ordinal))),
            new("due date = receipt + the rule", string.Create(inv, $"{dueRight:N0}"), "-", string.Create(inv, $"{dueRight}/{accepted.Count}"), "all accepted", dueRight == accepted.Count),
            new("5xx responses", string.Create(inv, $"{result.ServerErrors}"), "-", string.Create(inv, $"{result.ServerErrors}"), "= 0", result.ServerErrors == 0),
            new("transport errors", string.Create(inv, $"{result.TransportErrors}"), "-", string.Create(inv, $"{result.TransportErrors}"), "= 0", result.TransportErrors == 0),
            new("verification mail p50", S(p50), "-", "-", "-", true),
            new("verification mail p99", S(p99), "-", S(p99), "<= 60 s", p99 <= MailLimit.TotalSeconds),
            new("verification mail p50 / p99: form; mail", string.Create(inv, $"{S(Percentile(formDelays, 0.50))} / {S(Percentile(formDelays, 0.99))}; {S(Percentile(mailDelays, 0.50))} / {S(Percentile(mailDelays, 0.99))}"), "-", "-", "-", true),
            new("verification mail max (missing)", string.Create(inv, $"{S(max)} ({noMail})"), "-", "-", "-", true),
            new("host peak resident memory (VmHWM)", string.Create(inv, $"{peakMb:F0} MB"), "-", string.Create(inv, $"{peakMb:F0} MB"), $"<= {MemoryLimitMb} MB", peakMb <= MemoryLimitMb),
            // The small run (scripts/test.sh) runs beside the other test assemblies on the same two cores: one look there
            // can wait on the machine (decision 131), so it holds the looks' median and prints the slowest; the full run
            // (scripts/bench-spike.sh, a quiet machine) holds the slowest.
            // Held twice (decision 144): on a browser that is a process of its own (curl, right after the driver's look;
            // every look answered 200, none lost), and on the driver's own look less the time its thread took to wake
            // once the answer was in its kernel (its process runs 10,000 requesters; a colleague's browser does not).
            new(BrowserMax, Ms(browserMax), "-",
                result.BrowserDuringSpike.Count == 0
                    ? string.Create(inv, $"no looks (curl missing {result.BrowserLooksLost.Missing}, failed {result.BrowserLooksLost.Failed})")
                    : string.Create(inv, $"{Ms(browserMax)} of {result.BrowserDuringSpike.Count} looks, {result.BrowserDuringSpike.Count(l => l.Status != 200)} not 200, {result.BrowserLooksLost.Missing + result.BrowserLooksLost.Failed} lost"),
                settings.Small ? "< 1 s (held by the full run)" : "< 1 s, all 200",
                result.BrowserDuringSpike.Count > 0 && browserMax < ListLimit && result.BrowserDuringSpike.All(l => l.Status == 200) && result.BrowserLooksLost == (0, 0)),
            new("GET /cases, a browser of its own: the 3 slowest looks", string.Join("; ", result.BrowserDuringSpike.OrderByDescending(l => l.Took).Take(3).Select(l => l.Describe())), "-", "-", "-", true),
            new(DriverMax, Ms(driverMax), "-", string.Create(inv, $"{Ms(driverMax)} of {result.DuringSpike.Count} looks (whole: {Ms(duringMax)})"),
                settings.Small ? "< 1 s (held by the full run)" : "< 1 s", driverMax < ListLimit),
            .. settings.Small
                ? new[] { new BenchmarkFigure("GET /cases during the spike (median; small run)", Ms(Median(result.DuringSpike)), "-", Ms(Median(result.DuringSpike)), "< 1 s", Median(result.DuringSpike) < ListLimit) }
                : [],
            new("GET /cases: the 3 slowest looks (server's steps in ms)", string.Join("; ", result.DuringSpike.OrderByDescending(l => l.Took).Take(3).Select(l => l.Describe())), "-", "-", "-", true),
            new("GET /cases: where the looks' time went (mean ms)", string.Create(inv, $"list {MeanStep("list")}, page {MeanStep("page")}, gc {MeanStep("gc")}, on the way {MeanOf(l => l.OnTheWayMs)}, after the headers {MeanOf(l => l.AfterHeadersMs)}; from the copy {result.DuringSpike.Count(l => l.FromCopy)} of {result.DuringSpike.Count}"), "-", "-", "-", true),
            new("GET /cases: the kernel on the way (machine-wide)", KernelOnTheWay(result.DuringSpike), "-", "-", "-", true),
            // The host's and the client's timestamps are one clock (the machine's monotonic one): a request is read by the
            // host after it was sent and answered before its headers came, or the split below means nothing. A look
            // whose read the host did not stamp, or stamped from a request before it on the same connection (read
            // before it was sent), counts against it.
            new(ClockSplit, WayThereAndBack(result.DuringSpike) + string.Create(inv, $"; {result.DuringSpike.Count(l => l.ToHostMs < 0 || l.BackMs < 0)} out of order, {result.DuringSpike.Count(l => l.ToHostMs is null || l.KestrelMs is null)} without the host's read, {unanswered} without the host's stamps of its answer ({reconnects} new connections)"), "-", "-",
                "0 out of order, 0 without, stamps but at new connections",
                result.DuringSpike.All(l => l.ToHostMs is >= 0 && l.BackMs is >= 0 && l.KestrelMs is not null) && unanswered <= reconnects),
            new("host's collector between two looks (max; mode)", HostPauses(result.DuringSpike), "-", "-", "-", true),
            new("GET /cases at the end (median of 3)", Ms(endFirst), "-", string.Create(inv, $"{Ms(endFirst)} with {listed:N0} cases"), "< 1 s", endFirst < ListLimit),
            new("GET /cases?state=waiting-for-staff at the end", Ms(endFilter), "-", Ms(endFilter), "< 1 s", endFilter < ListLimit),
            // Each look at the end with its server's steps: whether it was shown from the copy and what the list's read took.
            new("GET /cases at the end: the looks", string.Join("; ", result.AtTheEnd.Select(l => string.Create(inv, $"{l.Path} {l.Cases} cases ") + l.Describe())), "-", "-", "-", true),
            new("cases on the list at the end", string.Create(inv, $"{listed:N0}"), "-", string.Create(inv, $"{listed}"), listedLimit > 0 ? ">= 10,000" : "-", listed >= listedLimit),
            new("confirmed; moved on past verification", string.Create(inv, $"{confirmed:N0}; {movedOn:N0}"), "-", "-", "-", true),
            new("mails written (by kind)", string.Join(", ", result.MailKinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}")), "-", "-", "-", true),
            new(
                "task hub (orchestrations; where; its queues at the end, a read of an empty queue)",
                string.Create(inv, $"{result.TaskHub.Orchestrations:N0}; {(result.TaskHub.Apart ? "an Azurite of its own" : "the register's Azurite")}{(result.TaskHub.Apart && result.TaskHub.TablesInRegisterStorage ? ", and tables in the register's" : "")}; {result.TaskHub.QueuedMessages:N0} messages, {result.TaskHub.EmptyQueueReadMs:0.0} ms"),
                "-",
                "-",
                result.TaskHub.Apart ? "none beside the register" : "-",
                result.TaskHub.Orchestrations > 0 && (!result.TaskHub.Apart || !result.TaskHub.TablesInRegisterStorage)),
            new(
                result.TaskHub.Apart ? "CPU during the spike: host / Azurite / task hub's" : "CPU used during the spike: host / Azurite",
                result.TaskHub.Apart
                    ? string.Create(inv, $"{result.HostCpuSeconds:F0} s / {result.AzuriteCpuSeconds:F0} s / {result.TaskHubAzuriteCpuSeconds:F0} s in {result.SpikeWall.TotalSeconds:F0} s")
                    : string.Create(inv, $"{result.HostCpuSeconds:F0} s / {result.AzuriteCpuSeconds:F0} s in {result.SpikeWall.TotalSeconds:F0} s"),
                "-",
                "-",
                "-",
                true),
            new("machine load (1-min avg, mean / max)", string.Create(inv, $"{result.MeanLoad:F1} / {result.MaxLoad:F1} on {Environment.ProcessorCount} cores"), "-", "-", "-", true),
        ];
        BenchmarkFigures.Write(settings.Small ? "spike-small" : "spike", figures);

        var text = new StringBuilder();
        text.AppendLine(string.Create(inv, $"spike benchmark: {tracks.Count:N0} requests at {settings.Rate:0.#}/s, {result.ContactsSeeded:N0} contacts in be/crm (PostgreSQL), {result.Elapsed.TotalSeconds:F0} s in all"));
        foreach (var f in figures)
        {
            text.AppendLine(string.Create(inv, $"  {f.Figure,-48} {f.Measured,-40} {f.Limit,-14} {(f.Met ? "met" : "MISSED")}"));
        }

        foreach (var p in problems.Take(20))
        {
            text.AppendLine("  problem: " + p);
        }

        output.WriteLine(text.ToString());
        Console.WriteLine(text.ToString());
        Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Repo.Root, "artifacts", settings.Small ? "benchmark-spike-small.txt" : "benchmark-spike.txt"), text.ToString());

        Assert.True(figures.Where(f => !(settings.Small && f.Figure is BrowserMax or DriverMax)).All(f => f.Met) && problems.Count == 0, text.ToString());
    }

    /// <summary>
    /// The case's due date is the Core rule (<see cref="DueDateCalculator"/>) applied to its receipt, and its receipt is when
    /// the request came: between the form's post and its answer, or the mail's delivery into the inbox.
    /// </summary>
    private static string? DueRight(PrivacyCase c, SpikeTrack t, Stores.DataMap map)
    {
        var sent = t.SentAt!.Value;
        var slack = TimeSpan.FromSeconds(1);
        var (from, to) = t.Request.Channel == SpikeChannel.Form ? (sent - slack, (t.AnsweredAt ?? sent) + slack) : (sent - slack, sent + slack);
        if (c.ReceivedAt < from || c.ReceivedAt > to)
        {
            return $"received {c.ReceivedAt:O}, submitted {sent:O}";
        }

        var expected = DueDateCalculator.DueDate(c.ReceivedAt, c.Entity, map);
        var atSubmission = DueDateCalculator.DueDate(sent, c.Entity, map);
        return c.FirstDueDate == expected && (expected == atSubmission || t.Request.Channel == SpikeChannel.Form)
            ? null
            : $"due {c.FirstDueDate:yyyy-MM-dd}, the rule from receipt {c.ReceivedAt:O} gives {expected:yyyy-MM-dd}";
    }

    /// <summary>
    /// The looks of half a second or more against the others: how many had a TCP retransmission timeout or a tail-loss
    /// probe somewhere on the machine while they were on their way, and the softirq threads' mean run-queue wait and the
    /// mean CPU pressure stall per look (issue 21 item 3: where a slow look's time went, once neither process waited).
    /// </summary>
    private static string KernelOnTheWay(IReadOnlyList<CaseListLook> looks)
    {
        var measured = looks.Where(l => l.KernelOnTheWay is not null).ToList();
        if (measured.Count == 0)
        {
            return "not measured (no /proc)";
        }

        string Group(string name, List<CaseListLook> group) => group.Count == 0 ? $"{name}: none" : string.Create(CultureInfo.InvariantCulture,
            $"{name}: {group.Count}, with an RTO {group.Count(l => l.KernelOnTheWay!.RetransmitTimeouts > 0)}, with a loss probe {group.Count(l => l.KernelOnTheWay!.LossProbes > 0)}, " +
            $"its own connection retransmitting {group.Count(l => l.ClientRetransmitted > 0)}; per look ksoftirqd waited {Mean(group, l => l.KernelOnTheWay!.SoftirqWaitMs)}, cpu pressure {Mean(group, l => l.KernelOnTheWay!.CpuPressureMs)}, on the way {group.Average(l => l.OnTheWayMs):F0} ms");
        static string Mean(List<CaseListLook> group, Func<CaseListLook, double?> figure) =>
            group.Average(figure) is { } mean ? mean.ToString("F1", CultureInfo.InvariantCulture) + " ms" : "not visible";
        return Group(">= 0.5 s", [.. measured.Where(l => l.Took >= TimeSpan.FromSeconds(0.5))]) + "; " + Group("the others", [.. measured.Where(l => l.Took < TimeSpan.FromSeconds(0.5))]);
    }

    /// <summary>
    /// The way to the host and back, split by the machine's monotonic clock, the looks of half a second or more against
    /// the others: from the client handing the request over to the host's HTTP layer reading it, Kestrel's parsing and
    /// dispatch to the pipeline, and from the page's end to the headers at the client (issue 21 item 3).
    /// </summary>
    private static string WayThereAndBack(IReadOnlyList<CaseListLook> looks)
    {
        var measured = looks.Where(l => l.ToHostMs is not null && l.BackMs is not null).ToList();
        if (measured.Count == 0)
        {
            return "not measured (the host sent no clock)";
        }

        static string Group(string name, List<CaseListLook> group) => group.Count == 0 ? $"{name}: none" : string.Create(CultureInfo.InvariantCulture,
            $"{name}: {group.Count}, to the host {group.Average(l => l.ToHostMs!.Value):F0} (max {group.Max(l => l.ToHostMs!.Value):F0}), kestrel {group.Average(l => l.KestrelMs ?? 0):F0} (max {group.Max(l => l.KestrelMs ?? 0):F0}), back {group.Average(l => l.BackMs!.Value):F0} (max {group.Max(l => l.BackMs!.Value):F0}){Split(group)} ms");

        // The way back split where the client's kernel received the answer (its connection's last data, by the kernel's tick).
        static string Split(List<CaseListLook> group) => group.Where(l => l.ToClientKernelMs is not null && l.ClientWakeMs is not null).ToList() is { Count: > 0 } split
            ? string.Create(CultureInfo.InvariantCulture, $": {Host(group)}to the client's kernel {split.Average(l => l.ToClientKernelMs!.Value):F0} (max {split.Max(l => l.ToClientKernelMs!.Value):F0}), the client's thread woken {split.Average(l => l.ClientWakeMs!.Value):F0} (max {split.Max(l => l.ClientWakeMs!.Value):F0})")
            : " (not split: no TCP_INFO)";

        // Of that, in the host: the answer written into Kestrel, and sent by the kernel (the next look carries the stamps).
        static string Host(List<CaseListLook> group) => group.Where(l => l.WrittenMs is not null && l.SentMs is not null).ToList() is { Count: > 0 } host
            ? string.Create(CultureInfo.InvariantCulture, $"written {host.Average(l => l.WrittenMs!.Value):F0} (max {host.Max(l => l.WrittenMs!.Value):F0}), sent {host.Average(l => l.SentMs!.Value):F0} (max {host.Max(l => l.SentMs!.Value):F0}), ")
            : string.Empty;
        return Group(">= 0.5 s", [.. measured.Where(l => l.Took >= TimeSpan.FromSeconds(0.5))]) + "; " + Group("the others", [.. measured.Where(l => l.Took < TimeSpan.FromSeconds(0.5))]);
    }

    /// <summary>The longest the host was paused for garbage collection between two looks at the list, and its collector.</summary>
    private static string HostPauses(IReadOnlyList<CaseListLook> looks)
    {
        var between = looks.Where(l => l.HostPausedSinceLast is not null).ToList();
        if (between.Count == 0)
        {
            return "not reported";
        }

        var most = between.MaxBy(l => l.HostPausedSinceLast!.Value.Ms)!;
        var mode = looks.Select(l => l.HostCollector).LastOrDefault(m => m is not null) ?? "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"{most.HostPausedSinceLast!.Value.Ms:F0} ms in {most.HostPausedSinceLast.Value.Collections} collections (client's look then {most.Took.TotalSeconds:F2} s); {mode} GC; client gc during a look {looks.Max(l => l.ClientGcMs):F0} ms at most");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>The slowest look during the spike: held by the full run only (decision 131).</summary>
    private const string DriverMax = "GET /cases during the spike, the driver's look less its client's wake-up (max)";

    private const string BrowserMax = "GET /cases during the spike, a browser of its own (max)";

    private const string ClockSplit = "GET /cases: on the way by the clock (mean, ms)";

    private static TimeSpan Median(IEnumerable<CaseListLook> looks)
    {
        var sorted = looks.Select(l => l.Took).Order().ToList();
        return sorted.Count == 0 ? TimeSpan.MaxValue : sorted[sorted.Count / 2];
    }

    [GeneratedRegex("^Spike R([0-9]{5})$")]
    private static partial Regex SpikeName();
}
