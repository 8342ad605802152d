using System.Collections.Concurrent;

namespace Infomat.LocalHost;

/// <summary>
/// Hands each file of a folder to a handler, at most <c>atATime</c> at once, as a queue trigger hands out messages: a file
/// starts as soon as a slot is free, whatever the others are doing. (It used to read the folder in rounds, each waiting
/// for its slowest file before the next look: one slow mail held back every mail that came after it.) Files whose name
/// starts with a dot are being written and wait. The handler must take the file out of the folder when it is done.
/// </summary>
public sealed class FolderPump(string folder, string pattern, int atATime, Func<string, CancellationToken, Task> handle)
{
    /// <summary>
    /// Looks at the folder every <paramref name="every"/> (and as soon as a slot frees up during a look) until
    /// <paramref name="cancellationToken"/> is cancelled; then waits for the files under way and returns.
    /// </summary>
    public async Task RunAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        var underWay = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        using var slots = new SemaphoreSlim(atATime);
        using var timer = new PeriodicTimer(every);
        try
        {
            do
            {
                foreach (var file in Directory.GetFiles(folder, pattern).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                {
                    if (underWay.ContainsKey(file))
                    {
                        continue;
                    }

                    await slots.WaitAsync(cancellationToken);
                    // The look may be older than the slot: a file handled meanwhile is gone from the folder.
                    if (!File.Exists(file) || !underWay.TryAdd(file, Task.CompletedTask))
                    {
                        slots.Release();
                        continue;
                    }

                    underWay.TryUpdate(file, HandleOneAsync(file), Task.CompletedTask);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await Task.WhenAll(underWay.Values);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        async Task HandleOneAsync(string file)
        {
            try
            {
                await Task.Yield();
                await handle(file, cancellationToken);
            }
            finally
            {
                underWay.TryRemove(file, out _);
                slots.Release();
            }
        }
    }
}
