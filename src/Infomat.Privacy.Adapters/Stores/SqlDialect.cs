using System.Data.Common;

using Infomat.Privacy.Stores;

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

    /// <summary>
    /// A column's value as an address is compared: lower case, without the spaces around it (<c>lower(trim(column))</c>,
    /// the same text on both providers, so an expression index on it serves the match).
    /// </summary>
    public static string Normalised(string column) => $"lower(trim({Quote(column)}))";

    public static SqlDialect From(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider switch
        {
            "sqlite" => new SqliteDialect(options.Directory),
            "postgres" => new PostgresDialect(
                options.PostgresConnectionString ?? throw new InvalidOperationException("Stores:PostgresConnectionString is required when Stores:Provider is postgres."),
                options.PostgresReadConnectionString),
            var other => throw new InvalidOperationException($"Stores:Provider '{other}' is not sqlite or postgres."),
        };
    }
}
