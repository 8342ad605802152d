using System.Data.Common;
using System.Globalization;

using Bogus;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>A demo person, as listed by <c>scripts/run.sh</c> and the README.</summary>
public sealed record DemoPerson(string Name, string Email, string Where);

/// <summary>
/// Creates the demo stores of the data map (CRM, finance, recruitment, portal for each entity) with the documented
/// demo people and as many generated people as asked, reproducibly from a seed. Same schema on SQLite and PostgreSQL.
/// </summary>
public static class DemoStores
{
    public static IReadOnlyList<DemoPerson> People { get; } =
    [
        new("An Peeters", "an.peeters@example.be", "both entities: BE contact (stored as \" AN.Peeters@Example.be \"), NL contact, BE newsletter, BE portal and helpdesk"),
        new("Sophie Dubois", "sophie.dubois@example.be", "Infomat België: contact and invoices (kept under the 10-year accounting hold)"),
        new("Jan de Vries", "jan.devries@example.nl", "Infomat Nederland: contact and invoices, one older than the 7-year hold"),
        new("Zoë Maes", "zoe.maes@example.be", "Infomat België newsletter only"),
        new("Αλέξης Παπαδόπουλος", "alexis.papadopoulos@example.nl", "Infomat Nederland: job applicant with a CV"),
        new("Nobody Known", "nobody@example.org", "nowhere: the answer confirms nothing is held"),
    ];

