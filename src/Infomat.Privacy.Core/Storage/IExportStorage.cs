namespace Infomat.Privacy.Storage;

/// <summary>Where finished exports live and how a requester gets a short-lived read link to one.</summary>
public interface IExportStorage
{
    /// <summary>
    /// Writes the export blob with <paramref name="write"/>. The blob appears whole, replacing any earlier one at once,
    /// only when <paramref name="write"/> completes; until then readers see the earlier blob (or none), and a write that
    /// throws leaves it as it was (decision 115). It is committed only while the blob is still at
    /// <paramref name="overVersion"/> (<see cref="GetVersionAsync"/>, read before; null: there was none): returns the
    /// version written (its ETag), or null, nothing written, when the blob was written, changed or deleted since (another
    /// run's zip is never written over with what this one read, decision 135).
    /// </summary>
    Task<string?> WriteAsync(string blobName, string? overVersion, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken);

    Task<long?> GetSizeAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>A read-only URL for that one blob, valid for <paramref name="lifetime"/>.</summary>
    Task<Uri> CreateReadLinkAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// Records on the zip when its link went to the requester (<paramref name="at"/>). A write, so the lifecycle rule that
    /// deletes zips some days after their last change counts from the mail that promises the link's end, not from when
    /// the zip was built (days earlier when the mail could not be sent at first).
    /// </summary>
    Task MarkDeliveredAsync(string blobName, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The blob's version as it stands now (its ETag), or null when there is none.</summary>
    Task<string?> GetVersionAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the blob only while it is still at <paramref name="version"/> (<see cref="GetVersionAsync"/>): true when it
    /// is gone (deleted now, or before), false when it was written or changed since and is left as it is.
    /// </summary>
    Task<bool> DeleteAsync(string blobName, string version, CancellationToken cancellationToken);

    /// <summary>Deletes every export blob of the case (whatever the register recorded); returns how many there were.</summary>
    Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken);
}
