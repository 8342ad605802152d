using Infomat.Privacy.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>The <c>Stores</c> configuration section: where the SQLite entity stores are.</summary>
public sealed class StoreOptions
{
    public const string Section = "Stores";

    /// <summary>Folder holding one SQLite file per store (<c>be-crm.db</c>, <c>nl-crm.db</c>).</summary>
    public string Directory { get; set; } = Path.Combine(".data", "stores");

    /// <summary>Create and fill the demo stores at start-up when they do not exist.</summary>
    public bool SeedDemoData { get; set; }
}

/// <summary>A demo person, as listed by <c>scripts/run.sh</c> and the README.</summary>
public sealed record DemoPerson(string Name, string Email, string Where);

/// <summary>The SQLite connectors for the stores of the data map.</summary>
public sealed class SqliteStoreCatalog(IOptions<StoreOptions> options) : IEntityStoreCatalog
{
    public static IReadOnlyList<StoreTable> CrmTables { get; } =
        [new("contacts", "email_normalized"), new("newsletter_subscriptions", "email_normalized")];

    public IEntityStore Find(string storeKey)
    {
        var file = Path.Combine(options.Value.Directory, storeKey.Replace('/', '-') + ".db");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"Store {storeKey} is not available: {file} does not exist.");
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        return new SqliteEntityStore(storeKey, connectionString, CrmTables);
    }
}

/// <summary>Creates the demo Belgian and Dutch CRM stores with a handful of people.</summary>
public static class DemoStores
{
    public static IReadOnlyList<DemoPerson> People { get; } =
    [
        new("An Peeters", "an.peeters@example.be", "Infomat België and Infomat Nederland (CRM contact, newsletter)"),
        new("Sophie Dubois", "sophie.dubois@example.be", "Infomat België (CRM contact)"),
        new("Jan de Vries", "jan.devries@example.nl", "Infomat Nederland (CRM contact)"),
        new("Zoë Maes", "Zoe.Maes@Example.be", "Infomat België (newsletter only; stored in another case)"),
        new("Nobody Known", "nobody@example.org", "nowhere: the answer confirms nothing is held"),
    ];

    public static async Task SeedAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await SeedStoreAsync(Path.Combine(directory, "be-crm.db"), "be", cancellationToken);
        await SeedStoreAsync(Path.Combine(directory, "nl-crm.db"), "nl", cancellationToken);
    }

    private static async Task SeedStoreAsync(string file, string entity, CancellationToken cancellationToken)
    {
        if (File.Exists(file))
        {
            return;
        }

        var temp = file + ".tmp";
        File.Delete(temp);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false }.ToString();
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction();
            await ExecuteAsync(connection, """
                CREATE TABLE contacts (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL,
                    email_normalized TEXT NOT NULL,
                    first_name TEXT, last_name TEXT, company TEXT, job_title TEXT, phone TEXT,
                    created_at TEXT NOT NULL);
                CREATE INDEX ix_contacts_email ON contacts(email_normalized);
                CREATE TABLE newsletter_subscriptions (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL,
                    email_normalized TEXT NOT NULL,
                    list TEXT NOT NULL, consent_given_at TEXT NOT NULL, consent_text TEXT NOT NULL);
                CREATE INDEX ix_newsletter_email ON newsletter_subscriptions(email_normalized);
                """, cancellationToken);

            if (entity == "be")
            {
                await ContactAsync(connection, "An.Peeters@example.be", "An", "Peeters", "Brouwerij Peeters NV", "Finance manager", "+32 3 555 01 01", "2019-03-04", cancellationToken);
                await ContactAsync(connection, "sophie.dubois@example.be", "Sophie", "Dubois", "Dubois & Fils SRL", "Directrice", "+32 2 555 02 02", "2021-09-15", cancellationToken);
                await ContactAsync(connection, "someone.else@example.be", "Pieter", "Janssens", "Janssens BV", "CFO", "+32 9 555 03 03", "2020-01-20", cancellationToken);
                await NewsletterAsync(connection, "an.peeters@example.be", "Infomat nieuws", "2022-05-01", cancellationToken);
                await NewsletterAsync(connection, "zoe.maes@example.be", "Infomat news", "2023-02-11", cancellationToken);
            }
            else
            {
                await ContactAsync(connection, "an.peeters@example.be", "An", "Peeters", "Peeters Logistiek BV", "Controller", "+31 20 555 0101", "2020-06-30", cancellationToken);
                await ContactAsync(connection, "jan.devries@example.nl", "Jan", "de Vries", "De Vries Techniek BV", "Eigenaar", "+31 30 555 0202", "2018-11-02", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        File.Move(temp, file);
    }

    private static Task ContactAsync(SqliteConnection c, string email, string first, string last, string company, string title, string phone, string created, CancellationToken ct) =>
        ExecuteAsync(c, "INSERT INTO contacts (email, email_normalized, first_name, last_name, company, job_title, phone, created_at) VALUES ($e, $n, $f, $l, $c, $t, $p, $d)", ct,
            ("$e", email), ("$n", EmailAddresses.Normalise(email)), ("$f", first), ("$l", last), ("$c", company), ("$t", title), ("$p", phone), ("$d", created));

    private static Task NewsletterAsync(SqliteConnection c, string email, string list, string at, CancellationToken ct) =>
        ExecuteAsync(c, "INSERT INTO newsletter_subscriptions (email, email_normalized, list, consent_given_at, consent_text) VALUES ($e, $n, $l, $d, $t)", ct,
            ("$e", email), ("$n", EmailAddresses.Normalise(email)), ("$l", list), ("$d", at), ("$t", "I agree to receive the Infomat newsletter."));

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}
