using System.Data.Common;
using System.Globalization;

using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// One table's rows for one person (an exact match on the table's normalised email column), inside the action's
/// transaction when there is one: the counts, reads, updates and deletes the store classes run on them.
/// </summary>
internal sealed record PersonRows(SqlDialect Dialect, StoreMap Store, DbConnection Connection, DbTransaction? Transaction, TableMap Table, string Email, DateTimeOffset Now, CancellationToken Cancel)
{
    public string CaseId { get; init; } = string.Empty;

    private string Where(string? extra) => $"{SqlDialect.Quote(Table.Match)} = @email" + (extra is null ? string.Empty : " AND " + extra);

    public async Task<int> CountAsync() =>
        Convert.ToInt32(await ScalarAsync("count(*)"), CultureInfo.InvariantCulture);

    public async Task<object?> ScalarAsync(string what)
    {
        await using var command = Prepare($"SELECT {what} FROM {Dialect.Table(Store, Table.Table)} WHERE {Where(null)}", []);
        var value = await command.ExecuteScalarAsync(Cancel);
        return value is DBNull ? null : value;
    }

    public async Task<List<string>> DistinctAsync(string column)
    {
        var values = new List<string>();
        await using var command = Prepare($"SELECT DISTINCT {SqlDialect.Quote(column)} FROM {Dialect.Table(Store, Table.Table)} WHERE {Where($"{SqlDialect.Quote(column)} IS NOT NULL")}", []);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
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
