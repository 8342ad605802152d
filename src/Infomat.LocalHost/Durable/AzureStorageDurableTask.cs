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
        services.AddHostedService(sp => new SidecarHost(address, sp.GetRequiredService<AzureStorageOrchestrationService>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(address);
            builder.AddTasks(tasks);
        });
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
    /// start once the worker connects and stop with it.
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
        }

        /// <summary>
        /// Stops the sidecar and waits, within the host's shutdown time, until the provider has stopped and given back
        /// its partition leases (the sidecar only starts that stop): the next host takes over at once, and the storage
        /// may go away after this returns.
        /// </summary>
        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (host is null)
            {
                return;
            }

            await host.StopAsync(cancellationToken);
            try
            {
                await engine.Stopped.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LeasesKept(logger);
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

        [LoggerMessage(144, LogLevel.Warning, "The host's shutdown time ran out before the task hub had given back its partition leases; the next host takes them over once they expire")]
        private static partial void LeasesKept(ILogger logger);
    }
}
