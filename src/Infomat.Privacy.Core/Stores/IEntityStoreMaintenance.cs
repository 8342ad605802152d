namespace Infomat.Privacy.Stores;

/// <summary>What seeding the demo stores did: how many stores were created, and the rows in the largest tables.</summary>
public sealed record DemoSeeding(int Created, int Size);

/// <summary>Whether a store can be used, as last found.</summary>
public enum StoreReadiness
{
    /// <summary>Not prepared in this process (a store used without the host's start-up, as in tests).</summary>
    NotChecked,

    /// <summary>Checked against the data map, with this system's own tables in place.</summary>
    Ready,

    /// <summary>Could not be reached (its database down or refusing): cases that need it wait and retry.</summary>
    Unavailable,

    /// <summary>Reached, but lacking tables or columns the map names: a configuration error.</summary>
    SchemaProblems,
}

/// <summary>A store's readiness, with what is missing (schema problems) or the type of the error (unavailable); no data.</summary>
public sealed record StoreState(StoreReadiness Readiness, IReadOnlyList<string> Problems, string? Error = null)
{
    public static StoreState NotChecked { get; } = new(StoreReadiness.NotChecked, []);
}

/// <summary>A store that cannot be reached now; the message names the store and the error's type only.</summary>
public sealed class StoreUnavailableException(string storeKey, string? error)
    : Exception($"Store {storeKey} cannot be reached now ({error ?? "unknown error"}).")
{
    public string StoreKey { get; } = storeKey;
}

/// <summary>
/// The upkeep of the entity stores, apart from acting on one person: preparing each store (the demo stores when
/// configured, the check against the data map, this system's own tables), its readiness, and the erasure of records
/// whose legal hold has ended.
/// </summary>
public interface IEntityStoreMaintenance
{
    /// <summary>The database provider the stores live in (for the logs).</summary>
    string ProviderName { get; }

    /// <summary>What seeding the demo stores did in this process, once it was done; null when not (yet) done or not configured.</summary>
    DemoSeeding? Seeded { get; }

    /// <summary>Every store of the map with its readiness as last found.</summary>
    IReadOnlyDictionary<string, StoreState> States { get; }

    /// <summary>
    /// Prepares one store for use: creates the demo stores first when configured (once), checks the store against the
    /// data map and creates this system's tables in it. A store that cannot be reached is reported
    /// <see cref="StoreReadiness.Unavailable"/>, not thrown: it is prepared again before its first use.
    /// </summary>
    Task<StoreState> PrepareAsync(string storeKey, CancellationToken cancellationToken);

    /// <summary>
    /// Erases, in one store, what erasures kept under a legal hold that has ended at <paramref name="now"/> (the day after
    /// its last day in Brussels, <see cref="LegalHold.HasEnded"/>). Returns the count.
    /// </summary>
    Task<int> PurgeEndedHoldsAsync(string storeKey, DateTimeOffset now, CancellationToken cancellationToken);
}
