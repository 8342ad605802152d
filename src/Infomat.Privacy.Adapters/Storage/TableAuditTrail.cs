using System.Globalization;

using Azure;
using Azure.Data.Tables;

using Infomat.Privacy.Audit;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The audit trail in Azure Table Storage: one partition per case, one row per event (row key = sequence), never
/// updated. Two writers racing for the same sequence: the second insert fails (409) and it chains after the first.
/// </summary>
public sealed class TableAuditTrail(StorageClients clients, AuditChain chain, TimeProvider time) : IAuditTrail
{
    public const string TableName = "PrivacyAudit";

    /// <summary>The row key of a case's checkpoint (after every event's eight-digit key).</summary>
    private const string CheckpointRow = "checkpoint";

    private readonly TableClient table = clients.Tables.GetTableClient(TableName);
    private readonly SetUpOnce created = new(() => clients.Tables.GetTableClient(TableName).CreateIfNotExistsAsync());

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await created.EnsureAsync();
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
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt < 10)
            {
                // Another step of the same case took this sequence number: chain after it.
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
