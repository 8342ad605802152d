using System.Data.Common;
using System.Globalization;

using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// One table's rows for one person, inside the action's transaction when there is one: the counts, reads, updates and
/// deletes the store classes run on them. A row is the person's when any column the map names as holding the address
/// (<see cref="TableMap.EmailColumns"/>: raw as typed, or normalised) equals the normalised address, ignoring case and
/// the spaces around it; so a row whose normalised copy is stale or empty is still found by its raw address.
/// </summary>
internal sealed record PersonRows(SqlDialect Dialect, StoreMap Store, DbConnection Connection, DbTransaction? Transaction, TableMap Table, string Email, DateTimeOffset Now, CancellationToken Cancel)
{
    public string CaseId { get; init; } = string.Empty;

    /// <summary>The SQL condition selecting the person's rows (with <paramref name="extra"/>); the address is the parameter <c>@email</c>.</summary>
    public string Where(string? extra) =>
        "(" + string.Join(" OR ", Table.EmailColumns.Select(c => $"{SqlDialect.Normalised(c)} = @email")) + ")" + (extra is null ? string.Empty : " AND " + extra);

    public async Task<int> CountAsync() =>
        Convert.ToInt32(await ScalarAsync("count(*)"), CultureInfo.InvariantCulture);

    public async Task<object?> ScalarAsync(string what)
    {
        await using var command = Prepare($"SELECT {what} FROM {Dialect.Table(Store, Table.Table)} WHERE {Where(null)}", []);
        var value = await command.ExecuteScalarAsync(Cancel);
        return value is DBNull ? null : value;
    }

    public async Task<List<string>> DistinctAsync(string column, string? extra = null, params (string Name, object Value)[] parameters)
    {
        var values = new List<string>();
        var notNull = $"{SqlDialect.Quote(column)} IS NOT NULL" + (extra is null ? string.Empty : " AND " + extra);
        await using var command = Prepare($"SELECT DISTINCT {SqlDialect.Quote(column)} FROM {Dialect.Table(Store, Table.Table)} WHERE {Where(notNull)}", parameters);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    /// <summary>The given columns of every row of the person (matching <paramref name="extra"/> too, when given).</summary>
    public async Task<List<object?[]>> ReadAsync(IReadOnlyList<string> columns, string? extra = null, params (string Name, object Value)[] parameters)
    {
        var rows = new List<object?[]>();
        await using var command = Prepare($"SELECT {string.Join(", ", columns.Select(SqlDialect.Quote))} FROM {Dialect.Table(Store, Table.Table)} WHERE {Where(extra)}", parameters);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public Task<int> ExecuteAsync(string set, params (string Name, object Value)[] parameters) =>
        ExecuteAsync(set, null, parameters);

    public async Task<int> ExecuteAsync(string set, string? extra, params (string Name, object Value)[] parameters)
    {
        await using var command = Prepare($"UPDATE {Dialect.Table(Store, Table.Table)} SET {set} WHERE {Where(extra)}", parameters);
        return await command.ExecuteNonQueryAsync(Cancel);
    }

    public async Task<int> DeleteAsync(string? extra = null, params (string Name, object Value)[] parameters)
    {
        await using var command = Prepare($"DELETE FROM {Dialect.Table(Store, Table.Table)} WHERE {Where(extra)}", parameters);
        return await command.ExecuteNonQueryAsync(Cancel);
    }

    private DbCommand Prepare(string sql, (string Name, object Value)[] parameters)
    {
        var command = Command(Connection, Transaction, sql);
        AddParameter(command, "email", Email);
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }

        return command;
    }
}
