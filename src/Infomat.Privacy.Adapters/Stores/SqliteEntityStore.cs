using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Infomat.Privacy.Stores;
using Microsoft.Data.Sqlite;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>A table of a store and the column holding the normalised email that identifies the person.</summary>
public sealed record StoreTable(string Name, string EmailColumn);

/// <summary>
/// An entity store in a SQLite database: exact match on the normalised email, parameterised, one table after another.
/// Table and column names come from configuration written by us, never from input, and are quoted.
/// </summary>
public sealed class SqliteEntityStore(string key, string connectionString, IReadOnlyList<StoreTable> tables) : IEntityStore
{
    public string Key { get; } = key;

    public async IAsyncEnumerable<StoreRecord> CollectAsync(string email, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var normalised = EmailAddresses.Normalise(email);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {Quote(table.Name)} WHERE {Quote(table.EmailColumn)} = $email ORDER BY rowid";
            command.Parameters.AddWithValue("$email", normalised);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fields = new JsonObject();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    fields[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                    {
                        long l => JsonValue.Create(l),
                        double d => JsonValue.Create(d),
                        byte[] b => JsonValue.Create(Convert.ToBase64String(b)),
                        var v => JsonValue.Create(Convert.ToString(v, CultureInfo.InvariantCulture)),
                    };
                }

                yield return new StoreRecord(table.Name, fields);
            }
        }
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>How an email is compared: trimmed, Unicode-normalised (NFC) and case-folded. No partial matches.</summary>
public static class EmailAddresses
{
    public static string Normalise(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }
}
