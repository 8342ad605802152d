using System.Data.Common;
using System.Globalization;

using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>A record kept under a legal hold: its key (the table's order column), its document date, and the day its hold ends.</summary>
internal sealed record HeldRecord(object Key, DateOnly Date, DateOnly Until);

/// <summary>
/// A store's legal holds (<see cref="SqlEntityStore.HoldsTable"/>): which erased people's records an erasure kept, by
/// keyed hash, and the last day of the first of them; and the daily sweep that erases each record once its own hold has
/// ended, the day after its last day in Brussels (<see cref="LegalHold.HasEnded"/>, the one rule, in Core), moving the
/// remembered day on to the next one.
/// </summary>
internal sealed class LegalHolds(StoreMap map, SqlDialect dialect, KeyedHash hashes, SqlStoreFiles files)
{
    /// <summary>The person's records (those matching <paramref name="extra"/> too), split into those whose hold has ended and those still held.</summary>
    public static async Task<(List<HeldRecord> Ended, List<HeldRecord> Held)> SplitAsync(PersonRows rows, LegalHold hold, DateTimeOffset now, string? extra = null)
    {
        var records = new List<HeldRecord>();
        foreach (var row in await rows.ReadAsync([rows.Table.OrderBy, hold.From], extra))
        {
            // A record without a date cannot be shown to be due: it is held (and a date-less hold never ends by itself).
            var date = ToDate(row[1]) ?? DateOnly.MaxValue.AddYears(-hold.Years - 1);
            records.Add(new HeldRecord(row[0]!, date, hold.EndOf(date)));
        }

        return ([.. records.Where(r => hold.HasEnded(r.Date, now))], [.. records.Where(r => !hold.HasEnded(r.Date, now))]);
    }

    /// <summary>The condition that picks one record among the person's: its key and its date.</summary>
    public static string RecordCondition(TableMap table) =>
        $"{SqlDialect.Quote(table.OrderBy)} = @record_key AND {SqlDialect.Quote(table.Erasure.Hold!.From)} = @record_date";

    public (string Name, object Value)[] RecordParameters(HeldRecord record) =>
        [("record_key", record.Key), ("record_date", dialect.DbValue(record.Date))];

    /// <summary>Records, in the erasure's transaction, that the person's retained rows in the table are held, the first until the date.</summary>
    public async Task RecordAsync(PersonRows rows, DateOnly until)
    {
        await using var hold = Command(rows.Connection, rows.Transaction,
            $"INSERT INTO {dialect.Table(map, SqlEntityStore.HoldsTable)} (case_id, table_name, subject_hash, hold_until) VALUES (@case, @table, @subject, @until)");
        AddParameter(hold, "case", rows.CaseId);
        AddParameter(hold, "table", rows.Table.Table);
        AddParameter(hold, "subject", hashes.Subject(rows.Email));
        AddParameter(hold, "until", dialect.DbValue(until));
        await hold.ExecuteNonQueryAsync(rows.Cancel);
    }

    /// <summary>The day a restriction's keep row names (<see cref="KeepForRestrictionAsync"/>): no hold ends then.</summary>
    public static readonly DateOnly KeptByRestriction = new(9999, 12, 31);

    /// <summary>
    /// A restriction asked for records an erasure holds here (Art. 18(1)(c): the person may need them for a claim):
    /// remembered beside the hold, by the restriction's case, so the daily sweep leaves them until it is lifted.
    /// </summary>
    public Task KeepForRestrictionAsync(PersonRows rows) => RecordAsync(rows, KeptByRestriction);

    /// <summary>
    /// The restriction's keep rows go with its lift, in every table of the store, those taken out of use too (the
    /// erasure's hold, if any, then runs its course).
    /// </summary>
    public async Task ReleaseRestrictionAsync(PersonRows rows)
    {
        await using var release = Command(rows.Connection, rows.Transaction,
            $"DELETE FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE case_id = @case AND subject_hash = @subject AND hold_until = @kept");
        AddParameter(release, "case", rows.CaseId);
        AddParameter(release, "subject", hashes.Subject(rows.Email));
        AddParameter(release, "kept", dialect.DbValue(KeptByRestriction));
        await release.ExecuteNonQueryAsync(rows.Cancel);
    }

    /// <summary>
    /// True when an erasure keeps the person's records in the table under a legal hold, or a restriction keeps them past
    /// it (a keep row): they stay restricted.
    /// </summary>
    public async Task<bool> HoldsAsync(PersonRows rows)
    {
        await using var command = Command(rows.Connection, rows.Transaction,
            $"SELECT COUNT(*) FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE table_name = @table AND subject_hash = @subject");
        AddParameter(command, "table", rows.Table.Table);
        AddParameter(command, "subject", hashes.Subject(rows.Email));
        return Convert.ToInt64(await command.ExecuteScalarAsync(rows.Cancel), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Erases the records an erasure kept under a legal hold once each one's hold has ended, the day after its last day
    /// (<see cref="LegalHold.HasEnded"/>; run daily). Only records of people who asked for erasure, only those still
    /// restricted, and only those whose own period is over; a hold with records left moves on to the next end date.
    /// Returns how many records were erased.
    /// </summary>
    public async Task<int> PurgeEndedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var erased = 0;
        await using (var connection = dialect.Connect(map))
        {
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var due = new List<(string CaseId, string Table, string Subject)>();
            await using (var select = Command(connection, transaction, $"SELECT case_id, table_name, subject_hash FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE hold_until <= @ended"))
            {
                AddParameter(select, "ended", dialect.DbValue(LegalHold.LastEndedDay(now)));
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    due.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }

            foreach (var (caseId, tableName, subject) in due)
            {
                if (await KeptByRestrictionAsync(connection, transaction, tableName, subject, cancellationToken))
                {
                    // A restriction asked later keeps them (Art. 18(1)(c)): nothing erased, the hold looked at again
                    // each day until the restriction is lifted.
                    continue;
                }

                DateOnly? next = null;
                // A table taken out of use (retiredTables, decision 114) still has its held records erased when their hold ends.
                if (map.Tables.Concat(map.RetiredTables).FirstOrDefault(t => t.Table == tableName && t.Erasure.Hold is not null) is { } table)
                {
                    var restricted = $"{SqlDialect.Quote(table.RestrictedColumn)} <> {dialect.FalseLiteral}";
                    foreach (var email in await AddressesAsync(connection, transaction, table, restricted, cancellationToken))
                    {
                        if (hashes.Subject(email) != subject)
                        {
                            continue;
                        }

                        var rows = new PersonRows(dialect, map, connection, transaction, table, email, default, cancellationToken) { CaseId = caseId };
                        var (ended, held) = await SplitAsync(rows, table.Erasure.Hold!, now, restricted);
                        foreach (var record in ended)
                        {
                            erased += await files.DeleteRowsAsync(rows, $"{restricted} AND {RecordCondition(table)}", RecordParameters(record));
                        }

                        next = held.Select(r => (DateOnly?)r.Until).Append(next).Min();
                    }
                }

                await using var update = Command(connection, transaction, next is null
                    ? $"DELETE FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE case_id = @case AND table_name = @table"
                    : $"UPDATE {dialect.Table(map, SqlEntityStore.HoldsTable)} SET hold_until = @next WHERE case_id = @case AND table_name = @table");
                AddParameter(update, "case", caseId);
                AddParameter(update, "table", tableName);
                if (next is { } day)
                {
                    AddParameter(update, "next", dialect.DbValue(day));
                }

                await update.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await files.DeleteMarkedAsync(cancellationToken);
        return erased;
    }

    private async Task<bool> KeptByRestrictionAsync(DbConnection connection, DbTransaction transaction, string tableName, string subject, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"SELECT COUNT(*) FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE table_name = @table AND subject_hash = @subject AND hold_until = @kept");
        AddParameter(command, "table", tableName);
        AddParameter(command, "subject", subject);
        AddParameter(command, "kept", dialect.DbValue(KeptByRestriction));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Every address (normalised as a match compares it) held in the table's address columns by rows matching <paramref name="where"/>.</summary>
    private async Task<HashSet<string>> AddressesAsync(DbConnection connection, DbTransaction transaction, TableMap table, string where, CancellationToken ct)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in table.EmailColumns)
        {
            await using var command = Command(connection, transaction, $"SELECT DISTINCT {SqlDialect.Normalised(column)} FROM {dialect.Table(map, table.Table)} WHERE {where} AND {SqlDialect.Quote(column)} IS NOT NULL");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }

    private static DateOnly? ToDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s when DateOnly.TryParse(s.AsSpan(0, Math.Min(10, s.Length)), CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
