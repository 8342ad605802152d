using Azure.Core;
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

    /// <summary>Clients made elsewhere (a host with its own credentials, or a test against a special Azurite).</summary>
    public StorageClients(BlobServiceClient blobs, TableServiceClient tables, QueueServiceClient queues)
    {
        Blobs = blobs;
        Tables = tables;
        Queues = queues;
    }

    public StorageClients(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[Setting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            Blobs = new BlobServiceClient(connectionString);
            Tables = new TableServiceClient(connectionString);
            Queues = new QueueServiceClient(connectionString, QueueOptions);
            return;
        }

        var section = configuration.GetSection(Setting);
        var blobUri = section["blobServiceUri"];
        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        if (string.IsNullOrWhiteSpace(blobUri) || string.IsNullOrWhiteSpace(tableUri) || string.IsNullOrWhiteSpace(queueUri))
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{Setting}' to a connection string (Azurite: UseDevelopmentStorage=true), " +
                $"or '{Setting}__blobServiceUri', '{Setting}__queueServiceUri' and '{Setting}__tableServiceUri' for a managed identity.");
        }

        TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
        Blobs = new BlobServiceClient(new Uri(blobUri), credential);
        Tables = new TableServiceClient(new Uri(tableUri), credential);
        Queues = new QueueServiceClient(new Uri(queueUri), credential, QueueOptions);
    }

    /// <summary>Base64 messages, as the Functions queue trigger expects them.</summary>
    private static QueueClientOptions QueueOptions => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public BlobServiceClient Blobs { get; }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }
}
