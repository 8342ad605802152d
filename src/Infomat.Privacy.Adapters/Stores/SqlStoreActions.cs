using System.Data.Common;
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
    DataMap dataMap, StoreMap map, SqlDialect dialect,
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
            return new StoreOutcome(map.Key, request.Action, map.Tables.Select(t => new TableOutcome(t.Table, 0, 0, 0, 0, 0, 0, [], 0)).ToList(), false);
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
                outcome = recorded with { RecordedEarlier = true };
            }
            else
            {
                var tables = new List<TableOutcome>();
                foreach (var table in map.Tables)
                {
                    tables.Add(await ApplyAsync(StepFor(connection, transaction, table, email, request.Now, cancellationToken) with { CaseId = request.CaseId }, request));
                }

                // The suppression list keeps the address off marketing: only an action that stops marketing puts it there.
                // Every other action says whether the address's code is on it (an erasure keeps it, decision 14): its
                // report must not claim that nothing of the person is left.
                var suppressed = request.Action is StoreAction.WithdrawConsent or StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent
                    ? await suppressions.AddAsync(connection, transaction, email, request.Now, cancellationToken)
                    : await suppressions.ContainsAsync(connection, transaction, email, cancellationToken);
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

        // Files go only once their rows are gone for good (marked in the transaction; a retry finishes what a crash left).
        await files.DeleteMarkedAsync(cancellationToken);

        // The check: count again, outside the transaction that did the work, with a search of its own.
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

    private async Task<TableOutcome> ApplyAsync(PersonRows step, StoreActionRequest request)
    {
        var action = request.Action;
        var table = step.Table;
        var matched = await step.CountAsync();
        var outcome = new TableOutcome(table.Table, matched, 0, 0, 0, 0, 0, [], 0);
        if (matched == 0)
        {
            return outcome;
        }

        switch (action)
        {
            case StoreAction.Restrict:
                var restricted = await step.ExecuteAsync($"{Set(table.RestrictedColumn)} = @true", ("true", dialect.DbValue(true)));
                if (request.KeepsHeldRecords && table.Erasure.Hold is not null && await holds.HoldsAsync(step))
                {
                    // Records an earlier erasure holds until their legal period ends: the restriction keeps them past it
                    // (Art. 18(1)(c)), as its report says, until it is lifted.
                    await holds.KeepForRestrictionAsync(step);
                }

                return outcome with { Restricted = restricted };

            case StoreAction.LiftRestriction:
                // This restriction no longer keeps anything. A table whose records of this person are held for an
                // erasure (or kept by another restriction) keeps them restricted: the daily sweep erases only
                // restricted held records.
                await holds.ReleaseRestrictionAsync(step);
                return await holds.HoldsAsync(step)
                    ? outcome
                    : outcome with { Updated = await step.ExecuteAsync($"{Set(table.RestrictedColumn)} = @false", $"{SqlDialect.Quote(table.RestrictedColumn)} = @true", ("false", dialect.DbValue(false)), ("true", dialect.DbValue(true))) };

            case StoreAction.Erase when table.Erasure.Action == ErasureAction.Delete:
                return outcome with { Deleted = await files.DeleteRowsAsync(step) };

            case StoreAction.Erase when table.Erasure.Action == ErasureAction.Anonymise:
                return outcome with { Anonymised = await AnonymiseAsync(step) };

            case StoreAction.Erase:
                return await RetainAsync(step, outcome);

            case StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent when table.OptsOutOfMailings(action):
                return outcome with { Updated = await OptOutAsync(step) };

            case StoreAction.WithdrawConsent or StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent or StoreAction.WithdrawOtherConsent
                when table.Withdrawal is { } rule && RowsCovered(table, rule, action) is var (condition, parameters):
                if (rule.Action == WithdrawalAction.Delete)
                {
                    return outcome with { Deleted = await files.DeleteRowsAsync(step, condition, parameters) };
                }

                // A row withdrawn before keeps its date (the evidence of when consent ended, Art. 7(1)), and is counted as
                // withdrawn, which it is: counted as unchanged, the report told the person it was "not affected, kept for"
                // the consent's purpose (store hunt of 8 December; the opt-out's way, decision 165).
                var (_, values) = Assignments(rule.Set, step.Now);
                var assignments = string.Join(", ", rule.Set.Select((kv, i) => (Column: Set(kv.Key), kv.Value, Parameter: "@v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .Select(c => c.Value == "now" ? $"{c.Column} = CASE WHEN {c.Column} IS NULL THEN {c.Parameter} ELSE {c.Column} END" : $"{c.Column} = {c.Parameter}"));
                return outcome with { Updated = await step.ExecuteAsync(assignments, condition, [.. values, .. parameters]) };

            default:
                // Nothing this action changes in this table (e.g. contacts on a withdrawal of consent).
                return outcome;
        }
    }

    private static string Set(string column) => SqlDialect.Quote(column);

    /// <summary>
    /// Marks the person's rows opted out of mailings as the map's <see cref="MarketingOptOut"/> says (the CRM contact:
    /// <c>marketing_opt_out</c>, <c>marketing_opt_out_at</c>); the rows stay for their own purpose.
    /// </summary>
    /// <remarks>
    /// A row opted out before keeps its date (the evidence of when the objection took effect, Art. 21(3)): a time column
    /// is written only on rows whose flags are not yet what the map sets. Every row of the person is counted, as the
    /// report says it is marked "no mailings" (it is, whether by this request or before).
    /// </remarks>
    private async Task<int> OptOutAsync(PersonRows step)
    {
        var set = step.Table.MarketingOptOut!.Set;
        var (_, values) = Assignments(set, step.Now);
        // The parameters Assignments named v0, v1, ... in the map's order, so a flag's condition reuses its value.
        var columns = set.Select((kv, i) => (Column: Set(kv.Key), kv.Value, Parameter: "@v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var already = string.Join(" AND ", columns.Where(c => c.Value is "true" or "false").Select(c => $"{c.Column} = {c.Parameter}"));
        var assignments = string.Join(", ", columns.Select(c => c.Value == "now" && already.Length > 0
            ? $"{c.Column} = CASE WHEN {already} THEN {c.Column} ELSE {c.Parameter} END"
            : $"{c.Column} = {c.Parameter}"));
        return await step.ExecuteAsync(assignments, values);
    }

    /// <summary>The <c>SET</c> clause of a map's column values ("true", "false", "now", anything else NULL) and its parameters.</summary>
    private (string Clause, (string Name, object Value)[] Values) Assignments(IReadOnlyDictionary<string, string> set, DateTimeOffset now)
    {
        var values = set.Select((kv, i) => (Column: kv.Key, Name: "v" + i, Value: kv.Value switch
        {
            "true" => dialect.DbValue(true),
            "false" => dialect.DbValue(false),
            "now" => dialect.DbValue(now),
            _ => DBNull.Value,
        })).ToList();
        return (string.Join(", ", values.Select(v => $"{Set(v.Column)} = @{v.Name}")), [.. values.Select(v => (v.Name, v.Value))]);
    }

    /// <summary>Whether a purpose is one the action stops (Art. 7(3) for consent, Art. 21(2)-(3) for direct marketing).</summary>
    private static bool Covers(StoreAction action, Purpose purpose) => action switch
    {
        StoreAction.WithdrawConsent => purpose.Consent,
        StoreAction.WithdrawMarketingConsent => purpose is { Consent: true, DirectMarketing: true },
        StoreAction.WithdrawOtherConsent => purpose is { Consent: true, DirectMarketing: false },
        _ => purpose.DirectMarketing,
    };

    /// <summary>
    /// The rows of the person the action changes in this table: null when none; otherwise an extra condition (null: all
    /// of them). A table whose rule names a purpose column (consents for several purposes) is narrowed to the rows whose
    /// purpose the action covers; a withdrawal of every consent takes every row.
    /// </summary>
    private (string? Condition, (string Name, object Value)[] Parameters)? RowsCovered(TableMap table, WithdrawalRule rule, StoreAction action)
    {
        if (rule.PurposeColumn is not { } column)
        {
            return dataMap.Purposes.GetValueOrDefault(table.Purpose) is { } purpose && Covers(action, purpose) ? (null, []) : null;
        }

        if (action == StoreAction.WithdrawConsent)
        {
            return (null, []);
        }

        var covered = dataMap.Purposes.Values.Where(p => Covers(action, p)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        if (covered.Count == 0)
        {
            return null;
        }

        var parameters = covered.Select((key, i) => ("purpose" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (object)key)).ToArray();
        return ($"{Set(column)} IN ({string.Join(", ", parameters.Select(p => "@" + p.Item1))})", parameters);
    }

    /// <summary>
    /// Anonymises the person's rows in one statement: every column the map lists is set to NULL or blank (the loader
    /// made sure these include every address, identifier, free-text and file column); no keyed hash of anything stays.
    /// </summary>
    private async Task<int> AnonymiseAsync(PersonRows step)
    {
        await files.MarkAsync(step);
        var set = step.Table.Erasure.Columns.Select(c => $"{Set(c.Key)} = {(c.Value == ColumnErasure.Blank ? "''" : "NULL")}");
        return await step.ExecuteAsync(string.Join(", ", set));
    }

    /// <summary>
    /// Each record is held until its own end (<see cref="LegalHold.EndOf"/>): those whose hold has ended are deleted now,
    /// the others are kept, marked restricted, and remembered so that the daily sweep erases each the day after its last
    /// day (<see cref="LegalHold.HasEnded"/>).
    /// </summary>
    private async Task<TableOutcome> RetainAsync(PersonRows step, TableOutcome outcome)
    {
        var hold = step.Table.Erasure.Hold!;
        var (ended, held) = await LegalHolds.SplitAsync(step, hold, step.Now);
        var deleted = 0;
        foreach (var record in ended)
        {
            deleted += await files.DeleteRowsAsync(step, LegalHolds.RecordCondition(step.Table), holds.RecordParameters(record));
        }

        var restricted = 0;
        foreach (var record in held)
        {
            restricted += await step.ExecuteAsync($"{Set(step.Table.RestrictedColumn)} = @true", LegalHolds.RecordCondition(step.Table), [("true", dialect.DbValue(true)), .. holds.RecordParameters(record)]);
        }

        var groups = held.GroupBy(r => r.Until).OrderBy(g => g.Key).Select(g => new HeldRecords(g.Key, g.Count())).ToList();
        if (groups.Count > 0)
        {
            // Remembered (by keyed hash) until the first of these ends: PurgeEndedHoldsAsync.
            await holds.RecordAsync(step, groups[0].Until);
        }

        return outcome with { Deleted = deleted, Retained = restricted, Restricted = restricted, Held = groups };
    }

    /// <summary>One table's rows for one person, inside the action's transaction.</summary>
    private PersonRows StepFor(DbConnection connection, DbTransaction? transaction, TableMap table, string email, DateTimeOffset now, CancellationToken ct) =>
        new(dialect, map, connection, transaction, table, email, now, ct);
}
