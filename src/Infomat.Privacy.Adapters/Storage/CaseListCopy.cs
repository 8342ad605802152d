using System.Diagnostics;
using System.Text.Json;

using Azure.Data.Tables;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Tasks;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The staff list's entry of every case (<see cref="CaseListEntry"/>: no personal data), held in this process and brought
/// up to date from the register's table at each read (decision 74): only the rows written since the last read began
/// (their Timestamp, less a <see cref="Margin"/> for the clocks of the table's servers), and, once the last whole read is
/// <see cref="WholeReadEvery"/> old, the whole table again, behind the reads and one at a time (decision 146), so a case
/// removed elsewhere (the retention sweep) drops out and nothing missed stays missed. Each look thus costs a query
/// returning the few rows changed since, not 10,000 rows.
/// </summary>
internal sealed partial class CaseListCopy(TableClient cases, Func<IReadOnlyCollection<string>, CancellationToken, IAsyncEnumerable<CaseListEntry>> readWhole, TimeProvider time, ILogger log)
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
    /// Rows up to this much older than the copy's starting point are read again: the Timestamp comes from the clock of the
    /// server that holds the row's partition, and those clocks are kept within far less of each other.
    /// </summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan WholeReadEvery = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a whole read failed (storage refusing a 10-page read under load, or down), how long until a list begins
    /// another: every look would otherwise begin one as soon as the last failed.
    /// </summary>
    internal static readonly TimeSpan WholeReadRetry = TimeSpan.FromSeconds(30);

    /// <summary>When the last whole read failed (<see cref="TimeProvider.GetTimestamp"/>), while none has landed since.</summary>
    private long? wholeReadFailedAt;

    private const string CaseRow = "case";

    /// <summary>The copy as last published: never changed once published (each read publishes a new one), so readers need no lock.</summary>
    private volatile Snapshot? current;

    private readonly Lock publishing = new();

    /// <summary>The whole read under way behind the lists, if any: one at a time (decision 146).</summary>
    private Task? wholeRead;

    /// <summary>
    /// Cases known gone from the table (removed by this process, or not found by a whole read), with when that was known
    /// (<see cref="Stopwatch.GetTimestamp"/>): a read begun before may still hold the row, and must not put it back; a read
    /// begun after cannot (and may hold the case written again under the same id). Kept while any read begun before is
    /// under way.
    /// </summary>
    private readonly Dictionary<string, long> gone = new(StringComparer.Ordinal);

    /// <summary>When each read under way began (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    private readonly List<long> running = [];

    /// <summary>Every case's entry as the table holds it now.</summary>
    public async Task<IReadOnlyCollection<CaseListEntry>> ReadAsync(CancellationToken cancellationToken) =>
        (await ReadTableAsync(cancellationToken)).Entries;

    /// <summary>
    /// Every case's entry as the table holds it now, or, when the table has not answered within <paramref name="patience"/>
    /// (storage under a spike's load), the copy as it stands, with how long ago the latest read merged into it began;
    /// this read carries on and publishes what it finds for the next list. The first list of a process always waits.
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
    /// The rows written since the copy's starting point (before its last read began), merged into it; the first read of a
    /// process (or of an empty table) reads every row. The whole re-read, once due, is begun behind this read, not waited for:
    /// it is the slow one (every row, page after page), and a list that waited on it answered from its copy under a spike.
    /// </summary>
    private Task<Snapshot> ReadTableAsync(CancellationToken cancellationToken)
    {
        var last = current;
        if (last is null || last.Newest == DateTimeOffset.MinValue)
        {
            return ReadAndPublishAsync(null, PublishWhole, cancellationToken);
        }

        BeginWholeReadIfDue();
        return ReadAndPublishAsync(last.Newest - Margin, Publish, cancellationToken);
    }

    /// <summary>One read, from its beginning (counted as under way) to what <paramref name="publish"/> made of it.</summary>
    private async Task<Snapshot> ReadAndPublishAsync(DateTimeOffset? since, Func<Found, Began, Snapshot> publish, CancellationToken cancellationToken)
    {
        Began began;
        lock (publishing)
        {
            began = new Began(Stopwatch.GetTimestamp(), time.GetTimestamp());
            running.Add(began.Order);
        }

        try
        {
            return publish(await QueryAsync(since, cancellationToken), began);
        }
        finally
        {
            lock (publishing)
            {
                running.Remove(began.Order);
                // What no read under way can bring back is forgotten.
                var oldest = running.Count == 0 ? long.MaxValue : running.Min();
                foreach (var (id, at) in gone.Where(g => g.Value < oldest).ToList())
                {
                    gone.Remove(id);
                }
            }
        }
    }

    /// <summary>Begins the whole re-read behind the lists when the copy's last one is <see cref="WholeReadEvery"/> old and none is under way.</summary>
    private void BeginWholeReadIfDue()
    {
        lock (publishing)
        {
            if (current is not { } last || wholeRead is { IsCompleted: false } || time.GetElapsedTime(last.WholeReadAt) < WholeReadEvery
                || (wholeReadFailedAt is { } failed && time.GetElapsedTime(failed) < WholeReadRetry))
            {
                return;
            }

            wholeRead = Task.Run(() => WholeReadAsync(last.WholeReadAt));
        }
    }

    /// <summary>
    /// The whole read behind the lists. A failed one leaves the copy as it was (a case removed elsewhere stays listed until
    /// one lands), is logged with its error type and status, and the lists begin another <see cref="WholeReadRetry"/> later at the earliest.
    /// </summary>
    private async Task WholeReadAsync(long lastWholeReadAt)
    {
        try
        {
            await ReadAndPublishAsync(null, PublishWhole, CancellationToken.None);
            lock (publishing)
            {
                wholeReadFailedAt = null;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            lock (publishing)
            {
                wholeReadFailedAt = time.GetTimestamp();
            }

            WholeReadFailed(log, ex.GetType().Name, (ex as Azure.RequestFailedException)?.Status ?? 0, (int)time.GetElapsedTime(lastWholeReadAt).TotalMinutes, (int)WholeReadRetry.TotalSeconds);
        }
    }

    [LoggerMessage(174, LogLevel.Warning, "The case list's whole re-read failed ({Error}, status {Status}): a case removed elsewhere stays listed until one lands (the last that landed began {Minutes} min ago); the next list {Seconds} s from now or later tries again")]
    private static partial void WholeReadFailed(ILogger logger, string error, int status, int minutes, int seconds);

    /// <summary>
    /// When a read began: <paramref name="Order"/> on the process's own clock (<see cref="Stopwatch.GetTimestamp"/>), to order
    /// reads, landings and removals; <paramref name="At"/> on the copy's clock (<see cref="TimeProvider.GetTimestamp"/>), for
    /// when the whole read falls due and how old a copy is.
    /// </summary>
    private readonly record struct Began(long Order, long At);

    /// <summary>
    /// What one query found: each row's entry and Timestamp, and <paramref name="Reached"/>: a Timestamp every row written
    /// after the query began has or passes (less <see cref="Margin"/>), where the next read of recent rows starts from.
    /// </summary>
    private sealed record Found(Dictionary<string, Row> Rows, DateTimeOffset Reached);

    /// <summary>The case rows written since <paramref name="since"/>, or every one.</summary>
    private async Task<Found> QueryAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var filter = since is { } from
            ? TableClient.CreateQueryFilter($"RowKey eq {CaseRow} and Timestamp ge {from}")
            : TableClient.CreateQueryFilter($"RowKey eq {CaseRow}");
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        var newest = DateTimeOffset.MinValue;
        // Real time, whatever clock schedules the whole reads: it is compared with the table's clock.
        var took = Stopwatch.StartNew();
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

        // A query of more than one page (every read of every row; a read of recent rows after a burst) may have passed a
        // row's place before it was written, and found a later row written seconds after it: the next read must go back
        // to before this one began, not to the newest row it found, or that row would be missed until the next whole read.
        return new Found(rows, newest == DateTimeOffset.MinValue ? newest : newest - took.Elapsed);
    }

    /// <summary>
    /// Merges rows read since a time into the copy, row by row: a row's newer Timestamp wins, so reads landing out of order
    /// never take the copy back in time. Published only once read to its end (a read cut off leaves the copy as it was).
    /// </summary>
    private Snapshot Publish(Found found, Began began)
    {
        lock (publishing)
        {
            var basis = current!;
            var now = Stopwatch.GetTimestamp();
            Dictionary<string, Row>? rows = null;
            foreach (var (id, row) in found.Rows)
            {
                if (!GoneBefore(id, began) && (!basis.Rows.TryGetValue(id, out var had) || had.Stamp < row.Stamp))
                {
                    rows ??= new Dictionary<string, Row>(basis.Rows, StringComparer.Ordinal);
                    rows[id] = row with { LandedAt = now };
                }
            }

            var readAt = Math.Max(basis.ReadAt, began.At);
            var newest = found.Reached > basis.Newest ? found.Reached : basis.Newest;
            current = new Snapshot(rows ?? basis.Rows, newest, basis.WholeReadAt, readAt);
            return current;
        }
    }

    /// <summary>Whether the case was known gone when a read began, or since: the read may hold its row from before.</summary>
    private bool GoneBefore(string id, Began began) => gone.TryGetValue(id, out var at) && began.Order <= at;

    /// <summary>
    /// Publishes a read of every row, begun at <paramref name="began"/>. A case the copy holds that the read did not find
    /// was removed, unless a read landed it in the copy after this one began: it may have been written after this read
    /// passed its place in the table, so it is kept (and, if it was removed too, drops out at the next whole read). A row
    /// in the copy that landed before was in the table when this read began, and a read of every row finds every row
    /// that stays: not found, it is gone. No clock of the table's servers is relied on.
    /// </summary>
    private Snapshot PublishWhole(Found found, Began began)
    {
        lock (publishing)
        {
            var now = Stopwatch.GetTimestamp();
            var rows = new Dictionary<string, Row>(found.Rows.Count, StringComparer.Ordinal);
            foreach (var (id, row) in found.Rows)
            {
                if (!GoneBefore(id, began))
                {
                    rows[id] = row with { LandedAt = now };
                }
            }

            var newest = found.Reached;
            if (current is { } basis)
            {
                foreach (var (id, row) in basis.Rows)
                {
                    if (row.LandedAt >= began.Order)
                    {
                        if (!rows.TryGetValue(id, out var had) || had.Stamp < row.Stamp)
                        {
                            rows[id] = row;
                        }
                    }
                    else if (!found.Rows.ContainsKey(id))
                    {
                        // Removed (elsewhere): a read begun before this one landed may still hold it.
                        gone[id] = now;
                    }
                }

                newest = basis.Newest > newest ? basis.Newest : newest;
            }

            current = new Snapshot(rows, newest, Math.Max(current?.WholeReadAt ?? began.At, began.At), Math.Max(current?.ReadAt ?? began.At, began.At));
            return current;
        }
    }

    /// <summary>A case this process removed from the table leaves the copy at once, and no read begun before puts it back.</summary>
    public void Forget(string caseId)
    {
        lock (publishing)
        {
            gone[caseId] = Stopwatch.GetTimestamp();
            if (current is { } last && last.Rows.ContainsKey(caseId))
            {
                var rows = new Dictionary<string, Row>(last.Rows, StringComparer.Ordinal);
                rows.Remove(caseId);
                current = new Snapshot(rows, last.Newest, last.WholeReadAt, last.ReadAt);
            }
        }
    }

    /// <summary>A case's entry, its row's Timestamp, and when the read that brought it landed in the copy (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    private readonly record struct Row(CaseListEntry Entry, DateTimeOffset Stamp, long LandedAt);

    /// <summary>
    /// A published copy (never changed once published): the rows, where the next read of recent rows starts from (less
    /// <see cref="Margin"/>), and when its last whole read and its latest read began (<see cref="TimeProvider.GetTimestamp"/>).
    /// </summary>
    private sealed class Snapshot(Dictionary<string, Row> rows, DateTimeOffset newest, long wholeReadAt, long readAt)
    {
        public Dictionary<string, Row> Rows { get; } = rows;

        /// <summary>The entries, read through the rows (no copy of 10,000 entries per look).</summary>
        public IReadOnlyCollection<CaseListEntry> Entries { get; } = new EntryView(rows);

        public DateTimeOffset Newest { get; } = newest;

        public long WholeReadAt { get; } = wholeReadAt;

        public long ReadAt { get; } = readAt;
    }

    private sealed class EntryView(Dictionary<string, Row> rows) : IReadOnlyCollection<CaseListEntry>
    {
        public int Count => rows.Count;

        public IEnumerator<CaseListEntry> GetEnumerator()
        {
            foreach (var row in rows.Values)
            {
                yield return row.Entry;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
