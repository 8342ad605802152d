using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Azure.Data.Tables;

using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.TestSupport;

using Xunit.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The restart benchmark of issue 23: with many open cases in the register, each with its orchestration waiting in
/// the task hub, the local host is killed and started again. Limits: ready (answering /health) within 10 s, and a request
/// submitted right after gets its verification mail, and its orchestration reaches its first wait, within 5 s. The
/// start-up reconciliation starts nothing again.
/// 20 cases in the test run (scripts/test.sh); <c>BENCH_RESTART_CASES</c> changes it (scripts/bench-restart.sh: 500).
/// The figures go to the test output and to <c>artifacts/benchmark-restart.txt</c>; the README quotes them.
/// </summary>
public sealed class RestartBenchmarkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MailLimit = TimeSpan.FromSeconds(5);

    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task After_a_kill_with_many_open_cases_the_host_is_ready_within_10_s_and_a_new_request_is_mailed_within_5_s()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("BENCH_RESTART_CASES"), CultureInfo.InvariantCulture, out var n) ? n : 20;
        var azurite = new Azurite();
        await azurite.InitializeAsync();
        try
        {
            // Open cases waiting on staff, put straight into the register; the first start's reconciliation starts
            // their orchestrations (as after an upgrade from the in-memory engine), and they settle at their wait.
            var receivedAt = DateTimeOffset.UtcNow.AddDays(-1);
            await Parallel.ForEachAsync(Enumerable.Range(0, cases), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                await TestCases.WaitingAsync(azurite, receivedAt, $"bench{i}@example.org"));
            await using var host = new LocalHostProcess(azurite);
            // The first start only sets the scene: its reconciliation begins at once. The restart measured below runs
            // with LocalHost:ReconcileStartDelay at its default.
            host.Set("LocalHost__ReconcileStartDelay", "00:00:01");
            var firstStart = Stopwatch.StartNew();
            await host.StartAsync();
            var instances = new TableClient(azurite.ConnectionString, host.TaskHub + "Instances");
            await WaitUntilWaitingAsync(instances, cases, TimeSpan.FromSeconds(30 + cases));
            firstStart.Stop();

            // SIGKILL, then start again and submit at once.
            await host.StopAsync();
            host.Unset("LocalHost__ReconcileStartDelay");
            var linesBefore = host.Output.Count;
            var restart = Stopwatch.StartNew();
            await host.StartAsync();
            var ready = restart.Elapsed;
            var mailed = Stopwatch.StartNew();
            using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
            var response = await http.PostAsJsonAsync("/api/requests", new { type = "access", email = "new.person@example.org", name = "New Person", entity = "both", language = "en" });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString()!;
            await WaitForMailFileAsync(host.MailDirectory, id, "verification", TimeSpan.FromSeconds(60));
            var mail = mailed.Elapsed;
            // The mail goes from the intake itself (decision 81): the restarted engine is measured by the request's
            // orchestration reaching its first wait, which is what used to send the mail.
            await WaitUntilWaitingAsync(instances, cases + 1, TimeSpan.FromSeconds(60));
            var running = mailed.Elapsed;
            var reconciled = await WaitForLineAsync(host, linesBefore, "Reconciled ", TimeSpan.FromSeconds(60));
            var reconciledAfter = restart.Elapsed;

            var figures = string.Create(CultureInfo.InvariantCulture,
                $"restart benchmark: {cases} open cases (first start: their orchestrations started and waiting after {firstStart.Elapsed.TotalSeconds:0.0} s); " +
                $"after a kill: ready in {ready.TotalSeconds:0.0} s (limit {ReadyLimit.TotalSeconds:0}), verification mail of a request submitted at once in {mail.TotalSeconds:0.0} s (limit {MailLimit.TotalSeconds:0}), its orchestration at its first wait in {running.TotalSeconds:0.0} s (limit {MailLimit.TotalSeconds:0}), " +
                $"reconciliation done {reconciledAfter.TotalSeconds:0.0} s after the restart began: {reconciled.Trim()}");
            output.WriteLine(figures);
            Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
            await File.WriteAllTextAsync(Path.Combine(Repo.Root, "artifacts", "benchmark-restart.txt"), figures + Environment.NewLine);

            BenchmarkFigures.Write("restart",
            [
                new($"ready after a SIGKILL with {cases} open cases", Seconds(ready), "-", Seconds(ready), $"<= {ReadyLimit.TotalSeconds:0} s", ready <= ReadyLimit),
                new("verification mail of a request sent at once", Seconds(mail), "-", Seconds(mail), $"<= {MailLimit.TotalSeconds:0} s", mail <= MailLimit),
                new("its orchestration at its first wait", Seconds(running), "-", Seconds(running), $"<= {MailLimit.TotalSeconds:0} s", running <= MailLimit),
            ]);

            // Every orchestration was still there: nothing started again (the new request may or may not be counted open).
            Assert.Matches($"Reconciled ({cases}|{cases + 1}) open cases: 0 started, 0 restarted", reconciled);
            Assert.True(ready <= ReadyLimit, figures);
            Assert.True(mail <= MailLimit && running <= MailLimit, figures);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>Until every case's orchestration runs and says what it waits on (its custom status).</summary>
    private static async Task WaitUntilWaitingAsync(TableClient instances, int cases, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        var waiting = 0;
        while (DateTime.UtcNow < until)
        {
            try
            {
                waiting = 0;
                await foreach (var row in instances.QueryAsync<TableEntity>(select: ["RuntimeStatus", "CustomStatus"]))
                {
                    if (row.GetString("RuntimeStatus") == "Running" && row.GetString("CustomStatus") is { Length: > 0 } status && status != "null")
                    {
                        waiting++;
                    }
                }

                if (waiting >= cases)
                {
                    return;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // The task hub is not created yet.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{waiting} of {cases} orchestrations waiting after {timeout.TotalSeconds:0} s.");
    }

    private static async Task WaitForMailFileAsync(string directory, string id, string kind, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!Directory.EnumerateFiles(directory, $"*{id}-{kind}-*.eml").Any())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"No {kind} mail for {id} within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<string> WaitForLineAsync(LocalHostProcess host, int skip, string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (host.Output.Skip(skip).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The host logged no \"{text}\" within {timeout.TotalSeconds:0} s after its restart.");
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
