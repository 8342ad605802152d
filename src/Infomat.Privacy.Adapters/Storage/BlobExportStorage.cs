using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

using Infomat.Privacy.Storage;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// Finished exports in the <c>exports</c> container of the exports account (<see cref="StorageClients.Exports"/>: in
/// Azure an account of its own, the only one a browser reaches, decision 67; locally the main account) and read-only
/// links to them: a service SAS where the client holds an account key (Azurite), a user delegation SAS obtained with the
/// managed identity in Azure.
/// </summary>
public sealed class BlobExportStorage(StorageClients clients) : IExportStorage
{
    public const string Container = "exports";
    private readonly BlobContainerClient container = clients.Exports.GetBlobContainerClient(Container);
    private readonly SetUpOnce ready = new(() => clients.Exports.GetBlobContainerClient(Container).CreateIfNotExistsAsync());

    public async Task<string?> WriteAsync(string blobName, string? overVersion, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await ready.EnsureAsync();
        // The write's own mark: a commit the client sent again after its first try went through (the reply lost) fails its
        // condition on this very write, which is then this write's, not another's.
        var writeId = Guid.NewGuid().ToString("N");
        var blob = container.GetBlockBlobClient(blobName);
        await using var output = new BlockBlobWrite(blob, new CommitBlockListOptions
        {
            HttpHeaders = new() { ContentType = "application/zip" },
            Metadata = new Dictionary<string, string> { [WriteMark] = writeId },
            Conditions = overVersion is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(overVersion) },
        });
        await write(output, cancellationToken);
        try
        {
            return (await output.CommitAsync(cancellationToken)).ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 412 || ex.ErrorCode is "BlobAlreadyExists" or "BlobNotFound" or "InvalidBlockList")
        {
            // Written since (412, or 409 where there was none; or another commit dropped this write's blocks), or deleted
            // since (404 on Azure, 412 on Azurite): not committed, unless the blob is this write's own.
            try
            {
                var now = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                return now.Metadata.TryGetValue(WriteMark, out var mark) && mark == writeId ? now.ETag.ToString() : null;
            }
            catch (RequestFailedException gone) when (gone.Status == 404)
            {
                return null;
            }
        }
    }

    /// <summary>The metadata key naming the write that committed the blob (a random id; no personal data).</summary>
    private const string WriteMark = "write";

    public async Task<long?> GetSizeAsync(string blobName, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var blob = container.GetBlobClient(blobName);
        if (!await blob.ExistsAsync(cancellationToken))
        {
            return null;
        }

        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        return properties.Value.ContentLength;
    }

    public async Task MarkDeliveredAsync(string blobName, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        // Setting metadata changes the blob's last-modified time, from which the exports account's lifecycle rule counts.
        await container.GetBlobClient(blobName).SetMetadataAsync(
            new Dictionary<string, string> { ["delivered"] = at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken: cancellationToken);
    }

    public async Task<string?> GetVersionAsync(string blobName, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        try
        {
            return (await container.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string blobName, string version, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var blob = container.GetBlobClient(blobName);
        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = new ETag(version) }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Written again (or marked delivered) since its version was read: not the blob the caller meant. A blob gone
            // meanwhile fails the condition too on Azurite (412 where Azure answers 404), and so does a delete the client
            // sent again after its first try went through: gone is what was asked.
            return !await blob.ExistsAsync(cancellationToken);
        }
    }

    public async Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        return await CaseBlobs.DeleteAsync(container, caseId, cancellationToken);
    }

    public async Task<Uri> CreateReadLinkAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var startsOn = DateTimeOffset.UtcNow.AddMinutes(-1);
        var expiresOn = DateTimeOffset.UtcNow.Add(lifetime);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = Container,
            BlobName = blobName,
            Resource = "b",
            StartsOn = startsOn,
            ContentDisposition = "attachment; filename=\"" + Path.GetFileName(blobName) + "\"",
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };

        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        var key = await clients.Exports.GetUserDelegationKeyAsync(startsOn, expiresOn, cancellationToken);
        var query = sas.ToSasQueryParameters(key.Value, clients.Exports.AccountName);
        return new UriBuilder(blob.Uri) { Query = query.ToString() }.Uri;
    }
}
