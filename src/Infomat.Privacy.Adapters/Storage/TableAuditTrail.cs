using System.Globalization;

using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

using Infomat.Privacy.Audit;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The audit trail in Azure Table Storage: one partition per case, one row per event (row key = sequence), never
/// updated. The appends of one case on one instance are written together (group commit, decision 78); an instance
/// racing another for the same sequence fails its insert (409) and chains after the winner.
/// Each event appended is also recorded, as its sequence and hash, in an append blob per case (container
/// <see cref="HeadsContainer"/>), which nothing rewrites: a deleted tail of the table shows against it (issue 18 item 13).
/// </summary>
public sealed class TableAuditTrail(StorageClients clients, AuditChain chain, TimeProvider time) : IAuditTrail
{
    public const string TableName = "PrivacyAudit";

    /// <summary>The row key of a case's checkpoint (after every event's eight-digit key).</summary>
    private const string CheckpointRow = "checkpoint";

    /// <summary>The container of the append blobs recording each case's events (no personal data: ids and hashes).</summary>
    public const string HeadsContainer = "audit-heads";

    /// <summary>Tries at the next sequence numbers before a batch gives up (only other instances can take them from this one).</summary>
    private const int MaxAttempts = 50;

    /// <summary>Events written per transaction (a table transaction holds at most 100 rows).</summary>
    private const int MaxBatch = 50;

