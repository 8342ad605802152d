using System.Globalization;

using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Erasure that is complete and a check that could fail (issue 16): the same contract on SQLite and PostgreSQL.</summary>
public partial class SqlStoreTests
{
    [Fact]
    public async Task A_row_whose_normalised_address_is_stale_is_found_by_access_counted_by_the_check_and_erased()
    {
        var catalog = await SeededAsync();
        // Someone corrected the address in the CRM's screen but not the normalised copy the index uses.
        await InsertContactAsync(catalog, " An.PEETERS@example.be ", "an.peeters@old-employer.example");

        var collected = await catalog.Find("be/crm").CollectAsync("an.peeters@example.be", CollectScope.All, default).ToListAsync();
        Assert.Equal(2, collected.Count(r => r.Table == "contacts"));
        Assert.Equal(2, (await catalog.Find("be/crm").CountAsync("an.peeters@example.be", default))["contacts"]);

        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, "an.peeters@example.be"), default);
        var contacts = outcome.Tables.Single(t => t.Table == "contacts");
        Assert.Equal((2, 2, 0), (contacts.Matched, contacts.Deleted, contacts.RemainingAfter));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "contacts", "lower(trim(email)) = 'an.peeters@example.be'"));
    }

    [Fact]
    public async Task The_check_after_an_erasure_reports_a_record_that_came_back()
    {
        var catalog = await SeededAsync();
        var store = Map.Store("be/crm");
        // A sync job that puts a contact back whenever a subscription goes (the kind of thing a check must catch).
        var contacts = catalog.Dialect.Table(store, "contacts");
        var subscriptions = catalog.Dialect.Table(store, "newsletter_subscriptions");
        var insert = $"INSERT INTO {contacts} (email, email_normalized, created_at) VALUES (' AN.Peeters@Example.be', 'synced@example.invalid', '2026-01-01')";
        await TriggerAsync(catalog, "be/crm", "sync_back", "AFTER DELETE", subscriptions, insert);

        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, "an.peeters@example.be"), default);

        Assert.Equal(1, outcome.Tables.Single(t => t.Table == "contacts").RemainingAfter);
        Assert.False(outcome.OnlyRetainedRemain);
    }

    [Fact]
    public async Task An_erasure_that_rolls_back_leaves_the_CV_with_its_application()
    {
        var catalog = await SeededAsync();
        var store = Map.Store("nl/recruitment");
        // The action record cannot be written: the erasure fails after the application was deleted, and rolls back.
        var actions = catalog.Dialect.Table(store, SqlEntityStore.ActionsTable);
        await TriggerAsync(catalog, "nl/recruitment", "refuse_record", "BEFORE INSERT", actions, catalog.Dialect is PostgresDialect ? "RAISE EXCEPTION 'refused'" : "SELECT RAISE(ABORT, 'refused')");

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => catalog.Find("nl/recruitment").ApplyAsync(Request(StoreAction.Erase, "alexis.papadopoulos@example.nl"), default));

        Assert.Single(await catalog.Find("nl/recruitment").CollectAsync("alexis.papadopoulos@example.nl", CollectScope.All, default).ToListAsync());
        await using (var cv = await catalog.Find("nl/recruitment").OpenFileAsync("job_applications", "cv-alexis-papadopoulos.pdf", "alexis.papadopoulos@example.nl", default))
        {
            Assert.NotNull(cv.Content);
        }

        await ExecuteAsync(catalog, "nl/recruitment", catalog.Dialect is PostgresDialect ? $"DROP TRIGGER refuse_record ON {actions}" : "DROP TRIGGER refuse_record");
        var retry = await catalog.Find("nl/recruitment").ApplyAsync(Request(StoreAction.Erase, "alexis.papadopoulos@example.nl"), default);
        Assert.Equal(1, retry.Tables.Single().Deleted);
        Assert.Equal(StoreFileAbsence.NotFound, (await catalog.Find("nl/recruitment").OpenFileAsync("job_applications", "cv-alexis-papadopoulos.pdf", "alexis.papadopoulos@example.nl", default)).Absence);
    }

    [Fact]
    public async Task A_held_invoice_whose_table_was_taken_out_of_use_is_still_erased_the_day_after_its_hold()
    {
        var catalog = await SeededAsync();
        await InsertInvoiceAsync(catalog, "be/finance", "holder@example.be", "I-HELD", new DateOnly(2016, 1, 4));
        var held = (await catalog.Find("be/finance").ApplyAsync(Request(StoreAction.Erase, "holder@example.be"), default)).Tables.Single();
        Assert.Contains(new HeldRecords(new DateOnly(2026, 12, 31), 1), held.Held!);

        // Ops retire the invoices table (decision 114): the report promised "erased the day after", and so it is.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!.AsObject();
        var finance = json["stores"]!.AsArray().Single(s => (string?)s!["entity"] == "be" && (string?)s["store"] == "finance")!;
        finance["retiredTables"] = finance["tables"]!.DeepClone();
        finance["tables"] = new System.Text.Json.Nodes.JsonArray();
        var retired = WithMap(catalog, DataMapLoader.Parse(json.ToJsonString()));

        Assert.Equal(0, await retired.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2026, 12, 31)), default));
        Assert.Equal(1, await retired.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2027, 1, 1)), default));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/finance", "invoices", "invoice_number = 'I-HELD'"));
    }

    [Fact]
    public async Task Anonymised_tickets_keep_no_address_no_keyed_hash_no_name_and_no_free_text()
    {
        var catalog = await SeededAsync();
        var before = await TotalRowsAsync(catalog, "be/portal", "helpdesk_tickets");

        var outcome = await catalog.Find("be/portal").ApplyAsync(Request(StoreAction.Erase, "an.peeters@example.be"), default);

        Assert.Equal(1, outcome.Tables.Single(t => t.Table == "helpdesk_tickets").Anonymised);
        Assert.Equal(before, await TotalRowsAsync(catalog, "be/portal", "helpdesk_tickets"));
        // The ticket is still counted (opened, status), and nothing in it points to anyone.
        Assert.Equal(1, await CountWhereAsync(catalog, "be/portal", "helpdesk_tickets",
            "email_normalized = '' AND reporter_name IS NULL AND subject = '' AND body IS NULL AND status = 'closed'"));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/portal", "helpdesk_tickets", "email_normalized LIKE 'pseudonym:%' OR subject LIKE 'Export naar Excel%'"));
    }

    [Theory]
    [InlineData("be/finance", "2016-01-04", "2026-12-31")]
    [InlineData("be/finance", "2016-12-30", "2026-12-31")]
    [InlineData("be/finance", "2017-01-02", "2027-12-31")]
    [InlineData("be/finance", "2024-12-31", "2034-12-31")]
    [InlineData("nl/finance", "2019-01-07", "2026-12-31")]
    [InlineData("nl/finance", "2019-12-31", "2026-12-31")]
    [InlineData("nl/finance", "2020-01-02", "2027-12-31")]
    public async Task Each_invoice_is_held_until_31_December_of_its_year_plus_the_legal_period_and_erased_the_day_after(string storeKey, string invoiceDate, string expectedEnd)
    {
        var catalog = await SeededAsync();
        var email = "holder@example.be";
        var date = DateOnly.Parse(invoiceDate, CultureInfo.InvariantCulture);
        var end = DateOnly.Parse(expectedEnd, CultureInfo.InvariantCulture);
        await InsertInvoiceAsync(catalog, storeKey, email, "I-HELD", date);
        // A recent invoice, held for years more: it must not stretch the older one's hold.
        await InsertInvoiceAsync(catalog, storeKey, email, "I-RECENT", new DateOnly(2026, 3, 1));

        var table = (await catalog.Find(storeKey).ApplyAsync(Request(StoreAction.Erase, email), default)).Tables.Single();

        // Today is 26 November 2026: an invoice whose hold ends on 31 December 2026 is still held, for a month.
        Assert.Equal((2, 0, 2), (table.Matched, table.Deleted, table.Retained));
        Assert.Contains(new HeldRecords(end, 1), table.Held!);
        // Kept all its last day (the report's "kept until" date), erased the next.
        Assert.Equal(0, await catalog.PurgeEndedHoldsAsync(NoonIn(end), default));
        Assert.Equal(2, (await catalog.Find(storeKey).CountAsync(email, default))["invoices"]);
        Assert.Equal(1, await catalog.PurgeEndedHoldsAsync(NoonIn(end.AddDays(1)), default));
        var left = Assert.Single(await catalog.Find(storeKey).CollectAsync(email, CollectScope.All, default).ToListAsync());
        Assert.Equal("I-RECENT", left.Fields["invoice_number"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invoice_whose_hold_has_already_ended_is_erased_at_once()
    {
        var catalog = await SeededAsync();
        // 31 December 2018 + 7 years = 31 December 2025: over by 26 November 2026.
        await InsertInvoiceAsync(catalog, "nl/finance", "old@example.nl", "I-OLD", new DateOnly(2018, 12, 31));

        var table = (await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "old@example.nl"), default)).Tables.Single();

        Assert.Equal((1, 1, 0, 0), (table.Matched, table.Deleted, table.Retained, table.RemainingAfter));
    }

    /// <summary>A trigger running <paramref name="statement"/> for each row (PostgreSQL needs a function for it).</summary>
    private static async Task TriggerAsync(SqlStoreCatalog catalog, string storeKey, string name, string when, string table, string statement)
    {
        if (catalog.Dialect is PostgresDialect)
        {
            var function = $"{SqlDialect.Quote(PostgresDialect.Schema(Map.Store(storeKey)))}.{name}";
            await ExecuteAsync(catalog, storeKey, $"CREATE FUNCTION {function}() RETURNS trigger AS $$ BEGIN {statement}; RETURN NULL; END $$ LANGUAGE plpgsql");
            await ExecuteAsync(catalog, storeKey, $"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()");
        }
        else
        {
            await ExecuteAsync(catalog, storeKey, $"CREATE TRIGGER {name} {when} ON {table} BEGIN {statement}; END");
        }
    }

    private static async Task InsertContactAsync(SqlStoreCatalog catalog, string email, string normalised)
    {
        await using var connection = catalog.Dialect.Connect(Map.Store("be/crm"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {catalog.Dialect.Table(Map.Store("be/crm"), "contacts")} (email, email_normalized, first_name, created_at) VALUES (@e, @n, 'An', @at)";
        Add(command, "e", email);
        Add(command, "n", normalised);
        Add(command, "at", catalog.Dialect.DbValue(Today));
        await command.ExecuteNonQueryAsync();
    }

    private static async Task InsertInvoiceAsync(SqlStoreCatalog catalog, string storeKey, string email, string number, DateOnly date)
    {
        var store = Map.Store(storeKey);
        await using var connection = catalog.Dialect.Connect(store);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {catalog.Dialect.Table(store, "invoices")} (email_normalized, invoice_number, invoice_date, company, contact_name, amount_eur) VALUES (@e, @n, @d, 'Test BV', 'Held Person', 100)";
        Add(command, "e", email);
        Add(command, "n", number);
        Add(command, "d", catalog.Dialect.DbValue(date));
        await command.ExecuteNonQueryAsync();
    }

    private static void Add(System.Data.Common.DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
