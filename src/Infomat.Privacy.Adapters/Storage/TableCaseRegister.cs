using System.Runtime.CompilerServices;

using Azure;
using Azure.Data.Tables;

using Infomat.Privacy.Cases;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The case register in Azure Table Storage: one row per case (the case as JSON, plus its status for queries),
/// updated under ETag concurrency; and one row per used single-use token. Rows are removed only by the retention sweep.
/// </summary>
public sealed class TableCaseRegister(StorageClients clients) : ICaseRegister, IRegisterCleanup
{
    public const string CasesTable = "PrivacyCases";
    public const string TokensTable = "PrivacyUsedTokens";
    private const string CaseRow = "case";

    private readonly TableClient cases = clients.Tables.GetTableClient(CasesTable);
    private readonly TableClient tokens = clients.Tables.GetTableClient(TokensTable);
    private readonly SetUpOnce ready = new(() => Task.WhenAll(
        clients.Tables.GetTableClient(CasesTable).CreateIfNotExistsAsync(),
        clients.Tables.GetTableClient(TokensTable).CreateIfNotExistsAsync()));

    public async Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(privacyCase);
        await ready.EnsureAsync();
        await cases.AddEntityAsync(ToEntity(privacyCase), cancellationToken);
    }

    public async Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var response = await cases.GetEntityIfExistsAsync<TableEntity>(caseId, CaseRow, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await ready.EnsureAsync();
        for (var attempt = 0; ; attempt++)
        {
            var response = await cases.GetEntityAsync<TableEntity>(caseId, CaseRow, cancellationToken: cancellationToken);
            var current = FromEntity(response.Value);
            var changed = change(current);
            if (changed is null || changed == current)
            {
                return current;
            }

            try
            {
                await cases.UpdateEntityAsync(ToEntity(changed), response.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return changed;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
                // Someone else changed the case meanwhile: read it again and re-apply the change.
            }
        }
    }

    public async IAsyncEnumerable<string> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await foreach (var row in cases.QueryAsync<TableEntity>(e => e.GetBoolean("Finished") == false, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            yield return row.PartitionKey;
        }
    }

    public async IAsyncEnumerable<PrivacyCase> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await foreach (var row in cases.QueryAsync<TableEntity>(e => e.RowKey == CaseRow, cancellationToken: cancellationToken))
        {
            yield return FromEntity(row);
        }
    }

    public async Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        try
        {
            await tokens.AddEntityAsync(new TableEntity(tokenId, string.Empty) { ["CaseId"] = caseId, ["UsedAt"] = DateTimeOffset.UtcNow }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var row = await tokens.GetEntityIfExistsAsync<TableEntity>(tokenId, string.Empty, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetString("CaseId") : null;
    }

    public async Task DeleteCaseAsync(string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await cases.DeleteEntityAsync(caseId, CaseRow, ETag.All, cancellationToken);
    }

    public async IAsyncEnumerable<IntakeMarker> ListMarkersAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await foreach (var row in tokens.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey", "CaseId", "UsedAt", "Timestamp"], cancellationToken: cancellationToken))
        {
            yield return new IntakeMarker(row.PartitionKey, row.GetString("CaseId") ?? "-", row.GetDateTimeOffset("UsedAt") ?? row.Timestamp ?? DateTimeOffset.MinValue, row.RowKey);
        }
    }

    public async Task DeleteMarkerAsync(IntakeMarker marker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marker);
        await ready.EnsureAsync();
        // The row as listed: a triage record's row is "triage", a marker's is empty.
        await tokens.DeleteEntityAsync(marker.Id, marker.Row, ETag.All, cancellationToken);
    }

    private static TableEntity ToEntity(PrivacyCase c) => new TableEntity(c.Id, CaseRow)
    {
        ["Status"] = c.Status.ToString(),
        // "Finished": nothing left for the orchestration to do (the column the reconciler's query filters on).
        ["Finished"] = !c.NeedsWork,
    }.With(c);

    private static PrivacyCase FromEntity(TableEntity entity) =>
        entity.Read<PrivacyCase>()
        ?? throw new InvalidOperationException($"Case row {entity.PartitionKey} has no data.");
}
