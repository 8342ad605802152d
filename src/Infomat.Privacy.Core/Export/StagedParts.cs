using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>
/// The staged records an export reads, with its small parts read ahead. The zip is written in passes (summary, JSON,
/// CSV, files), each reading every part again; for a case over many stores that is many storage reads one after the
/// other. Parts of up to <see cref="MaxRecordsInMemory"/> records together (smallest first) are read once, all at the
/// same time, and the passes read them from memory; larger parts stream from storage on every pass, as before, so the
/// memory an export takes stays bounded whatever its size.
/// </summary>
public static class StagedParts
{
    /// <summary>Records held in memory for one export at most (a few MB: records are rows of a few fields).</summary>
    public const int MaxRecordsInMemory = 2_000;

    /// <param name="parts">Each part's key and its number of records (the collect's counts).</param>
    /// <param name="read">Reads a part's staged records from storage.</param>
    /// <param name="cancellationToken">Stops the reads ahead.</param>
    /// <returns>A reader of the parts: from memory for those read ahead, from storage for the others.</returns>
    public static async Task<Func<string, IAsyncEnumerable<StoreRecord>>> PrefetchAsync(
        IReadOnlyList<(string Key, int Records)> parts, Func<string, IAsyncEnumerable<StoreRecord>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(read);
        var ahead = new List<string>();
        var budget = MaxRecordsInMemory;
        foreach (var (key, records) in parts.Where(p => p.Records > 0).OrderBy(p => p.Records))
        {
            if (records > budget)
            {
                break;
            }

            budget -= records;
            ahead.Add(key);
        }

        var loaded = await Task.WhenAll(ahead.Select(async key => (Key: key, Records: await read(key).ToListAsync(cancellationToken))));
        var memory = loaded.ToDictionary(x => x.Key, x => x.Records, StringComparer.Ordinal);

        // A copy per pass: a pass may change the records it writes (the review's marker), the next must read them as staged.
        return key => memory.TryGetValue(key, out var records)
            ? records.Select(r => r with { Fields = r.Fields.DeepClone().AsObject() }).ToAsyncEnumerable()
            : read(key);
    }
}
