using System.Net;
using System.Net.Sockets;

using DurableTask.AzureStorage;
using DurableTask.Core;

using Infomat.Privacy.Adapters.Storage;

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

namespace Infomat.LocalHost.Durable;

/// <summary>
/// The local host's durable engine (decision 72): the Durable extension's Azure Storage provider
/// (<see cref="AzureStorageOrchestrationService"/>) on the host's storage connection, served by the gRPC sidecar of
/// <c>Microsoft.DurableTask.InProcessTestHost</c> (<see cref="TaskHubGrpcServer"/> over any orchestration service) on
/// 127.0.0.1; the Durable Task worker and the <see cref="DurableTaskClient"/> the endpoints use talk to it over gRPC, as
/// the Functions worker talks to its host. Orchestration state, timers and pending events live in Azurite and survive a
/// restart of the host.
/// </summary>
public static partial class AzureStorageDurableTask
{
    /// <summary>Registers the engine <c>LocalHost:Durable:Backend</c> names, the worker with <paramref name="tasks"/>, and the client.</summary>
    public static IServiceCollection AddLocalDurableTask(this IServiceCollection services, IConfiguration configuration, Action<DurableTaskRegistry> tasks)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(LocalDurableOptions.Section).Get<LocalDurableOptions>() ?? new LocalDurableOptions();
        services.AddOptions<LocalDurableOptions>().BindConfiguration(LocalDurableOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (options.Backend == DurableBackend.InMemory)
        {
            return services.AddInMemoryDurableTask(tasks);
        }

        // A free port on the loopback only: nothing outside this machine reaches the sidecar (it has no authentication).
        var address = $"http://127.0.0.1:{FreeLoopbackPort()}";
        services.AddSingleton(sp => new AzureStorageOrchestrationService(Settings(
            sp.GetRequiredService<IOptions<LocalDurableOptions>>().Value,
            TaskHubConnection(sp.GetRequiredService<IOptions<LocalDurableOptions>>().Value, sp.GetRequiredService<IConfiguration>()),
            sp.GetRequiredService<ILoggerFactory>())));

        // Before the worker's own hosted service (registered below), so that the sidecar listens when the worker connects.
        services.AddSingleton(sp => new SidecarHost(address, sp.GetRequiredService<AzureStorageOrchestrationService>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<SidecarHost>());
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(address);
            builder.AddTasks(tasks);
        });

        // After the worker, so stopped before it (hosted services stop in reverse order): the dispatchers stop while the
        // worker still answers, so a step in flight finishes, and the task hub gives back its partitions (decision 87).
        services.AddHostedService(sp => new DispatchersStop(sp.GetRequiredService<SidecarHost>()));
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(address);
            builder.RegisterDirectly();
        });
        return services;
    }

    /// <summary>The task hub's storage: <c>LocalHost:Durable:ConnectionString</c>, else the host's (decision 82).</summary>
    private static string TaskHubConnection(LocalDurableOptions options, IConfiguration configuration) =>
        options.ConnectionString is { Length: > 0 } own ? own : configuration[StorageClients.Setting] ?? "UseDevelopmentStorage=true";

    private static AzureStorageOrchestrationServiceSettings Settings(LocalDurableOptions options, string connectionString, ILoggerFactory loggers) => new()
    {
        TaskHubName = options.TaskHub,
        StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
        PartitionCount = options.PartitionCount,
        MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivityFunctions,
        MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestratorFunctions,
        MaxQueuePollingInterval = options.MaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = options.QueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = options.QueueVisibilityTimeout,
        LoggerFactory = loggers,
    };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The sidecar as a host of its own inside the process (Kestrel, HTTP/2 only, the gRPC service), built the way
    /// <c>DurableTaskTestHost</c> builds it, over the Azure Storage service instead of the in-memory one. Its dispatchers
    /// start once the worker connects; they stop (<see cref="StopDispatchersAsync"/>) before the worker does, and the
    /// gRPC service after it.
    /// </summary>
    private sealed partial class SidecarHost(string address, AzureStorageOrchestrationService service, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
    {
        private readonly GuardedOrchestrationService engine = new(service, loggers.CreateLogger<GuardedOrchestrationService>());
        private readonly ILogger logger = loggers.CreateLogger<SidecarHost>();
        private IHost? host;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // Queues, tables, containers and partition leases of the task hub; nothing is recreated when they exist.
            await service.CreateIfNotExistsAsync();
            host = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging =>
                {
                    logging.ClearProviders();
                    logging.Services.AddSingleton(loggers);
                })
                .ConfigureWebHostDefaults(web =>
                {
                    web.UseUrls(address);
                    web.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
                    web.ConfigureServices(s =>
                    {
                        s.AddGrpc();
                        s.AddSingleton<IOrchestrationService>(engine);
                        s.AddSingleton<IOrchestrationServiceClient>(service);
                        s.AddSingleton<TaskHubGrpcServer>();
                    });
                    web.Configure(app =>
                    {
                        app.UseRouting();
                        app.UseEndpoints(e => e.MapGrpcService<TaskHubGrpcServer>());
                    });
                })
                .Build();
            await host.StartAsync(cancellationToken);

            // The gRPC service hooks its dispatchers' start and stop to the sidecar's lifetime when it is made, which is
            // otherwise at the first call: made now, a stop before the worker's first call still reaches it.
            _ = host.Services.GetRequiredService<TaskHubGrpcServer>();
        }

        /// <summary>
        /// Stops the dispatchers (the sidecar's stopping signal; its gRPC service stays up, so the worker's answers for
        /// work in flight still arrive) and waits, within the host's shutdown time, until the task hub has stopped and
        /// given back its partition leases: the next host takes over at once, and the storage may go away after this.
        /// </summary>
        public async Task StopDispatchersAsync(CancellationToken cancellationToken)
        {
            if (host is null)
            {
                return;
            }

            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            try
            {
                // The dispatchers wait for the work they hold; when the provider has not stopped after a grace, its stop
                // is asked directly: forced (its sessions dropped, their messages come back to the next host) unless
                // one is already under way, which goes on as it is (the stop runs once).
                if (!await Finished(engine.Stopped, DispatcherGrace, cancellationToken))
                {
                    DispatchersSlow(logger);
                    await engine.StopAsync(isForced: true);
                }

                await engine.Stopped.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LeasesKept(logger);
            }
        }

        /// <summary>How long the dispatchers' own stop may take before the provider is stopped directly.</summary>
        private static readonly TimeSpan DispatcherGrace = TimeSpan.FromSeconds(5);

        private static async Task<bool> Finished(Task task, TimeSpan grace, CancellationToken cancellationToken)
        {
            await Task.WhenAny(task, Task.Delay(grace, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            return task.IsCompleted;
        }

        /// <summary>Stops the gRPC service, after the worker stopped.</summary>
        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (host is not null)
            {
                await host.StopAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (host is not null)
            {
                host.Dispose();
                host = null;
            }

            await ValueTask.CompletedTask;
        }

        [LoggerMessage(145, LogLevel.Information, "The sidecar's dispatchers had not stopped after their grace; the task hub is stopped directly")]
        private static partial void DispatchersSlow(ILogger logger);

        [LoggerMessage(144, LogLevel.Warning, "The host's shutdown time ran out before the task hub had given back its partition leases; the next host takes them over once they expire")]
        private static partial void LeasesKept(ILogger logger);
    }

    /// <summary>Registered after the worker, so stopped before it: see <see cref="SidecarHost.StopDispatchersAsync"/>.</summary>
    private sealed class DispatchersStop(SidecarHost sidecar) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => sidecar.StopDispatchersAsync(cancellationToken);
    }
}
