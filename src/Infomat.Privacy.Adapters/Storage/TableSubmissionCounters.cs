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
/// limit and key (partition = the limit's name, row = the keyed hash of the key), holding the counts of the key's current
/// fixed window and of the one before (<see cref="SubmissionWindow"/>: the two a sliding window needs), the current
/// window's start, and until when the row matters. Every count is written with the row's ETag (optimistic concurrency),
/// so two instances counting at once both count: the loser of a race reads again and decides again.
/// </summary>
/// <remarks>
/// One request where it can (decisions 86 and 89): a key this instance has not seen is added at one with an insert, which
/// a row already there refuses (409, then read); an instance remembers each row it read or wrote, so a key it counted
/// before is raised by one conditional write, which another instance's write in between turns into a 412 and a read.
/// A count is allowed on a remembered row only by writing over that very version, and a refusal decided on a remembered
/// row is decided again on the row as read: neither rests on what memory says of the table. A request whose clock is a
/// window behind the row's (instances' clocks differ; a request may wait up to 5 s) counts in the row's window before.
/// </remarks>
public sealed partial class TableSubmissionCounters(StorageClients clients, IOptions<PrivacyOptions> options, ILogger<TableSubmissionCounters>? log = null)
    : ISubmissionCounters
{
    /// <summary>How long taking back a refused request's count may take, whatever became of the request.</summary>
    private static readonly TimeSpan UncountPatience = TimeSpan.FromSeconds(5);

    /// <summary>How often a count is tried again after another instance changed the row first.</summary>
    private const int MaxAttempts = 20;

    /// <summary>Rows remembered at most; past it the ended ones are forgotten, then all (each is read again when needed).</summary>
    private const int MaxRemembered = 100_000;

    private readonly TableClient table = clients.Tables.GetTableClient(options.Value.Intake.LimitTable);
    private readonly SetUpOnce ready = new(() => clients.Tables.GetTableClient(options.Value.Intake.LimitTable).CreateIfNotExistsAsync());
    private readonly ConcurrentDictionary<(string Limit, string Key), Counts> seen = new();

    public async Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await ready.EnsureAsync();
        Forget(now);
        var start = rule.Start(now);

        // The row as this instance last read or wrote it; for a key it has not seen, none (then an insert, refused when
        // the row is there after all).
        seen.TryGetValue((limit, key), out var row);
        var fresh = false;
        for (var attempt = 1; ; attempt++)
        {
            var (previous, current) = row is null ? (0, 0) : row.For(start, rule.Window);
            if (rule.Refusal(previous, current, now) is { } wait)
            {
                if (fresh)
                {
                    return wait;
                }

                // Refused by a remembered row: decided again on the row itself (a count taken back elsewhere lowers it).
                row = await ReadAsync(limit, key, now, cancellationToken);
                fresh = true;
                continue;
            }

            if (await TryWriteAsync(limit, key, row, row is null ? new Counts(start, 1, 0) : row.Counted(start, rule.Window), rule, now, cancellationToken))
            {
                return null;
            }

            if (attempt >= MaxAttempts)
            {
                // So many requests for one key at the same moment that this one lost every race: a flood. Refused for a
                // second rather than let through uncounted (an exception here would be taken for a storage fault, which
                // lets a request through), so that however many come at once no more than the limit pass.
                if (log is not null)
                {
                    ContendedKey(log, limit, MaxAttempts);
                }

                return TimeSpan.FromSeconds(1);
            }

            // Another instance made or changed the row first (or the sweep deleted it): read it and decide again.
            row = await ReadAsync(limit, key, now, cancellationToken);
            fresh = true;
        }
    }

    public async Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var deleted = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Ends lt {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            // Only the version read: a key that came back meanwhile has written its row again (a new window), and keeps it.
            try
            {
                var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                deleted += response.Status == 404 ? 0 : 1;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
        }

        return deleted;
    }

    /// <summary>
    /// Writes <paramref name="next"/> over <paramref name="read"/> (with its ETag), or adds it when there was no row: false
    /// when another instance changed (or made, or the sweep deleted) the row first.
    /// </summary>
    private async Task<bool> TryWriteAsync(string limit, string key, Counts? read, Counts next, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entity = ToEntity(limit, key, next, rule);
        try
        {
            var response = read is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, read.ETag, TableUpdateMode.Replace, cancellationToken);
            Remember(limit, key, response.Headers.ETag is { } etag ? next with { ETag = etag, SeenAt = now, Ends = rule.Ends(next.Start) } : null);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            seen.TryRemove((limit, key), out _);
            return false;
        }
    }

    /// <summary>The key's row as the table holds it (remembered), or null when it has none.</summary>
    private async Task<Counts?> ReadAsync(string limit, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var read = await table.GetEntityIfExistsAsync<TableEntity>(limit, key, cancellationToken: cancellationToken);
        var row = read.HasValue ? FromEntity(read.Value!, now) : null;
        Remember(limit, key, row);
        return row;
    }

    private void Remember(string limit, string key, Counts? row)
    {
        if (row is null)
        {
            seen.TryRemove((limit, key), out _);
        }
        else
        {
            seen[(limit, key)] = row;
        }
    }

    public async Task UncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedAt)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await ready.EnsureAsync();
        await TakeBackAsync(limit, key, rule, rule.Start(countedAt));
    }

    /// <summary>
    /// Takes back one count in the window starting at <paramref name="countedIn"/> (a request another limit refused at the
    /// same moment): whatever became of the request (its client gone, its wait over), within <see cref="UncountPatience"/>;
    /// what cannot be taken back is logged.
    /// </summary>
    private async Task TakeBackAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedIn)
    {
        using var patience = new CancellationTokenSource(UncountPatience);
        try
        {
            if (await TryUncountAsync(limit, key, rule, countedIn, patience.Token))
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

    private async Task<bool> TryUncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedIn, CancellationToken cancellationToken)
    {
        seen.TryRemove((limit, key), out _);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(limit, key, cancellationToken: cancellationToken);
            if (!read.HasValue)
            {
                return true;
            }

            var row = FromEntity(read.Value!, DateTimeOffset.MinValue);
            if (row.Uncounted(countedIn, rule.Window) is not { } next)
            {
                // The window it was counted in is no longer on the row: nothing left to take back.
                return true;
            }

            try
            {
                if (next.Current == 0 && next.Previous == 0)
                {
                    await table.DeleteEntityAsync(limit, key, row.ETag, cancellationToken);
                }
                else
                {
                    await table.UpdateEntityAsync(ToEntity(limit, key, next, rule), row.ETag, TableUpdateMode.Replace, cancellationToken);
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

    [LoggerMessage(147, LogLevel.Warning, "A key of the {Limit} limit changed {Attempts} times while a request was being counted (a flood on one key); the request is refused for a second")]
    private static partial void ContendedKey(ILogger logger, string limit, int attempts);

    [LoggerMessage(142, LogLevel.Warning, "A refused request's count in the {Limit} limit could not be taken back ({Error}): the key waits a little longer")]
    private static partial void NotTakenBack(ILogger logger, string limit, string error);

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

    private const string WindowStart = "WindowStart";
    private const string Count = "Count";
    private const string PreviousCount = "PreviousCount";
    private const string Ends = "Ends";

    private static TableEntity ToEntity(string limit, string key, Counts row, SubmissionWindow rule) => new(limit, key)
    {
        [WindowStart] = row.Start,
        [Count] = row.Current,
        [PreviousCount] = row.Previous,
        [Ends] = rule.Ends(row.Start),
    };

    private static Counts FromEntity(TableEntity row, DateTimeOffset now)
    {
        var start = row.GetDateTimeOffset(WindowStart) ?? DateTimeOffset.MinValue;
        return new(start, row.GetInt32(Count) ?? 0, row.GetInt32(PreviousCount) ?? 0)
        {
            ETag = row.ETag,
            SeenAt = now,
            Ends = row.GetDateTimeOffset(Ends) ?? now,
        };
    }

    /// <summary>
    /// A key's row: the count of the fixed window starting at <see cref="Start"/> and of the window before it, with its
    /// ETag as this instance last read or wrote it.
    /// </summary>
    private sealed record Counts(DateTimeOffset Start, int Current, int Previous)
    {
        public ETag ETag { get; init; }

        public DateTimeOffset SeenAt { get; init; }

        public DateTimeOffset Ends { get; init; }

        /// <summary>
        /// The counts a request in the window starting at <paramref name="start"/> is decided on: its window's and the one
        /// before, as this row holds them. <see cref="Counted"/> takes the same cases in the same order.
        /// </summary>
        public (int Previous, int Current) For(DateTimeOffset start, TimeSpan window) =>
            start == Start ? (Previous, Current)
            : start == Start + window ? (Current, 0)
            // Two or more windows later (or after a window's length changed): nothing the row holds weighs any more.
            : start > Start ? (0, 0)
            // A clock a window behind the row's (a request that waited, instances' clocks): its window is the row's
            // window before; the one before that, which the row no longer holds, would weigh only the seconds it is late.
            : start + window == Start ? (0, Previous)
            // Further behind (a window's length changed): decided and counted as in the row's current window.
            : (Previous, Current);

        /// <summary>This row with one more count in the window starting at <paramref name="start"/> (moved on to it when it is later); the cases of <see cref="For"/>.</summary>
        public Counts Counted(DateTimeOffset start, TimeSpan window) =>
            start == Start ? this with { Current = Current + 1 }
            : start == Start + window ? new Counts(start, 1, Current)
            : start > Start ? new Counts(start, 1, 0)
            : start + window == Start ? this with { Previous = Previous + 1 }
            : this with { Current = Current + 1 };

        /// <summary>This row with one count fewer in the window starting at <paramref name="start"/>, or null when the row no longer holds it.</summary>
        public Counts? Uncounted(DateTimeOffset start, TimeSpan window) =>
            start == Start && Current > 0 ? this with { Current = Current - 1 }
            : start + window == Start && Previous > 0 ? this with { Previous = Previous - 1 }
            : null;
    }
}
