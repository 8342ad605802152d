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
internal sealed class CaseListCopy(TableClient cases, Func<IReadOnlyCollection<string>, CancellationToken, IAsyncEnumerable<CaseListEntry>> readWhole, TimeProvider time)
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

    /// <summary>The copy as last published: never changed once published (each read publishes a new one), so readers need no lock.</summary>
    private volatile Snapshot? current;

    private readonly Lock publishing = new();

    /// <summary>The whole read under way behind the lists, if any: one at a time (decision 146).</summary>
    private Task? wholeRead;

    /// <summary>
    /// Cases this process removed from the table, with when (<see cref="TimeProvider.GetTimestamp"/>): a read begun before
    /// the removal may still hold the row, and must not put it back. Kept until a whole read begun after the removal lands.
    /// </summary>
    private readonly Dictionary<string, long> forgotten = new(StringComparer.Ordinal);

    /// <summary>Every case's entry as the table holds it now.</summary>
    public async Task<IReadOnlyCollection<CaseListEntry>> ReadAsync(CancellationToken cancellationToken) =>
        (await ReadTableAsync(cancellationToken)).Entries;

    /// <summary>
    /// Every case's entry as the table holds it now, or, when the table has not answered within <paramref name="patience"/>
    /// (storage under a spike's load), as the last read found it, with when that read began; this read carries on and
    /// publishes what it finds for the next list. The first list of a process always waits.
    /// </summary>
    public async Task<CaseList> ReadAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var first = current is null;
        // Its own read, begun after the caller's own writes (a decision just saved shows), not tied to the caller's
        // cancellation: a read left behind still brings the copy up to date.
        var read = ReadTableAsync(CancellationToken.None);
        if (!first && await Task.WhenAny(read, Task.Delay(patience, cancellationToken)) != read)
        {
            cancellationToken.ThrowIfCancellationRequested();
            read.Abandon();
            var last = current!;
            return new CaseList(last.Entries, time.GetElapsedTime(last.ReadAt));
        }

        return new CaseList((await read.WaitAsync(cancellationToken)).Entries, null);
    }

    /// <summary>
    /// The rows written since the newest one the copy holds, merged into it; the first read of a process (or of an empty
    /// table) reads every row and is waited for. The whole re-read, once due, is begun behind this read, not waited for:
    /// it is the slow one (every row, page after page), and a list that waited on it answered from its copy under a spike.
    /// </summary>
    private async Task<Snapshot> ReadTableAsync(CancellationToken cancellationToken)
    {
        var last = current;
        var started = time.GetTimestamp();
        if (last is null || last.Newest == DateTimeOffset.MinValue)
        {
            return PublishWhole(await QueryAsync(null, cancellationToken), started);
        }

        BeginWholeReadIfDue();
        return Publish(await QueryAsync(last.Newest - Margin, cancellationToken), started);
    }

    /// <summary>Begins the whole re-read behind the lists when the copy's last one is <see cref="WholeReadEvery"/> old and none is under way.</summary>
    private void BeginWholeReadIfDue()
    {
        lock (publishing)
        {
            if (current is not { } last || wholeRead is { IsCompleted: false } || time.GetElapsedTime(last.WholeReadAt) < WholeReadEvery)
            {
                return;
            }

            var started = time.GetTimestamp();
            // A failed read leaves the copy as it was; the next list begins another.
            wholeRead = Task.Run(async () => PublishWhole(await QueryAsync(null, CancellationToken.None), started));
            wholeRead.Abandon();
        }
    }

    /// <summary>What one query found: each row's entry and Timestamp, and the newest Timestamp.</summary>
    private sealed record Found(Dictionary<string, Row> Rows, DateTimeOffset Newest);

    /// <summary>The case rows written since <paramref name="since"/>, or every one.</summary>
    private async Task<Found> QueryAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var filter = since is { } from
            ? TableClient.CreateQueryFilter($"RowKey eq {CaseRow} and Timestamp ge {from}")
            : TableClient.CreateQueryFilter($"RowKey eq {CaseRow}");
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        var newest = DateTimeOffset.MinValue;
        var stale = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var row in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Timestamp", Column, VersionColumn], cancellationToken: cancellationToken))
        {
            var at = row.Timestamp ?? DateTimeOffset.MinValue;
            newest = at > newest ? at : newest;
            if (Read(row) is { } entry)
            {
                rows[row.PartitionKey] = new Row(entry, at, 0);
            }
            else
            {
                stale[row.PartitionKey] = at;
            }
        }

        if (stale.Count > 0)
        {
            await foreach (var entry in readWhole(stale.Keys, cancellationToken))
            {
                rows[entry.Reference] = new Row(entry, stale[entry.Reference], 0);
            }
        }

        return new Found(rows, newest);
    }

    /// <summary>
    /// Merges rows read since a time into the copy, row by row: a row's newer Timestamp wins, so reads landing out of order
    /// never take the copy back in time. Published only once read to its end (a read cut off leaves the copy as it was).
    /// </summary>
    private Snapshot Publish(Found found, long started)
    {
        lock (publishing)
        {
            var basis = current!;
            var now = time.GetTimestamp();
            Dictionary<string, Row>? rows = null;
            foreach (var (id, row) in found.Rows)
            {
                if (!forgotten.ContainsKey(id) && (!basis.Rows.TryGetValue(id, out var had) || had.Stamp < row.Stamp))
                {
                    rows ??= new Dictionary<string, Row>(basis.Rows, StringComparer.Ordinal);
                    rows[id] = row with { LandedAt = now };
                }
            }

            var readAt = Math.Max(basis.ReadAt, started);
            var newest = found.Newest > basis.Newest ? found.Newest : basis.Newest;
            current = rows is null
                ? new Snapshot(basis.Rows, basis.Entries, newest, basis.WholeReadAt, readAt)
                : Snapshot.Of(rows, newest, basis.WholeReadAt, readAt);
            return current;
        }
    }

    /// <summary>
    /// Publishes a read of every row, begun at <paramref name="started"/>. A case the copy holds that the read did not find
    /// was removed, unless a read landed it in the copy after this one began: it may have been written after this read
    /// passed its place in the table, so it is kept (and, if it was removed too, drops out at the next whole read). A row
    /// in the copy that landed before was in the table when this read began, and a read of every row finds every row
    /// that stays: not found, it is gone. No clock of the table's servers is relied on.
    /// </summary>
    private Snapshot PublishWhole(Found found, long started)
    {
        lock (publishing)
        {
            var now = time.GetTimestamp();
            var rows = new Dictionary<string, Row>(found.Rows.Count, StringComparer.Ordinal);
            foreach (var (id, row) in found.Rows)
            {
                rows[id] = row with { LandedAt = now };
            }
            foreach (var (id, at) in forgotten.ToList())
            {
                rows.Remove(id);
                if (at < started)
                {
                    forgotten.Remove(id);
                }
            }

            var newest = found.Newest;
            if (current is { } basis)
            {
                foreach (var (id, row) in basis.Rows)
                {
                    if (row.LandedAt >= started && (!rows.TryGetValue(id, out var had) || had.Stamp < row.Stamp))
                    {
                        rows[id] = row;
                    }
                }

                newest = basis.Newest > newest ? basis.Newest : newest;
            }

            current = Snapshot.Of(rows, newest, Math.Max(current?.WholeReadAt ?? started, started), Math.Max(current?.ReadAt ?? started, started));
            return current;
        }
    }

    /// <summary>A case this process removed from the table leaves the copy at once, and no read begun before puts it back.</summary>
    public void Forget(string caseId)
    {
        lock (publishing)
        {
            forgotten[caseId] = time.GetTimestamp();
            if (current is { } last && last.Rows.ContainsKey(caseId))
            {
                var rows = new Dictionary<string, Row>(last.Rows, StringComparer.Ordinal);
                rows.Remove(caseId);
                current = Snapshot.Of(rows, last.Newest, last.WholeReadAt, last.ReadAt);
            }
        }
    }

    /// <summary>A case's entry, its row's Timestamp, and when the read that brought it landed in the copy (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private readonly record struct Row(CaseListEntry Entry, DateTimeOffset Stamp, long LandedAt);

    /// <summary>
    /// A published copy: the rows and their entries, the newest row's Timestamp, and when its last whole read and its
    /// latest read began (<see cref="TimeProvider.GetTimestamp"/>).
    /// </summary>
    private sealed record Snapshot(Dictionary<string, Row> Rows, IReadOnlyCollection<CaseListEntry> Entries, DateTimeOffset Newest, long WholeReadAt, long ReadAt)
    {
        public static Snapshot Of(Dictionary<string, Row> rows, DateTimeOffset newest, long wholeReadAt, long readAt) =>
            new(rows, rows.Values.Select(r => r.Entry).ToArray(), newest, wholeReadAt, readAt);
    }

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
