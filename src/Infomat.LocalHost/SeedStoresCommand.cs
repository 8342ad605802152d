using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Stores;

namespace Infomat.LocalHost;

/// <summary>
/// <c>Infomat.LocalHost seed-demo-stores</c>: creates the demo BE and NL stores (the people the README lists) in the
/// database <c>Stores:*</c> names, for trying a deployment in a subscription that has no Infomat stores. A store that
/// already holds data is left as it is. With <c>Stores:FilesStorage=blob</c> the demo CV goes to its store's blob
/// container in the storage account <c>AzureWebJobsStorage</c> names.
/// </summary>
internal static class SeedStoresCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Commands.Builder(args);
        var options = builder.Configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (options.Provider != "postgres" || string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            await Console.Error.WriteLineAsync("Set Stores__Provider=postgres and Stores__PostgresConnectionString (scripts/seed-demo-stores.sh does, from STORES_CONNECTION_STRING).");
            return 2;
        }

        var map = DataMapLoader.Load(builder.Configuration["Privacy:DataMap"] is { Length: > 0 } path ? path : DataMapFiles.Default);
        var created = await DemoStores.SeedAsync(map, SqlDialect.From(options), options.DemoSize, options.DemoSeed, CancellationToken.None);
        if (options.FilesStorage == "blob")
        {
            var blobs = new Infomat.Privacy.Adapters.Storage.StorageClients(builder.Configuration).Files;
            await DemoStores.SeedFilesAsync(map, new BlobFileStorage(blobs), CancellationToken.None);
        }

        Console.WriteLine(created == 0
            ? $"All {map.Stores.Count} stores already hold data: nothing created."
            : $"Created {created} of {map.Stores.Count} demo stores ({options.DemoSize} rows in the largest tables).");
        return 0;
    }
}
