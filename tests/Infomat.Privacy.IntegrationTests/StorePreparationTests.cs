using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 14, item 10: a store that could not be reached at start-up is prepared (demo data when configured, the check
/// against the map, this system's own tables) before a case first uses it, once it can be reached.
/// </summary>
public sealed class StorePreparationTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    [Fact]
    public async Task A_store_unreachable_at_start_up_is_checked_and_gets_its_tables_before_its_first_use()
    {
        // The database does not exist yet: every connection is refused, as when the server is down.
        var database = "late" + Guid.NewGuid().ToString("N")[..12];
        var connection = server.ConnectionString.Replace("Database=postgres", "Database=" + database, StringComparison.Ordinal);
        using var catalog = new SqlStoreCatalog(Map, Options.Create(new StoreOptions
        {
            Provider = "postgres", PostgresConnectionString = connection, SeedDemoData = true, DemoSize = 20, FilesDirectory = Repo.NewTempDirectory("files"),
        }), new KeyedHash(new byte[32]));

        var atStart = await catalog.PrepareAsync("be/crm", default);
        Assert.Equal(StoreReadiness.Unavailable, atStart.Readiness);
        Assert.Equal(StoreReadiness.Unavailable, catalog.States["be/crm"].Readiness);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => catalog.Find("be/crm").CountAsync("an.peeters@example.be", default));

        await using (var admin = new Npgsql.NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var counts = await catalog.Find("be/crm").CountAsync("an.peeters@example.be", default);

        Assert.True(counts["contacts"] > 0);
        Assert.Equal(StoreReadiness.Ready, catalog.States["be/crm"].Readiness);
        await using var check = new Npgsql.NpgsqlConnection(connection);
        await check.OpenAsync();
        await using var tables = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'be_crm' AND table_name = 'privacy_actions'", check);
        Assert.Equal(1L, await tables.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Without_run_time_DDL_a_missing_system_table_is_reported_and_reads_go_through_the_read_only_login()
    {
        // Issue 19 item 3: in Azure the app creates no tables, and collecting uses a login that can only read.
        var owner = await server.CreateDatabaseAsync("roles");
        using (var seeding = new SqlStoreCatalog(Map, Options.Create(new StoreOptions
        {
            Provider = "postgres", PostgresConnectionString = owner, SeedDemoData = true, DemoSize = 20, FilesDirectory = Repo.NewTempDirectory("files"), CreateSystemTables = false,
        }), new KeyedHash(new byte[32])))
        {
            var state = await seeding.PrepareAsync("be/crm", default);
            Assert.Equal(StoreReadiness.SchemaProblems, state.Readiness);
            Assert.Contains(state.Problems, p => p.Contains(SqlEntityStore.ActionsTable, StringComparison.Ordinal));
        }

        await using (var admin = new Npgsql.NpgsqlConnection(owner))
        {
            await admin.OpenAsync();
            await using var tables = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'be_crm' AND table_name = 'privacy_actions'", admin);
            Assert.Equal(0L, await tables.ExecuteScalarAsync());
        }

        // Ops create the system tables once (here: the owner with DDL on), then a reader and a writer without any rights.
        using (var setUp = new SqlStoreCatalog(Map, Options.Create(new StoreOptions { Provider = "postgres", PostgresConnectionString = owner }), new KeyedHash(new byte[32])))
        {
            Assert.Equal(StoreReadiness.Ready, (await setUp.PrepareAsync("be/crm", default)).Readiness);
        }

        var reader = "reader" + Guid.NewGuid().ToString("N")[..8];
        var nobody = "nobody" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new Npgsql.NpgsqlConnection(owner))
        {
            await admin.OpenAsync();
            foreach (var sql in new[] { $"CREATE ROLE {reader} LOGIN", $"CREATE ROLE {nobody} LOGIN", $"GRANT USAGE ON SCHEMA be_crm TO {reader}", $"GRANT SELECT ON ALL TABLES IN SCHEMA be_crm TO {reader}" })
            {
                await using var command = new Npgsql.NpgsqlCommand(sql, admin);
                await command.ExecuteNonQueryAsync();
            }
        }

        using var azure = new SqlStoreCatalog(Map, Options.Create(new StoreOptions
        {
            Provider = "postgres", CreateSystemTables = false,
            PostgresConnectionString = owner.Replace("Username=postgres", "Username=" + nobody, StringComparison.Ordinal),
            PostgresReadConnectionString = owner.Replace("Username=postgres", "Username=" + reader, StringComparison.Ordinal),
        }), new KeyedHash(new byte[32]));
        Assert.Equal(StoreReadiness.Ready, (await azure.PrepareAsync("be/crm", default)).Readiness);
        Assert.True((await azure.Find("be/crm").CountAsync("an.peeters@example.be", default))["contacts"] >= 0);
    }
}
