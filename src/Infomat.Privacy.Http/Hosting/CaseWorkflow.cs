using Infomat.Privacy.Cases;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Starts and signals case orchestrations (instance id = case id). The register is the source of truth:
/// a case whose orchestration is missing (a restarted local host) is started again and continues where the register says.
/// </summary>
public sealed partial class CaseWorkflow(ICaseRegister register, ILogger<CaseWorkflow> log)
{
    public async Task EnsureRunningAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var instance = await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null)
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(PrivacyRequestOrchestrator), caseId, new StartOrchestrationOptions(caseId), cancellationToken);
            Started(log, caseId);
        }
    }

    /// <summary>Tells the case's orchestration that a step was recorded in the register (the event carries no data).</summary>
    public async Task SignalAsync(DurableTaskClient client, string caseId, string eventName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await EnsureRunningAsync(client, caseId, cancellationToken);
        await client.RaiseEventAsync(caseId, eventName, eventPayload: null, cancellationToken);
    }

    /// <summary>Starts again every unfinished case that has no orchestration. Returns how many were started.</summary>
    public async Task<int> ResumeUnfinishedAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var resumed = 0;
        await foreach (var caseId in register.ListUnfinishedAsync(cancellationToken))
        {
            if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken) is null)
            {
                await EnsureRunningAsync(client, caseId, cancellationToken);
                resumed++;
            }
        }

        Resumed(log, resumed);
        return resumed;
    }

    [LoggerMessage(10, LogLevel.Information, "Orchestration started for case {CaseId}")]
    private static partial void Started(ILogger logger, string caseId);

    [LoggerMessage(11, LogLevel.Information, "Resumed {Count} unfinished cases")]
    private static partial void Resumed(ILogger logger, int count);
}
