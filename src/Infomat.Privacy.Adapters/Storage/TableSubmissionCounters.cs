using System.Collections.Concurrent;
using System.Globalization;

using Azure;
using Azure.Data.Tables;

using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The submission counters in one Azure Table shared by every instance (<c>Privacy:Intake:LimitTable</c>): one row per
/// limit, key and fixed window (partition = the limit's name, row = the keyed hash of the key and the window's start),
/// holding the count and until when it matters. A count is raised with the row's ETag (optimistic concurrency), so two
/// instances counting at once both count: the loser of a race reads again and decides again.
/// </summary>
/// <remarks>
/// One round trip where it can (decision 86): an instance remembers each row it read or wrote (its count and ETag), so
/// a key it counted before is raised by one conditional write, which another instance's write in between turns into a
/// 412 and a read. A refusal decided on a remembered count forgets it (the next request reads the row): a count taken
/// back elsewhere may have lowered it. A key it has not seen is added while the previous window's row is read; when
/// that row refuses the request after all (a flood in the window before, counted elsewhere), the count just added is
/// taken back. The previous window's count is trusted from memory only when read <see cref="Settled"/> after that
/// window ended, once no request still counting in it can write it.
/// </remarks>
public sealed partial class TableSubmissionCounters(StorageClients clients, IOptions<PrivacyOptions> options, ILogger<TableSubmissionCounters>? log = null)
    : ISubmissionCounters
{
    /// <summary>
    /// How long after a window ends its row may still rise: a request counting in it waits up to 5 s
    /// (SubmissionLimits.MaxWait), and instances' clocks differ by a few seconds.
    /// </summary>
    public static readonly TimeSpan Settled = TimeSpan.FromSeconds(15);

    /// <summary>How long taking back a refused request's count may take, whatever became of the request.</summary>
    private static readonly TimeSpan UncountPatience = TimeSpan.FromSeconds(5);

    /// <summary>How often a count is tried again after another instance changed the row first.</summary>
    private const int MaxAttempts = 20;

    /// <summary>Rows remembered at most; past it the ended ones are forgotten, then all (each is read again when needed).</summary>
    private const int MaxRemembered = 100_000;

    private readonly TableClient table = clients.Tables.GetTableClient(options.Value.Intake.LimitTable);
    private readonly SetUpOnce ready = new(() => clients.Tables.GetTableClient(options.Value.Intake.LimitTable).CreateIfNotExistsAsync());
    private readonly ConcurrentDictionary<(string Limit, string Row), Seen> seen = new();

    public async Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await ready.EnsureAsync();
        Forget(now);
        var start = rule.Start(now);
        var currentRow = Row(key, start);
        var previousRow = Row(key, start - rule.Window);

        // The previous window's count as remembered once it settled (read Settled after it ended), else read.
        var previousKnown = seen.TryGetValue((limit, previousRow), out var p) && p.SeenAt >= start + Settled ? p.Count : (int?)null;
        // A row remembered without its ETag (read as a window before, then current again: a clock that went back) is
        // not written from memory.
        var current = seen.TryGetValue((limit, currentRow), out var c) && c.ETag != default ? c : null;
        if (previousKnown is { } previousCount)
        {
            if (rule.Refusal(previousCount, current?.Count ?? 0, now) is { } wait)
            {
                seen.TryRemove((limit, currentRow), out _);
                return wait;
            }

            if (await TryWriteAsync(limit, currentRow, current, rule, start, now, cancellationToken))
            {
                return null;
            }
        }
        else if (current is null)
        {
            // A key this instance has not seen: added while the previous window is read (one round trip's wait).
            var previousRead = ReadPreviousAsync(limit, previousRow, rule, start, now, cancellationToken);
            var added = TryWriteAsync(limit, currentRow, null, rule, start, now, cancellationToken);
            // Both finish before either's failure goes up. A window before that refuses refuses, whatever became of the
            // add; one that cannot be read lets the request through (SubmissionLimits), counted if its add went.
            try
            {
                await Task.WhenAll(previousRead, added);
            }
            catch (Exception) when (previousRead.IsCompletedSuccessfully)
            {
                // Only the add failed: it goes up below unless the window before refuses.
            }

            if (rule.Refusal(await previousRead, 0, now) is { } wait)
            {
                if (added.IsCompletedSuccessfully && added.Result)
                {
                    await UncountAsync(limit, currentRow);
                }

                return wait;
            }

            if (await added)
            {
                return null;
            }
        }

        return await CountByReadingAsync(limit, currentRow, previousRow, rule, start, now, cancellationToken);
    }

    public async Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var deleted = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Ends lt {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            deleted += response.Status == 404 ? 0 : 1;
        }

        return deleted;
    }

    /// <summary>Reads both windows' rows and decides, then writes with the ETag read; again when another instance wrote first.</summary>
    private async Task<TimeSpan?> CountByReadingAsync(
        string limit, string currentRow, string previousRow, SubmissionWindow rule, DateTimeOffset start, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The two windows' rows are read at once (independent reads: one round trip's wait, not two).
            var previousRead = ReadPreviousAsync(limit, previousRow, rule, start, now, cancellationToken);
            var currentRead = table.GetEntityIfExistsAsync<TableEntity>(limit, currentRow, cancellationToken: cancellationToken);
            var previous = await previousRead;
            var read = await currentRead;
            var current = read.HasValue ? Remember(limit, read.Value!, now) : null;
            if (current is null)
            {
                seen.TryRemove((limit, currentRow), out _);
            }

            if (rule.Refusal(previous, current?.Count ?? 0, now) is { } wait)
            {
                return wait;
            }

            if (await TryWriteAsync(limit, currentRow, current, rule, start, now, cancellationToken))
            {
                return null;
            }

            if (attempt >= MaxAttempts)
            {
                // The caller lets the request through uncounted, with a warning (SubmissionLimits).
                throw new InvalidOperationException($"A submission counter changed {MaxAttempts} times while it was being counted.");
            }
        }
    }

    /// <summary>
    /// Raises the row by one with the ETag of <paramref name="current"/>, or adds it at one when there is none: false when
    /// another instance changed (or made, or the sweep deleted) the row first.
    /// </summary>
    private async Task<bool> TryWriteAsync(
        string limit, string row, Seen? current, SubmissionWindow rule, DateTimeOffset start, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(limit, row) { [Count] = (current?.Count ?? 0) + 1, [Ends] = rule.Ends(start) };
        try
        {
            var response = current is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken);
            if (response.Headers.ETag is { } etag)
            {
                seen[(limit, row)] = new((current?.Count ?? 0) + 1, etag, now, rule.Ends(start));
            }
            else
            {
                seen.TryRemove((limit, row), out _);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            seen.TryRemove((limit, row), out _);
            return false;
        }
    }

    /// <summary>The previous window's count (0 when it has no row), remembered (and trusted from memory once <see cref="Settled"/>).</summary>
    private async Task<int> ReadPreviousAsync(
        string limit, string row, SubmissionWindow rule, DateTimeOffset start, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(limit, row, [Count], cancellationToken);
        var count = read.HasValue ? read.Value!.GetInt32(Count) ?? 0 : 0;
        seen[(limit, row)] = new(count, read.HasValue ? read.Value!.ETag : default, now, rule.Ends(start - rule.Window));
        return count;
    }

    public async Task UncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedAt)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await ready.EnsureAsync();
        await UncountAsync(limit, Row(key, rule.Start(countedAt)));
    }

    /// <summary>
    /// Takes back one count of a refused request that was added before the refusal was known: whatever became of the
    /// request (its client gone, its wait over), within <see cref="UncountPatience"/>; what cannot be taken back is logged.
    /// </summary>
    private async Task UncountAsync(string limit, string row)
    {
        using var patience = new CancellationTokenSource(UncountPatience);
        try
        {
            if (await TryUncountAsync(limit, row, patience.Token))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (log is not null)
            {
                NotTakenBack(log, limit, ex.GetType().Name);
            }

            return;
        }

        if (log is not null)
        {
            NotTakenBack(log, limit, "Conflict");
        }
    }

    private async Task<bool> TryUncountAsync(string limit, string row, CancellationToken cancellationToken)
    {
        seen.TryRemove((limit, row), out _);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(limit, row, cancellationToken: cancellationToken);
            if (!read.HasValue)
            {
                return true;
            }

            var entity = read.Value!;
            var count = entity.GetInt32(Count) ?? 0;
            try
            {
                if (count <= 1)
                {
                    await table.DeleteEntityAsync(limit, row, entity.ETag, cancellationToken);
                }
                else
                {
                    entity[Count] = count - 1;
                    await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed in between: read it again.
            }
        }

        return false;
    }

    [LoggerMessage(142, LogLevel.Warning, "A refused request's count in the {Limit} limit could not be taken back ({Error}): the key waits a little longer")]
    private static partial void NotTakenBack(ILogger logger, string limit, string error);

    private Seen Remember(string limit, TableEntity row, DateTimeOffset now)
    {
        var s = new Seen(row.GetInt32(Count) ?? 0, row.ETag, now, row.GetDateTimeOffset(Ends) ?? now);
        seen[(limit, row.RowKey)] = s;
        return s;
    }

    /// <summary>Keeps what is remembered bounded: rows that no longer matter go first, then everything.</summary>
    private void Forget(DateTimeOffset now)
    {
        if (seen.Count <= MaxRemembered)
        {
            return;
        }

        foreach (var (k, s) in seen)
        {
            if (s.Ends < now)
            {
                seen.TryRemove(k, out _);
            }
        }

        if (seen.Count > MaxRemembered)
        {
            seen.Clear();
        }
    }

    private const string Count = "Count";
    private const string Ends = "Ends";

    private static string Row(string key, DateTimeOffset windowStart) =>
        key + "-" + windowStart.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>A row as this instance last read or wrote it, and when.</summary>
    private sealed record Seen(int Count, ETag ETag, DateTimeOffset SeenAt, DateTimeOffset Ends);
}
