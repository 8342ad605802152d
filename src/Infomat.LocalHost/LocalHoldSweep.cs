using Infomat.Privacy.Http.Hosting;

namespace Infomat.LocalHost;

/// <summary>Erases records whose legal hold has ended: at start-up, then daily (the Functions app uses a timer).</summary>
internal sealed partial class LocalHoldSweep(HoldSweep sweep, ILogger<LocalHoldSweep> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var daily = new PeriodicTimer(TimeSpan.FromDays(1));
        do
        {
            try
            {
                await sweep.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A background service that throws stops the host: the form and the links must keep serving.
                Failed(log, ex.GetType().Name);
            }
        }
        while (await daily.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(165, LogLevel.Warning, "Hold sweep failed ({Error}); tried again tomorrow")]
    private static partial void Failed(ILogger logger, string error);
}
