using Azure;

using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The mailbox delta links as blobs in the <c>mail-state</c> container of the app's storage account
/// (<c>{name}.delta-link</c>), so a sweep resumes where the last one stopped, on any instance and after a restart, and
/// when the last complete sweep began (<c>{name}.swept-at</c>, ISO 8601 UTC).
/// </summary>
public sealed class BlobDeltaLinkStorage(StorageClients storage) : IDeltaLinkStorage
{
    private const string StateContainer = "mail-state";

    public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => ReadTextAsync(name + ".delta-link", cancellationToken);

    public Task WriteAsync(string name, string deltaLink, CancellationToken cancellationToken) => WriteTextAsync(name + ".delta-link", deltaLink, cancellationToken);

    public async Task<DateTimeOffset?> ReadSweptAsync(string name, CancellationToken cancellationToken) =>
        await ReadTextAsync(name + ".swept-at", cancellationToken) is { } text
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null; // none, or not a time (written by hand?): nothing is vouched for until the next sweep writes it

    public Task WriteSweptAsync(string name, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        WriteTextAsync(name + ".swept-at", startedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    private async Task<string?> ReadTextAsync(string blobName, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(blobName, cancellationToken);
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing written yet: before the first sweep.
            return null;
        }
    }

    private async Task WriteTextAsync(string blobName, string text, CancellationToken cancellationToken)
    {
        var blob = await BlobAsync(blobName, cancellationToken);
        await blob.UploadAsync(BinaryData.FromString(text), overwrite: true, cancellationToken);
    }

    private async Task<Azure.Storage.Blobs.BlobClient> BlobAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var container = storage.Blobs.GetBlobContainerClient(StateContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return container.GetBlobClient(name);
    }
}
