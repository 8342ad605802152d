using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Storage;

/// <summary>
/// Where store results wait between collection and packaging, so that record data never passes through
/// durable payloads: written once per case and store under a deterministic name.
/// </summary>
public interface IStagingStorage
{
    /// <summary>Writes the records (replacing any earlier attempt) and returns how many were written.</summary>
    Task<int> WriteAsync(string caseId, string storeKey, IAsyncEnumerable<StoreRecord> records, CancellationToken cancellationToken);

    IAsyncEnumerable<StoreRecord> ReadAsync(string caseId, string storeKey, CancellationToken cancellationToken);
}
