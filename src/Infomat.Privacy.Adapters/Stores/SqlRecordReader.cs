using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// Reads a person's records from a store, on a read-only connection: collects them (all columns, or only those the
/// person provided), as the actions find them (<see cref="PersonRows"/>), and counts them per table: the check.
/// </summary>
internal sealed class SqlRecordReader(DataMap dataMap, StoreMap map, SqlDialect dialect)
{
    public async IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var normalised = EmailAddresses.Normalise(email);
        if (!EmailAddresses.CanMatch(normalised))
        {
            yield break;
        }

        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in map.Tables)
        {
            var columns = scope == CollectScope.All ? "*" : string.Join(", ", dataMap.PortableColumns(table).Select(SqlDialect.Quote));
            if (columns.Length == 0)
            {
                continue;
            }

            await using var command = connection.CreateCommand();
            var rows = new PersonRows(dialect, map, connection, null, table, normalised, default, cancellationToken);
            command.CommandText = $"SELECT {columns} FROM {dialect.Table(map, table.Table)} WHERE {rows.Where(null)} ORDER BY {SqlDialect.Quote(table.OrderBy)}";
            AddParameter(command, "email", normalised);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fields = new JsonObject();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    fields[reader.GetName(i)] = reader.IsDBNull(i) ? null : ToJson(reader.GetValue(i));
                }

                yield return new StoreRecord(table.Table, fields);
            }
        }
    }

    /// <summary>
    /// The check: how many records still hold the person's address, per table of the map (tables with none included,
    /// as 0). Written apart from the actions' selection on purpose: it searches every column the map names as holding
    /// the address, raw and normalised, each on its own, ignoring case and the spaces around it, so that what an action
    /// missed or what came back after it is counted.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken)
    {
        var normalised = EmailAddresses.Normalise(email);
        var counts = map.Tables.ToDictionary(t => t.Table, _ => 0, StringComparer.Ordinal);
        if (!EmailAddresses.CanMatch(normalised))
        {
            return counts;
        }

        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in map.Tables)
        {
            var anyColumn = string.Join(" OR ", table.EmailColumns.Select((c, i) => $"lower(trim({SqlDialect.Quote(c)})) = @a{i}"));
            await using var command = Command(connection, null, $"SELECT count(*) FROM {dialect.Table(map, table.Table)} WHERE {anyColumn}");
            for (var i = 0; i < table.EmailColumns.Count; i++)
            {
                AddParameter(command, "a" + i, normalised);
            }

            counts[table.Table] = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private static JsonValue? ToJson(object value) => value switch
    {
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        short s => JsonValue.Create(s),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create(m),
        bool b => JsonValue.Create(b),
        DateTime dt => JsonValue.Create(dt.TimeOfDay == TimeSpan.Zero && dt.Kind != DateTimeKind.Utc
            ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            // A time without a zone is taken as UTC, whatever zone the host runs in (it was the host's own zone).
            : (dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        DateTimeOffset dto => JsonValue.Create(dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        DateOnly date => JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
