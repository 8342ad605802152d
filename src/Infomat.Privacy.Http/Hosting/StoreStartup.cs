using Infomat.Privacy.Stores;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// At start-up: prepares every store of the data map side by side (the demo stores when <c>Stores:SeedDemoData</c> is
/// true, the check that every table and column the map names exists, this system's own tables). A store that lacks
/// tables or columns stops the host with every problem listed: the map and the databases disagree. A store that cannot
/// be reached does not: the public routes serve, <c>/health</c> names it, the cases that need it wait (their activities
/// retry, and the store is prepared before its first use), and it is tried again here every half minute.
/// </summary>
internal sealed partial class StoreStartup(DataMap map, IEntityStoreMaintenance stores, ILogger<StoreStartup> log) : IHostedService, IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource stopping = new();
    private Task? retrying;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var states = await Task.WhenAll(map.Stores.Select(s => stores.PrepareAsync(s.Key, cancellationToken)));
        if (stores.Seeded is { } seeded)
        {
            Seeded(log, seeded.Created, stores.ProviderName, seeded.Size);
        }

        var problems = states.SelectMany(s => s.Problems).ToList();
        if (problems.Count > 0)
        {
            throw new DataMapException(problems);
        }

        var unavailable = Unavailable();
        foreach (var key in unavailable)
        {
            StoreUnavailable(log, key, stores.States[key].Error ?? "-");
        }

        Ready(log, map.Stores.Count - unavailable.Count, map.Stores.Count, stores.ProviderName);
        if (unavailable.Count > 0)
        {
            retrying = RetryAsync(stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (retrying is not null)
        {
            try
            {
                await retrying.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void Dispose() => stopping.Dispose();

    private List<string> Unavailable() =>
        map.Stores.Select(s => s.Key).Where(k => stores.States.TryGetValue(k, out var s) && s.Readiness != StoreReadiness.Ready).ToList();

    /// <summary>Tries the stores that could not be reached again until every one is ready (a case may prepare one sooner).</summary>
    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        while (Unavailable() is { Count: > 0 } waiting)
        {
            await Task.Delay(RetryEvery, cancellationToken);
            foreach (var key in waiting)
            {
                var state = await stores.PrepareAsync(key, cancellationToken);
                switch (state.Readiness)
                {
                    case StoreReadiness.Ready:
                        StoreReady(log, key);
                        break;
                    case StoreReadiness.SchemaProblems:
                        // Reached at last, but not as the map says: staff must fix the map or the database.
                        SchemaProblems(log, key, string.Join("; ", state.Problems));
                        break;
                }
            }
        }
    }

    [LoggerMessage(30, LogLevel.Information, "Demo stores: {Created} created on {Provider} ({Size} rows in the largest tables)")]
    private static partial void Seeded(ILogger logger, int created, string provider, int size);

    [LoggerMessage(31, LogLevel.Information, "Data map checked: {Ready} of {Stores} stores ready on {Provider}")]
    private static partial void Ready(ILogger logger, int ready, int stores, string provider);

    [LoggerMessage(32, LogLevel.Warning, "Store {Store} cannot be reached ({Error}): the host serves; cases that need it wait, and it is tried again")]
    private static partial void StoreUnavailable(ILogger logger, string store, string error);

    [LoggerMessage(33, LogLevel.Information, "Store {Store} is reachable again and ready")]
    private static partial void StoreReady(ILogger logger, string store);

    [LoggerMessage(34, LogLevel.Error, "Store {Store} is reachable but does not match the data map: {Problems}")]
    private static partial void SchemaProblems(ILogger logger, string store, string problems);
}
