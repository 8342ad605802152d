using System.Collections.Concurrent;
using System.Diagnostics;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// Counts what the Functions app would be billed for while a host of the test process runs a case: the Durable Task
/// worker's server spans (ActivitySource <c>Microsoft.DurableTask</c>: <c>activity:&lt;Name&gt;</c> and
/// <c>orchestration:&lt;Name&gt;</c>, one per execution), and every HTTP request of the process (ActivitySource
/// <c>System.Net.Http</c>), told apart by the port it went to: the host's (a request served) or one of the Azurite's
/// (a storage transaction of the Blob, Queue or Table service). The Durable provider's own clients go through the
/// same HttpClient stack, so its queue polling, history writes and leases are counted too. Other tests of the process
/// run on other ports and other instance ids, so their traffic is left out. As a logger provider added to the host's
/// logger factory, it also counts the log entries the host writes (what Application Insights would ingest as traces).
/// </summary>
public sealed class CostMeter : IDisposable, ILoggerProvider
{
    private int logEntries;

    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<Span> spans = new();
    private readonly Dictionary<int, string> services;
    private int hostPort;

    /// <param name="azurite">The Azurite whose requests count as storage transactions.</param>
    /// <param name="storageOnly">Only the HTTP requests (storage, served), not the durable worker's spans: a listener on them makes the worker record every execution.</param>
    public CostMeter(Azurite azurite, bool storageOnly = false)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        services = new() { [azurite.BlobPort] = "Blob", [azurite.QueuePort] = "Queue", [azurite.TablePort] = "Table" };
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http" || (!storageOnly && source.Name == "Microsoft.DurableTask"),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The port of the host whose served requests count as HTTP executions.</summary>
    public void ServedBy(int port) => hostPort = port;

    /// <summary>What was counted from now on; <see cref="Reading.Stop"/> freezes it.</summary>
    public Reading Start() => new(this, spans.Count, logEntries);

    public ILogger CreateLogger(string categoryName) => new Counter(this);

    private sealed class Counter(CostMeter meter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Interlocked.Increment(ref meter.logEntries);
            }
        }
    }

    private void Record(Activity activity)
    {
        if (activity.Source.Name == "System.Net.Http")
        {
            var port = activity.GetTagItem("server.port") is { } p ? Convert.ToInt32(p, System.Globalization.CultureInfo.InvariantCulture) : -1;
            var kind = port == hostPort ? "Http" : services.GetValueOrDefault(port);
            if (kind is not null)
            {
                var method = activity.GetTagItem("http.request.method") as string ?? "?";
                var path = activity.GetTagItem("url.full") is string url ? new Uri(url).AbsolutePath : string.Empty;
                spans.Enqueue(new Span(kind, method + " " + path, null, activity.Duration));
            }

            return;
        }

        if (activity.Kind == ActivityKind.Server && (activity.DisplayName.StartsWith("activity:", StringComparison.Ordinal) || activity.DisplayName.StartsWith("orchestration:", StringComparison.Ordinal)))
        {
            var instance = activity.TagObjects.FirstOrDefault(t => t.Key.EndsWith("instance_id", StringComparison.Ordinal)).Value as string;
            spans.Enqueue(new Span(activity.DisplayName.StartsWith("activity:", StringComparison.Ordinal) ? "Activity" : "Orchestration", activity.DisplayName, instance, activity.Duration));
        }
    }

    public void Dispose() => listener.Dispose();

    /// <summary>One counted span: its kind (Http, Activity, Orchestration, Blob, Queue, Table), name, instance id and duration.</summary>
    public sealed record Span(string Kind, string Name, string? Instance, TimeSpan Duration)
    {
        /// <summary>"GET table PrivacyCases": the operation and the table, queue or container (the task hub's name as &lt;hub&gt;).</summary>
        public string Target(string? taskHub = null)
        {
            var parts = Name.Split(' ', 2);
            var segments = parts[1].Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resource = segments.Length > 1 ? segments[1].Split('(')[0] : "(account)";
            resource = taskHub is null ? resource : resource.Replace(taskHub, "<hub>", StringComparison.OrdinalIgnoreCase);
            return $"{parts[0]} {Kind.ToLowerInvariant()} {resource}";
        }
    }

    /// <summary>The spans counted between <see cref="Start"/> and <see cref="Stop"/>, with the wall-clock time between.</summary>
    public sealed class Reading(CostMeter meter, int from, int logsFrom)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private IReadOnlyList<Span>? frozen;
        private int? logsTo;

        /// <summary>Log entries (Information and above, after the host's own filters) the host wrote meanwhile.</summary>
        public int LogEntries => (logsTo ?? meter.logEntries) - logsFrom;

        public TimeSpan Elapsed => clock.Elapsed;

        public IReadOnlyList<Span> Spans => frozen ?? meter.spans.Skip(from).ToList();

        public Reading Stop()
        {
            clock.Stop();
            logsTo = meter.logEntries;
            frozen = meter.spans.Skip(from).ToList();
            return this;
        }

        /// <summary>The storage transactions (Blob, Queue and Table requests).</summary>
        public IReadOnlyList<Span> Storage() => Spans.Where(s => s.Kind is "Blob" or "Queue" or "Table").ToList();

        /// <summary>Spans of a kind; the durable ones only of <paramref name="instance"/> (the case's orchestration).</summary>
        public IReadOnlyList<Span> Of(string kind, string? instance = null) =>
            Spans.Where(s => s.Kind == kind && (instance is null || s.Instance == instance)).ToList();
    }
}
