using System.Globalization;

using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

using Infomat.Privacy.Audit;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The audit trail in Azure Table Storage: one partition per case, one row per event (row key = sequence), never
/// updated. Two writers racing for the same sequence: the second insert fails (409) and it chains after the first.
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

    /// <summary>Tries at a sequence number before an append gives up (only other instances can take it from this one).</summary>
    private const int MaxAttempts = 50;

    private readonly KeyedTurns turns = new();
    private readonly TableClient table = clients.Tables.GetTableClient(TableName);
    private readonly BlobContainerClient heads = clients.Blobs.GetBlobContainerClient(HeadsContainer);
    private readonly SetUpOnce created = new(() => Task.WhenAll(
        clients.Tables.GetTableClient(TableName).CreateIfNotExistsAsync(),
        clients.Blobs.GetBlobContainerClient(HeadsContainer).CreateIfNotExistsAsync()));

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await created.EnsureAsync();

        // The steps of one case on this instance (a collect fanned out over 20 stores) take turns: a chain is one
        // sequence, so racing for it only costs retries. Other instances still race: a lost race re-reads the chain and
        // chains after the winner, after a short random pause so that the losers do not collide again.
        using var turn = await turns.EnterAsync(entry.CaseId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var rows = await RowsAsync(entry.CaseId, cancellationToken);
            if (rows.FirstOrDefault(r => r.GetString("Key") == entry.Key) is { } earlier)
            {
                return FromEntity(earlier);
            }

            var next = chain.Next(entry, rows.Count == 0 ? null : FromEntity(rows[^1]), time.GetUtcNow());
            try
            {
                await table.AddEntityAsync(ToEntity(next, entry.Key), cancellationToken);
                await RecordHeadAsync(next, cancellationToken);
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxAttempts)
            {
                // Another instance took this sequence number: chain after it.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + (10 * Math.Min(attempt, 10)))), cancellationToken);
            }
        }
    }

    public async Task AppendMissingAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await created.EnsureAsync();
        var rows = await RowsAsync(entries[0].CaseId, cancellationToken);
        var present = rows.Select(r => r.GetString("Key")).ToHashSet(StringComparer.Ordinal);
        var last = rows.Count == 0 ? null : FromEntity(rows[^1]);
        foreach (var entry in entries.Where(e => !present.Contains(e.Key)))
        {
            var next = chain.Next(entry, last, time.GetUtcNow());
            try
            {
                await table.AddEntityAsync(ToEntity(next, entry.Key), cancellationToken);
                await RecordHeadAsync(next, cancellationToken);
                last = next;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Someone appended meanwhile: the one-by-one path re-reads the chain (and skips what is there now).
                await AppendAsync(entry, cancellationToken);
                var reread = await RowsAsync(entry.CaseId, cancellationToken);
                last = FromEntity(reread[^1]);
            }
        }
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
    /// Records the event just appended in the case's append blob. A crash between the two writes leaves the blob one
    /// event behind, which verification accepts; it never records an event the table does not hold.
    /// </summary>
    private async Task RecordHeadAsync(AuditEvent e, CancellationToken cancellationToken)
    {
        var blob = heads.GetAppendBlobClient(e.CaseId);
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        using var line = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(e.Sequence.ToString(CultureInfo.InvariantCulture) + " " + e.Hash + "\n"));
        await blob.AppendBlockAsync(line, cancellationToken: cancellationToken);
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
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == caseId && e.RowKey != CheckpointRow, cancellationToken: cancellationToken))
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
}