    /// <summary>Appends waiting, per case, for the one writing that case's chain on this instance.</summary>
    private readonly Dictionary<string, CaseQueue> queues = new(StringComparer.Ordinal);
    private readonly TableClient table = clients.Tables.GetTableClient(TableName);
    private readonly BlobContainerClient heads = clients.Blobs.GetBlobContainerClient(HeadsContainer);
    private readonly SetUpOnce created = new(() => Task.WhenAll(
        clients.Tables.GetTableClient(TableName).CreateIfNotExistsAsync(),
        clients.Blobs.GetBlobContainerClient(HeadsContainer).CreateIfNotExistsAsync()));

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (await AppendInOrderAsync([entry], cancellationToken))[0];
    }

    public async Task AppendMissingAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > 0)
        {
            await AppendInOrderAsync(entries, cancellationToken);
        }
    }

    /// <summary>
    /// Queues the entries (one case's, in this order) and waits until each is in the chain. A case's chain is one
    /// sequence, so the steps of a case that append at once (a collect fanned out over 20 stores) are not left to race
    /// for it: the first of them writes everything queued for the case meanwhile, as one table transaction and one
    /// append to the heads blob (group commit). Another instance appending to the same case makes the transaction fail
    /// (409, the sequence number is taken); the writer re-reads the chain and chains after it.
    /// </summary>
    private async Task<AuditEvent[]> AppendInOrderAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        await created.EnsureAsync();
        var caseId = entries[0].CaseId;
        var waiting = entries.Select(e => (Entry: e, Done: new TaskCompletionSource<AuditEvent>(TaskCreationOptions.RunContinuationsAsynchronously))).ToList();
        bool write;
        lock (queues)
        {
            if (!queues.TryGetValue(caseId, out var queue))
            {
                queue = new CaseQueue();
                queues[caseId] = queue;
            }

            queue.Pending.AddRange(waiting);
            write = !queue.Writing;
            queue.Writing = true;
        }

        if (write)
        {
            await WriteQueuedAsync(caseId);
        }

        return await Task.WhenAll(waiting.Select(w => w.Done.Task)).WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued for the case, batch after batch, until nothing is; then lets the next caller write.</summary>
    private async Task WriteQueuedAsync(string caseId)
    {
        while (true)
        {
            List<(AuditEntry Entry, TaskCompletionSource<AuditEvent> Done)> batch;
            lock (queues)
            {
                var queue = queues[caseId];
                if (queue.Pending.Count == 0)
                {
                    queues.Remove(caseId);
                    return;
                }

                batch = queue.Pending.Take(MaxBatch).ToList();
                queue.Pending.RemoveRange(0, batch.Count);
            }

            try
            {
                var written = await WriteBatchAsync(caseId, batch.Select(b => b.Entry).ToList());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(written[i]);
                }
            }
            catch (Exception ex)
            {
                // Storage refused after the SDK's retries: these appends fail (their callers retry); the next batch tries afresh.
                foreach (var b in batch)
                {
                    b.Done.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>The events of <paramref name="entries"/>: earlier ones where the case has an event with the key, new ones chained after the last.</summary>
    private async Task<AuditEvent[]> WriteBatchAsync(string caseId, List<AuditEntry> entries)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The chain as this instance wrote it a moment ago, else as the table holds it. A chain another instance
            // added to since makes the transaction below fail (its next sequence number is taken), and it is read then.
            Dictionary<string, AuditEvent> byKey;
            AuditEvent? last;
            if (attempt == 1 && chains.Get(caseId) is { } known)
            {
                (byKey, last) = (new Dictionary<string, AuditEvent>(known.ByKey, StringComparer.Ordinal), known.Last);
            }
            else
            {
                var rows = await RowsAsync(caseId, CancellationToken.None);
                byKey = new Dictionary<string, AuditEvent>(StringComparer.Ordinal);
                foreach (var row in rows)
                {
                    byKey.TryAdd(row.GetString("Key"), FromEntity(row));
                }

                last = rows.Count == 0 ? null : FromEntity(rows[^1]);
            }

            var result = new AuditEvent[entries.Count];
            var added = new List<(AuditEvent Event, string Key)>();
            for (var i = 0; i < entries.Count; i++)
            {
                if (!byKey.TryGetValue(entries[i].Key, out var e))
                {
                    e = chain.Next(entries[i], last, time.GetUtcNow());
                    byKey[entries[i].Key] = e;
                    added.Add((e, entries[i].Key));
                    last = e;
                }

                result[i] = e;
            }

            if (added.Count == 0)
            {
                return result;
            }

            try
            {
                await table.SubmitTransactionAsync(added.Select(a => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(a.Event, a.Key))));
                await RecordHeadsAsync(caseId, added.Select(a => a.Event));
                Remember(caseId, byKey, last);
                return result;
            }
            catch (Exception) when (Forget(caseId))
            {
                throw;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && attempt < MaxAttempts)
            {
                // Another instance took one of these sequence numbers: chain after what it wrote, after a short random
                // pause so that two instances do not collide again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + (10 * Math.Min(attempt, 10)))));
            }
        }
    }

    /// <summary>
    /// How long the chain this instance last wrote for a case is remembered (its events' keys and its last event), so the
    /// case's next append (the link's record after the intake's write, a step's record) is one transaction without
    /// reading the chain first (issue 21). Ids, keys and hashes only.
    /// </summary>
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);

    /// <summary>Chains remembered at most.</summary>
    private const int MaxRemembered = 2_000;

    private readonly RecentlySeen<KnownChain> chains = new(RememberFor, MaxRemembered);

    private sealed record KnownChain(IReadOnlyDictionary<string, AuditEvent> ByKey, AuditEvent? Last);

    private void Remember(string caseId, Dictionary<string, AuditEvent> byKey, AuditEvent? last) =>
        chains.Set(caseId, new KnownChain(byKey, last));

    /// <summary>Forgets the chain remembered for the case (always false, so that it can run as an exception filter).</summary>
    private bool Forget(string caseId)
    {
        chains.Forget(caseId);
        return false;
    }

    public async Task<IReadOnlyList<AuditEvent>> ListAsync(string caseId, CancellationToken cancellationToken)
    {
        await created.EnsureAsync();
        return (await RowsAsync(caseId, cancellationToken)).Select(FromEntity).ToList();
    }

    public async Task<IReadOnlyList<AuditHead>> HeadsAsync(string caseId, CancellationToken cancellationToken)
    {
        await created.EnsureAsync();
        var blob = heads.GetAppendBlobClient(caseId);
        if (!await blob.ExistsAsync(cancellationToken))
        {
            return [];
        }

        var text = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(parts => new AuditHead(int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]))];
    }

    /// <summary>
    /// Records the events just appended in the case's append blob, in one block. A crash between the two writes leaves
    /// the blob behind the table, which verification accepts; it never records an event the table does not hold.
    /// </summary>
    private async Task RecordHeadsAsync(string caseId, IEnumerable<AuditEvent> events)
    {
        var blob = heads.GetAppendBlobClient(caseId);
        var bytes = System.Text.Encoding.ASCII.GetBytes(string.Concat(events.Select(e => e.Sequence.ToString(CultureInfo.InvariantCulture) + " " + e.Hash + "\n")));
        try
        {
            await blob.AppendBlockAsync(new MemoryStream(bytes));
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            // The case's first events: the blob is created once, not asked for on every append (one request each after).
            await blob.CreateIfNotExistsAsync();
            await blob.AppendBlockAsync(new MemoryStream(bytes));
        }
    }

    public async Task<AuditCheckpoint?> CheckpointAsync(string caseId, CancellationToken cancellationToken)
    {
        await created.EnsureAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(caseId, CheckpointRow, cancellationToken: cancellationToken);
        return row.HasValue
            ? new AuditCheckpoint(caseId, row.Value!.GetInt32("Sequence")!.Value, row.Value.GetString("LastHash"),
                DateTimeOffset.Parse(row.Value.GetString("At"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), row.Value.GetString("Reason"), row.Value.GetString("Signature"))
            : null;
    }

    public async Task CutAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await created.EnsureAsync();
        await table.UpsertEntityAsync(new TableEntity(checkpoint.CaseId, CheckpointRow)
        {
            ["Sequence"] = checkpoint.Sequence,
            ["LastHash"] = checkpoint.LastHash,
            ["At"] = checkpoint.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["Reason"] = checkpoint.Reason,
            ["Signature"] = checkpoint.Signature,
        }, TableUpdateMode.Replace, cancellationToken);
        Forget(checkpoint.CaseId);
        foreach (var row in await RowsAsync(checkpoint.CaseId, cancellationToken))
        {
            if (int.Parse(row.RowKey, CultureInfo.InvariantCulture) <= checkpoint.Sequence)
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            }
        }
    }

    private async Task<List<TableEntity>> RowsAsync(string caseId, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        // A filter string, not an expression: the SDK compiles an expression's captured values on every call.
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {caseId} and RowKey ne {CheckpointRow}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
    }

    private static TableEntity ToEntity(AuditEvent e, string key) => new(e.CaseId, e.Sequence.ToString("D8", CultureInfo.InvariantCulture))
    {
        ["Key"] = key,
        ["At"] = e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["Action"] = e.Action,
        ["Actor"] = e.Actor,
        ["Outcome"] = e.Outcome,
        ["Subject"] = e.Subject,
        ["PreviousHash"] = e.PreviousHash,
        ["Hash"] = e.Hash,
    };

    private static AuditEvent FromEntity(TableEntity row) => new(
        row.PartitionKey,
        int.Parse(row.RowKey, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(row.GetString("At"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        row.GetString("Action"),
        row.GetString("Actor"),
        row.GetString("Outcome"),
        row.GetString("Subject"),
        row.GetString("PreviousHash"),
        row.GetString("Hash"));

    private sealed class CaseQueue
    {
        public List<(AuditEntry Entry, TaskCompletionSource<AuditEvent> Done)> Pending { get; } = [];

        public bool Writing { get; set; }
    }
}
