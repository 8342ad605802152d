using Azure;

using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The mailbox delta links as blobs in the <c>mail-state</c> container of the app's storage account
/// (<c>{name}.delta-link</c>), so a sweep resumes where the last one stopped, on any instance and after a restart.
/// </summary>
public sealed class BlobDeltaLinkStorage(StorageClients storage) : IDeltaLinkStorage
{
    private const string StateContainer = "mail-state";

    public async Task<string?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(name, cancellationToken);
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // First sweep: no link yet.
            return null;
        }
    }

    public async Task WriteAsync(string name, string deltaLink, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(name, cancellationToken);
        await blob.UploadAsync(BinaryData.FromString(deltaLink), overwrite: true, cancellationToken);
    }

    private async Task<Azure.Storage.Blobs.BlobClient> BlobAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var container = storage.Blobs.GetBlobContainerClient(StateContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return container.GetBlobClient(name + ".delta-link");
    }
}
