using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>The blobs of one case in a container: every name starts with <c>{caseId}/</c>.</summary>
internal static class CaseBlobs
{
    /// <summary>Deletes every blob of the case in <paramref name="container"/>; returns how many were deleted (a blob gone meanwhile is not counted).</summary>
    public static async Task<int> DeleteAsync(BlobContainerClient container, string caseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        // A few at a time: a case over 20 stores has 20 staged blobs.
        var deleted = 0;
        await Parallel.ForEachAsync(
            container.GetBlobsAsync(new GetBlobsOptions { Prefix = caseId + "/" }, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                if ((await container.GetBlobClient(item.Name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct)).Value)
                {
                    Interlocked.Increment(ref deleted);
                }
            });

        return deleted;
    }
}
