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
