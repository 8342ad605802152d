using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Infomat.Privacy.Stores;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// An entity store over ADO.NET, driven by the data map: an exact, parameterised match on the table's normalised
/// email column. Table and column names come from the validated map only, and are quoted.
/// </summary>
public sealed class SqlEntityStore(StoreMap map, SqlDialect dialect) : IEntityStore
{
    public string Key => map.Key;

    public async IAsyncEnumerable<StoreRecord> CollectAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var normalised = EmailAddresses.Normalise(email);
        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in map.Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {dialect.Table(map, table.Table)} WHERE {SqlDialect.Quote(table.Match)} = @email ORDER BY {SqlDialect.Quote(table.OrderBy)}";
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

    /// <summary>Checks that every table and column the map names exists; returns what is missing.</summary>
    public async Task<IReadOnlyList<string>> CheckSchemaAsync(CancellationToken cancellationToken)
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

            var named = new[] { table.Match, table.OrderBy, table.RestrictedColumn }
                .Concat(table.StaffIdentifiers).Concat(table.ProvidedBySubject).Concat(table.Erasure.Columns.Keys)
                .Concat(table.Erasure.RetainFrom is { } from ? [from] : []);
            problems.AddRange(named.Distinct().Where(c => !columns.Contains(c)).Select(c => $"store {map.Key}: table '{table.Table}' has no column '{c}'"));
        }

        return problems;
    }

    internal static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
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

/// <summary>The SQL connectors for every store of the data map, on the configured provider.</summary>
public sealed class SqlStoreCatalog(DataMap map, IOptions<StoreOptions> options) : IEntityStoreCatalog
{
    private readonly Lazy<SqlDialect> dialect = new(() => SqlDialect.From(options.Value));

    public SqlDialect Dialect => dialect.Value;

    public IEntityStore Find(string storeKey) => new SqlEntityStore(map.Store(storeKey), Dialect);

    /// <summary>Every table and column the map names that the databases lack (empty when all is well).</summary>
    public async Task<IReadOnlyList<string>> CheckSchemasAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var store in map.Stores)
        {
            try
            {
                problems.AddRange(await new SqlEntityStore(store, Dialect).CheckSchemaAsync(cancellationToken));
            }
            catch (InvalidOperationException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }
}
