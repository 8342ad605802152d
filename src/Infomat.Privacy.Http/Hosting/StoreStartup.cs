using Infomat.Privacy.Stores;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// At start-up: loads the data map (a wrong map stops the host with every problem listed), creates the demo stores when
/// <c>Stores:SeedDemoData</c> is true, then checks that every table and column the map names exists, and creates this system's own tables
/// in each store (the record of applied actions, the suppression list) where they are missing.
/// </summary>
internal sealed partial class StoreStartup(DataMap map, IEntityStoreMaintenance stores, ILogger<StoreStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await stores.SeedDemoStoresIfConfiguredAsync(cancellationToken) is { } seeded)
        {
            Seeded(log, seeded.Created, stores.ProviderName, seeded.Size);
        }

        var problems = await stores.CheckSchemasAsync(cancellationToken);
        if (problems.Count > 0)
        {
            throw new DataMapException(problems);
        }

        await stores.EnsureSystemTablesAsync(cancellationToken);

        Ready(log, map.Stores.Count, stores.ProviderName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(30, LogLevel.Information, "Demo stores: {Created} created on {Provider} ({Size} rows in the largest tables)")]
    private static partial void Seeded(ILogger logger, int created, string provider, int size);

    [LoggerMessage(31, LogLevel.Information, "Data map checked: {Stores} stores on {Provider}")]
    private static partial void Ready(ILogger logger, int stores, string provider);
}
