using System.Data.Common;

using Infomat.Privacy.Stores;

using Npgsql;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// PostgreSQL, one schema per store. With a second, read-only connection string, whatever only reads connects with it
/// (issue 19: collecting cannot change or drop anything even if the code were wrong); otherwise one login serves both.
/// </summary>
public sealed class PostgresDialect(string connectionString, string? readConnectionString = null) : SqlDialect
{
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
    private readonly NpgsqlDataSource? readSource = string.IsNullOrWhiteSpace(readConnectionString) ? null : NpgsqlDataSource.Create(readConnectionString);

    public override string Name => "postgres";

    public override string Id => "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override string Timestamp => "timestamptz";

    public override string DateType => "date";

    public override string Money => "numeric(12,2)";

    public override string BooleanType => "boolean";

    public override string FalseLiteral => "false";

    public static string Schema(StoreMap store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"{store.Entity}_{store.Store}";
    }

    public override DbConnection Connect(StoreMap store, bool readOnlyAccess = false) =>
        (readOnlyAccess && readSource is { } reads ? reads : dataSource).CreateConnection();

    public override string Table(StoreMap store, string table) => Quote(Schema(store)) + "." + Quote(table);

    public override async Task<bool> PrepareAsync(StoreMap store, CancellationToken cancellationToken)
    {
        await using var connection = dataSource.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = @s";
        exists.Parameters.AddWithValue("s", Schema(store));
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! > 0)
        {
            return false;
        }

        await using var create = connection.CreateCommand();
        create.CommandText = "CREATE SCHEMA " + Quote(Schema(store));
        await create.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }
}
