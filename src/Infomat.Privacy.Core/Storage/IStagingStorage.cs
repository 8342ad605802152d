using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Storage;

/// <summary>
/// Where store results wait between collection and packaging, so that record data never passes through
/// durable payloads: written once per case and store under a deterministic name, deleted as soon as the zip is written.
/// </summary>
public interface IStagingStorage
{
    /// <summary>Writes the records (replacing any earlier attempt) and returns how many were written.</summary>
    Task<int> WriteAsync(string caseId, string storeKey, IAsyncEnumerable<StoreRecord> records, CancellationToken cancellationToken);

    IAsyncEnumerable<StoreRecord> ReadAsync(string caseId, string storeKey, CancellationToken cancellationToken);

    /// <summary>Deletes every store's staged records of the case; returns how many blobs there were (0 when none are left).</summary>
    Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The ids of the cases that have records staged (for the retention sweep: a case that ended without a zip).</summary>
    IAsyncEnumerable<string> ListCasesAsync(CancellationToken cancellationToken);
}
