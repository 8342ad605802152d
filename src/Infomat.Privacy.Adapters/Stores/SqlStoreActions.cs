using System.Data.Common;
using System.Globalization;
using System.Text.Json;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's actions on a person's records (erase, anonymise, keep under a legal hold, restrict, withdraw consent,
/// object to direct marketing), as the data map's rules say, table by table. One transaction per store, recorded in
/// the store's <c>privacy_actions</c> table under the case id in that same transaction, so a retry after a crash
/// either finds the action done (and returns the recorded outcome) or finds the store untouched.
/// </summary>
internal sealed class SqlStoreActions(
    DataMap dataMap, StoreMap map, SqlDialect dialect, KeyedHash hashes,
    SqlRecordReader records, SqlStoreFiles files, SuppressionList suppressions, LegalHolds holds)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Carries out the action in one transaction (or returns the one recorded for the case); counts again after the commit.</summary>
    public async Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var email = EmailAddresses.Normalise(request.Email);
        if (!EmailAddresses.CanMatch(email))
        {
            return new StoreOutcome(map.Key, request.Action, map.Tables.Select(t => new TableOutcome(t.Table, 0, 0, 0, 0, 0, 0, null, 0)).ToList(), false);
        }

        var action = request.Action.ToString();
        StoreOutcome outcome;
        await using (var connection = dialect.Connect(map))
        {
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var recorded = await RecordedAsync(connection, transaction, request.CaseId, action, cancellationToken);
            if (recorded is not null)
            {
                outcome = recorded;
            }
            else
            {
                var tables = new List<TableOutcome>();
                foreach (var table in map.Tables)
                {
                    tables.Add(await ApplyAsync(StepFor(connection, transaction, table, email, request.Now, cancellationToken) with { CaseId = request.CaseId }, request.Action));
                }

                var suppressed = request.Action is StoreAction.WithdrawConsent or StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent
                    && await suppressions.AddAsync(connection, transaction, email, request.Now, cancellationToken);
                outcome = new StoreOutcome(map.Key, request.Action, tables, suppressed);
                await using var log = Command(connection, transaction,
                    $"INSERT INTO {dialect.Table(map, SqlEntityStore.ActionsTable)} (case_id, action, applied_at, outcome) VALUES (@case, @action, @at, @outcome)");
                AddParameter(log, "case", request.CaseId);
                AddParameter(log, "action", action);
                AddParameter(log, "at", dialect.DbValue(request.Now));
                AddParameter(log, "outcome", JsonSerializer.Serialize(outcome, Json));
                await log.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // The proof: count again, outside the transaction that did the work.
        var after = await records.CountAsync(email, cancellationToken);
        return outcome with { Tables = outcome.Tables.Select(t => t with { RemainingAfter = after.GetValueOrDefault(t.Table) }).ToList() };
    }

    private async Task<StoreOutcome?> RecordedAsync(DbConnection connection, DbTransaction transaction, string caseId, string action, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, $"SELECT outcome FROM {dialect.Table(map, SqlEntityStore.ActionsTable)} WHERE case_id = @case AND action = @action");
        AddParameter(command, "case", caseId);
        AddParameter(command, "action", action);
        return await command.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<StoreOutcome>(json, Json) : null;
    }

    private async Task<TableOutcome> ApplyAsync(PersonRows step, StoreAction action)
    {
        var table = step.Table;
        var matched = await step.CountAsync();
        var outcome = new TableOutcome(table.Table, matched, 0, 0, 0, 0, 0, null, 0);
        if (matched == 0)
        {
            return outcome;
        }

        switch (action)
        {
            case StoreAction.Restrict:
                return outcome with { Restricted = await step.ExecuteAsync($"{Set(table.RestrictedColumn)} = @true", ("true", dialect.DbValue(true))) };

            case StoreAction.Erase when table.Erasure.Action == ErasureAction.Delete:
                await files.DeleteNamedAsync(step);
                return outcome with { Deleted = await step.DeleteAsync() };

            case StoreAction.Erase when table.Erasure.Action == ErasureAction.Anonymise:
                await files.DeleteNamedAsync(step);
                await AnonymiseAsync(step);
                return outcome with { Anonymised = matched };

            case StoreAction.Erase:
                return await RetainAsync(step, outcome);

            case StoreAction.WithdrawConsent or StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent when AppliesTo(table, action) && table.Withdrawal is { } rule:
                if (rule.Action == WithdrawalAction.Delete)
                {
                    return outcome with { Deleted = await step.DeleteAsync() };
                }

                var values = rule.Set.Select((kv, i) => (Column: kv.Key, Name: "v" + i, Value: kv.Value switch
                {
                    "true" => dialect.DbValue(true),
                    "false" => dialect.DbValue(false),
                    "now" => dialect.DbValue(step.Now),
                    _ => DBNull.Value,
                })).ToList();
                var updated = await step.ExecuteAsync(string.Join(", ", values.Select(v => $"{Set(v.Column)} = @{v.Name}")), [.. values.Select(v => (v.Name, v.Value))]);
                return outcome with { Updated = updated };

            default:
                // Nothing this action changes in this table (e.g. contacts on a withdrawal of consent).
                return outcome;
        }
    }

    private static string Set(string column) => SqlDialect.Quote(column);

    private bool AppliesTo(TableMap table, StoreAction action) => action switch
    {
        StoreAction.WithdrawConsent => PurposeOf(table)?.Consent == true,
        StoreAction.WithdrawMarketingConsent => PurposeOf(table) is { Consent: true, DirectMarketing: true },
        _ => PurposeOf(table)?.DirectMarketing == true,
    };

    private Purpose? PurposeOf(TableMap table) => dataMap.Purposes.GetValueOrDefault(table.Purpose);

    private async Task AnonymiseAsync(PersonRows step)
    {
        var table = step.Table;
        // Other columns first: once the match column is replaced, the rows no longer match.
        foreach (var (column, rule) in table.Erasure.Columns.OrderBy(c => c.Key == table.Match ? 1 : 0))
        {
            if (rule == ColumnErasure.Null)
            {
                await step.ExecuteAsync($"{Set(column)} = NULL");
            }
            else if (column == table.Match)
            {
                await step.ExecuteAsync($"{Set(column)} = @pseudonym", ("pseudonym", hashes.Pseudonym(step.Email)));
            }
            else
            {
                foreach (var value in await step.DistinctAsync(column))
                {
                    await step.ExecuteAsync($"{Set(column)} = @pseudonym", $"{SqlDialect.Quote(column)} = @old", ("pseudonym", hashes.Pseudonym(value)), ("old", value));
                }
            }
        }
    }

    /// <summary>Rows whose hold has ended are deleted; the others are kept, marked restricted, until the hold ends.</summary>
    private async Task<TableOutcome> RetainAsync(PersonRows step, TableOutcome outcome)
    {
        var rule = step.Table.Erasure;
        var from = SqlDialect.Quote(rule.RetainFrom!);
        var today = DateOnly.FromDateTime(step.Now.UtcDateTime);
        var cutoff = dialect.DbValue(today.AddYears(-rule.RetainYears!.Value));
        var deleted = await step.DeleteAsync($"{from} <= @cutoff", ("cutoff", cutoff));
        var retained = await step.ExecuteAsync($"{Set(step.Table.RestrictedColumn)} = @true", $"{from} > @cutoff", ("true", dialect.DbValue(true)), ("cutoff", cutoff));
        DateOnly? until = null;
        if (retained > 0)
        {
            var latest = await step.ScalarAsync($"max({from})");
            until = ToDate(latest)?.AddYears(rule.RetainYears.Value);
            // Remembered (by keyed hash) so that the rows are erased when the hold ends: PurgeEndedHoldsAsync.
            await holds.RecordAsync(step, until);
        }

        return outcome with { Deleted = deleted, Retained = retained, Restricted = retained, RetainedUntil = until };
    }

    private static DateOnly? ToDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s when DateOnly.TryParse(s.AsSpan(0, Math.Min(10, s.Length)), CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>One table's rows for one person, inside the action's transaction.</summary>
    private PersonRows StepFor(DbConnection connection, DbTransaction? transaction, TableMap table, string email, DateTimeOffset now, CancellationToken ct) =>
        new(dialect, map, connection, transaction, table, email, now, ct);
}
