using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Http.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Infomat.LocalHost;

/// <summary>
/// At start-up: seeds the demo stores when asked, then resumes every unfinished case of the register
/// (the in-process durable engine keeps nothing across restarts; the register does).
/// </summary>
internal sealed partial class LocalStartup(
    IOptions<StoreOptions> stores, CaseWorkflow workflow, DurableTaskClient client, ILogger<LocalStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (stores.Value.SeedDemoData)
        {
            await DemoStores.SeedAsync(stores.Value.Directory, cancellationToken);
            Seeded(log, stores.Value.Directory);
        }

        await workflow.ResumeUnfinishedAsync(client, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Demo stores ready in {Directory}")]
    private static partial void Seeded(ILogger logger, string directory);
}
