using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 14, item 10: an entity store that cannot be reached does not keep the host down. The form, the submission and
/// the health check are served; the health check names the stores that cannot be reached; the cases that need them wait.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoreOutageTests(Azurite azurite)
{
    [Fact]
    public async Task With_the_stores_database_unreachable_the_host_starts_serves_the_form_and_accepts_requests_and_health_names_the_stores()
    {
        // A PostgreSQL server that is not there: nothing listens on this port.
        var closedPort = Repo.FreePort();
        await using var host = new LocalHostProcess(azurite, new Dictionary<string, string>
        {
            ["Stores__Provider"] = "postgres",
            ["Stores__PostgresConnectionString"] = $"Host=127.0.0.1;Port={closedPort};Database=infomat;Username=infomat;Password=unused;Timeout=2",
        });

        await host.StartAsync();
        using var flows = new Flows(host);

        Assert.Equal(HttpStatusCode.OK, (await flows.Http.GetAsync("/privacy?lang=en")).StatusCode);
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await host.Mailbox.WaitForAsync("verification", id);

        var health = await flows.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("degraded", json.RootElement.GetProperty("status").GetString());
        var stores = json.RootElement.GetProperty("stores");
        Assert.Equal("unavailable", stores.GetProperty("nl/crm").GetString());
        Assert.Equal("unavailable", stores.GetProperty("be/crm").GetString());

        // Review of 7 December: the post-deployment check saw the 200 and said all was well; the cases would stop at
        // their first store step days later.
        var (exit, output) = await Scripts.RunAsync("check-deployment.sh", "--no-mailbox", host.BaseUrl);
        Assert.Equal(1, exit);
        Assert.Contains("FAIL  /health says entity stores are not ready: be/crm (unavailable)", output, StringComparison.Ordinal);
    }
}
