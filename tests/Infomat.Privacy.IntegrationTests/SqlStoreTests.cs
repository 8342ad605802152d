using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The SQL connector on SQLite: the contract every provider meets.</summary>
public partial class SqlStoreTests
{
    protected static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    protected static readonly KeyedHash Hashes = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A fresh set of seeded demo stores on the provider under test.</summary>
    protected virtual async Task<SqlStoreCatalog> SeededAsync()
    {
        var options = Options.Create(new StoreOptions { Provider = "sqlite", Directory = Repo.NewTempDirectory("sql"), DemoSize = 50 });
        var catalog = new SqlStoreCatalog(Map, options, Hashes);
        Assert.Equal(8, await DemoStores.SeedAsync(Map, catalog.Dialect, 50, 7, default));
        await DemoStores.SeedFilesAsync(Map, catalog.Files, default);
        await catalog.EnsureSystemTablesAsync(default);
        return catalog;
    }

    /// <summary>The same seeded stores, seen through another data map.</summary>
    protected virtual SqlStoreCatalog WithMap(SqlStoreCatalog seeded, DataMap map) =>
        new(map, Options.Create(new StoreOptions { Provider = "sqlite", Directory = Path.GetDirectoryName(((SqliteDialect)seeded.Dialect).FileOf(Map.Store("be/crm")))! }), Hashes);

    [Fact]
    public async Task A_person_is_found_whatever_the_case_and_spaces_of_the_address()
    {
        var catalog = await SeededAsync();
        var records = await catalog.Find("be/crm").CollectAsync("  An.PEETERS@example.BE ", CollectScope.All, default).ToListAsync();
        Assert.Equal(["contacts", "activity_notes", "newsletter_subscriptions", "consent_records"], records.Select(r => r.Table).Distinct());
        Assert.Equal(" AN.Peeters@Example.be ", records[0].Fields["email"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_n.peeters@example.be")]
    [InlineData("an.peeters@example.be' OR '1'='1")]
    [InlineData("an.peeters@example.be\"; DROP TABLE contacts; --")]
    [InlineData("an.peeters")]
    [InlineData("an.peeters@example.be\u0000")]
    [InlineData("an.peeters@\u0007example.be")]
    [InlineData("")]
    public async Task Wildcards_quotes_and_partial_addresses_match_nothing_and_break_nothing(string email)
    {
        var catalog = await SeededAsync();
        Assert.Empty(await catalog.Find("be/crm").CollectAsync(email, CollectScope.All, default).ToListAsync());
        Assert.All((await catalog.Find("be/crm").CountAsync(email, default)).Values, n => Assert.Equal(0, n));
        Assert.NotEmpty(await catalog.Find("be/crm").CollectAsync("an.peeters@example.be", CollectScope.All, default).ToListAsync());
    }

    [Fact]
    public async Task A_very_long_address_matches_nothing_and_breaks_nothing()
    {
        var catalog = await SeededAsync();
        var email = new string('a', 100_000) + "@example.be";
        Assert.Empty(await catalog.Find("be/crm").CollectAsync(email, CollectScope.All, default).ToListAsync());
        Assert.Equal(0, (await catalog.Find("be/crm").ApplyAsync(new StoreActionRequest("PR-LONG-0000-0001", StoreAction.Erase, email, DateTimeOffset.UtcNow), default)).Matched);
    }

    [Fact]
    public async Task A_map_naming_a_missing_column_is_reported_by_name()
    {
        var catalog = await SeededAsync();
        Assert.Empty(await catalog.CheckSchemasAsync(default));

        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!;
        json["stores"]![0]!["tables"]![0]!["staffIdentifiers"] = new System.Text.Json.Nodes.JsonArray("mobile_phone");
        // Named for the summary (the loader insists), but not in the database.
        json["stores"]![0]!["tables"]![0]!["columns"]!["mobile_phone"] = new System.Text.Json.Nodes.JsonObject { ["nl"] = "Gsm", ["fr"] = "GSM", ["en"] = "Mobile phone" };
        var broken = WithMap(catalog, DataMapLoader.Parse(json.ToJsonString()));
        Assert.Equal(["store be/crm: table 'contacts' has no column 'mobile_phone'"], await broken.CheckSchemasAsync(default));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_people()
    {
        var a = await (await SeededAsync()).Find("nl/crm").CollectAsync("person3.nl@demo.example", CollectScope.All, default).ToListAsync();
        var b = await (await SeededAsync()).Find("nl/crm").CollectAsync("person3.nl@demo.example", CollectScope.All, default).ToListAsync();
        Assert.NotEmpty(a);
        Assert.Equal(a.Select(r => r.Fields.ToJsonString()), b.Select(r => r.Fields.ToJsonString()));
    }
}

/// <summary>The same contract on a real PostgreSQL server: each test gets its own database.</summary>
public sealed class PostgresSqlStoreTests(PostgresServer server) : SqlStoreTests, IClassFixture<PostgresServer>
{
    private string? connectionString;

    protected override async Task<SqlStoreCatalog> SeededAsync()
    {
        connectionString = await server.CreateDatabaseAsync("t");
        var catalog = new SqlStoreCatalog(Map, Options.Create(PostgresOptions(connectionString)), Hashes);
        Assert.Equal(8, await DemoStores.SeedAsync(Map, catalog.Dialect, 50, 7, default));
        await DemoStores.SeedFilesAsync(Map, catalog.Files, default);
        await catalog.EnsureSystemTablesAsync(default);
        return catalog;
    }

    protected override SqlStoreCatalog WithMap(SqlStoreCatalog seeded, DataMap map) => new(map, Options.Create(PostgresOptions(connectionString!)), Hashes);

    private readonly string files = Repo.NewTempDirectory("files");

    private StoreOptions PostgresOptions(string connection) => new() { Provider = "postgres", PostgresConnectionString = connection, FilesDirectory = files };
}
