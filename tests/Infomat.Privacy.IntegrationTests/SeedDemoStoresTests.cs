using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// scripts/seed-demo-stores.sh, which docs/deploy.md uses to try a deployment without Infomat's own stores: it fills an
/// empty PostgreSQL database with the demo stores once, and leaves stores that hold data alone.
/// </summary>
public sealed class SeedDemoStoresTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static Task<(int Exit, string Output)> SeedAsync(string? connectionString) =>
        Scripts.RunAsync("seed-demo-stores.sh", [], "bash", new Dictionary<string, string?> { ["STORES_CONNECTION_STRING"] = connectionString });

    [Fact]
    public async Task An_empty_database_gets_the_demo_people_once()
    {
        var database = await server.CreateDatabaseAsync("seed");

        var (exit, output) = await SeedAsync(database);

        Assert.True(exit == 0, output);
        Assert.Contains("Created 8 of 8 demo stores", output, StringComparison.Ordinal);
        await using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var query = new Npgsql.NpgsqlCommand("SELECT count(*) FROM be_crm.contacts WHERE email_normalized = 'an.peeters@example.be'", connection);
            Assert.Equal(1L, (long)(await query.ExecuteScalarAsync())!);
        }

        var again = await SeedAsync(database);
        Assert.Equal(0, again.Exit);
        Assert.Contains("already hold data: nothing created", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", output + again.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_connection_string_it_says_what_to_set()
    {
        var (exit, output) = await SeedAsync(null);

        Assert.Equal(2, exit);
        Assert.Contains("STORES_CONNECTION_STRING", output, StringComparison.Ordinal);
    }
}
