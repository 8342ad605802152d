using System.Data.Common;

using Infomat.Privacy.Stores;

using Microsoft.Data.Sqlite;

namespace Infomat.Privacy.Adapters.Stores;

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
