using Azure.Data.Tables;

using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// Triage records in the register's table of intake markers (<see cref="TableCaseRegister.TokensTable"/>): one row per
/// triaged mail, partition = the record's id, row <c>triage</c>, the record as JSON.
/// </summary>
public sealed class TableTriagedMails(StorageClients clients) : ITriagedMails
{
    private const string Row = "triage";

    private readonly TableClient table = clients.Tables.GetTableClient(TableCaseRegister.TokensTable);
    private readonly SetUpOnce ready = new(() => clients.Tables.GetTableClient(TableCaseRegister.TokensTable).CreateIfNotExistsAsync());

    public async Task<TriagedMail> SaveAsync(TriagedMail triaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        await ready.EnsureAsync();
        try
        {
            await table.AddEntityAsync(ToEntity(triaged), cancellationToken);
            return triaged;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded before (a mail handled again): the record as it stands, with what staff did since.
            return await GetAsync(triaged.Id, cancellationToken) ?? triaged;
        }
    }

    public async Task<TriagedMail?> ChangeAsync(string id, Func<TriagedMail, TriagedMail?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await ready.EnsureAsync();
        for (var attempt = 1; ; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: cancellationToken);
            if (!row.HasValue || row.Value!.Read<TriagedMail>() is not { } stored)
            {
                return null;
            }

            if (change(stored) is not { } changed)
            {
                return stored;
            }

            try
            {
                // Over the version read: a write by someone else meanwhile is read again and the change made on it.
                await table.UpdateEntityAsync(ToEntity(changed), row.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                return changed;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
            }
        }
    }

    public async IAsyncEnumerable<TriagedMail> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        // The markers' table holds other rows too; the triage rows share their row key (a daily sweep, not a hot path).
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.RowKey == Row, cancellationToken: cancellationToken))
        {
            if (row.Read<TriagedMail>() is { } triaged)
            {
                yield return triaged;
            }
        }
    }

    /// <summary>
    /// The record's row. UsedAt is the mail's arrival: the retention sweep counts the record's 90 days from it (decision
    /// 48), not from its last write (a reminder, a mark: decision 155), which would keep it for ever.
    /// </summary>
    private static TableEntity ToEntity(TriagedMail triaged)
    {
        var entity = new TableEntity(triaged.Id, Row).With(triaged);
        entity["UsedAt"] = triaged.ReceivedAt;
        return entity;
    }

    public async Task<TriagedMail?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.Read<TriagedMail>() : null;
    }
}
