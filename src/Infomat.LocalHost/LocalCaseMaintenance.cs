using Infomat.Privacy.Http.Cases;

using Microsoft.DurableTask.Client;

namespace Infomat.LocalHost;

/// <summary>
/// Local host: the daily case sweep of the Functions app (due-date reminders, overdue flags, identifier erasure after
/// retention, purge of finished histories) and its hourly retention sweep (exports whose link ended, staging, cases past
/// their retention, intake markers), at start and every <c>LocalHost:CaseSweepInterval</c> (default one hour).
/// </summary>
internal sealed partial class LocalCaseMaintenance(
    CaseMaintenance maintenance, RetentionSweep retention, DurableTaskClient client, IConfiguration configuration, ILogger<LocalCaseMaintenance> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("LocalHost:CaseSweepInterval", TimeSpan.FromHours(1));
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await maintenance.RunAsync(client, stoppingToken);
                await retention.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(log, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(110, LogLevel.Warning, "Case sweep failed ({Error}); tried again at the next interval")]
    private static partial void Failed(ILogger logger, string error);
}
