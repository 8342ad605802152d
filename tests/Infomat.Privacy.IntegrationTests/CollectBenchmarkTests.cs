using System.Diagnostics;
using System.Globalization;

using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Options;

using Npgsql;

using Xunit.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The number: on PostgreSQL with a million rows in the largest table (scripts/bench.sh), collecting one person from one store
/// costs at most twice a hand-written indexed SELECT of the same rows, measured in the same run. The figures go to
/// the test output and to <c>artifacts/benchmark-collect.txt</c>; the README quotes them. 200,000 contacts in the test run (scripts/test.sh, so that the code cannot rot); <c>BENCH_ROWS</c>
/// changes the size (scripts/bench.sh: 1,000,000).
/// </summary>
public sealed class CollectBenchmarkTests(PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const int Rounds = 300;

    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task Collecting_one_person_from_a_store_of_many_rows_costs_at_most_twice_a_hand_written_indexed_select()
    {
        var rows = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ROWS"), CultureInfo.InvariantCulture, out var n) ? n : 200_000;
        var connectionString = await server.CreateDatabaseAsync("b");
        var full = DataMapLoader.Load(DataMapFiles.Default);
        var map = full with { Stores = [full.Store("be/crm")] };
        var catalog = new SqlStoreCatalog(map, Options.Create(new StoreOptions { Provider = "postgres", PostgresConnectionString = connectionString }), new KeyedHash(new byte[32]));

        var seeding = Stopwatch.StartNew();
        await DemoStores.SeedAsync(map, catalog.Dialect, rows, 20191216, default);
        seeding.Stop();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var analyze = dataSource.CreateCommand("ANALYZE"))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        var contacts = Convert.ToInt64(await Scalar(dataSource, "SELECT count(*) FROM be_crm.contacts"), CultureInfo.InvariantCulture);
        Assert.InRange(contacts, rows, rows + 10); // the generated people plus the documented demo people

        // A generated person with records in several tables, far from the start of the table.
        var email = (string)(await Scalar(dataSource, $"SELECT email_normalized FROM be_crm.contacts c WHERE id > {rows / 2} AND EXISTS (SELECT 1 FROM be_crm.newsletter_subscriptions n WHERE n.email_normalized = c.email_normalized) ORDER BY id LIMIT 1"))!;
        var plan = (string)(await Scalar(dataSource, $"EXPLAIN SELECT * FROM be_crm.contacts WHERE email_normalized = '{email}'"))!;
        Assert.Contains("Index", plan, StringComparison.Ordinal);

        var store = catalog.Find("be/crm");
        var expected = await store.CollectAsync(email, CollectScope.All, default).CountAsync();
        Assert.Equal(expected, await HandWrittenAsync(dataSource, email));
        Assert.True(expected >= 2, $"the benchmark person should have several records, has {expected}");

        // Warm up both paths, then alternate them so that both see the same server and cache state.
        for (var i = 0; i < 20; i++)
        {
            await store.CollectAsync(email, CollectScope.All, default).CountAsync();
            await HandWrittenAsync(dataSource, email);
        }

        var connector = new List<double>(Rounds);
        var direct = new List<double>(Rounds);
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await store.CollectAsync(email, CollectScope.All, default).CountAsync();
            connector.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            await HandWrittenAsync(dataSource, email);
            direct.Add(watch.Elapsed.TotalMilliseconds);
        }

        var ratio = Median(connector) / Median(direct);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"collect benchmark (PostgreSQL, be/crm, {rows:N0} contacts, {expected} records for the person, {Rounds} rounds, seeded in {seeding.Elapsed.TotalSeconds:F1} s)\n" +
            $"  connector CollectAsync : median {Median(connector):F3} ms, p95 {Percentile(connector, 0.95):F3} ms\n" +
            $"  hand-written SELECTs   : median {Median(direct):F3} ms, p95 {Percentile(direct, 0.95):F3} ms\n" +
            $"  ratio (medians)        : {ratio:F2} (limit 2.00)\n");
        output.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Repo.Root, "artifacts", "benchmark-collect.txt"), report);
        BenchmarkFigures.Write("collect",
        [
            new($"collect one person from be/crm with {rows:N0} contacts vs hand-written indexed SELECTs (median of {Rounds})",
                string.Create(CultureInfo.InvariantCulture, $"{Median(connector):F2} ms"), string.Create(CultureInfo.InvariantCulture, $"{Median(direct):F2} ms (SELECTs)"), BenchmarkFigures.Ratio(ratio), "<= 2", ratio <= 2.0),
        ]);
        Assert.True(ratio <= 2.0, report);
    }

    /// <summary>What a developer would write by hand: one indexed SELECT per table, every value read.</summary>
    private static async Task<int> HandWrittenAsync(NpgsqlDataSource dataSource, string email)
    {
        var count = 0;
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var table in new[] { "contacts", "activity_notes", "newsletter_subscriptions", "consent_records" })
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM be_crm.{table} WHERE email_normalized = $1 ORDER BY id", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = email });
            await using var reader = await command.ExecuteReaderAsync();
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync())
            {
                reader.GetValues(values);
                count++;
            }
        }

        return count;
    }

    private static async Task<object?> Scalar(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
