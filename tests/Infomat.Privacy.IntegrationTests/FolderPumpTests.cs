using System.Collections.Concurrent;

using Infomat.LocalHost;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The local inbox folder is read as the Functions app's queue trigger reads the mail queue: a mail starts as soon as one
/// of the slots is free. It was read in rounds: each look at the folder waited for the slowest mail of the round before
/// the next look, so in the 10,000-request spike a mail whose orchestration start queued behind the task hub held back
/// every mail that came after it (verification mail by mail p50 54 s, p99 287 s while the form's p99 was 28 s).
/// </summary>
public sealed class FolderPumpTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("pump-").FullName;
    private readonly ConcurrentDictionary<string, int> handled = new();
    private readonly TaskCompletionSource slowMayFinish = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int running;
    private int mostAtOnce;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_slow_mail_does_not_hold_back_the_mails_that_come_after_it()
    {
        using var stop = new CancellationTokenSource();
        var pump = new FolderPump(folder, "*.eml", 4, HandleAsync).RunAsync(TimeSpan.FromMilliseconds(50), stop.Token);
        Drop("a-slow", "b", "c");
        await UntilAsync(() => handled.Count == 2);

        Drop(Enumerable.Range(0, 20).Select(i => $"later-{i:D2}").ToArray());
        await UntilAsync(() => handled.Count == 22);

        Assert.False(handled.ContainsKey("a-slow.eml"));
        slowMayFinish.SetResult();
        await UntilAsync(() => handled.Count == 23);
        await stop.CancelAsync();
        await pump;
        Assert.All(handled.Values, times => Assert.Equal(1, times));
    }

    [Fact]
    public async Task At_most_the_slots_run_at_once_and_each_file_is_handled_once()
    {
        slowMayFinish.SetResult();
        using var stop = new CancellationTokenSource();
        var pump = new FolderPump(folder, "*.eml", 4, HandleAsync).RunAsync(TimeSpan.FromMilliseconds(20), stop.Token);
        Drop(Enumerable.Range(0, 40).Select(i => $"m-{i:D2}").ToArray());
        File.WriteAllText(Path.Combine(folder, ".being-written.eml"), "x");

        await UntilAsync(() => handled.Count == 40);
        await stop.CancelAsync();
        await pump;

        Assert.Equal(4, mostAtOnce);
        Assert.All(handled.Values, times => Assert.Equal(1, times));
        Assert.True(File.Exists(Path.Combine(folder, ".being-written.eml")));
    }

    /// <summary>As the inbox's handler: takes a while, then moves the file out of the folder.</summary>
    private async Task HandleAsync(string file, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref running);
        InterlockedMax(ref mostAtOnce, now);
        try
        {
            await Task.Delay(30, cancellationToken);
            if (Path.GetFileName(file) == "a-slow.eml")
            {
                await slowMayFinish.Task.WaitAsync(cancellationToken);
            }

            Directory.CreateDirectory(Path.Combine(folder, "handled"));
            File.Move(file, Path.Combine(folder, "handled", Path.GetFileName(file)));
            handled.AddOrUpdate(Path.GetFileName(file), 1, (_, n) => n + 1);
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    private void Drop(params string[] names)
    {
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(folder, name + ".eml"), "Subject: test\r\n\r\nbody");
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the folder was not handled in time");
            await Task.Delay(20);
        }
    }
}
