using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>Store results between collection and packaging: one JSON-lines blob per case and store, deleted once the zip is written.</summary>
public sealed class BlobStagingStorage(StorageClients clients) : IStagingStorage
{
    public const string Container = "staging";
    private readonly BlobContainerClient container = clients.Blobs.GetBlobContainerClient(Container);
    private readonly SetUpOnce ready = new(() => clients.Blobs.GetBlobContainerClient(Container).CreateIfNotExistsAsync());

    public static string BlobName(string caseId, string storeKey) => $"{caseId}/{storeKey.Replace('/', '-')}.jsonl";

    public async Task<int> WriteAsync(string caseId, string storeKey, IAsyncEnumerable<StoreRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        await ready.EnsureAsync();
        var blob = container.GetBlockBlobClient(BlobName(caseId, storeKey));
        var count = 0;
        // Committed whole once every record is written: a second collect of the same store (a step delivered twice)
        // never empties or cuts short the file another step is reading (decision 115).
        await using (var stream = new BlockBlobWrite(blob))
        {
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                var line = new JsonObject { ["table"] = record.Table, ["fields"] = record.Fields.DeepClone() };
                await stream.WriteAsync(Encoding.UTF8.GetBytes(line.ToJsonString() + "\n"), cancellationToken);
                count++;
            }

            await stream.CommitAsync(cancellationToken);
        }

        return count;
    }

    public async Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        return await CaseBlobs.DeleteAsync(container, caseId, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListCasesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await foreach (var item in container.GetBlobsByHierarchyAsync(new Azure.Storage.Blobs.Models.GetBlobsByHierarchyOptions { Delimiter = "/" }, cancellationToken))
        {
            if (item.IsPrefix)
            {
                yield return item.Prefix.TrimEnd('/');
            }
        }
    }

    public async IAsyncEnumerable<StoreRecord> ReadAsync(string caseId, string storeKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var blob = container.GetBlobClient(BlobName(caseId, storeKey));
        // One request, streamed (the SDK resumes it where it broke off on a transient failure); OpenRead would first ask
        // for the blob's properties, a second round trip for each of the several reads of a part an export makes.
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var stream = download.Value.Content;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var node = JsonNode.Parse(line)!.AsObject();
            yield return new StoreRecord(node["table"]!.GetValue<string>(), node["fields"]!.AsObject().DeepClone().AsObject());
        }
    }
}
