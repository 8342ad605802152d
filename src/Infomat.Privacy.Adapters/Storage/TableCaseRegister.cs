using System.Runtime.CompilerServices;

using Azure;
using Azure.Data.Tables;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The case register in Azure Table Storage: one row per case (the case as JSON, plus its status for queries and its
/// staff-list entry), updated under ETag concurrency; and one row per used single-use token. Rows are removed only by
/// the retention sweep.
/// </summary>
public sealed class TableCaseRegister(StorageClients clients, TimeProvider time, ILogger<TableCaseRegister> log) : ICaseRegister, IRegisterCleanup
{
    /// <summary>A register on the system's clock.</summary>
    public TableCaseRegister(StorageClients clients)
        : this(clients, TimeProvider.System)
    {
    }

    /// <summary>A register that logs nothing (tests and tools).</summary>
    public TableCaseRegister(StorageClients clients, TimeProvider time)
        : this(clients, time, NullLogger<TableCaseRegister>.Instance)
    {
    }

    public const string CasesTable = "PrivacyCases";
    public const string TokensTable = "PrivacyUsedTokens";
    private const string CaseRow = "case";

    /// <summary>The column holding the requester's lookup key (<see cref="EmailAddresses.RegisterKey"/>), to list one person's cases.</summary>
    internal const string RequesterColumn = "Requester";

    /// <summary>
    /// The column holding the keyed hash of the requester's address once the register erased the address
    /// (<see cref="PrivacyCase.SubjectHash"/>), so the person's cases are still found together (a lift and an objection).
    /// </summary>
    internal const string SubjectColumn = "Subject";

    /// <summary>Stale entries read one by one up to this many; beyond, in one pass over the whole cases.</summary>
    private const int StaleReadOneByOne = 50;

    private readonly TableClient cases = clients.Tables.GetTableClient(CasesTable);
    private readonly TableClient tokens = clients.Tables.GetTableClient(TokensTable);
    private CaseListCopy? copy;
    private readonly SetUpOnce ready = new(() => Task.WhenAll(
        clients.Tables.GetTableClient(CasesTable).CreateIfNotExistsAsync(),
        clients.Tables.GetTableClient(TokensTable).CreateIfNotExistsAsync()));

    /// <summary>This process's copy of the list entries (one per register: the register is a singleton).</summary>
    private CaseListCopy Copy => LazyInitializer.EnsureInitialized(ref copy, () => new CaseListCopy(cases, ReadWholeAsync, time, log));

    public async Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(privacyCase);
        await ready.EnsureAsync();
        var response = await cases.AddEntityAsync(ToEntity(privacyCase), cancellationToken);
        Remember(privacyCase, response.Headers.ETag);
    }

    public async Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var response = await cases.GetEntityIfExistsAsync<TableEntity>(caseId, CaseRow, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            known.Forget(caseId);
            return null;
        }

        var read = FromEntity(response.Value!);
        Remember(read, response.Value!.ETag);
        return read;
    }

    public async Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await ready.EnsureAsync();

        // The version this instance wrote or read a moment ago, written over in one round trip if nobody changed it since
        // (its ETag says so). What the change refuses, or leaves as it is, is decided again on a fresh read below.
        if (Recall(caseId) is { } remembered && change(remembered.Case) is { } onRemembered && onRemembered != remembered.Case)
        {
            try
            {
                var response = await cases.UpdateEntityAsync(ToEntity(onRemembered), remembered.ETag, TableUpdateMode.Replace, cancellationToken);
                Remember(onRemembered, response.Headers.ETag);
                return onRemembered;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed (or removed) since: read it as below.
                known.Forget(caseId);
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            var response = await cases.GetEntityAsync<TableEntity>(caseId, CaseRow, cancellationToken: cancellationToken);
            var current = FromEntity(response.Value);
            var changed = change(current);
            if (changed is null || changed == current)
            {
                Remember(current, response.Value.ETag);
                return current;
            }

            try
            {
                var written = await cases.UpdateEntityAsync(ToEntity(changed), response.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                Remember(changed, written.Headers.ETag);
                return changed;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
                // Someone else changed the case meanwhile: read it again and re-apply the change.
            }
        }
    }

    /// <summary>
    /// How long a case this instance wrote or read is remembered with its ETag, so that its next update (the link's
    /// record after the intake's write, a step's record after its read) is one write instead of a read and a write
    /// (issue 21). Kept short and bounded: the case is in this process's memory anyway while it is being handled.
    /// </summary>
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);

    /// <summary>Cases remembered at most.</summary>
    private const int MaxRemembered = 2_000;

    private readonly RecentlySeen<Known> known = new(RememberFor, MaxRemembered);

    private sealed record Known(PrivacyCase Case, ETag ETag);

    private void Remember(PrivacyCase c, ETag? etag)
    {
        if (etag is { } e && e != default)
        {
            known.Set(c.Id, new Known(c, e));
        }
        else
        {
            known.Forget(c.Id);
        }
    }

    private Known? Recall(string caseId) => known.Get(caseId);

    public async IAsyncEnumerable<string> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        await foreach (var row in cases.QueryAsync<TableEntity>(e => e.GetBoolean("Finished") == false, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            yield return row.PartitionKey;
        }
    }

    /// <summary>
    /// One query for the requester's unfinished rows (by the key in <see cref="RequesterColumn"/>), plus any unfinished
    /// row of an older shape, which may lack the key until the daily sweep writes it (<see cref="RefreshListEntriesAsync"/>).
    /// </summary>
    public async IAsyncEnumerable<string> ListUnfinishedOfAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var filter = $"Finished eq false and ({RequesterColumn} eq '{EmailAddresses.RegisterKey(email)}' or {CaseListCopy.VersionColumn} lt {CaseListCopy.RequesterSince})";
        await foreach (var row in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            yield return row.PartitionKey;
        }
    }

    /// <summary>
    /// As <see cref="ListUnfinishedOfAsync"/>, with the requester's rows flagged failed too (by the <c>Status</c> column):
    /// one query.
    /// </summary>
    public async IAsyncEnumerable<string> ListUnansweredOfAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var filter = $"(Finished eq false or Status eq '{nameof(CaseStatus.Failed)}') and ({RequesterColumn} eq '{EmailAddresses.RegisterKey(email)}' or {CaseListCopy.VersionColumn} lt {CaseListCopy.RequesterSince})";
        await foreach (var row in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            yield return row.PartitionKey;
        }
    }

    /// <summary>
    /// Every case of the requester, whatever its status, by the <c>Requester</c> column, and those whose address was
    /// erased by the <c>Subject</c> column: one query.
    /// </summary>
    public async IAsyncEnumerable<string> ListOfAsync(string email, string? subjectHash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        // Both keys are lowercase hex (a SHA-256 and an HMAC-SHA256), never text from a request.
        var bySubject = subjectHash is not null && subjectHash.All(char.IsAsciiHexDigitLower) ? $" or {SubjectColumn} eq '{subjectHash}'" : string.Empty;
        // Rows of shape 2 lack the Subject column; of those, only the ones whose address was erased (their Requester is the
        // key of the empty address) may be this person's beyond the Requester match, so only they are read whole.
        var filter = $"{RequesterColumn} eq '{EmailAddresses.RegisterKey(email)}'{bySubject} or {CaseListCopy.VersionColumn} lt {CaseListCopy.RequesterSince}"
            + $" or ({CaseListCopy.VersionColumn} lt {CaseListCopy.Version} and {RequesterColumn} eq '{EmailAddresses.RegisterKey(string.Empty)}')";
        await foreach (var row in cases.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken))
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

    /// <summary>
    /// The list's entries, from the copy this process keeps of them (<see cref="CaseListCopy"/>): each read asks the table
    /// only for the rows written since the last one, so the staff list of 10,000 cases answers in well under a second.
    /// </summary>
    public async IAsyncEnumerable<CaseListEntry> ListEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        foreach (var entry in await Copy.ReadAsync(cancellationToken))
        {
            yield return entry;
        }
    }

    public async Task<CaseList> ReadListAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        return await Copy.ReadAsync(patience, cancellationToken);
    }

    /// <summary>The entries of rows written before they were kept, from the cases themselves.</summary>
    private async IAsyncEnumerable<CaseListEntry> ReadWholeAsync(IReadOnlyCollection<string> ids, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (ids.Count <= StaleReadOneByOne)
        {
            foreach (var id in ids)
            {
                // Gone meanwhile (the retention sweep): not listed.
                if (await GetAsync(id, cancellationToken) is { } c)
                {
                    yield return CaseListEntry.Of(c);
                }
            }

            yield break;
        }

        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        await foreach (var c in ListAllAsync(cancellationToken))
        {
            if (wanted.Contains(c.Id))
            {
                yield return CaseListEntry.Of(c);
            }
        }
    }

    /// <summary>
    /// Writes the list entry into each row that lacks one of the current shape, from the row's own case, on that row's
    /// ETag: a row changed meanwhile was written whole, entry included, so it is left as it is. Idempotent.
    /// </summary>
    public async Task<int> RefreshListEntriesAsync(CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var stale = new List<string>();
        await foreach (var row in cases.QueryAsync<TableEntity>(e => e.RowKey == CaseRow, select: ["PartitionKey", CaseListCopy.VersionColumn], cancellationToken: cancellationToken))
        {
            if (row.GetInt32(CaseListCopy.VersionColumn) != CaseListCopy.Version)
            {
                stale.Add(row.PartitionKey);
            }
        }

        var rewritten = 0;
        foreach (var id in stale)
        {
            var response = await cases.GetEntityIfExistsAsync<TableEntity>(id, CaseRow, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value!.GetInt32(CaseListCopy.VersionColumn) == CaseListCopy.Version)
            {
                continue;
            }

            try
            {
                var stored = FromEntity(response.Value!);
                var entry = CaseListCopy.Write(LookUpColumns(new TableEntity(id, CaseRow), stored), CaseListEntry.Of(stored));
                await cases.UpdateEntityAsync(entry, response.Value!.ETag, TableUpdateMode.Merge, cancellationToken);
                known.Forget(id);
                rewritten++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed (and so written with its entry) or removed since it was read.
            }
        }

        return rewritten;
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
        known.Forget(caseId);
        Copy.Forget(caseId);
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

    private static TableEntity ToEntity(PrivacyCase c) => CaseListCopy.Write(LookUpColumns(new TableEntity(c.Id, CaseRow)
    {
        ["Status"] = c.Status.ToString(),
        // "Finished": nothing left for the orchestration to do (the column the reconciler's query filters on).
        ["Finished"] = !c.NeedsWork,
    }, c), CaseListEntry.Of(c)).With(c);

    /// <summary>The columns a person's cases are looked up by: the address's key, and its keyed hash once it was erased.</summary>
    private static TableEntity LookUpColumns(TableEntity row, PrivacyCase c)
    {
        row[RequesterColumn] = EmailAddresses.RegisterKey(c.Email);
        if (c.SubjectHash is { } subject)
        {
            row[SubjectColumn] = subject;
        }

        return row;
    }

    private static PrivacyCase FromEntity(TableEntity entity) =>
        entity.Read<PrivacyCase>()
        ?? throw new InvalidOperationException($"Case row {entity.PartitionKey} has no data.");
}
