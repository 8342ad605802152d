namespace Infomat.Privacy.Tasks;

/// <summary>Work started and then not waited for (a search whose answer is no longer needed, a read left to finish).</summary>
public static class AbandonedTasks
{
    /// <summary>Lets <paramref name="task"/> finish on its own: a failure, if any, is observed and dropped, never left unobserved.</summary>
    public static void Abandon(this Task? task) =>
        task?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
