using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>The SQL connectors for every store of the data map, on the configured provider, and their upkeep.</summary>
public sealed class SqlStoreCatalog(DataMap map, IOptions<StoreOptions> options, KeyedHash hashes) : IEntityStoreCatalog, IEntityStoreMaintenance
{
    private readonly Lazy<SqlDialect> dialect = new(() => SqlDialect.From(options.Value));

    public SqlDialect Dialect => dialect.Value;

    public string ProviderName => Dialect.Name;

    /// <summary>Where the stores' files are (<c>{root}/{entity}/{store}/</c>).</summary>
    public string FilesRoot => options.Value.FilesRoot;

    public IEntityStore Find(string storeKey) => Sql(storeKey);

    public SqlEntityStore Sql(string storeKey) => new(map, map.Store(storeKey), Dialect, hashes, options.Value.FilesRoot);

    /// <summary>When <c>Stores:SeedDemoData</c> is true: creates the demo stores that do not exist yet, and the demo files.</summary>
    public async Task<DemoSeeding?> SeedDemoStoresIfConfiguredAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.SeedDemoData)
        {
            return null;
        }

        var created = await DemoStores.SeedAsync(map, Dialect, o.DemoSize, o.DemoSeed, cancellationToken);
        DemoStores.SeedFiles(o.FilesRoot);
        return new DemoSeeding(created, o.DemoSize);
    }

    /// <summary>Erases, in every store, what erasures kept under a legal hold that has now ended. Returns the count.</summary>
    public async Task<int> PurgeEndedHoldsAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var erased = 0;
        foreach (var store in map.Stores)
        {
            erased += await Sql(store.Key).PurgeEndedHoldsAsync(today, cancellationToken);
        }

        return erased;
    }

    /// <summary>Creates the action record and suppression tables wherever they are missing.</summary>
    public async Task EnsureSystemTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var store in map.Stores)
        {
            await Sql(store.Key).EnsureSystemTablesAsync(cancellationToken);
        }
    }

    /// <summary>Every table and column the map names that the databases lack (empty when all is well).</summary>
    public async Task<IReadOnlyList<string>> CheckSchemasAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var store in map.Stores)
        {
            try
            {
                problems.AddRange(await Sql(store.Key).CheckSchemaAsync(cancellationToken));
            }
            catch (InvalidOperationException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }
}
