using System.Data.Common;

using Infomat.Privacy.Stores;

using Microsoft.Data.Sqlite;

using Npgsql;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>What differs between the SQL providers: connections, names, types.</summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    public abstract DbConnection Connect(StoreMap store, bool readOnlyAccess = false);

    /// <summary>The quoted, store-qualified name of a table.</summary>
    public abstract string Table(StoreMap store, string table);

    public abstract string Id { get; }

    public abstract string Timestamp { get; }

    public abstract string DateType { get; }

    public abstract string Money { get; }

    public abstract string BooleanType { get; }

    public abstract string FalseLiteral { get; }

    /// <summary>A .NET value as this provider stores it (SQLite keeps dates and times as ISO text, booleans as 0/1).</summary>
    public virtual object DbValue(object? value) => value ?? DBNull.Value;

    /// <summary>Prepares the place of a store (a file's folder, a schema). Returns false when it already holds data.</summary>
    public abstract Task<bool> PrepareAsync(StoreMap store, CancellationToken cancellationToken);

    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static SqlDialect From(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider switch
        {
            "sqlite" => new SqliteDialect(options.Directory),
            "postgres" => new PostgresDialect(options.PostgresConnectionString ?? throw new InvalidOperationException("Stores:PostgresConnectionString is required when Stores:Provider is postgres.")),
            var other => throw new InvalidOperationException($"Stores:Provider '{other}' is not sqlite or postgres."),
        };
    }
}

public sealed class SqliteDialect(string directory) : SqlDialect
{
    public override string Name => "sqlite";

    public override string Id => "INTEGER PRIMARY KEY";

    public override string Timestamp => "TEXT";

    public override string DateType => "TEXT";

    public override string Money => "NUMERIC";

    public override string BooleanType => "INTEGER";

    public override string FalseLiteral => "0";

    public override object DbValue(object? value) => value switch
    {
        null => DBNull.Value,
        DateOnly date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? 1 : 0,
        var other => other,
    };

    public string FileOf(StoreMap store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Path.Combine(directory, $"{store.Entity}-{store.Store}.db");
    }

    public override DbConnection Connect(StoreMap store, bool readOnlyAccess = false)
    {
        var file = FileOf(store);
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"Store {store.Key} is not available: {file} does not exist.");
        }

        return new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = readOnlyAccess ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
    }

    public override string Table(StoreMap store, string table) => Quote(table);

    public override Task<bool> PrepareAsync(StoreMap store, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        var file = FileOf(store);
        if (File.Exists(file))
        {
            return Task.FromResult(false);
        }

        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
        {
            connection.Open();
        }

        return Task.FromResult(true);
    }
}

public sealed class PostgresDialect(string connectionString) : SqlDialect
{
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

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

    public override DbConnection Connect(StoreMap store, bool readOnlyAccess = false) => dataSource.CreateConnection();

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
