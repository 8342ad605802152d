using Infomat.Privacy.Stores;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Keeps the promise of the erasure report: records kept under a legal hold are erased on the day the hold ends.
/// Run daily (a timer in the Functions app, a background loop in the local host).
/// </summary>
public sealed partial class HoldSweep(IEntityStoreMaintenance stores, TimeProvider time, ILogger<HoldSweep> log)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var erased = await stores.PurgeEndedHoldsAsync(today, cancellationToken);
        Swept(log, erased);
        return erased;
    }

    [LoggerMessage(40, LogLevel.Information, "Legal holds: {Erased} records erased whose hold has ended")]
    private static partial void Swept(ILogger logger, int erased);
}
