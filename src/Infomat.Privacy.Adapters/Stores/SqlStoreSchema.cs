using System.Data.Common;

using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's schema as this system sees it: creates the tables it keeps there itself (the action record, the legal
/// holds, the suppression list) and checks that every table and column the data map names exists.
/// </summary>
internal sealed class SqlStoreSchema(StoreMap map, SqlDialect dialect)
{
    /// <summary>The names of the tables this system keeps in the store.</summary>
    public IEnumerable<string> SystemTables =>
        new[] { SqlEntityStore.ActionsTable, SqlEntityStore.HoldsTable, SqlEntityStore.FileDeletionsTable }.Concat(map.SuppressionTable is { } s ? [s] : []);

    /// <summary>Without run-time DDL (<c>Stores:CreateSystemTables</c> false): the system tables that do not exist.</summary>
    public async Task<IReadOnlyList<string>> CheckSystemTablesAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in SystemTables)
        {
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {dialect.Table(map, table)} WHERE 1 = 0";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            }
            catch (DbException)
            {
                problems.Add($"store {map.Key}: table '{table}' does not exist (this system's own; create it as docs/deploy.md shows)");
            }
        }

        return problems;
    }

    /// <summary>Creates the tables this system keeps in the store: the action record, the legal holds, the files marked for deletion, the suppression list.</summary>
    public async Task EnsureSystemTablesAsync(CancellationToken cancellationToken)
    {
        await using var connection = dialect.Connect(map);
        await connection.OpenAsync(cancellationToken);
        var statements = new List<string>
        {
            $"CREATE TABLE IF NOT EXISTS {dialect.Table(map, SqlEntityStore.ActionsTable)} (case_id TEXT NOT NULL, action TEXT NOT NULL, applied_at {dialect.Timestamp} NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (case_id, action))",
            $"CREATE TABLE IF NOT EXISTS {dialect.Table(map, SqlEntityStore.HoldsTable)} (case_id TEXT NOT NULL, table_name TEXT NOT NULL, subject_hash TEXT NOT NULL, hold_until {dialect.DateType} NOT NULL, PRIMARY KEY (case_id, table_name))",
            $"CREATE TABLE IF NOT EXISTS {dialect.Table(map, SqlEntityStore.FileDeletionsTable)} (table_name TEXT NOT NULL, file_name TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (table_name, file_name))",
        };
        if (map.SuppressionTable is { } suppression)
        {
            statements.Add($"CREATE TABLE IF NOT EXISTS {dialect.Table(map, suppression)} (address_hash TEXT PRIMARY KEY, added_at {dialect.Timestamp} NOT NULL)");
        }

        foreach (var statement in statements)
        {
            await using var command = Command(connection, null, statement);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Checks that every table and column the map names exists; returns what is missing.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in map.Tables)
        {
            HashSet<string> columns;
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {dialect.Table(map, table.Table)} WHERE 1 = 0";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.Ordinal);
            }
            catch (DbException)
            {
                problems.Add($"store {map.Key}: table '{table.Table}' does not exist");
                continue;
            }

            problems.AddRange(table.ColumnsTheMapUses.Where(c => !columns.Contains(c)).Select(c => $"store {map.Key}: table '{table.Table}' has no column '{c}'"));
        }

        return problems;
    }
}
