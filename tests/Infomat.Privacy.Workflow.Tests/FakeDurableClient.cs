using System.Collections.Concurrent;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A durable client that only records which orchestrations were started and which events raised: enough for the
/// intake, which starts a case's orchestration and never waits on it.
/// </summary>
internal sealed class FakeDurableClient() : DurableTaskClient("fake")
{
    private readonly ConcurrentDictionary<string, OrchestrationMetadata> instances = new();

    public IReadOnlyCollection<string> Started => instances.Keys.ToList();

    public ConcurrentQueue<(string InstanceId, string EventName)> Events { get; } = new();

    /// <summary>
    /// Every start asked for, even one this fake refuses: the real engine does not refuse a second start of the same
    /// instance at the same moment, it writes a second start event and the instance can no longer run.
    /// </summary>
    public ConcurrentQueue<string> StartCalls { get; } = new();

    /// <summary>Called with the instance id as each start is asked for, before it is recorded (a test looks at what was stored by then).</summary>
    public Func<string, Task>? OnStart { get; set; }

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        StartCalls.Enqueue(options?.InstanceId ?? "?");
        var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        if (OnStart is { } onStart)
        {
            await onStart(id);
        }

        if (!instances.TryAdd(id, new OrchestrationMetadata(orchestratorName, id) { RuntimeStatus = OrchestrationRuntimeStatus.Running }))
        {
            throw new InvalidOperationException($"An orchestration with the instance id {id} exists already.");
        }

        return id;
    }

    /// <summary>Called with the instance id as each look-up is asked for, before it is answered.</summary>
    public Func<string, Task>? OnLookup { get; set; }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        if (OnLookup is { } onLookup)
        {
            await onLookup(instanceId);
        }

        return instances.TryGetValue(instanceId, out var m) ? m : null;
    }

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        Events.Enqueue((instanceId, eventName));
        return Task.CompletedTask;
    }

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
