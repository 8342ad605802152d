using Infomat.Privacy.Stores;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>What the hold sweep did: records erased, and the stores that could not be swept this time (tried again at the next run).</summary>
public sealed record HoldSweepResult(int Erased, int FailedStores);

/// <summary>
/// Keeps the promise of the erasure report: a record "kept until" a day is still there all that day and erased at the
/// first run after it, the day after in Brussels (<see cref="LegalHold.HasEnded"/>; decision 109). Run daily (a timer
/// in the Functions app, a background loop in the local host). Each store is swept on its own: one that cannot be
/// reached is logged by its key and swept at the next run, and the others are swept now.
/// </summary>
public sealed partial class HoldSweep(DataMap map, IEntityStoreMaintenance stores, TimeProvider time, ILogger<HoldSweep> log)
{
    public async Task<HoldSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int erased = 0, failed = 0;
        foreach (var store in map.Stores)
        {
            try
            {
                erased += await stores.PurgeEndedHoldsAsync(store.Key, now, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                StoreFailed(log, store.Key, ex.GetType().Name);
            }
        }

        Swept(log, erased, failed);
        return new HoldSweepResult(erased, failed);
    }

    [LoggerMessage(40, LogLevel.Information, "Legal holds: {Erased} records erased whose hold has ended; {Failed} stores not swept")]
    private static partial void Swept(ILogger logger, int erased, int failed);

    [LoggerMessage(41, LogLevel.Warning, "Legal holds: store {Store} could not be swept ({Error}); tried again at the next run")]
    private static partial void StoreFailed(ILogger logger, string store, string error);
}
