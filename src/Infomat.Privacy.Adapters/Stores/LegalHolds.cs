using System.Data.Common;

using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's legal holds (<see cref="SqlEntityStore.HoldsTable"/>): which erased people's records an erasure kept,
/// by keyed hash, and until when; and the daily sweep that erases them once the hold has ended.
/// </summary>
internal sealed class LegalHolds(StoreMap map, SqlDialect dialect, KeyedHash hashes)
{
    /// <summary>Records, in the erasure's transaction, that the person's retained rows in the table are held until the date.</summary>
    public async Task RecordAsync(PersonRows rows, DateOnly? until)
    {
        await using var hold = Command(rows.Connection, rows.Transaction,
            $"INSERT INTO {dialect.Table(map, SqlEntityStore.HoldsTable)} (case_id, table_name, subject_hash, hold_until) VALUES (@case, @table, @subject, @until)");
        AddParameter(hold, "case", rows.CaseId);
        AddParameter(hold, "table", rows.Table.Table);
        AddParameter(hold, "subject", hashes.Subject(rows.Email));
        AddParameter(hold, "until", dialect.DbValue(until));
        await hold.ExecuteNonQueryAsync(rows.Cancel);
    }

    /// <summary>
    /// Erases the records an erasure kept under a legal hold once the hold has ended (run daily). Only records of people
    /// who asked for erasure, only those still restricted, and only those whose own retention period is over.
    /// Returns how many records were erased.
    /// </summary>
    public async Task<int> PurgeEndedAsync(DateOnly today, CancellationToken cancellationToken)
    {
        var erased = 0;
        await using var connection = dialect.Connect(map);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ended = new List<(string CaseId, string Table, string Subject)>();
        await using (var due = Command(connection, transaction, $"SELECT case_id, table_name, subject_hash FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE hold_until <= @today"))
        {
            AddParameter(due, "today", dialect.DbValue(today));
            await using var reader = await due.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ended.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        foreach (var (caseId, tableName, subject) in ended)
        {
            var table = map.Tables.FirstOrDefault(t => t.Table == tableName && t.Erasure.Action == ErasureAction.Retain);
            if (table is not null)
            {
                var restricted = $"{SqlDialect.Quote(table.RestrictedColumn)} <> {dialect.FalseLiteral}";
                var rows = new PersonRows(dialect, map, connection, transaction, table, string.Empty, default, cancellationToken);
                foreach (var email in await DistinctWhereAsync(connection, transaction, table, restricted, cancellationToken))
                {
                    if (hashes.Subject(email) == subject)
                    {
                        var cutoff = dialect.DbValue(today.AddYears(-table.Erasure.RetainYears!.Value));
                        erased += await (rows with { Email = email }).DeleteAsync($"{restricted} AND {SqlDialect.Quote(table.Erasure.RetainFrom!)} <= @cutoff", ("cutoff", cutoff));
                    }
                }
            }

            await using var done = Command(connection, transaction, $"DELETE FROM {dialect.Table(map, SqlEntityStore.HoldsTable)} WHERE case_id = @case AND table_name = @table");
            AddParameter(done, "case", caseId);
            AddParameter(done, "table", tableName);
            await done.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return erased;
    }

    private async Task<List<string>> DistinctWhereAsync(DbConnection connection, DbTransaction transaction, TableMap table, string where, CancellationToken ct)
    {
        var values = new List<string>();
        await using var command = Command(connection, transaction, $"SELECT DISTINCT {SqlDialect.Quote(table.Match)} FROM {dialect.Table(map, table.Table)} WHERE {where}");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
