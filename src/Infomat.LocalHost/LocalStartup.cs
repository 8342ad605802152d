using Infomat.Privacy.Http.Hosting;

using Microsoft.DurableTask.Client;

namespace Infomat.LocalHost;

/// <summary>
/// Local host: reconciles the register with the orchestrations shortly after the host serves requests, and every
/// <c>LocalHost:ReconcileInterval</c> (default five minutes), as the Functions app does from a timer. The orchestrations
/// survive a restart (Azure Storage provider, decision 72), so at start-up this only starts or restarts the few cases
/// whose orchestration is missing or stopped and re-sends lost signals; it never holds up a new request.
/// </summary>
internal sealed partial class LocalStartup(CaseWorkflow workflow, DurableTaskClient client, IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<LocalStartup> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // New requests first: the first pass starts a while after the host listens (LocalHost:ReconcileStartDelay), so that
        // the requests of people retrying after a restart do not queue behind hundreds of look-ups in the storage account.
        // Nothing is lost meanwhile: the orchestrations carry on by themselves; this pass only repairs the few that stopped.
        await WhenStartedAsync(stoppingToken);
        await Task.Delay(configuration.GetValue("LocalHost:ReconcileStartDelay", TimeSpan.FromSeconds(15)), stoppingToken);
        using var timer = new PeriodicTimer(configuration.GetValue("LocalHost:ReconcileInterval", TimeSpan.FromMinutes(5)));
        do
        {
            try
            {
                await workflow.ReconcileAsync(client, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Failed(log, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(111, LogLevel.Warning, "Reconciliation failed ({Error}); tried again at the next interval")]
    private static partial void Failed(ILogger logger, string error);
}
