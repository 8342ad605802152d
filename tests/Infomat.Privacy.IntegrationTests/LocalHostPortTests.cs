using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The test hosts take a free port each, and tests run in two lanes: two hosts can be handed the same port. The second
/// then fails to bind, while the first answers its /health, so a test once sent its requests to another class's host
/// and waited for a mail that went to that host's folder (CI, 6 December). A host is started only once it is the one
/// listening on its port.
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed class LocalHostPortTests(Azurite azurite)
{
    [Fact]
    public async Task A_host_handed_a_port_another_host_holds_moves_to_a_port_of_its_own_and_gets_its_own_requests()
    {
        await using var first = new LocalHostProcess(azurite);
        await first.StartAsync();
        await using var second = new LocalHostProcess(azurite);
        second.UsePort(first.Port);

        await second.StartAsync();

        Assert.NotEqual(first.Port, second.Port);
        using var flows = new Flows(second);
        var id = await flows.SubmitAsync(entity: "be");
        Assert.NotNull(await second.Mailbox.WaitForAsync("verification", id));
        Assert.Empty(first.Mailbox.Of("verification", id));
    }
}
