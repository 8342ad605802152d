using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Hosting;

using Microsoft.DurableTask.Client;

namespace Infomat.LocalHost;

/// <summary>
/// At start-up, resumes every unfinished case of the register: the in-process durable engine keeps nothing
/// across restarts, the register does. (The Functions app does the same from a timer.)
/// </summary>
internal sealed class LocalStartup(CaseWorkflow workflow, DurableTaskClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => workflow.ResumeUnfinishedAsync(client, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

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

/// <summary>
/// Local host: the daily case sweep of the Functions app (due-date reminders, overdue flags, identifier erasure after
/// retention, purge of finished histories), at start and every <c>LocalHost:CaseSweepInterval</c> (default one hour).
/// </summary>
internal sealed partial class LocalCaseMaintenance(CaseMaintenance maintenance, DurableTaskClient client, IConfiguration configuration, ILogger<LocalCaseMaintenance> log)
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
