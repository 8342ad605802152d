using System.Security.Cryptography;

using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

using Infomat.LocalHost.Durable;
using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Workflow;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// The local host's composition (the same services and routes as Infomat.LocalHost's Program) inside the test process,
/// so that a test can put a <see cref="StorageFaults"/> policy on the storage clients, as a storage account that answers
/// 503 would, or run another release's orchestrator. The durable engine is the in-memory one (quick to start), or the
/// local host's Azure Storage provider when <see cref="TaskHub"/> is set.
/// </summary>
public sealed class InProcessHost : ITestHost, IAsyncDisposable
{
    private readonly Azurite azurite;

    public string StorageConnectionString => azurite.ConnectionString;
    private WebApplication? app;

    public InProcessHost(Azurite azurite)
    {
        this.azurite = azurite;
        Port = Repo.FreePort();
        MailDirectory = Repo.NewTempDirectory("mail");
        StoresDirectory = Repo.NewTempDirectory("stores");
        Mailbox = new Mailbox(MailDirectory);
    }

    /// <summary>When set, the orchestrations run on the Azure Storage provider in this task hub of the Azurite, and survive a restart.</summary>
    public string? TaskHub { get; init; }

    /// <summary>When set, the task hub lives in this Azurite instead of the host's (<c>LocalHost:Durable:ConnectionString</c>, decision 82).</summary>
    public Azurite? TaskHubAzurite { get; init; }

    /// <summary>Settings over the local host's (e.g. a benchmark's raised submission limits), applied at the next start.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>The orchestrators and activities the next start registers (default: the pipeline's own); a test may stand in an older release.</summary>
    public Action<DurableTaskRegistry>? Tasks { get; set; }

    /// <summary>Services a test puts in place of the host's (registered last, so they win).</summary>
    public Action<IServiceCollection>? Replace { get; init; }

    /// <summary>One signing key across restarts: links already mailed keep working, as with a real host.</summary>
    private readonly string signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The table of this host's submission counters.</summary>
    public string LimitTable { get; } = "limits" + Guid.NewGuid().ToString("N");

    /// <summary>The faults on the wire of the Table client (case register, used tokens, audit).</summary>
    public StorageFaults TableFaults { get; } = new();

    /// <summary>The faults on the wire of the exports' Blob client (the zips the requester downloads; decision 67).</summary>
    public StorageFaults ExportFaults { get; } = new();

    public int Port { get; private set; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string MailDirectory { get; }

    public string StoresDirectory { get; }

    public Mailbox Mailbox { get; }

    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("Start the host first.");

    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync();
                return;
            }
            catch (IOException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // The free port was taken meanwhile by another test process: take another.
                await DisposeAsync();
                Port = Repo.FreePort();
            }
        }
    }

    private async Task StartOnceAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:PublicBaseUrl"] = BaseUrl,
            ["Privacy:Tokens:SigningKey"] = signingKey,
            ["Privacy:Pseudonymisation:Key"] = Convert.ToBase64String(LocalHostProcess.PseudonymisationKey),
            ["Privacy:KeyRing:EncryptionKey"] = Convert.ToBase64String(LocalHostProcess.KeyRingEncryptionKey),
            ["Privacy:Staff:Language"] = "Nl",
            ["Privacy:Staff:RequireSignIn"] = "false",
            // As LocalHostProcess: the list read now (decision 80 has tests of its own).
            ["Privacy:Staff:ListPatience"] = "00:01:00",
            ["Mail:PickupDirectory"] = MailDirectory,
            ["Stores:Directory"] = StoresDirectory,
            ["Stores:SeedDemoData"] = "true",
            // The submission limits of this host alone (see LocalHostProcess).
            ["Privacy:Intake:LimitTable"] = LimitTable,
            ["LocalHost:Durable:Backend"] = TaskHub is null ? nameof(DurableBackend.InMemory) : nameof(DurableBackend.AzureStorage),
            ["LocalHost:Durable:TaskHub"] = TaskHub ?? "unused",
            ["LocalHost:Durable:ConnectionString"] = TaskHubAzurite?.ConnectionString,
        });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.WebHost.UseUrls(BaseUrl);
        builder.Logging.ClearProviders();
        builder.Services.AddInfomatPrivacy(builder.Configuration);
        builder.Services.AddLocalDurableTask(builder.Configuration, Tasks ?? (r => r.AddPrivacyWorkflow()));

        // The same clients the adapters make from the connection string, with the fault policy on the Table client's wire.
        // Few and quick retries: the test is about what a person sees once the SDK gives up, not about its back-off.
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(TableFaults, HttpPipelinePosition.PerRetry);
        tableOptions.Retry.MaxRetries = 1;
        tableOptions.Retry.Delay = TimeSpan.FromMilliseconds(50);
        var exportOptions = new BlobClientOptions();
        exportOptions.AddPolicy(ExportFaults, HttpPipelinePosition.PerRetry);
        exportOptions.Retry.MaxRetries = 1;
        exportOptions.Retry.Delay = TimeSpan.FromMilliseconds(50);
        builder.Services.AddSingleton(new StorageClients(
            new BlobServiceClient(azurite.ConnectionString),
            new TableServiceClient(azurite.ConnectionString, tableOptions),
            new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            new BlobServiceClient(azurite.ConnectionString, exportOptions)));

        Replace?.Invoke(builder.Services);
        app = builder.Build();
        app.MapInfomatPrivacy();
        await app.StartAsync();
    }

    /// <summary>Stops the host (gracefully, as a deployment does); <see cref="StartAsync"/> starts it again on the same port and folders.</summary>
    public async Task StopAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }
    }
}
