namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// A set-up step (creating a table or a container) run once it has succeeded. Unlike <c>Lazy&lt;Task&gt;</c>, a failure
/// is not remembered: storage that could not be reached on the first call is tried again on the next, so a host that
/// started during an outage works once storage answers, without a restart.
/// </summary>
internal sealed class SetUpOnce(Func<Task> step)
{
    private readonly Lock gate = new();
    private Task? running;

    public Task EnsureAsync()
    {
        lock (gate)
        {
            if (running is null || running.IsFaulted || running.IsCanceled)
            {
                running = step();
            }

            return running;
        }
    }
}
