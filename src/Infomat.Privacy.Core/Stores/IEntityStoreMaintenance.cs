namespace Infomat.Privacy.Stores;

/// <summary>What seeding the demo stores did: how many stores were created, and the rows in the largest tables.</summary>
public sealed record DemoSeeding(int Created, int Size);

/// <summary>
/// The upkeep of the entity stores, apart from acting on one person: the start-up checks against the data map, this
/// system's own tables in each store, the demo stores, and the erasure of records whose legal hold has ended.
/// </summary>
public interface IEntityStoreMaintenance
{
    /// <summary>The database provider the stores live in (for the logs).</summary>
    string ProviderName { get; }

    /// <summary>Creates and fills the demo stores that do not exist yet when the configuration asks for them; null when it does not.</summary>
    Task<DemoSeeding?> SeedDemoStoresIfConfiguredAsync(CancellationToken cancellationToken);

    /// <summary>Every table and column the map names that the databases lack (empty when all is well).</summary>
    Task<IReadOnlyList<string>> CheckSchemasAsync(CancellationToken cancellationToken);

    /// <summary>Creates the action record and suppression tables wherever they are missing.</summary>
    Task EnsureSystemTablesAsync(CancellationToken cancellationToken);

    /// <summary>Erases, in every store, what erasures kept under a legal hold that has now ended. Returns the count.</summary>
    Task<int> PurgeEndedHoldsAsync(DateOnly today, CancellationToken cancellationToken);
}
