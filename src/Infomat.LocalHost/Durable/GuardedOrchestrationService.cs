using DurableTask.Core;

namespace Infomat.LocalHost.Durable;

/// <summary>
/// The task hub as the sidecar's dispatchers see it: every call goes to the provider, but its stop runs once, cannot
/// take the process down, and can be waited for. The sidecar stops the provider from a fire-and-forget callback when
/// its own host stops; an exception there (the Azure Storage provider throws a <see cref="TimeoutException"/> when it
/// could not give back its partition leases within 10 minutes, e.g. because the storage went away) would end the
/// process. Here the stop's failure is logged with its type only, and <see cref="Stopped"/> tells the host when the
/// stop has finished, however it finished (decision 87). A stop before any start has nothing to give back; a start
/// asked for after a stop (the sidecar starts its dispatchers when a worker first connects, which can be while the
/// host is already stopping) does nothing.
/// </summary>
public sealed partial class GuardedOrchestrationService(IOrchestrationService inner, ILogger logger) : IOrchestrationService
{
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private Task? started;
    private Task? stopping;

    /// <summary>Completes once the stop of the provider has finished, whether it succeeded or not.</summary>
    public Task Stopped => stopped.Task;

    public Task StartAsync()
    {
        lock (gate)
        {
            return stopping is not null ? Task.CompletedTask : started ??= inner.StartAsync();
        }
    }

    public Task StopAsync() => StopAsync(isForced: false);

    public Task StopAsync(bool isForced)
    {
        lock (gate)
        {
            return stopping ??= Task.Run(() => StopOnceAsync(started, isForced));
        }
    }

    private async Task StopOnceAsync(Task? start, bool isForced)
    {
        try
        {
            if (start is null)
            {
                return;
            }

            // A start under way finishes first (the provider's stop assumes it started); if it failed, the stop still
            // gives back what it took.
            await start.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await inner.StopAsync(isForced);
        }
#pragma warning disable CA1031 // Whatever the provider throws here would be unhandled in the sidecar's callback.
        catch (Exception error)
#pragma warning restore CA1031
        {
            StopFailed(logger, error.GetType().Name);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);

    [LoggerMessage(143, LogLevel.Warning, "The task hub's stop failed ({Error}); its partition leases are taken over by the next host once they expire")]
    private static partial void StopFailed(ILogger logger, string error);
}
