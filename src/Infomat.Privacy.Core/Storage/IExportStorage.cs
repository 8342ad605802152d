namespace Infomat.Privacy.Storage;

/// <summary>Where finished exports live and how a requester gets a short-lived read link to one.</summary>
public interface IExportStorage
{
    /// <summary>A write stream for the export blob; the blob appears whole when the stream is disposed.</summary>
    Task<Stream> OpenWriteAsync(string blobName, CancellationToken cancellationToken);

    Task<long?> GetSizeAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>A read-only URL for that one blob, valid for <paramref name="lifetime"/>.</summary>
    Task<Uri> CreateReadLinkAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>Deletes the export (staff revoked it); nothing happens when it is already gone.</summary>
    Task DeleteAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>Deletes every export blob of the case (whatever the register recorded); returns how many there were.</summary>
    Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken);
}
