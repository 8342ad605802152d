using System.Diagnostics;
using System.Text.Json;

using Azure.Data.Tables;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Tasks;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The staff list's entry of every case (<see cref="CaseListEntry"/>: no personal data), held in this process and brought
/// up to date from the register's table at each read (decision 74): only the rows written since the newest one seen
/// (their Timestamp, less a <see cref="Margin"/> for the clocks of the table's servers), and the whole table again once
/// the copy is <see cref="WholeReadEvery"/> old, so a case removed elsewhere (the retention sweep) drops out and nothing
/// missed stays missed. Each read thus costs a query returning the few rows changed since, not 10,000 rows.
/// </summary>
internal sealed class CaseListCopy(TableClient cases, Func<IReadOnlyCollection<string>, CancellationToken, IAsyncEnumerable<CaseListEntry>> readWhole)
{
    /// <summary>The column of the case row that holds its entry as JSON, written with the case (never apart from it).</summary>
    internal const string Column = "List";

    internal const string VersionColumn = "ListVersion";

    /// <summary>
    /// The shape of <see cref="CaseListEntry"/> in <see cref="Column"/>. Raise it when the entry changes: rows of an older
    /// shape are then read whole until the daily sweep rewrites them (<see cref="TableCaseRegister.RefreshListEntriesAsync"/>).
    /// 2: the row also holds its requester's lookup key (<see cref="TableCaseRegister.RequesterColumn"/>), written by the same sweep.
    /// 3: and, once the address was erased, its keyed hash (<see cref="TableCaseRegister.SubjectColumn"/>). The entry's
    /// own shape is that of 2 (<see cref="EntryShapeSince"/>): the list reads rows of 2 as they are, and only the look-up
    /// of a person's cases by keyed hash reads them whole until the sweep rewrites them.
    /// </summary>
    internal const int Version = 3;

    /// <summary>The first row version whose entry has today's shape.</summary>
    internal const int EntryShapeSince = 2;

    /// <summary>The first row version that holds the requester's lookup key.</summary>
    internal const int RequesterSince = 2;

    /// <summary>
    /// Rows up to this much older than the newest one seen are read again: the Timestamp comes from the clock of the
    /// server that holds the row's partition, and those clocks are kept within far less of each other.
    /// </summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan WholeReadEvery = TimeSpan.FromMinutes(5);

    private const string CaseRow = "case";

    /// <summary>The copy as last read: never changed once published (a read makes a new one), so readers need no lock.</summary>
    private volatile Snapshot? current;

    private readonly Lock publishing = new();

    /// <summary>Every case's entry as the table holds it now.</summary>
    public async Task<IReadOnlyCollection<CaseListEntry>> ReadAsync(CancellationToken cancellationToken) =>
        (await ReadTableAsync(cancellationToken)).Entries.Values;

    /// <summary>
    /// Every case's entry as the table holds it now, or, when the table has not answered within <paramref name="patience"/>
    /// (storage under a spike's load), as the last read found it, with when that read began; this read carries on and
    /// publishes what it finds for the next list. The first list of a process always waits.
    /// </summary>
    public async Task<CaseList> ReadAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var last = current;
        // Its own read, begun after the caller's own writes (a decision just saved shows), not tied to the caller's
        // cancellation: a read left behind still brings the copy up to date.
        var read = ReadTableAsync(CancellationToken.None);
        if (last is not null && await Task.WhenAny(read, Task.Delay(patience, cancellationToken)) != read)
        {
            cancellationToken.ThrowIfCancellationRequested();
            read.Abandon();
            return new CaseList(last.Entries.Values, Stopwatch.GetElapsedTime(last.ReadAt));
        }

        return new CaseList((await read.WaitAsync(cancellationToken)).Entries.Values, null);
    }

    private async Task<Snapshot> ReadTableAsync(CancellationToken cancellationToken)
    {
        var last = current;
        // An empty table has no newest row to count from: read whole (it is empty).
        var whole = last is null || last.Newest == DateTimeOffset.MinValue || Stopwatch.GetElapsedTime(last.WholeReadAt) >= WholeReadEvery;
        var filter = whole
            ? TableClient.CreateQueryFilter($"RowKey eq {CaseRow}")
            : TableClient.CreateQueryFilter($"RowKey eq {CaseRow} and Timestamp ge {last!.Newest - Margin}");
        var started = Stopwatch.GetTimestamp();
        var entries = whole ? new Dictionary<string, CaseListEntry>(StringComparer.Ordinal) : new Dictionary<string, CaseListEntry>(last!.Entries, StringComparer.Ordinal);
        var newest = whole ? DateTimeOffset.MinValue : last!.Newest;
        var stale = new List<string>();
        await foreach (var row in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Timestamp", Column, VersionColumn], cancellationToken: cancellationToken))
        {
            if (row.Timestamp is { } at && at > newest)
            {
                newest = at;
            }

            if (Read(row) is { } entry)
            {
                entries[row.PartitionKey] = entry;
            }
            else
            {
                stale.Add(row.PartitionKey);
            }
        }

        if (stale.Count > 0)
        {
            await foreach (var entry in readWhole(stale, cancellationToken))
            {
                entries[entry.Reference] = entry;
            }
        }

        // Published only once read to its end (a read cut off leaves the copy as it was). Two reads at once each make a
        // copy true as of its own query; the one begun last is kept, and the next read asks again from its newest row.
        var next = new Snapshot(entries, newest, whole ? started : last!.WholeReadAt, started);
        lock (publishing)
        {
            // A read left behind by an impatient list may land after a later one: the copy never goes back in time.
            if (current is not { } published || published.ReadAt <= next.ReadAt)
            {
                current = next;
            }
        }

        return next;
    }

    /// <summary>A case this process removed from the table leaves the copy at once.</summary>
    public void Forget(string caseId)
    {
        lock (publishing)
        {
            if (current is { } last && last.Entries.ContainsKey(caseId))
            {
                var entries = new Dictionary<string, CaseListEntry>(last.Entries, StringComparer.Ordinal);
                entries.Remove(caseId);
                current = last with { Entries = entries };
            }
        }
    }

    /// <summary>A published copy: the entries, the newest row's Timestamp, and when its last whole read and its own read began (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    private sealed record Snapshot(Dictionary<string, CaseListEntry> Entries, DateTimeOffset Newest, long WholeReadAt, long ReadAt);

    /// <summary>Puts <paramref name="entry"/> into the row the case is written to.</summary>
    public static TableEntity Write(TableEntity row, CaseListEntry entry)
    {
        ArgumentNullException.ThrowIfNull(row);
        row[Column] = JsonSerializer.Serialize(entry, TableJson.Options);
        row[VersionColumn] = Version;
        return row;
    }

    /// <summary>The row's entry, or null when it has none of the current shape (written before; read the case whole).</summary>
    public static CaseListEntry? Read(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.GetInt32(VersionColumn) is { } version && version >= EntryShapeSince && version <= Version && row.GetString(Column) is { } json
            ? JsonSerializer.Deserialize<CaseListEntry>(json, TableJson.Options)
            : null;
    }
}
