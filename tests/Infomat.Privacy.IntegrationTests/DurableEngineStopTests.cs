using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

using Azure.Data.Tables;

using DurableTask.Core;

using Infomat.LocalHost.Durable;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Workflow;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The local host's durable engine stops inside the host's stop. The sidecar the engine is served by stops it from a
/// fire-and-forget callback, so before this the host's stop returned while the task hub still held its partitions,
/// and when the storage then went away (a test's Azurite disposed, a machine shut down) the provider gave up after
/// 10 minutes with an exception nothing caught: CI saw the test process die that way in the middle of another test.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DurableEngineStopTests(Azurite azurite)
{
    [Fact]
    public async Task A_stopped_host_has_given_back_its_task_hubs_partitions_when_its_stop_returns()
    {
        var hub = "stop" + Guid.NewGuid().ToString("N")[..12];
        await using var host = new InProcessHost(azurite) { TaskHub = hub };
        await host.StartAsync();
        using (var flows = new Flows(host))
        {
            var id = await flows.SubmitAsync(email: "an.peeters@example.be", entity: "be");
            await host.Mailbox.WaitForAsync("verification", id);
        }

        await host.StopAsync();

        // The next host (a restart, a second instance) takes over at once: no partition is still leased to this one.
        Assert.All(await OwnersAsync(hub), owner => Assert.True(string.IsNullOrEmpty(owner), $"partition still leased to {owner}"));
    }

    [Fact]
    public async Task A_host_stopped_while_a_step_runs_lets_it_finish_gives_back_its_partitions_and_loses_nothing()
    {
        // The worker stopped first and the sidecar never heard back about the step in flight: its dispatchers waited for
        // it (up to an hour, then an exception that ends the process), the task hub kept its partitions, and the host's
        // stop used all of its shutdown time. Now the dispatchers stop first, while the worker still answers.
        var hub = "held" + Guid.NewGuid().ToString("N")[..12];
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        await using var host = new InProcessHost(azurite)
        {
            TaskHub = hub,
            Tasks = r =>
            {
                r.AddPrivacyWorkflow();
                r.AddOrchestratorFunc<string, string>("HeldStep", (context, input) => context.CallActivityAsync<string>("Held", input));
                r.AddActivityFunc<string, string>("Held", async (_, input) =>
                {
                    Interlocked.Increment(ref runs);
                    running.TrySetResult();
                    await release.Task;
                    return input;
                });
            },
        };
        await host.StartAsync();
        var id = await Client(host).ScheduleNewOrchestrationInstanceAsync("HeldStep", "n-1");
        await running.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var shutdown = host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var watch = Stopwatch.StartNew();
        var stopping = host.StopAsync();
        await Task.Delay(500);
        release.SetResult();
        await stopping;

        // Within the host's shutdown time (before, the stop ran it out waiting for the step's answer), nothing left leased.
        // About 10 s on an idle machine (the dispatchers' 5-s grace, then the provider's own stop); how far below the
        // shutdown time depends on the machine's load, so the limit is the shutdown time itself, not a guess under it.
        Assert.True(watch.Elapsed < shutdown, $"the stop took {watch.Elapsed.TotalSeconds:0.0} s of its {shutdown.TotalSeconds:0} s");
        Assert.All(await OwnersAsync(hub), owner => Assert.True(string.IsNullOrEmpty(owner), $"partition still leased to {owner}"));

        // The step's answer was kept: the next start completes the orchestration without running the step again.
        await host.StartAsync();
        // The step's answer is in a control-queue message the stopped host had taken: it is back after its 30-s visibility.
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var state = await Client(host).WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, done.Token);
        await host.StopAsync();
        Assert.Equal((OrchestrationRuntimeStatus.Completed, "\"n-1\""), (state.RuntimeStatus, state.SerializedOutput));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_task_hub_whose_stop_fails_is_logged_with_its_error_type_and_the_stop_does_not_throw()
    {
        var logger = new RecordingLogger();
        var provider = FakeProvider.Create(Task.FromException(new TimeoutException("Timed-out waiting for the partition manager to shut down.")));
        var engine = new GuardedOrchestrationService(provider, logger);
        await engine.StartAsync();

        // What the sidecar's fire-and-forget stop calls: an exception here would take the whole process down.
        await engine.StopAsync();

        Assert.True(engine.Stopped.IsCompletedSuccessfully);
        var line = Assert.Single(logger.Lines);
        Assert.Equal((LogLevel.Warning, 143), (line.Level, line.Id));
        Assert.Contains(nameof(TimeoutException), line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_hub_is_reported_stopped_only_after_its_one_stop_finished()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = FakeProvider.Create(release.Task);
        var engine = new GuardedOrchestrationService(provider, new RecordingLogger());
        await engine.StartAsync();

        var first = engine.StopAsync();
        var second = engine.StopAsync(isForced: true);
        await Task.Delay(100);
        Assert.False(engine.Stopped.IsCompleted);

        release.SetResult();
        await Task.WhenAll(first, second);
        Assert.True(engine.Stopped.IsCompletedSuccessfully);
        Assert.Equal((1, 1), (FakeProvider.Of(provider).Starts, FakeProvider.Of(provider).Stops));
    }

    [Fact]
    public async Task A_task_hub_stopped_before_it_started_has_nothing_to_give_back_and_does_not_start_after()
    {
        // The sidecar starts its dispatchers when the worker first connects, which can be after the host began stopping.
        var provider = FakeProvider.Create(Task.CompletedTask);
        var engine = new GuardedOrchestrationService(provider, new RecordingLogger());

        await engine.StopAsync();
        await engine.StartAsync();

        Assert.True(engine.Stopped.IsCompletedSuccessfully);
        Assert.Equal((0, 0), (FakeProvider.Of(provider).Starts, FakeProvider.Of(provider).Stops));
    }

    private static DurableTaskClient Client(InProcessHost host) => host.Services.GetRequiredService<DurableTaskClient>();

    private async Task<List<string?>> OwnersAsync(string hub)
    {
        var owners = new List<string?>();
        await foreach (var lease in new TableClient(azurite.ConnectionString, hub + "Partitions").QueryAsync<TableEntity>())
        {
            owners.Add(lease.GetString("CurrentOwner"));
        }

        Assert.Equal(new LocalDurableOptions().PartitionCount, owners.Count);
        return owners;
    }

    /// <summary>An orchestration service that starts at once and stops as told, counting both; nothing else of it is called here.</summary>
    public class FakeProvider : DispatchProxy
    {
        private Task stop = Task.CompletedTask;

        public int Starts { get; private set; }

        public int Stops { get; private set; }

        public static IOrchestrationService Create(Task stop)
        {
            var proxy = DispatchProxy.Create<IOrchestrationService, FakeProvider>();
            Of(proxy).stop = stop;
            return proxy;
        }

        public static FakeProvider Of(IOrchestrationService proxy) => (FakeProvider)(object)proxy;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case nameof(IOrchestrationService.StartAsync):
                    Starts++;
                    return Task.CompletedTask;
                case nameof(IOrchestrationService.StopAsync):
                    Stops++;
                    return stop;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, int Id, string Message)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }
}