    /// <summary>Creates every store that does not exist yet. Returns how many were created.</summary>
    public static async Task<int> SeedAsync(DataMap map, SqlDialect dialect, int size, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(dialect);
        var created = 0;
        foreach (var store in map.Stores)
        {
            if (!await dialect.PrepareAsync(store, cancellationToken))
            {
                // A demo store made before the map named the CRM's marketing opt-out gets those columns, empty (no one opted out).
                await AddMarketingOptOutAsync(dialect, store, cancellationToken);
                continue;
            }

            await using var connection = dialect.Connect(store);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var writer = new Writer(connection, transaction, dialect, store);
            await writer.CreateSchemaAsync(cancellationToken);
            await writer.FillAsync(size, seed, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            created++;
        }

        return created;
    }

    /// <summary>Adds the columns of a table's marketing opt-out (<see cref="TableMap.MarketingOptOut"/>) that an existing demo store lacks.</summary>
    private static async Task AddMarketingOptOutAsync(SqlDialect d, StoreMap store, CancellationToken cancellationToken)
    {
        foreach (var table in store.Tables.Where(t => t.MarketingOptOut is not null))
        {
            await using var connection = d.Connect(store);
            await connection.OpenAsync(cancellationToken);
            HashSet<string> columns;
            try
            {
                await using var probe = connection.CreateCommand();
                probe.CommandText = $"SELECT * FROM {d.Table(store, table.Table)} WHERE 1 = 0";
                await using var reader = await probe.ExecuteReaderAsync(cancellationToken);
                columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.Ordinal);
            }
            catch (DbException)
            {
                // Not a table this demo made: the schema check names what is missing.
                continue;
            }

            // A flag set to true (not yet: false) and a time set to now (not yet: empty); other shapes are the CRM's own to add.
            foreach (var (column, value) in table.MarketingOptOut!.Set.Where(c => !columns.Contains(c.Key) && c.Value is "true" or "now"))
            {
                var type = value == "now" ? d.Timestamp : $"{d.BooleanType} NOT NULL DEFAULT {d.FalseLiteral}";
                await using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE {d.Table(store, table.Table)} ADD COLUMN {SqlDialect.Quote(column)} {type}";
                await alter.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>The demo applicant's CV (a one-page PDF), where the recruitment store's files are kept; written when missing.</summary>
    public static async Task SeedFilesAsync(DataMap map, IStoreFileStorage files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(files);
        using var cv = new MemoryStream(OnePagePdf("Curriculum vitae - Alexis Papadopoulos (demo data)"));
        await files.AddAsync(map.Store("nl/recruitment"), "cv-alexis-papadopoulos.pdf", cv, cancellationToken);
    }

    /// <summary>A minimal valid PDF with one line of text (ASCII), with a correct cross-reference table.</summary>
    private static byte[] OnePagePdf(string line)
    {
        var content = $"BT /F1 18 Tf 72 720 Td ({line}) Tj ET";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new System.Text.StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return System.Text.Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private sealed class Writer(DbConnection connection, DbTransaction transaction, SqlDialect d, StoreMap store)
    {
        private static readonly DateTimeOffset Now = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

        private string T(string table) => d.Table(store, table);

        public async Task CreateSchemaAsync(CancellationToken ct)
        {
            var r = $"restricted {d.BooleanType} NOT NULL DEFAULT {d.FalseLiteral}";
            var ddl = store.Store switch
            {
                "crm" => new[]
                {
                    $"CREATE TABLE {T("contacts")} (id {d.Id}, email TEXT NOT NULL, email_normalized TEXT NOT NULL, first_name TEXT, last_name TEXT, gender TEXT, job_title TEXT, phone TEXT, company TEXT, created_at {d.Timestamp} NOT NULL, relationship_ended_on {d.DateType}, marketing_opt_out {d.BooleanType} NOT NULL DEFAULT {d.FalseLiteral}, marketing_opt_out_at {d.Timestamp}, {r})",
                    $"CREATE TABLE {T("activity_notes")} (id {d.Id}, email_normalized TEXT NOT NULL, noted_at {d.Timestamp} NOT NULL, author TEXT NOT NULL, note TEXT NOT NULL, {r})",
                    $"CREATE TABLE {T("newsletter_subscriptions")} (id {d.Id}, email TEXT NOT NULL, email_normalized TEXT NOT NULL, list TEXT NOT NULL, subscribed_at {d.Timestamp} NOT NULL, {r})",
                    $"CREATE TABLE {T("consent_records")} (id {d.Id}, email_normalized TEXT NOT NULL, purpose TEXT NOT NULL, consent_text TEXT NOT NULL, given_at {d.Timestamp} NOT NULL, withdrawn_at {d.Timestamp}, ip_address TEXT, {r})",
                },
                "finance" => [$"CREATE TABLE {T("invoices")} (id {d.Id}, email_normalized TEXT NOT NULL, invoice_number TEXT NOT NULL, invoice_date {d.DateType} NOT NULL, company TEXT NOT NULL, contact_name TEXT, amount_eur {d.Money} NOT NULL, {r})"],
                "recruitment" => [$"CREATE TABLE {T("job_applications")} (id {d.Id}, email TEXT NOT NULL, email_normalized TEXT NOT NULL, first_name TEXT, last_name TEXT, phone TEXT, position TEXT NOT NULL, applied_at {d.Timestamp} NOT NULL, cv_file TEXT, motivation TEXT, pool_consent {d.BooleanType} NOT NULL DEFAULT {d.FalseLiteral}, {r})"],
                "portal" => new[]
                {
                    $"CREATE TABLE {T("portal_accounts")} (id {d.Id}, email TEXT NOT NULL, email_normalized TEXT NOT NULL, display_name TEXT, created_at {d.Timestamp} NOT NULL, last_login_at {d.Timestamp}, {r})",
                    $"CREATE TABLE {T("portal_logins")} (id {d.Id}, email_normalized TEXT NOT NULL, logged_in_at {d.Timestamp} NOT NULL, ip_address TEXT NOT NULL, user_agent TEXT, {r})",
                    $"CREATE TABLE {T("helpdesk_tickets")} (id {d.Id}, email_normalized TEXT NOT NULL, reporter_name TEXT, opened_at {d.Timestamp} NOT NULL, subject TEXT NOT NULL, body TEXT, status TEXT NOT NULL, {r})",
                },
                _ => throw new InvalidOperationException($"No demo schema for store '{store.Store}'."),
            };
            foreach (var statement in ddl)
            {
                await ExecuteAsync(statement, ct);
            }

            // The indexes that make finding a person an index seek, whatever the table's size: the normalised column, and
            // every address column as a match compares it (lower case, trimmed).
            foreach (var table in store.Tables)
            {
                var index = SqlDialect.Quote($"ix_{store.Entity}_{store.Store}_{table.Table}_{table.Match}");
                await ExecuteAsync($"CREATE INDEX {index} ON {T(table.Table)} ({SqlDialect.Quote(table.Match)})", ct);
                foreach (var column in table.EmailColumns)
                {
                    var normalised = SqlDialect.Quote($"ix_{store.Entity}_{store.Store}_{table.Table}_{column}_n");
                    await ExecuteAsync($"CREATE INDEX {normalised} ON {T(table.Table)} (({SqlDialect.Normalised(column)}))", ct);
                }
            }
        }

        public async Task FillAsync(int size, int seed, CancellationToken ct)
        {
            await DocumentedPeopleAsync(ct);
            // A stable per-store offset (string.GetHashCode differs between processes, which would break reproducibility).
            var offset = store.Key.Aggregate(0, (h, c) => unchecked((h * 31) + c));
            var faker = new Faker(store.Entity == "be" ? "nl_BE" : "nl") { Random = new Randomizer(unchecked(seed + offset)) };
            string Email(int i) => $"person{i}.{store.Entity}@demo.example";
            switch (store.Store)
            {
                case "crm":
                    await InsertAsync("contacts", ["email", "email_normalized", "first_name", "last_name", "gender", "job_title", "phone", "company", "created_at", "relationship_ended_on"],
                        Enumerable.Range(0, size).Select(i => Row(Email(i), Email(i), faker.Name.FirstName(), faker.Name.LastName(), faker.PickRandom("f", "m", "x"), faker.Name.JobTitle(), faker.Phone.PhoneNumber(), faker.Company.CompanyName(), Now.AddDays(-faker.Random.Int(30, 3000)), i % 7 == 0 ? (object)DateOnly.FromDateTime(Now.AddDays(-faker.Random.Int(1, 900)).Date) : null)), ct);
                    await InsertAsync("activity_notes", ["email_normalized", "noted_at", "author", "note"],
                        Enumerable.Range(0, size / 2).Select(i => Row(Email(faker.Random.Int(0, Math.Max(0, size - 1))), Now.AddDays(-faker.Random.Int(1, 2000)), faker.Name.FullName(), faker.Lorem.Sentence())), ct);
                    await InsertAsync("newsletter_subscriptions", ["email", "email_normalized", "list", "subscribed_at"],
                        Enumerable.Range(0, size / 4).Select(i => Row(Email(i * 3), Email(i * 3), faker.PickRandom("Infomat nieuws", "Events"), Now.AddDays(-faker.Random.Int(1, 2000)))), ct);
                    await InsertAsync("consent_records", ["email_normalized", "purpose", "consent_text", "given_at", "ip_address"],
                        Enumerable.Range(0, size / 4).Select(i => Row(Email(i * 3), "newsletter", "I agree to receive the Infomat newsletter.", Now.AddDays(-faker.Random.Int(1, 2000)), faker.Internet.Ip())), ct);
                    break;
                case "finance":
                    await InsertAsync("invoices", ["email_normalized", "invoice_number", "invoice_date", "company", "contact_name", "amount_eur"],
                        Enumerable.Range(0, size / 2).Select(i => Row(Email(faker.Random.Int(0, Math.Max(0, size - 1))), $"{store.Entity.ToUpperInvariant()}-{i:D7}", DateOnly.FromDateTime(Now.AddDays(-faker.Random.Int(1, 5000)).Date), faker.Company.CompanyName(), faker.Name.FullName(), Math.Round(faker.Random.Decimal(100, 25000), 2))), ct);
                    break;
                case "recruitment":
                    await InsertAsync("job_applications", ["email", "email_normalized", "first_name", "last_name", "phone", "position", "applied_at", "cv_file", "motivation", "pool_consent"],
                        Enumerable.Range(0, Math.Max(1, size / 20)).Select(i => Row(Email(i * 5), Email(i * 5), faker.Name.FirstName(), faker.Name.LastName(), faker.Phone.PhoneNumber(), faker.PickRandom("Consultant", "Developer", "Support engineer"), Now.AddDays(-faker.Random.Int(1, 700)), $"cv-{i}.pdf", faker.Lorem.Paragraph(), faker.Random.Bool())), ct);
                    break;
                case "portal":
                    await InsertAsync("portal_accounts", ["email", "email_normalized", "display_name", "created_at", "last_login_at"],
                        Enumerable.Range(0, Math.Max(1, size / 10)).Select(i => Row(Email(i * 2), Email(i * 2), faker.Name.FullName(), Now.AddDays(-faker.Random.Int(100, 2000)), Now.AddDays(-faker.Random.Int(1, 99)))), ct);
                    await InsertAsync("portal_logins", ["email_normalized", "logged_in_at", "ip_address", "user_agent"],
                        Enumerable.Range(0, size / 2).Select(i => Row(Email(faker.Random.Int(0, Math.Max(0, size / 10 - 1)) * 2), Now.AddDays(-faker.Random.Int(1, 365)), faker.Internet.Ip(), faker.Internet.UserAgent())), ct);
                    await InsertAsync("helpdesk_tickets", ["email_normalized", "reporter_name", "opened_at", "subject", "body", "status"],
                        Enumerable.Range(0, size / 4).Select(i => Row(Email(faker.Random.Int(0, Math.Max(0, size / 10 - 1)) * 2), faker.Name.FullName(), Now.AddDays(-faker.Random.Int(1, 1500)), faker.Lorem.Sentence(5), faker.Lorem.Paragraph(), faker.PickRandom("open", "closed"))), ct);
                    break;
            }
        }

        private async Task DocumentedPeopleAsync(CancellationToken ct)
        {
            var t0 = new DateTimeOffset(2021, 3, 4, 10, 0, 0, TimeSpan.Zero);
            switch ((store.Entity, store.Store))
            {
                case ("be", "crm"):
                    await Contact(" AN.Peeters@Example.be ", "An", "Peeters", "f", "Finance manager", "+32 3 555 01 01", "Brouwerij Peeters NV", ct);
                    await Contact("sophie.dubois@example.be", "Sophie", "Dubois", "f", "Directrice", "+32 2 555 02 02", "Dubois & Fils SRL", ct);
                    await InsertAsync("activity_notes", ["email_normalized", "noted_at", "author", "note"],
                        [Row("an.peeters@example.be", t0.AddDays(10), "Tom Claes", "Demo van de nieuwe module gegeven; opvolging in juni.")], ct);
                    await InsertAsync("newsletter_subscriptions", ["email", "email_normalized", "list", "subscribed_at"],
                        [Row("an.peeters@example.be", "an.peeters@example.be", "Infomat nieuws", t0), Row("Zoe.Maes@Example.be", "zoe.maes@example.be", "Infomat nieuws", t0.AddDays(400))], ct);
                    await InsertAsync("consent_records", ["email_normalized", "purpose", "consent_text", "given_at", "ip_address"],
                        [Row("an.peeters@example.be", "newsletter", "Ik wil de nieuwsbrief van Infomat ontvangen.", t0, "198.51.100.23"), Row("zoe.maes@example.be", "newsletter", "I agree to receive the Infomat newsletter.", t0.AddDays(400), "203.0.113.7")], ct);
                    break;
                case ("nl", "crm"):
                    await Contact("an.peeters@example.be", "An", "Peeters", "f", "Controller", "+31 20 555 0101", "Peeters Logistiek BV", ct);
                    await Contact("jan.devries@example.nl", "Jan", "de Vries", "m", "Eigenaar", "+31 30 555 0202", "De Vries Techniek BV", ct);
                    break;
                case ("be", "finance"):
                    await InsertAsync("invoices", ["email_normalized", "invoice_number", "invoice_date", "company", "contact_name", "amount_eur"],
                        [Row("sophie.dubois@example.be", "BE-2019-0042", new DateOnly(2019, 5, 31), "Dubois & Fils SRL", "Sophie Dubois", 1250.00m),
                         Row("sophie.dubois@example.be", "BE-2024-0117", new DateOnly(2024, 2, 29), "Dubois & Fils SRL", "Sophie Dubois", 3400.50m)], ct);
                    break;
                case ("nl", "finance"):
                    await InsertAsync("invoices", ["email_normalized", "invoice_number", "invoice_date", "company", "contact_name", "amount_eur"],
                        [Row("jan.devries@example.nl", "NL-2017-0008", new DateOnly(2017, 9, 15), "De Vries Techniek BV", "Jan de Vries", 980.00m),
                         Row("jan.devries@example.nl", "NL-2023-0311", new DateOnly(2023, 11, 30), "De Vries Techniek BV", "Jan de Vries", 2150.00m)], ct);
                    break;
                case ("nl", "recruitment"):
                    await InsertAsync("job_applications", ["email", "email_normalized", "first_name", "last_name", "phone", "position", "applied_at", "cv_file", "motivation", "pool_consent"],
                        [Row("alexis.papadopoulos@example.nl", "alexis.papadopoulos@example.nl", "Αλέξης", "Παπαδόπουλος", "+31 6 5550 0303", "Consultant", t0.AddDays(1500), "cv-alexis-papadopoulos.pdf", "Ik werk graag met klanten.", true)], ct);
                    break;
                case ("be", "portal"):
                    await InsertAsync("portal_accounts", ["email", "email_normalized", "display_name", "created_at", "last_login_at"],
                        [Row("an.peeters@example.be", "an.peeters@example.be", "An P.", t0, t0.AddDays(1600))], ct);
                    await InsertAsync("portal_logins", ["email_normalized", "logged_in_at", "ip_address", "user_agent"],
                        [Row("an.peeters@example.be", t0.AddDays(1600), "198.51.100.23", "Mozilla/5.0 (Windows NT 10.0)")], ct);
                    await InsertAsync("helpdesk_tickets", ["email_normalized", "reporter_name", "opened_at", "subject", "body", "status"],
                        [Row("an.peeters@example.be", "An Peeters", t0.AddDays(1590), "Export naar Excel werkt niet", "Sinds de update krijg ik een foutmelding.", "closed")], ct);
                    break;
            }
        }

        private Task Contact(string email, string first, string last, string gender, string title, string phone, string company, CancellationToken ct) =>
            InsertAsync("contacts", ["email", "email_normalized", "first_name", "last_name", "gender", "job_title", "phone", "company", "created_at", "relationship_ended_on"],
                [Row(email, EmailAddresses.Normalise(email), first, last, gender, title, phone, company, new DateTimeOffset(2019, 3, 4, 10, 0, 0, TimeSpan.Zero), null)], ct);

        private static object?[] Row(params object?[] values) => values;

        private async Task InsertAsync(string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken ct)
        {
            if (connection is Npgsql.NpgsqlConnection pg)
            {
                // PostgreSQL: binary COPY, so that the million-row benchmark store fills in seconds.
                await using var import = await pg.BeginBinaryImportAsync(
                    $"COPY {T(table)} ({string.Join(", ", columns.Select(SqlDialect.Quote))}) FROM STDIN (FORMAT BINARY)", ct);
                foreach (var row in rows)
                {
                    await import.StartRowAsync(ct);
                    foreach (var value in row)
                    {
                        await (value switch
                        {
                            null => import.WriteNullAsync(ct),
                            string text => import.WriteAsync(text, ct),
                            DateTimeOffset at => import.WriteAsync(at.ToUniversalTime(), ct),
                            DateOnly date => import.WriteAsync(date, ct),
                            decimal amount => import.WriteAsync(amount, ct),
                            bool flag => import.WriteAsync(flag, ct),
                            var other => throw new InvalidOperationException($"No COPY mapping for {other.GetType().Name}."),
                        });
                    }
                }

                await import.CompleteAsync(ct);
                return;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {T(table)} ({string.Join(", ", columns.Select(SqlDialect.Quote))}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            var parameters = columns.Select((_, i) =>
            {
                var p = command.CreateParameter();
                p.ParameterName = "p" + i;
                command.Parameters.Add(p);
                return p;
            }).ToArray();
            foreach (var row in rows)
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    parameters[i].Value = d.DbValue(row[i]);
                }

                await command.ExecuteNonQueryAsync(ct);
            }
        }

        private async Task ExecuteAsync(string sql, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
