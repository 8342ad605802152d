using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// Reads a person's records from a store, on a read-only connection: collects them (all columns, or only those the
/// person provided) and counts them per table. An exact, parameterised match on each table's normalised email column.
/// </summary>
internal sealed class SqlRecordReader(StoreMap map, SqlDialect dialect)
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
            var columns = scope == CollectScope.All ? "*" : string.Join(", ", table.ProvidedBySubject.Select(SqlDialect.Quote));
            if (columns.Length == 0)
            {
                continue;
            }

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {columns} FROM {dialect.Table(map, table.Table)} WHERE {SqlDialect.Quote(table.Match)} = @email ORDER BY {SqlDialect.Quote(table.OrderBy)}";
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

    /// <summary>How many records match the person, per table of the map (tables with none included, as 0).</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken)
    {
        var normalised = EmailAddresses.Normalise(email);
        if (!EmailAddresses.CanMatch(normalised))
        {
            return map.Tables.ToDictionary(t => t.Table, _ => 0, StringComparer.Ordinal);
        }

        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        return await CountAsync(connection, null, normalised, cancellationToken);
    }

    private async Task<IReadOnlyDictionary<string, int>> CountAsync(DbConnection connection, DbTransaction? transaction, string email, CancellationToken ct)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in map.Tables)
        {
            counts[table.Table] = await new PersonRows(dialect, map, connection, transaction, table, email, default, ct).CountAsync();
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
            : dt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        DateTimeOffset dto => JsonValue.Create(dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        DateOnly date => JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
