using Infomat.Privacy.Http.Hosting;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The case list's <c>Server-Timing</c> names the thread pool's starvation (issue 21 item 3): the count must move when
/// queued work waits for a thread, or a slow look blamed on "outside the page" could not be told from one that waited
/// for a thread.
/// </summary>
[Collection(ThreadPoolStarvationTests.Alone)]
public sealed class ThreadPoolStarvationTests
{
    /// <summary>Run apart from the other tests: it blocks the pool's threads for a moment.</summary>
    public const string Alone = "thread pool blocked";

    [Fact]
    public async Task Work_left_waiting_behind_blocked_threads_is_counted_and_the_list_header_says_so()
    {
        ThreadPoolStarvation.Start();
        var before = ThreadPoolStarvation.Count;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // More work items blocked on a task than the pool has threads (sync over async, the usual cause): the runtime
        // adds threads for them, and what is queued behind them waits until it does.
        var blockers = Enumerable.Range(0, ThreadPool.ThreadCount + Environment.ProcessorCount + 2)
            .Select(_ => Task.Run(() => release.Task.Wait(TimeSpan.FromSeconds(10))))
            .ToList();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(8);
            while (ThreadPoolStarvation.Count == before && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
        finally
        {
            release.SetResult();
            await Task.WhenAll(blockers);
        }

        Assert.True(ThreadPoolStarvation.Count > before, "no starvation counted while the pool's threads were all blocked");
        Assert.NotNull(ThreadPoolStarvation.SinceLast);

        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        ServerTiming.MarkStart(context);
        var timing = new ServerTiming(context);
        timing.Step("page");
        timing.WriteTo(context.Response);
        var header = context.Response.Headers["Server-Timing"].ToString();
        Assert.StartsWith("before;dur=", header, StringComparison.Ordinal);
        Assert.Matches(@"pool;desc=""\d+ threads / \d+ queued / [1-9]\d* starved \(last \d+ ms ago\)""", header);
    }
}

/// <summary>The tests that block the thread pool run with no other test beside them.</summary>
[CollectionDefinition(ThreadPoolStarvationTests.Alone, DisableParallelization = true)]
public sealed class ThreadPoolBlockedCollection;
