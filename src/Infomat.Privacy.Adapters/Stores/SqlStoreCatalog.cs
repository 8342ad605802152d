using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// The SQL connectors for every store of the data map, on the configured provider, and their upkeep. A store that
/// could not be reached when it was prepared (at start-up) is prepared again before its next use, so its schema check
/// and this system's tables are in place before any case reads or changes it.
/// </summary>
/// <remarks>The stores' files are in <paramref name="files"/>, or by default in the folder <c>Stores:FilesDirectory</c>.</remarks>
public sealed class SqlStoreCatalog(DataMap map, IOptions<StoreOptions> options, KeyedHash hashes, IStoreFileStorage? files = null) : IEntityStoreCatalog, IEntityStoreMaintenance, IDisposable
{
    private readonly IStoreFileStorage files = files ?? new FolderFileStorage(options.Value.FilesRoot);

    private readonly Lazy<SqlDialect> dialect = new(() => SqlDialect.From(options.Value));
    private readonly ConcurrentDictionary<string, StoreState> states = new(map.Stores.Select(s => KeyValuePair.Create(s.Key, StoreState.NotChecked)), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim seeding = new(1, 1);
    private bool seedingDone;

    public SqlDialect Dialect => dialect.Value;

    public string ProviderName => Dialect.Name;

    /// <summary>Where the stores' files are: a folder (<c>{root}/{entity}/{store}/</c>) or a blob container per store.</summary>
    public IStoreFileStorage Files => files;

    public DemoSeeding? Seeded { get; private set; }

    public IReadOnlyDictionary<string, StoreState> States => states;

    public IEntityStore Find(string storeKey) => new PreparedStore(this, Sql(storeKey));

    public SqlEntityStore Sql(string storeKey) => new(map, map.Store(storeKey), Dialect, hashes, files);

    /// <summary>When <c>Stores:SeedDemoData</c> is true: creates the demo stores that do not exist yet, and the demo files.</summary>
    public async Task<DemoSeeding?> SeedDemoStoresIfConfiguredAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.SeedDemoData)
        {
            return null;
        }

        var created = await DemoStores.SeedAsync(map, Dialect, o.DemoSize, o.DemoSeed, cancellationToken);
        await DemoStores.SeedFilesAsync(map, files, cancellationToken);
        return new DemoSeeding(created, o.DemoSize);
    }

    public async Task<StoreState> PrepareAsync(string storeKey, CancellationToken cancellationToken)
    {
        var gate = gates.GetOrAdd(storeKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (states.TryGetValue(storeKey, out var known) && known.Readiness == StoreReadiness.Ready)
            {
                return known;
            }

            StoreState state;
            try
            {
                await SeedOnceAsync(cancellationToken);
                var problems = await CheckSchemaAsync(storeKey, cancellationToken);
                if (problems.Count == 0 && options.Value.CreateSystemTables)
                {
                    await Sql(storeKey).EnsureSystemTablesAsync(cancellationToken);
                }
                else if (problems.Count == 0)
                {
                    problems = await Sql(storeKey).CheckSystemTablesAsync(cancellationToken);
                }

                state = problems.Count == 0 ? new StoreState(StoreReadiness.Ready, []) : new StoreState(StoreReadiness.SchemaProblems, problems);
            }
            catch (Exception ex) when (IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Only the error's type: a provider's message may name the server.
                state = new StoreState(StoreReadiness.Unavailable, [], ex.GetType().Name);
            }

            states[storeKey] = state;
            return state;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Erases, in one store, what erasures kept under a legal hold that has now ended. Returns the count.</summary>
    public async Task<int> PurgeEndedHoldsAsync(string storeKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await RequireReadyAsync(storeKey, cancellationToken);
        return await Sql(storeKey).PurgeEndedHoldsAsync(now, cancellationToken);
    }

    /// <summary>Erases, in every store, what erasures kept under a legal hold that has now ended. Returns the count.</summary>
    public async Task<int> PurgeEndedHoldsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var erased = 0;
        foreach (var store in map.Stores)
        {
            erased += await Sql(store.Key).PurgeEndedHoldsAsync(now, cancellationToken);
        }

        return erased;
    }

    /// <summary>Creates the action record and suppression tables wherever they are missing (not with <c>Stores:CreateSystemTables</c> off).</summary>
    public async Task EnsureSystemTablesAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.CreateSystemTables)
        {
            return;
        }

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
            problems.AddRange(await CheckSchemaAsync(store.Key, cancellationToken));
        }

        return problems;
    }

    /// <summary>
    /// Before a store is used: nothing when it is ready or was never prepared here; otherwise (it could not be reached,
    /// or lacked tables, when last prepared) it is prepared now, and refused while it still cannot be used.
    /// </summary>
    internal async Task RequireReadyAsync(string storeKey, CancellationToken cancellationToken)
    {
        if (!states.TryGetValue(storeKey, out var known) || known.Readiness is StoreReadiness.Ready or StoreReadiness.NotChecked)
        {
            return;
        }

        var state = await PrepareAsync(storeKey, cancellationToken);
        switch (state.Readiness)
        {
            case StoreReadiness.SchemaProblems:
                throw new DataMapException(state.Problems);
            case StoreReadiness.Unavailable:
                throw new StoreUnavailableException(storeKey, state.Error);
        }
    }

    private async Task<IReadOnlyList<string>> CheckSchemaAsync(string storeKey, CancellationToken cancellationToken)
    {
        try
        {
            return await Sql(storeKey).CheckSchemaAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            // A store that does not exist (an SQLite file missing): a configuration problem, named like the others.
            return [ex.Message];
        }
    }

    private async Task SeedOnceAsync(CancellationToken cancellationToken)
    {
        if (seedingDone)
        {
            return;
        }

        await seeding.WaitAsync(cancellationToken);
        try
        {
            if (!seedingDone)
            {
                Seeded = await SeedDemoStoresIfConfiguredAsync(cancellationToken);
                seedingDone = true;
            }
        }
        finally
        {
            seeding.Release();
        }
    }

    public void Dispose()
    {
        seeding.Dispose();
        foreach (var gate in gates.Values)
        {
            gate.Dispose();
        }
    }

    /// <summary>A failure of the connection or the database server rather than of the map: the store is down for now.</summary>
    private static bool IsUnavailable(Exception ex) => ex is DbException or IOException or TimeoutException or SocketException;

    /// <summary>A store as the cases use it: prepared again first when it could not be reached when last prepared.</summary>
    private sealed class PreparedStore(SqlStoreCatalog owner, SqlEntityStore inner) : IEntityStore
    {
        public string Key => inner.Key;

        public async IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await owner.RequireReadyAsync(Key, cancellationToken);
            await foreach (var record in inner.CollectAsync(email, scope, cancellationToken))
            {
                yield return record;
            }
        }

        public async Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken)
        {
            await owner.RequireReadyAsync(Key, cancellationToken);
            return await inner.CountAsync(email, cancellationToken);
        }

        public async Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken)
        {
            await owner.RequireReadyAsync(Key, cancellationToken);
            return await inner.ApplyAsync(request, cancellationToken);
        }

        public async Task<StoreFile> OpenFileAsync(string table, string fileName, string email, CancellationToken cancellationToken)
        {
            await owner.RequireReadyAsync(Key, cancellationToken);
            return await inner.OpenFileAsync(table, fileName, email, cancellationToken);
        }

        public async Task<bool> IsSuppressedAsync(string email, CancellationToken cancellationToken)
        {
            await owner.RequireReadyAsync(Key, cancellationToken);
            return await inner.IsSuppressedAsync(email, cancellationToken);
        }
    }
}
