using Infomat.Privacy.Adapters.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>Creates the demo Belgian and Dutch stores at start-up when <c>Stores:SeedDemoData</c> is true (local host, <c>func start</c>).</summary>
internal sealed partial class DemoStoreSeeder(IOptions<StoreOptions> stores, ILogger<DemoStoreSeeder> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (stores.Value.SeedDemoData)
        {
            await DemoStores.SeedAsync(stores.Value.Directory, cancellationToken);
            Seeded(log, stores.Value.Directory);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(30, LogLevel.Information, "Demo stores ready in {Directory}")]
    private static partial void Seeded(ILogger logger, string directory);
}
