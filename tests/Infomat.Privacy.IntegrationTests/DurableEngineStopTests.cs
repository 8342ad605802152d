using System.Collections.Concurrent;
using System.Reflection;

using Azure.Data.Tables;

using DurableTask.Core;

using Infomat.LocalHost.Durable;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Logging;

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
        var host = new InProcessHost(azurite) { TaskHub = hub };
        await host.StartAsync();
        using (var flows = new Flows(host))
        {
            var id = await flows.SubmitAsync(email: "an.peeters@example.be", entity: "be");
            await host.Mailbox.WaitForAsync("verification", id);
        }

        await host.StopAsync();

        // The next host (a restart, a second instance) takes over at once: no partition is still leased to this one.
        var leases = new TableClient(azurite.ConnectionString, hub + "Partitions").QueryAsync<TableEntity>();
        var owners = new List<string?>();
        await foreach (var lease in leases)
        {
            owners.Add(lease.GetString("CurrentOwner"));
        }

        Assert.Equal(new LocalDurableOptions().PartitionCount, owners.Count);
        Assert.All(owners, owner => Assert.True(string.IsNullOrEmpty(owner), $"partition still leased to {owner}"));
    }

    [Fact]
    public async Task A_task_hub_whose_stop_fails_is_logged_with_its_error_type_and_the_stop_does_not_throw()
    {
        var logger = new RecordingLogger();
        var failing = FailingStop.Create(new TimeoutException("Timed-out waiting for the partition manager to shut down."));
        var engine = new GuardedOrchestrationService(failing, logger);

        // What the sidecar's fire-and-forget stop calls: an exception here would take the whole process down.
        await engine.StopAsync();

        Assert.True(engine.Stopped.IsCompletedSuccessfully);
        var line = Assert.Single(logger.Lines);
        Assert.Equal((LogLevel.Warning, 143), (line.Level, line.Id));
        Assert.Contains(nameof(TimeoutException), line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_hub_that_stops_in_time_is_reported_stopped_only_after_its_stop_finished()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = new GuardedOrchestrationService(FailingStop.Create(release.Task), new RecordingLogger());

        var stopping = engine.StopAsync();
        await Task.Delay(100);
        Assert.False(engine.Stopped.IsCompleted);

        release.SetResult();
        await stopping;
        Assert.True(engine.Stopped.IsCompletedSuccessfully);
    }

    /// <summary>An orchestration service whose stop fails (or waits) as told; nothing else of it is called here.</summary>
    public class FailingStop : DispatchProxy
    {
        private Func<Task> stop = () => Task.CompletedTask;

        public static IOrchestrationService Create(Exception error) => Create(Task.FromException(error));

        public static IOrchestrationService Create(Task stop)
        {
            var proxy = DispatchProxy.Create<IOrchestrationService, FailingStop>();
            ((FailingStop)(object)proxy).stop = () => stop;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IOrchestrationService.StopAsync) ? stop() : throw new NotSupportedException(targetMethod?.Name);
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
