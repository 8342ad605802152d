using System.Globalization;
using System.Net;

using Azure.Data.Tables;

using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Xunit.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// What one case costs in Azure (issue 21 item 5): the real pipeline on the local host's durable engine (the Azure
/// Storage provider in a task hub of its own Azurite) runs one case of each typical shape, and <see cref="CostMeter"/>
/// counts what the Functions app is billed for: executions (HTTP requests served, orchestrator episodes, activity
/// executions), their time (GB-s at the Bicep's instance memory), storage transactions by service (the provider's own
/// included, net of the idle polling measured first) and mails. The figures go to <c>artifacts/benchmark-cost.tsv</c>, the breakdown by activity and mail kind to <c>artifacts/benchmark-cost.txt</c>;
/// docs/cost.md turns them into money. <c>BENCH_COST_IDLE_SECONDS</c> sets the idle window (10 s here, 60 s in
/// scripts/bench-cost.sh).
/// </summary>
public sealed class CostBenchmarkTests(ITestOutputHelper output)
{
    /// <summary>instanceMemoryMB of infra/main.bicep: Flex Consumption bills GB-s at the instance's memory, not the process's.</summary>
    private const double InstanceMemoryGb = 4096 / 1024.0;

    /// <summary>4 control queues (partitionCount) + 1 work-item queue, each read at least once a second when idle (host.json).</summary>
    private const double IdleQueueReadsPerHour = 5 * 3600;

    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task One_case_of_each_shape_costs_a_bounded_number_of_executions_transactions_and_mails()
    {
        var idleSeconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_COST_IDLE_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 10;
        var azurite = new Azurite();
        await azurite.InitializeAsync();
        try
        {
            using var meter = new CostMeter(azurite);
            var taskHub = "cost" + Guid.NewGuid().ToString("N")[..8];
            await using var host = new InProcessHost(azurite) { TaskHub = taskHub };
            await host.StartAsync();
            meter.ServedBy(host.Port);
            host.Services.GetRequiredService<ILoggerFactory>().AddProvider(meter);
            using var flows = new Flows(host);
            // Requests other tests left open for the same people and rights would take these once confirmed (decision
            // 84): closed before anything is counted.
            await flows.CloseOpenCasesAsync("an.peeters@example.be", "access");
            await flows.CloseOpenCasesAsync("jan.devries@example.nl", "erasure");
            await flows.CloseOpenCasesAsync("els.janssens@example.be", "access");

            // Idle: the host up, the task hub made, no case. What the provider's polling costs per hour alive, once the
            // instance holds every partition (it reads only the control queues it holds).
            await AllPartitionsHeldAsync(azurite, taskHub);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var idle = meter.Start();
            await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
            idle.Stop();
            var idlePerHour = Services.ToDictionary(k => k, k => idle.Of(k).Count * 3600 / idle.Elapsed.TotalSeconds);

            // An access request: verified, approved, its free text reviewed (the demo person has notes), downloaded.
            var access = meter.Start();
            var accessId = await flows.SubmitAsync(language: "fr", fresh: false);
            await flows.VerifyAsync(accessId);
            await flows.DecideAsync(accessId, "approve");
            var link = await flows.DownloadLinkAsync(accessId);
            Assert.Equal(HttpStatusCode.OK, (await flows.Http.GetAsync(link.PathAndQuery)).StatusCode);
            var redirect = await flows.PostTokenAsync("/download", link);
            Assert.Equal(HttpStatusCode.SeeOther, redirect.StatusCode);
            using (var browser = new HttpClient())
            {
                Assert.NotEmpty(await browser.GetByteArrayAsync(redirect.Headers.Location!));
            }

            await QuietAsync(access, accessId);
            access.Stop();

            // An erasure: verified, approved by two colleagues, erased, reported.
            var erasure = meter.Start();
            var erasureId = await flows.SubmitAsync(email: "Jan.deVries@example.nl", language: "en", entity: "nl", type: "erasure", fresh: false);
            await flows.ApproveAsync(erasureId);
            await host.Mailbox.WaitForAsync("action-report", erasureId, TimeSpan.FromSeconds(60));
            await QuietAsync(erasure, erasureId);
            erasure.Stop();

            // Never verified: submitted, mailed, waiting for the link (its expiry, days later, is not in the run).
            var unverified = meter.Start();
            var unverifiedId = await flows.SubmitAsync(email: "els.janssens@example.be", language: "nl", entity: "be", fresh: false);
            await host.Mailbox.WaitForAsync("verification", unverifiedId);
            await QuietAsync(unverified, unverifiedId);
            unverified.Stop();

            // Orchestrator episodes from the task hub's history (one OrchestratorStarted event per episode): each is a
            // billed execution of the orchestrator function. Read after the readings stopped, so not counted.
            var history = new TableClient(azurite.ConnectionString, taskHub + "History");
            var shapes = new (string Name, string Id, CostMeter.Reading Reading)[]
            {
                ("access", accessId, access), ("erasure", erasureId, erasure), ("unverified", unverifiedId, unverified),
            };
            var figures = new List<BenchmarkFigure>();
            var costs = new List<ShapeCost>();
            foreach (var (name, id, reading) in shapes)
            {
                var cost = await ShapeCost.OfAsync(name, id, reading, history, idlePerHour, host.Mailbox, taskHub);
                costs.Add(cost);
                figures.AddRange(cost.Figures());
                output.WriteLine(cost.Breakdown());
            }

            figures.AddRange(Services.Select(k => new BenchmarkFigure(
                $"idle: {k} transactions per hour alive", Whole(idlePerHour[k]), "-", Whole(idlePerHour[k]), "-", true)));
            var queueRatio = idlePerHour["Queue"] / IdleQueueReadsPerHour;
            // The full run (60 s, scripts/bench-cost.sh) holds the polling to 0.5-2x what host.json sets. The small run's
            // 10 s beside the other tests once read 0.37x on a CI machine running the other tests on 2 cores (why is not
            // established: the case windows after it show all four control queues read): it holds 0.25-2x, which still
            // catches an interval set four times too long or half as long.
            var lowest = Environment.GetEnvironmentVariable("BENCH_COST_IDLE_SECONDS") is null ? 0.25 : 0.5;
            figures.Add(new BenchmarkFigure(
                "idle: queue polling vs 5 queues read once a second", Whole(idlePerHour["Queue"]) + " /h", Whole(IdleQueueReadsPerHour) + " /h (host.json)",
                BenchmarkFigures.Ratio(queueRatio), $">= {lowest.ToString(CultureInfo.InvariantCulture)} and <= 2", queueRatio >= lowest && queueRatio <= 2));
            BenchmarkFigures.Write("cost", figures);
            Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
            await File.WriteAllLinesAsync(Path.Combine(Repo.Root, "artifacts", "benchmark-cost.txt"), costs.Select(c => c.Breakdown()));
            foreach (var f in figures)
            {
                output.WriteLine($"{f.Figure}\t{f.Measured}\t{f.Limit}\t{(f.Met ? "met" : "MISSED")}");
            }

            // What must hold: each shape ran (served requests, episodes, activities, storage, a mail), nothing ran away
            // (a loop of episodes or retries would pass the bounds), and idle polling is what host.json sets.
            Assert.All(costs, c => Assert.True(c.Http > 0 && c.Episodes > 0 && c.Activities > 0 && c.Mails > 0 && c.Storage.Values.Sum() > 0, c.Breakdown()));
            Assert.All(figures, f => Assert.True(f.Met, $"{f.Figure}: {f.Measured} (limit {f.Limit})"));
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static readonly string[] Services = ["Table", "Queue", "Blob"];

    private static string Whole(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Until every partition of the task hub is leased to an instance (at most a minute).</summary>
    private static async Task AllPartitionsHeldAsync(Azurite azurite, string taskHub)
    {
        var partitions = new Azure.Data.Tables.TableClient(azurite.ConnectionString, taskHub + "Partitions");
        var expected = new Infomat.LocalHost.Durable.LocalDurableOptions().PartitionCount;
        var until = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var held = 0;
            try
            {
                await foreach (var lease in partitions.QueryAsync<Azure.Data.Tables.TableEntity>())
                {
                    held += string.IsNullOrEmpty(lease.GetString("CurrentOwner")) ? 0 : 1;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // The table is made at the provider's start.
            }

            Assert.True(held == expected || DateTimeOffset.UtcNow < until, $"{held} of {expected} partitions held after a minute");
            if (held == expected)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Until the case's orchestration has run nothing for 3 s (it then waits on staff, the requester or a long timer).</summary>
    private static async Task QuietAsync(CostMeter.Reading reading, string id)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        var seen = -1;
        while (DateTime.UtcNow < until)
        {
            var now = reading.Spans.Count(x => x.Instance == id);
            if (now == seen && now > 0)
            {
                return;
            }

            seen = now;
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }

    /// <summary>
    /// What one case of a shape cost, from its reading. <see cref="Time"/> is the measured time of the HTTP requests and
    /// activities; an orchestrator episode is a replay of a few milliseconds that the worker does not time (its one
    /// <c>orchestration:</c> span covers the orchestration's whole life, so it is left out), so the upper bound
    /// <see cref="GbSecondsAtLeastOneSecond"/> counts every execution, episodes included, as at least 1 s.
    /// </summary>
    private sealed record ShapeCost(
        string Name, int Http, int Episodes, int OrchestrationSpans, int Activities, TimeSpan Time, TimeSpan TimeAtLeastOneSecond,
        IReadOnlyDictionary<string, double> Storage, int Mails, int LogEntries, string Activity, string MailKinds)
    {
        /// <summary>Where the storage transactions went: the busiest tables, queues and containers, by operation (idle polling included).</summary>
        public string Targets { get; init; } = string.Empty;

        /// <summary>A sanity bound per case: about ten times what a case takes today; a loop of episodes or retries exceeds it.</summary>
        public const int ExecutionBound = 500;

        public int Executions => Http + Episodes + Activities;

        public double GbSeconds => Time.TotalSeconds * InstanceMemoryGb;

        public double GbSecondsAtLeastOneSecond => TimeAtLeastOneSecond.TotalSeconds * InstanceMemoryGb;

        public static async Task<ShapeCost> OfAsync(
            string name, string id, CostMeter.Reading reading, TableClient history, IReadOnlyDictionary<string, double> idlePerHour, Mailbox mailbox, string taskHub)
        {
            var episodes = 0;
            await foreach (var row in history.QueryAsync<TableEntity>(e => e.PartitionKey == id, select: ["EventType"]))
            {
                episodes += row.GetString("EventType") == "OrchestratorStarted" ? 1 : 0;
            }

            var http = reading.Of("Http");
            var activities = reading.Of("Activity", id);
            var orchestrations = reading.Of("Orchestration", id);
            var executions = http.Concat(activities).ToList();
            var time = TimeSpan.FromTicks(executions.Sum(x => x.Duration.Ticks));
            var second = TimeSpan.FromSeconds(1);
            var atLeast = TimeSpan.FromTicks(executions.Sum(x => Math.Max(x.Duration.Ticks, second.Ticks)) + (episodes * second.Ticks));
            // Net of the idle polling over the same time: what the case adds to an app that is up anyway.
            var storage = Services.ToDictionary(k => k, k => Math.Max(0, reading.Of(k).Count - (idlePerHour[k] * reading.Elapsed.TotalHours)));
            var ofCase = mailbox.All().Where(m => m.Headers["X-Infomat-Request-Id"] == id).ToList();
            var mails = ofCase.Count;
            var mailKinds = string.Join(", ", ofCase.Select(m => m.Headers["X-Infomat-Kind"]));
            var byActivity = string.Join(", ", activities.GroupBy(a => a.Name["activity:".Length..]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}x {g.Sum(a => a.Duration.TotalSeconds):0.00} s")));
            var targets = string.Join(", ", Services.SelectMany(k => reading.Of(k)).GroupBy(s => s.Target(taskHub)).OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal).Take(14).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
            return new ShapeCost(name, http.Count, episodes, orchestrations.Count, activities.Count, time, atLeast, storage, mails, reading.LogEntries, byActivity, mailKinds) { Targets = targets };
        }

        public IEnumerable<BenchmarkFigure> Figures()
        {
            var n = CultureInfo.InvariantCulture;
            yield return new BenchmarkFigure(
                $"{Name}: executions per case (HTTP {Http} + orchestrator episodes {Episodes} + activities {Activities})",
                Executions.ToString(n), "-", Executions.ToString(n), $"> 0 and < {ExecutionBound}", Executions is > 0 and < ExecutionBound);
            yield return new BenchmarkFigure(
                $"{Name}: execution time per case (HTTP + activities, sum of spans)", Time.TotalSeconds.ToString("0.00", n) + " s", "-", Time.TotalSeconds.ToString("0.00", n), "-", true);
            yield return new BenchmarkFigure(
                $"{Name}: GB-s per case at {InstanceMemoryGb:0} GB (measured time)", GbSeconds.ToString("0.0", n) + " GB-s", "-", GbSeconds.ToString("0.0", n), "-", true);
            yield return new BenchmarkFigure(
                $"{Name}: GB-s per case at {InstanceMemoryGb:0} GB (every execution >= 1 s)", GbSecondsAtLeastOneSecond.ToString("0.0", n) + " GB-s", "-",
                GbSecondsAtLeastOneSecond.ToString("0.0", n), "-", true);
            foreach (var (service, count) in Storage)
            {
                yield return new BenchmarkFigure($"{Name}: {service} transactions per case (net of idle polling)", Whole(count), "-", Whole(count), "-", true);
            }

            yield return new BenchmarkFigure($"{Name}: mails per case", Mails.ToString(n), "-", Mails.ToString(n), "> 0", Mails > 0);
            yield return new BenchmarkFigure($"{Name}: log entries per case (Information and above)", LogEntries.ToString(n), "-", LogEntries.ToString(n), "-", true);
        }

        public string Breakdown() => string.Create(CultureInfo.InvariantCulture,
            $"{Name}: HTTP {Http}, episodes {Episodes} (orchestration spans {OrchestrationSpans}), activities {Activities} ({Activity}), " +
            $"time {Time.TotalSeconds:0.00} s (>= 1 s each: {TimeAtLeastOneSecond.TotalSeconds:0} s), storage {string.Join(", ", Storage.Select(x => $"{x.Key} {x.Value:0}"))}, " +
            $"mails {Mails} ({MailKinds}), log entries {LogEntries}; storage by target: {Targets}");
    }
}
