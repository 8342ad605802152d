using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// Blob, queue and table clients for the app's storage account, from the same setting the Functions host uses
/// (<c>AzureWebJobsStorage</c>): a connection string locally (Azurite), or identity-based in Azure
/// (<c>AzureWebJobsStorage__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c>, <c>__clientId</c>) with the managed identity.
/// </summary>
public sealed class StorageClients
{
    public const string Setting = "AzureWebJobsStorage";

    /// <summary>The blob endpoint of the exports account (decision 67); absent: exports stay in the main account (Azurite).</summary>
    public const string ExportsSetting = "Exports:BlobServiceUri";

    /// <summary>
    /// The blob endpoint of the account holding the stores' files (CVs, named after their files and so often after
    /// people: an account that sends no resource logs, decision 173); absent: the main account (Azurite).
    /// </summary>
    public const string FilesSetting = "Stores:FilesBlobServiceUri";

    /// <summary>Clients made elsewhere (a host with its own credentials, or a test against a special Azurite).</summary>
    public StorageClients(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues)
    {
        Blobs = blobs;
        Tables = tables;
        Queues = queues;
        Exports = blobs;
        Files = blobs;
    }

    /// <summary>As above, with the finished exports in another account than the records.</summary>
    public StorageClients(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues, BlobServiceClient exports)
        : this(blobs, tables, queues)
    {
        Exports = exports;
    }

    public StorageClients(IConfiguration configuration)
        : this(configuration, [])
    {
    }

    /// <summary>
    /// The same clients with extra policies on each client's pipeline, run on every try (the local host's fault injection
    /// for its soak run adds one; production adds none).
    /// </summary>
    public StorageClients(IConfiguration configuration, IReadOnlyList<HttpPipelinePolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(policies);
        var blobOptions = With(new BlobClientOptions(), policies);
        var tableOptions = With(new TableClientOptions(), policies);
        var queueOptions = With(QueueOptions, policies);
        var connectionString = configuration[Setting];
        var section = configuration.GetSection(Setting);
        var blobUri = section["blobServiceUri"];
        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        // All three service addresses given win over a connection string: the local host's appsettings.json carries
        // Azurite's, and its commands run against Azure (redrive-mail, verify-audit) with the addresses in the environment.
        var identity = !string.IsNullOrWhiteSpace(blobUri) && !string.IsNullOrWhiteSpace(tableUri) && !string.IsNullOrWhiteSpace(queueUri);
        // Some given but not all: a command meant for Azure would otherwise run against the connection string (the local
        // host's Azurite) and report what it found there (verify-audit: "no events", a chain "broken").
        var missing = new[] { ("blobServiceUri", blobUri), ("queueServiceUri", queueUri), ("tableServiceUri", tableUri) }.Where(x => string.IsNullOrWhiteSpace(x.Item2)).Select(x => $"'{Setting}__{x.Item1}'").ToList();
        if (missing.Count is > 0 and < 3)
        {
            throw new InvalidOperationException($"Storage is half configured for a managed identity: set {string.Join(" and ", missing)} too (all three service addresses, or none).");
        }

        if (!identity && !string.IsNullOrWhiteSpace(connectionString))
        {
            Blobs = new BlobServiceClient(connectionString, blobOptions);
            Tables = new TableServiceClient(connectionString, tableOptions);
            Queues = new QueueServiceClient(connectionString, queueOptions);
            Exports = OtherAccount(configuration, ExportsSetting, blobOptions) ?? Blobs;
            Files = OtherAccount(configuration, FilesSetting, blobOptions) ?? Blobs;
            return;
        }

        if (!identity)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{Setting}' to a connection string (Azurite: UseDevelopmentStorage=true), " +
                $"or '{Setting}__blobServiceUri', '{Setting}__queueServiceUri' and '{Setting}__tableServiceUri' for a managed identity.");
        }

        TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
        Blobs = new BlobServiceClient(new Uri(blobUri!), credential, blobOptions);
        Tables = new TableServiceClient(new Uri(tableUri!), credential, tableOptions);
        Queues = new QueueServiceClient(new Uri(queueUri!), credential, queueOptions);
        Exports = OtherAccount(configuration, ExportsSetting, blobOptions) ?? Blobs;
        Files = OtherAccount(configuration, FilesSetting, blobOptions) ?? Blobs;
    }

    /// <summary>The blob account <paramref name="setting"/> names, with the same identity as the main account; null when none is configured.</summary>
    private static BlobServiceClient? OtherAccount(IConfiguration configuration, string setting, BlobClientOptions options) =>
        configuration[setting] is { Length: > 0 } uri
            ? new BlobServiceClient(new Uri(uri), new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration.GetSection(Setting)["clientId"] }), options)
            : null;

    private static T With<T>(T options, IReadOnlyList<HttpPipelinePolicy> policies)
        where T : ClientOptions
    {
        foreach (var policy in policies)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return options;
    }

    /// <summary>Base64 messages, as the Functions queue trigger expects them.</summary>
    private static QueueClientOptions QueueOptions => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public BlobServiceClient Blobs { get; }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }

    /// <summary>The account the finished exports are written to and downloaded from.</summary>
    public BlobServiceClient Exports { get; }

    /// <summary>The account holding the stores' files (<see cref="FilesSetting"/>).</summary>
    public BlobServiceClient Files { get; }
}
