using Infomat.Privacy.Http.Hosting;

using Microsoft.DurableTask.Client;

namespace Infomat.LocalHost;

/// <summary>
/// Local host: reconciles the register with the orchestrations at start-up (the in-process durable engine keeps
/// nothing across restarts, the register does) and every <c>LocalHost:ReconcileInterval</c> (default five minutes), as
/// the Functions app does from a timer.
/// </summary>
internal sealed partial class LocalStartup(CaseWorkflow workflow, DurableTaskClient client, IConfiguration configuration, ILogger<LocalStartup> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

    [LoggerMessage(111, LogLevel.Warning, "Reconciliation failed ({Error}); tried again at the next interval")]
    private static partial void Failed(ILogger logger, string error);
}
