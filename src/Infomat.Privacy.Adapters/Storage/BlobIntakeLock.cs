using Azure;
using Azure.Storage.Blobs.Specialized;

using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// <see cref="IIntakeLock"/> as a lease on an empty blob in the <c>mail-state</c> container (<c>{name}.lock</c>). A lease
/// ends by itself after <see cref="LeaseDuration"/>, so an instance that dies holding it blocks the others only that long.
/// </summary>
public sealed class BlobIntakeLock(StorageClients storage) : IIntakeLock
{
    private const string StateContainer = "mail-state";

    /// <summary>Longer than a subscription check takes (Graph gives its validation request 10 seconds).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    public async Task<IAsyncDisposable?> AcquireAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var container = storage.Blobs.GetBlobContainerClient(StateContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient(name + ".lock");
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists (and may be leased): fine.
        }

        var lease = blob.GetBlobLeaseClient();
        var until = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
                return new Held(lease);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                if (DateTimeOffset.UtcNow >= until)
                {
                    return null;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    private sealed class Held(BlobLeaseClient lease) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await lease.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // Lost already (it ran out): the next holder is not blocked either way.
            }
        }
    }
}
