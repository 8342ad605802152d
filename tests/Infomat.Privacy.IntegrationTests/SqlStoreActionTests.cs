using System.Globalization;

using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>What each right does in the stores: the same contract on SQLite and (through the subclass) PostgreSQL.</summary>
public partial class SqlStoreTests
{
    private static readonly DateTimeOffset Today = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static StoreActionRequest Request(StoreAction action, string email, string caseId = "PR-TEST-0000-0001") => new(caseId, action, email, Today);

    /// <summary>Noon of a winter day in Brussels (the holds end on 31 December).</summary>
    private static DateTimeOffset NoonIn(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(1));

    [Fact]
    public async Task A_stored_CV_opens_only_by_its_plain_name_and_goes_with_an_erasure()
    {
        var catalog = await SeededAsync();
        var store = catalog.Find("nl/recruitment");
        var root = ((FolderFileStorage)catalog.Files).Root;
        var path = Path.Combine(root, "nl", "recruitment", "cv-alexis-papadopoulos.pdf");
        File.WriteAllText(Path.Combine(root, "secret.txt"), "outside the store's folder");

        await using (var cv = await store.OpenFileAsync("job_applications", "cv-alexis-papadopoulos.pdf", "alexis.papadopoulos@example.nl", default))
        {
            Assert.NotNull(cv.Content);
            Assert.Equal("%PDF-1.4", new StreamReader(cv.Content).ReadLine());
        }

        foreach (var hostile in new[] { "../../secret.txt", "../secret.txt", "/etc/passwd", ".hidden", "a/b.pdf", "cv\u0000.pdf", "" })
        {
            Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("job_applications", hostile, "alexis.papadopoulos@example.nl", default)).Absence);
        }

        Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("contacts_not_a_file_table", "cv-alexis-papadopoulos.pdf", "alexis.papadopoulos@example.nl", default)).Absence);

        var outcome = await store.ApplyAsync(Request(StoreAction.Erase, "alexis.papadopoulos@example.nl"), default);
        Assert.Equal(1, outcome.Tables.Single(t => t.Table == "job_applications").Deleted);
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(root, "secret.txt")));
    }

    [Fact]
    public async Task A_CV_another_persons_application_also_names_is_held_back_from_every_export_while_both_name_it()
    {
        // Review of 7 December: files are addressed by name only, and a record's file name is whatever it was given (an
        // upload named after someone else's CV, a common "CV.pdf"). An access export copied the file into the zip of
        // anyone whose record named it: Mallory, naming Alexis's CV, received it (Art. 15(4)).
        var catalog = await SeededAsync();
        const string cv = "cv-alexis-papadopoulos.pdf";
        var table = await MalloryNamesAlexissCvAsync(catalog, " Mallory@Example.nl");
        var store = catalog.Find("nl/recruitment");

        foreach (var person in new[] { "mallory@example.nl", "alexis.papadopoulos@example.nl", "nobody@example.nl" })
        {
            await using var file = await store.OpenFileAsync("job_applications", cv, person, default);
            Assert.Null(file.Content);
            Assert.Equal(StoreFileAbsence.HeldBack, file.Absence);
        }

        // Mallory's application withdrawn in the recruitment system itself, the CV is Alexis's alone again: it opens for
        // Alexis, and for nobody else. (After an erasure of Mallory's it would not: the file may have been Mallory's, and
        // the erasure's mark keeps it out of every export; see the next test.)
        await ExecuteAsync(catalog, "nl/recruitment", $"DELETE FROM {table} WHERE email_normalized = 'mallory@example.nl'");
        await using (var mine = await store.OpenFileAsync("job_applications", cv, " Alexis.Papadopoulos@example.nl", default))
        {
            Assert.NotNull(mine.Content);
            Assert.Equal("%PDF-1.4", new StreamReader(mine.Content).ReadLine());
        }

        Assert.Equal(StoreFileAbsence.HeldBack, (await store.OpenFileAsync("job_applications", cv, "mallory@example.nl", default)).Absence);
    }

    [Fact]
    public async Task A_CV_kept_at_an_erasure_because_another_record_names_it_goes_into_nobodys_export()
    {
        // Review of the fix above: Alexis's erasure keeps her CV while Mallory's application names it (the file may be
        // Mallory's); Mallory, the only one left naming it, then got it in her access export.
        var catalog = await SeededAsync();
        const string cv = "cv-alexis-papadopoulos.pdf";
        await MalloryNamesAlexissCvAsync(catalog, "mallory@example.nl");
        var store = catalog.Find("nl/recruitment");

        await store.ApplyAsync(Request(StoreAction.Erase, "alexis.papadopoulos@example.nl"), default);

        Assert.Equal(StoreFileAbsence.HeldBack, (await store.OpenFileAsync("job_applications", cv, "mallory@example.nl", default)).Absence);
        // Once nobody names it, the next action in the store deletes it (the erasure's mark stayed for that).
        await store.ApplyAsync(Request(StoreAction.Erase, "mallory@example.nl", "PR-TEST-0000-0002"), default);
        Assert.Equal(StoreFileAbsence.NotFound, (await store.OpenFileAsync("job_applications", cv, "mallory@example.nl", default)).Absence);
        Assert.Equal(0L, await TotalRowsAsync(catalog, "nl/recruitment", SqlEntityStore.FileDeletionsTable));
    }

    [Fact]
    public async Task Erasure_deletes_anonymises_and_the_proof_shows_nothing_of_the_person_left()
    {
        var catalog = await SeededAsync();
        var before = await TotalRowsAsync(catalog, "be/crm", "consent_records");

        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, " an.peeters@EXAMPLE.be"), default);

        var byTable = outcome.Tables.ToDictionary(t => t.Table);
        Assert.Equal(1, byTable["contacts"].Deleted);
        Assert.Equal(1, byTable["activity_notes"].Deleted);
        Assert.Equal(1, byTable["newsletter_subscriptions"].Deleted);
        Assert.Equal(1, byTable["consent_records"].Anonymised);
        Assert.All(outcome.Tables, t => Assert.Equal(0, t.RemainingAfter));
        Assert.True(outcome.OnlyRetainedRemain);
        Assert.Empty(await catalog.Find("be/crm").CollectAsync("an.peeters@example.be", CollectScope.All, default).ToListAsync());

        // The anonymised consent record is still there, with neither the address (nor a keyed hash of it) nor the IP.
        Assert.Equal(before, await TotalRowsAsync(catalog, "be/crm", "consent_records"));
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = '' AND ip_address IS NULL"));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "consent_records", "ip_address = '198.51.100.23'"));
    }

    [Fact]
    public async Task An_anonymised_consent_record_keeps_no_time_that_links_it_back_to_the_person()
    {
        // Review of 7 December: "unsubscribe, then erase me". The withdrawal wrote its time into the consent record and
        // the suppression list (under the address's keyed hash); the erasure then "anonymised" the record but left that
        // time, so whoever holds the key found the row again by it (and the register keeps the time with the address).
        var catalog = await SeededAsync();
        var crm = catalog.Sql("be/crm");
        await crm.ApplyAsync(Request(StoreAction.WithdrawConsent, "zoe.maes@example.be"), default);
        Assert.NotNull(await WithdrawnAtAsync(catalog));

        var erased = await crm.ApplyAsync(new StoreActionRequest("PR-TEST-0000-0008", StoreAction.Erase, "zoe.maes@example.be", Today.AddDays(40)), default);

        Assert.Equal(1, erased.Tables.Single(t => t.Table == "consent_records").Anonymised);
        var store = Map.Store("be/crm");
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "consent_records",
            $"email_normalized = '' AND withdrawn_at IN (SELECT added_at FROM {catalog.Dialect.Table(store, store.SuppressionTable!)})"));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = '' AND withdrawn_at IS NOT NULL"));
    }

    [Fact]
    public async Task Invoices_under_the_legal_hold_are_kept_restricted_until_the_hold_ends_and_older_ones_are_erased()
    {
        var catalog = await SeededAsync();

        // Jan de Vries: NL invoices of 2017-09-15 (7-year hold ended 2024-12-31) and 2023-11-30 (held until 2030-12-31).
        var nl = (await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default)).Tables.Single();
        Assert.Equal((2, 1, 1, 1), (nl.Matched, nl.Deleted, nl.Retained, nl.RemainingAfter));
        Assert.Equal([new HeldRecords(new DateOnly(2030, 12, 31), 1)], nl.Held!);
        var kept = Assert.Single(await catalog.Find("nl/finance").CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal("NL-2023-0311", kept.Fields["invoice_number"]!.GetValue<string>());
        Assert.True(IsTrue(kept.Fields["restricted"]));

        // Sophie Dubois: BE invoices of 2019 and 2024-02-29 are both within 10 years, each held until its own end.
        var be = (await catalog.Find("be/finance").ApplyAsync(Request(StoreAction.Erase, "sophie.dubois@example.be"), default)).Tables.Single();
        Assert.Equal((2, 0, 2), (be.Matched, be.Deleted, be.Retained));
        Assert.Equal([new HeldRecords(new DateOnly(2029, 12, 31), 1), new HeldRecords(new DateOnly(2034, 12, 31), 1)], be.Held!);
    }

    [Fact]
    public async Task Running_an_action_twice_for_a_case_changes_nothing_more_and_reports_the_same()
    {
        var catalog = await SeededAsync();
        var first = await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);
        var rows = await TotalRowsAsync(catalog, "nl/finance", "invoices");

        var second = await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);

        Assert.Equal(first.Tables, second.Tables);
        Assert.Equal(rows, await TotalRowsAsync(catalog, "nl/finance", "invoices"));
    }

    [Fact]
    public async Task A_failure_mid_way_leaves_the_store_untouched_and_the_retry_finishes_the_job()
    {
        var catalog = await SeededAsync();
        var store = Map.Store("be/crm");
        // The fourth table disappears: contacts, notes and subscriptions are handled first, then the action fails.
        await ExecuteAsync(catalog, "be/crm", $"ALTER TABLE {catalog.Dialect.Table(store, "consent_records")} RENAME TO consent_records_away");

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, "an.peeters@example.be"), default));
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "contacts", "email_normalized = 'an.peeters@example.be'"));
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "newsletter_subscriptions", "email_normalized = 'an.peeters@example.be'"));

        await ExecuteAsync(catalog, "be/crm", $"ALTER TABLE {catalog.Dialect.Table(store, "consent_records_away")} RENAME TO consent_records");
        var retry = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, "an.peeters@example.be"), default);
        Assert.Equal(4, retry.Matched);
        Assert.All(retry.Tables, t => Assert.Equal(0, t.RemainingAfter));
    }

    [Fact]
    public async Task Restriction_marks_every_record_of_the_person_and_keeps_them()
    {
        var catalog = await SeededAsync();
        var outcome = await catalog.Find("be/portal").ApplyAsync(Request(StoreAction.Restrict, "an.peeters@example.be"), default);

        Assert.Equal(3, outcome.Tables.Sum(t => t.Restricted));
        var records = await catalog.Find("be/portal").CollectAsync("an.peeters@example.be", CollectScope.All, default).ToListAsync();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.True(IsTrue(r.Fields["restricted"])));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/portal", "portal_accounts", $"email_normalized <> 'an.peeters@example.be' AND restricted <> {catalog.Dialect.FalseLiteral}"));
    }

    [Fact]
    public async Task Withdrawing_consent_stops_the_newsletter_keeps_the_consent_proof_and_suppresses_the_address_for_good()
    {
        var catalog = await SeededAsync();
        var crm = catalog.Sql("be/crm");

        var outcome = await crm.ApplyAsync(Request(StoreAction.WithdrawConsent, "zoe.maes@example.be"), default);

        var byTable = outcome.Tables.ToDictionary(t => t.Table);
        Assert.Equal(1, byTable["newsletter_subscriptions"].Deleted);
        Assert.Equal(1, byTable["consent_records"].Updated);
        Assert.True(outcome.Suppressed);
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = 'zoe.maes@example.be' AND withdrawn_at IS NOT NULL"));
        // The list holds a keyed hash, not the address.
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "marketing_suppressions", "address_hash LIKE '%zoe%' OR address_hash LIKE '%example%'"));
        Assert.Equal(1, await TotalRowsAsync(catalog, "be/crm", "marketing_suppressions"));

        // Erasure later on removes the person, not the suppression; the newsletter refuses the address again.
        await crm.ApplyAsync(Request(StoreAction.Erase, "zoe.maes@example.be", "PR-TEST-0000-0002"), default);
        Assert.True(await crm.IsSuppressedAsync("Zoe.Maes@Example.be ", default));
        // As the product asks it for an access answer: through the catalog (which prepares the store first).
        Assert.True(await catalog.Find("be/crm").IsSuppressedAsync("zoe.maes@example.be", default));
        Assert.False(await catalog.Find("nl/crm").IsSuppressedAsync("zoe.maes@example.be", default));
        // A restriction asked later finds nothing of her but says the code is there: its report must not read "no
        // personal data" (hunt of 8 December).
        var restriction = await crm.ApplyAsync(Request(StoreAction.Restrict, "zoe.maes@example.be", "PR-TEST-0000-0003"), default);
        Assert.Equal(0, restriction.Tables.Sum(t => t.Matched));
        Assert.True(restriction.Suppressed);
        Assert.False((await catalog.Find("nl/crm").ApplyAsync(Request(StoreAction.Restrict, "zoe.maes@example.be", "PR-TEST-0000-0003"), default)).Suppressed);
        Assert.False(await crm.SubscribeAsync(" ZOE.maes@example.be", "Events", Today, default));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "newsletter_subscriptions", "email_normalized = 'zoe.maes@example.be'"));
        Assert.True(await crm.SubscribeAsync("someone.else@example.be", "Events", Today, default));
    }

    [Fact]
    public async Task Objecting_to_direct_marketing_opts_the_crm_contact_out_of_mailings_and_keeps_the_customer_record()
    {
        var catalog = await SeededAsync();
        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.ObjectToDirectMarketing, "an.peeters@example.be"), default);

        var byTable = outcome.Tables.ToDictionary(t => t.Table);
        // The contact stays (services to the employer), opted out of the client-relations mailings (Art. 21(3)).
        Assert.Equal((1, 0, 1), (byTable["contacts"].Matched, byTable["contacts"].Deleted, byTable["contacts"].Updated));
        Assert.Equal(0, byTable["activity_notes"].Updated);
        Assert.Equal(1, byTable["newsletter_subscriptions"].Deleted);
        Assert.True(outcome.Suppressed);
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "contacts", $"email_normalized = 'an.peeters@example.be' AND marketing_opt_out <> {catalog.Dialect.FalseLiteral} AND marketing_opt_out_at IS NOT NULL"));
        Assert.Equal(0, await CountWhereAsync(catalog, "be/crm", "contacts", $"email_normalized <> 'an.peeters@example.be' AND marketing_opt_out <> {catalog.Dialect.FalseLiteral}"));
    }

    [Fact]
    public async Task The_mailing_list_leaves_out_a_contact_who_objected_a_restricted_one_and_one_a_sync_put_back()
    {
        var catalog = await SeededAsync();
        var crm = catalog.Sql("be/crm");
        Assert.Contains("an.peeters@example.be", await crm.MailingRecipientsAsync(default));
        Assert.Contains("sophie.dubois@example.be", await crm.MailingRecipientsAsync(default));

        await crm.ApplyAsync(Request(StoreAction.ObjectToDirectMarketing, "an.peeters@example.be"), default);
        await crm.ApplyAsync(Request(StoreAction.Restrict, "sophie.dubois@example.be", "PR-TEST-0000-0002"), default);

        var after = await crm.MailingRecipientsAsync(default);
        Assert.DoesNotContain("an.peeters@example.be", after);
        Assert.DoesNotContain("sophie.dubois@example.be", after);
        Assert.NotEmpty(after);

        // A sync from another tool clears the flag: the suppression list still keeps the address off every mailing.
        var contacts = catalog.Dialect.Table(Map.Store("be/crm"), "contacts");
        await ExecuteAsync(catalog, "be/crm", $"UPDATE {contacts} SET marketing_opt_out = {catalog.Dialect.FalseLiteral}, marketing_opt_out_at = NULL WHERE email_normalized = 'an.peeters@example.be'");
        Assert.DoesNotContain("an.peeters@example.be", await crm.MailingRecipientsAsync(default));
    }

    [Fact]
    public async Task A_demo_crm_made_before_the_marketing_opt_out_gets_the_column_on_the_next_seed()
    {
        var catalog = await SeededAsync();
        var contacts = catalog.Dialect.Table(Map.Store("be/crm"), "contacts");
        await ExecuteAsync(catalog, "be/crm", $"ALTER TABLE {contacts} DROP COLUMN marketing_opt_out_at");
        await ExecuteAsync(catalog, "be/crm", $"ALTER TABLE {contacts} DROP COLUMN marketing_opt_out");
        Assert.Contains("store be/crm: table 'contacts' has no column 'marketing_opt_out'", await catalog.CheckSchemasAsync(default));

        Assert.Equal(0, await DemoStores.SeedAsync(Map, catalog.Dialect, 50, 7, default));

        Assert.Empty(await catalog.CheckSchemasAsync(default));
        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.ObjectToDirectMarketing, "an.peeters@example.be"), default);
        Assert.Equal(1, outcome.Tables.Single(t => t.Table == "contacts").Updated);
    }

    [Fact]
    public async Task Withdrawing_consent_as_an_applicant_ends_the_recruitment_pool_consent_only()
    {
        var catalog = await SeededAsync();
        var outcome = await catalog.Find("nl/recruitment").ApplyAsync(Request(StoreAction.WithdrawConsent, "alexis.papadopoulos@example.nl"), default);

        Assert.Equal(1, outcome.Tables.Single().Updated);
        Assert.False(outcome.Suppressed);
        var application = Assert.Single(await catalog.Find("nl/recruitment").CollectAsync("alexis.papadopoulos@example.nl", CollectScope.All, default).ToListAsync());
        Assert.False(IsTrue(application.Fields["pool_consent"]));
        Assert.Equal("Αλέξης", application.Fields["first_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unsubscribing_withdraws_the_marketing_consent_and_leaves_the_recruitment_pool_consent()
    {
        var catalog = await SeededAsync();
        var pool = await catalog.Find("nl/recruitment").ApplyAsync(Request(StoreAction.WithdrawMarketingConsent, "alexis.papadopoulos@example.nl"), default);
        var newsletter = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.WithdrawMarketingConsent, "zoe.maes@example.be"), default);

        Assert.Equal(0, pool.Tables.Single().Updated);
        var application = Assert.Single(await catalog.Find("nl/recruitment").CollectAsync("alexis.papadopoulos@example.nl", CollectScope.All, default).ToListAsync());
        Assert.True(IsTrue(application.Fields["pool_consent"]));
        Assert.Equal(1, newsletter.Tables.Single(t => t.Table == "newsletter_subscriptions").Deleted);
        Assert.True(newsletter.Suppressed);
    }

    /// <summary>Zoe Maes also gave a consent that is not for marketing: her application kept for future vacancies.</summary>
    private static Task AddRecruitmentConsentAsync(SqlStoreCatalog catalog)
    {
        var table = catalog.Dialect.Table(Map.Store("be/crm"), "consent_records");
        return ExecuteAsync(catalog, "be/crm",
            $"INSERT INTO {table} (email_normalized, purpose, consent_text, given_at) SELECT email_normalized, 'recruitment', 'Keep my application for future vacancies.', given_at FROM {table} WHERE email_normalized = 'zoe.maes@example.be'");
    }

    [Fact]
    public async Task A_second_withdrawal_keeps_the_date_the_consent_was_first_withdrawn()
    {
        // Review of issue 16: the withdrawal date is the evidence (Art. 7(1), 7(3)); a later request must not move it.
        var catalog = await SeededAsync();
        var crm = catalog.Sql("be/crm");
        await crm.ApplyAsync(Request(StoreAction.WithdrawConsent, "zoe.maes@example.be"), default);
        var first = await WithdrawnAtAsync(catalog);

        var again = await crm.ApplyAsync(new StoreActionRequest("PR-TEST-0000-0009", StoreAction.WithdrawMarketingConsent, "zoe.maes@example.be", Today.AddDays(40)), default);

        Assert.NotNull(first);
        Assert.Equal(first, await WithdrawnAtAsync(catalog));
        // Counted as withdrawn, which it is (counted as unchanged, the report said "not affected, kept for: Newsletters").
        Assert.Equal(1, again.Tables.Single(t => t.Table == "consent_records").Updated);
    }

    private static async Task<string?> WithdrawnAtAsync(SqlStoreCatalog catalog)
    {
        var store = Map.Store("be/crm");
        await using var connection = catalog.Dialect.Connect(store);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT withdrawn_at FROM {catalog.Dialect.Table(store, "consent_records")} WHERE email_normalized = 'zoe.maes@example.be'";
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
    }

    [Fact]
    public async Task A_second_objection_to_mailings_keeps_the_date_the_contact_was_first_opted_out()
    {
        // Review of 7 December: the opt-out was written again by a later objection or unsubscribe, moving its date (the
        // evidence that mailings after the first objection came after it). The row is still counted as marked "no
        // mailings", which it is (counted as unchanged, the report told the requester it was not affected).
        var catalog = await SeededAsync();
        var crm = catalog.Sql("be/crm");
        var first = await crm.ApplyAsync(Request(StoreAction.ObjectToDirectMarketing, "an.peeters@example.be"), default);
        Assert.Equal(1, first.Tables.Single(t => t.Table == "contacts").Updated);
        var optedOutAt = await OptedOutAtAsync(catalog);

        var again = await crm.ApplyAsync(new StoreActionRequest("PR-TEST-0000-0009", StoreAction.WithdrawMarketingConsent, "an.peeters@example.be", Today.AddDays(40)), default);

        Assert.NotNull(optedOutAt);
        Assert.Equal(optedOutAt, await OptedOutAtAsync(catalog));
        Assert.Equal(1, again.Tables.Single(t => t.Table == "contacts").Updated);
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "contacts", "email_normalized = 'an.peeters@example.be' AND marketing_opt_out <> " + catalog.Dialect.FalseLiteral));
    }

    private static async Task<string?> OptedOutAtAsync(SqlStoreCatalog catalog)
    {
        var store = Map.Store("be/crm");
        await using var connection = catalog.Dialect.Connect(store);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT marketing_opt_out_at FROM {catalog.Dialect.Table(store, "contacts")} WHERE email_normalized = 'an.peeters@example.be'";
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
    }

    [Theory]
    [InlineData(StoreAction.ObjectToDirectMarketing)]
    [InlineData(StoreAction.WithdrawMarketingConsent)]
    public async Task Objecting_to_direct_marketing_or_unsubscribing_withdraws_the_marketing_consent_and_no_other(StoreAction action)
    {
        var catalog = await SeededAsync();
        await AddRecruitmentConsentAsync(catalog);

        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(action, "zoe.maes@example.be"), default);

        Assert.Equal(1, outcome.Tables.Single(t => t.Table == "consent_records").Updated);
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = 'zoe.maes@example.be' AND purpose = 'newsletter' AND withdrawn_at IS NOT NULL"));
        // Art. 21(2)-(3) stops marketing only: the consent to keep the application stays as it was.
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = 'zoe.maes@example.be' AND purpose = 'recruitment' AND withdrawn_at IS NULL"));
    }

    [Fact]
    public async Task Withdrawing_the_recruitment_consent_keeps_the_newsletter_and_its_consent_and_suppresses_nothing()
    {
        var catalog = await SeededAsync();
        await AddRecruitmentConsentAsync(catalog);

        var crm = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.WithdrawOtherConsent, "zoe.maes@example.be"), default);
        var pool = await catalog.Find("nl/recruitment").ApplyAsync(Request(StoreAction.WithdrawOtherConsent, "alexis.papadopoulos@example.nl"), default);

        var byTable = crm.Tables.ToDictionary(t => t.Table);
        Assert.Equal((0, 0), (byTable["newsletter_subscriptions"].Deleted, byTable["newsletter_subscriptions"].Updated));
        Assert.Equal(1, byTable["consent_records"].Updated);
        Assert.False(crm.Suppressed);
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "newsletter_subscriptions", "email_normalized = 'zoe.maes@example.be'"));
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = 'zoe.maes@example.be' AND purpose = 'newsletter' AND withdrawn_at IS NULL"));
        Assert.Equal(1, await CountWhereAsync(catalog, "be/crm", "consent_records", "email_normalized = 'zoe.maes@example.be' AND purpose = 'recruitment' AND withdrawn_at IS NOT NULL"));
        Assert.Equal(0, await TotalRowsAsync(catalog, "be/crm", "marketing_suppressions"));
        Assert.Equal(1, pool.Tables.Single().Updated);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_n.peeters@example.be")]
    [InlineData("an.peeters@example.be' OR '1'='1")]
    [InlineData("an.peeters@example.be\u0000")]
    public async Task Actions_with_wildcards_or_quotes_touch_nothing(string email)
    {
        var catalog = await SeededAsync();
        var rows = await TotalRowsAsync(catalog, "be/crm", "contacts");
        var outcome = await catalog.Find("be/crm").ApplyAsync(Request(StoreAction.Erase, email), default);
        Assert.Equal(0, outcome.Matched);
        Assert.Equal(rows, await TotalRowsAsync(catalog, "be/crm", "contacts"));
    }

    [Fact]
    public async Task Portability_returns_only_what_the_person_provided_on_consent_or_contract()
    {
        var catalog = await SeededAsync();
        var records = await catalog.Find("be/crm").CollectAsync("an.peeters@example.be", CollectScope.ProvidedBySubject, default).ToListAsync();

        // The contact's details came through the employer and serve our legitimate interest: not portable (Art. 20(1)(a)).
        Assert.Equal(["newsletter_subscriptions"], records.Select(r => r.Table).Distinct());
        var subscription = records.First(r => r.Table == "newsletter_subscriptions");
        Assert.Equal(["email", "list"], subscription.Fields.Select(f => f.Key).Order());
    }

    private static bool IsTrue(System.Text.Json.Nodes.JsonNode? node) =>
        node!.GetValueKind() == System.Text.Json.JsonValueKind.True || (node.GetValueKind() == System.Text.Json.JsonValueKind.Number && node.GetValue<long>() == 1);

    private static Task<long> TotalRowsAsync(SqlStoreCatalog catalog, string storeKey, string table) => CountWhereAsync(catalog, storeKey, table, "1 = 1");

    private static async Task<long> CountWhereAsync(SqlStoreCatalog catalog, string storeKey, string table, string where)
    {
        var store = Map.Store(storeKey);
        await using var connection = catalog.Dialect.Connect(store);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {catalog.Dialect.Table(store, table)} WHERE {where}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Mallory's application, written as <paramref name="typed"/>, names Alexis's CV as its file; returns the table's name.</summary>
    private static async Task<string> MalloryNamesAlexissCvAsync(SqlStoreCatalog catalog, string typed)
    {
        var table = catalog.Dialect.Table(Map.Store("nl/recruitment"), "job_applications");
        await ExecuteAsync(catalog, "nl/recruitment",
            $"INSERT INTO {table} (email, email_normalized, first_name, last_name, phone, position, applied_at, cv_file, motivation, pool_consent, restricted) " +
            $"SELECT '{typed}', 'mallory@example.nl', 'Mallory', 'M', phone, position, applied_at, cv_file, 'x', pool_consent, restricted FROM {table} WHERE email_normalized = 'alexis.papadopoulos@example.nl'");
        return table;
    }

    private static async Task ExecuteAsync(SqlStoreCatalog catalog, string storeKey, string sql)
    {
        await using var connection = catalog.Dialect.Connect(Map.Store(storeKey));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The daily sweep that erases what an erasure kept under a legal hold, once the hold ends.</summary>
public partial class SqlStoreTests
{
    [Fact]
    public async Task The_daily_hold_sweep_keeps_a_record_through_its_last_day_in_Brussels_and_erases_it_the_day_after()
    {
        var catalog = await SeededAsync();
        // Jan's invoice is kept until 31 December 2030 (his report says so): it must still be there all that day.
        await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);
        HoldSweep Sweep(DateTimeOffset at) => new(Map, catalog, new FixedClock(at), NullLogger<HoldSweep>.Instance);

        // The Functions timer on the last day (02:30 UTC, 03:30 in Brussels), and that day's last minute in Brussels.
        Assert.Equal(new HoldSweepResult(0, 0), await Sweep(new DateTimeOffset(2030, 12, 31, 2, 30, 0, TimeSpan.Zero)).RunAsync(default));
        Assert.Equal(new HoldSweepResult(0, 0), await Sweep(new DateTimeOffset(2030, 12, 31, 22, 59, 0, TimeSpan.Zero)).RunAsync(default));
        Assert.Single(await catalog.Find("nl/finance").CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal(1, await TotalRowsAsync(catalog, "nl/finance", SqlEntityStore.HoldsTable));

        // Midnight in Brussels (23:00 UTC): 1 January 2031 has begun, the hold has ended.
        Assert.Equal(new HoldSweepResult(1, 0), await Sweep(new DateTimeOffset(2030, 12, 31, 23, 0, 0, TimeSpan.Zero)).RunAsync(default));
        Assert.Empty(await catalog.Find("nl/finance").CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal(0, await TotalRowsAsync(catalog, "nl/finance", SqlEntityStore.HoldsTable));
    }

    [Fact]
    public async Task Records_an_erasure_holds_stay_past_their_hold_while_a_later_restriction_keeps_them_and_go_once_it_is_lifted()
    {
        // Store hunt of 8 December: Jan asked for erasure, his invoice held until 31 December 2030; he then asks for
        // restriction (he needs it for a claim, Art. 18(1)(c)); its report says the records are kept and he is told
        // before a lift. The daily sweep erased the invoice on 1 January 2031 all the same.
        var catalog = await SeededAsync();
        var finance = catalog.Find("nl/finance");
        await finance.ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);
        await finance.ApplyAsync(Request(StoreAction.Restrict, "jan.devries@example.nl", "PR-TEST-0000-0003") with { KeepsHeldRecords = true }, default);

        Assert.Equal(0, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2031, 1, 1)), default));
        Assert.Equal(0, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2032, 6, 1)), default));
        Assert.Single(await finance.CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());

        // Lifted (after its notice): still restricted for the erasure's hold, which has ended, so the next sweep erases it.
        await finance.ApplyAsync(Request(StoreAction.LiftRestriction, "jan.devries@example.nl", "PR-TEST-0000-0003") with { KeepsHeldRecords = true }, default);
        Assert.All(await finance.CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync(), r => Assert.True(IsTrue(r.Fields["restricted"])));
        Assert.Equal(1, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2032, 6, 2)), default));
        Assert.Empty(await finance.CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal(0, await TotalRowsAsync(catalog, "nl/finance", SqlEntityStore.HoldsTable));
    }

    [Fact]
    public async Task The_restriction_an_upheld_objection_makes_keeps_nothing_past_the_erasures_hold()
    {
        // Review of 8 December: an upheld objection restricts too but is never lifted; its keep row would have kept the
        // held invoice for good, against the erasure report's date.
        var catalog = await SeededAsync();
        var finance = catalog.Find("nl/finance");
        await finance.ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);
        await finance.ApplyAsync(Request(StoreAction.Restrict, "jan.devries@example.nl", "PR-TEST-0000-0004"), default);

        Assert.Equal(1, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2031, 1, 1)), default));
        Assert.Empty(await finance.CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal(0, await TotalRowsAsync(catalog, "nl/finance", SqlEntityStore.HoldsTable));
    }

    /// <summary>The clock at one moment (the sweep reads it once).</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Records_kept_under_a_hold_are_erased_the_day_after_the_hold_ends_and_not_before()
    {
        var catalog = await SeededAsync();
        await catalog.Find("nl/finance").ApplyAsync(Request(StoreAction.Erase, "jan.devries@example.nl"), default);
        // Sophie only restricted her data: her invoices are restricted too, but nobody asked to erase them.
        await catalog.Find("be/finance").ApplyAsync(Request(StoreAction.Restrict, "sophie.dubois@example.be", "PR-TEST-0000-0003"), default);

        Assert.Equal(0, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2030, 12, 31)), default));
        Assert.Single(await catalog.Find("nl/finance").CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());

        Assert.Equal(1, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2031, 1, 1)), default));
        Assert.Empty(await catalog.Find("nl/finance").CollectAsync("jan.devries@example.nl", CollectScope.All, default).ToListAsync());
        Assert.Equal(0, await TotalRowsAsync(catalog, "nl/finance", SqlEntityStore.HoldsTable));

        Assert.Equal(0, await catalog.PurgeEndedHoldsAsync(NoonIn(new DateOnly(2040, 1, 1)), default));
        Assert.Equal(2, (await catalog.Find("be/finance").CollectAsync("sophie.dubois@example.be", CollectScope.All, default).ToListAsync()).Count);
    }
}
