using Infomat.Privacy.Http.Hosting;

namespace Infomat.LocalHost;

/// <summary>Erases records whose legal hold has ended: at start-up, then daily (the Functions app uses a timer).</summary>
internal sealed class LocalHoldSweep(HoldSweep sweep) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var daily = new PeriodicTimer(TimeSpan.FromDays(1));
        do
        {
            await sweep.RunAsync(stoppingToken);
        }
        while (await daily.WaitForNextTickAsync(stoppingToken));
    }
}
