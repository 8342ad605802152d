namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>Tests that each get a fresh local host process (against the shared test Azurite) and the flows to drive it.</summary>
public abstract class LocalHostTests(Azurite azurite) : IAsyncLifetime
{
    protected Azurite Azurite { get; } = azurite;

    protected LocalHostProcess Host { get; private set; } = null!;

    protected Flows Flows { get; private set; } = null!;

    /// <summary>Settings for the host, in environment-variable form (e.g. <c>Stores__Provider</c>).</summary>
    protected virtual Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>());

    public async Task InitializeAsync()
    {
        Host = new LocalHostProcess(Azurite, await SettingsAsync());
        await Host.StartAsync();
        Flows = new Flows(Host);
    }

    public async Task DisposeAsync()
    {
        Flows.Dispose();
        await Host.DisposeAsync();
    }
}
