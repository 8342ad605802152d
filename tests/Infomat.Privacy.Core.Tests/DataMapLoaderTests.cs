using System.Text.Json.Nodes;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

public sealed class DataMapLoaderTests
{
    private static JsonObject Shipped() => JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!.AsObject();

    [Fact]
    public void The_shipped_map_describes_both_controllers_and_every_store()
    {
        var map = DataMapLoader.Load(DataMapFiles.Default);
        Assert.Equal(["BE0460190566", "NL810585091B01"], map.Controllers.Select(c => c.EnterpriseNumber));
        Assert.Equal(["be/crm", "be/finance", "be/recruitment", "be/portal", "nl/crm", "nl/finance", "nl/recruitment", "nl/portal"], map.Stores.Select(s => s.Key));
        Assert.Equal(["gba", "ap"], map.AuthoritiesFor([map.Controller("nl")]).Select(a => a.Key));
        var invoicesBe = map.Store("be/finance").Tables.Single();
        var invoicesNl = map.Store("nl/finance").Tables.Single();
        Assert.Equal((ErasureAction.Retain, 10), (invoicesBe.Erasure.Action, invoicesBe.Erasure.Hold!.Years));
        Assert.Equal((ErasureAction.Retain, 7), (invoicesNl.Erasure.Action, invoicesNl.Erasure.Hold!.Years));
    }

    [Fact]
    public void Every_problem_is_named_with_its_place_in_the_file()
    {
        var json = Shipped();
        var table = json["stores"]![0]!["tables"]![0]!.AsObject();
        table["purpose"] = "marketing-without-basis";
        table["match"] = "email\"; DROP TABLE contacts; --";
        table["categories"]!.AsObject().Remove("fr");
        json["controllers"]![1]!["complaintAuthorities"] = new JsonArray("nowhere");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[0].purpose: 'marketing-without-basis' is not in purposes", problems);
        Assert.Contains(problems, p => p.StartsWith("stores[0].tables[0].match:", StringComparison.Ordinal) && p.Contains("not a plain lower-case identifier", StringComparison.Ordinal));
        Assert.Contains("stores[0].tables[0].categories.fr: missing", problems);
        Assert.Contains("controllers[1].complaintAuthorities: 'nowhere' is not in authorities", problems);
    }

    [Fact]
    public void A_retention_hold_without_years_or_date_column_is_refused()
    {
        var json = Shipped();
        json["stores"]![1]!["tables"]![0]!["erasure"] = new JsonObject { ["action"] = "retain" };
        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains(problems, p => p.StartsWith("stores[1].tables[0].erasure: retain needs", StringComparison.Ordinal) && p.Contains("'law'", StringComparison.Ordinal));
    }

    [Fact]
    public void Anonymising_with_a_keyed_hash_or_leaving_free_text_is_refused()
    {
        var json = Shipped();
        // be/portal helpdesk_tickets: anonymised.
        var columns = json["stores"]![3]!["tables"]![2]!["erasure"]!["columns"]!.AsObject();
        columns["email_normalized"] = "pseudonymise";
        columns.Remove("body");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains(problems, p => p.StartsWith("stores[3].tables[2].erasure.columns.email_normalized: a keyed hash of an identifier is still personal data (Recital 26", StringComparison.Ordinal));
        Assert.Contains("stores[3].tables[2].erasure.columns: anonymise must clear 'body' (an address, identifier, free-text or file column, or a time this system's actions write)", problems);
    }

    [Fact]
    public void Anonymising_a_consent_record_must_clear_the_time_its_withdrawal_wrote()
    {
        // Review of 7 December: the withdrawal writes the time it runs into the row, and the case register (with the
        // address) and the suppression list (with its keyed hash) keep that time too: left in an "anonymised" row, it
        // links the row back to the person, so the row was pseudonymised and the report's Recital 26 sentence untrue.
        var json = Shipped();
        var columns = json["stores"]![0]!["tables"]![3]!["erasure"]!["columns"]!.AsObject();
        columns.Remove("withdrawn_at");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[3].erasure.columns: anonymise must clear 'withdrawn_at' (an address, identifier, free-text or file column, or a time this system's actions write)", problems);
        Assert.Contains("withdrawn_at", DataMapLoader.Load(DataMapFiles.Default).Store("be/crm").Tables.Single(t => t.Table == "consent_records").IdentifyingColumns);
    }

    [Fact]
    public void A_table_whose_rows_stay_after_a_withdrawal_of_consent_does_not_say_they_are_kept_until_it()
    {
        // Review of 7 December: the consent records said "Until you withdraw your consent", yet a withdrawal writes its
        // date into the row and keeps it (the proof of consent, Art. 7(1)); an access export after a withdrawal showed the
        // row, its withdrawal date and that line side by side.
        var map = DataMapLoader.Load(DataMapFiles.Default);
        var untilWithdrawn = Shipped()["texts"]!["retentionConsent"]!["en"]!.GetValue<string>();
        var kept = map.Stores.SelectMany(s => s.Tables).Where(t => t.Withdrawal is { Action: not WithdrawalAction.Delete }).ToList();
        Assert.NotEmpty(kept);
        Assert.All(kept, t => Assert.NotEqual(untilWithdrawn, t.Retention.In(Language.En)));
        Assert.All(kept.Where(t => t.Table == "consent_records"), t => Assert.Contains("Art. 7(1)", t.Retention.In(Language.En), StringComparison.Ordinal));
    }

    [Fact]
    public void Every_table_names_its_free_text_and_address_columns()
    {
        var map = DataMapLoader.Load(DataMapFiles.Default);
        var tickets = map.Store("be/portal").Tables.Single(t => t.Table == "helpdesk_tickets");
        Assert.Equal(["subject", "body"], tickets.FreeText);
        Assert.Equal(["email_normalized", "email"], map.Store("be/crm").Tables.Single(t => t.Table == "contacts").EmailColumns);

        var json = Shipped();
        json["stores"]![0]!["tables"]![1]!.AsObject().Remove("freeText");
        Assert.Contains("stores[0].tables[1].freeText: missing (a list, possibly empty)", Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems);
    }

    [Fact]
    public void Not_json_is_said_plainly() =>
        Assert.StartsWith("not valid JSON", Assert.Throws<DataMapException>(() => DataMapLoader.Parse("{ stores: ")).Problems[0], StringComparison.Ordinal);

    [Fact]
    public void Withdrawal_rules_apply_only_to_consent_or_marketing_purposes_and_take_known_values()
    {
        var map = DataMapLoader.Load(DataMapFiles.Default);
        Assert.Equal("marketing_suppressions", map.Store("be/crm").SuppressionTable);
        Assert.True(map.Purposes["newsletter"].Consent && map.Purposes["newsletter"].DirectMarketing);
        Assert.Equal(WithdrawalAction.Delete, map.Store("be/crm").Tables.Single(t => t.Table == "newsletter_subscriptions").Withdrawal!.Action);

        var json = Shipped();
        json["stores"]![0]!["tables"]![0]!["withdrawal"] = new JsonObject { ["action"] = "delete" };
        json["stores"]![0]!["tables"]![3]!["withdrawal"] = new JsonObject { ["action"] = "set", ["set"] = new JsonObject { ["withdrawn_at"] = "yesterday" } };
        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[0].withdrawal: purpose 'customer-services' is neither consent-based nor direct marketing, so nothing would apply this rule", problems);
        Assert.Contains("stores[0].tables[3].withdrawal.set.withdrawn_at: must be \"false\", \"true\", \"null\" or \"now\"", problems);
    }
    private static JsonObject Recipient(string role, params string[] countries) => new()
    {
        ["name"] = new JsonObject { ["nl"] = "Voorbeeld", ["fr"] = "Exemple", ["en"] = "Example" },
        ["role"] = role,
        ["countries"] = new JsonArray([.. countries.Select(c => (JsonNode)c)]),
        ["place"] = new JsonObject { ["nl"] = "Ergens", ["fr"] = "Quelque part", ["en"] = "Somewhere" },
    };

    [Fact]
    public void A_table_disclosed_to_a_recipient_the_map_does_not_list_is_refused_at_start_up()
    {
        var json = Shipped();
        json["stores"]![1]!["tables"]![0]!["disclosedTo"] = new JsonArray("accountant-be", "nowhere-ltd");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[1].tables[0].disclosedTo: 'nowhere-ltd' is not in recipients", problems);
    }

    [Fact]
    public void Infomat_staff_are_not_recipients_and_the_old_shared_recipients_text_is_refused()
    {
        var json = Shipped();
        (json["recipients"] ??= new JsonObject()).AsObject()["sales-team"] = Recipient("staff", "BE");
        json["stores"]![0]!["tables"]![0]!["recipients"] = "Infomat staff who serve you";

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("recipients.sales-team.role: the controller's own staff are not recipients (CJEU C-579/21): list only processors, third parties and authorities", problems);
        Assert.Contains("stores[0].tables[0].recipients: no longer read: list the recipient ids in 'disclosedTo' (decision 55)", problems);

        // The shipped map lists, for every table, who it is disclosed to, and none of them is Infomat's own staff.
        var shipped = Shipped();
        Assert.All(shipped["stores"]!.AsArray().SelectMany(s => s!["tables"]!.AsArray()), t => Assert.IsType<JsonArray>(t!["disclosedTo"], exactMatch: false));
        var names = (shipped["recipients"] as JsonObject ?? []).SelectMany(r => r.Value!["name"]!.AsObject().Select(n => n.Value!.GetValue<string>())).ToList();
        Assert.NotEmpty(names);
        Assert.DoesNotContain(names, n => n.Contains("staff", StringComparison.OrdinalIgnoreCase) || n.Contains("medewerker", StringComparison.OrdinalIgnoreCase) || n.Contains("collaborat", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_recipient_outside_the_EEA_without_a_transfer_safeguard_is_refused()
    {
        var json = Shipped();
        (json["recipients"] ??= new JsonObject()).AsObject()["mailer-us"] = Recipient("processor", "US");
        (json["recipients"] ??= new JsonObject()).AsObject()["mailer-eu"] = Recipient("processor", "xx");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("recipients.mailer-us.safeguard: it processes outside the EEA (US), so name the transfer safeguard (Art. 45 or 46 GDPR) in nl, fr and en", problems);
        Assert.Contains("recipients.mailer-eu.countries[0]: 'xx' is not a country code (two capitals, as BE or US) or EEA", problems);
    }

    [Fact]
    public void Each_controller_says_whether_it_takes_automated_decisions()
    {
        var json = Shipped();
        json["controllers"]![0]!.AsObject().Remove("automatedDecisionMaking");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("controllers[0].automatedDecisionMaking: missing (\"none\", or a text in nl, fr and en giving the logic, significance and consequences: Art. 15(1)(h) GDPR)", problems);
    }

    [Fact]
    public void The_shipped_map_names_every_column_of_the_demo_stores_in_dutch_french_and_english()
    {
        var contacts = DataMapLoader.Load(DataMapFiles.Default).Store("be/crm").Tables.Single(t => t.Table == "contacts");
        Assert.Equal("Functie", contacts.ColumnName("job_title", Language.Nl));
        Assert.Equal("Fonction", contacts.ColumnName("job_title", Language.Fr));
        Assert.Equal("Job title", contacts.ColumnName("job_title", Language.En));
        // A column a store adds later, that the map does not know yet, still shows under its own name.
        Assert.Equal("loyalty_tier", contacts.ColumnName("loyalty_tier", Language.Nl));
    }

    [Fact]
    public void A_table_without_column_names_or_with_a_name_missing_a_language_is_refused()
    {
        var json = Shipped();
        var contacts = json["stores"]![0]!["tables"]![0]!.AsObject();
        contacts["columns"]!.AsObject().Remove("email");
        contacts["columns"]!["job_title"]!.AsObject().Remove("fr");
        json["stores"]![0]!["tables"]![1]!.AsObject().Remove("columns");

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[0].columns.job_title.fr: missing", problems);
        Assert.Contains("stores[0].tables[0].columns: 'email' has no name (the map uses it, so the summary shows it: give it one in nl, fr and en)", problems);
        Assert.Contains("stores[0].tables[1].columns: missing (each column the export shows, named in nl, fr and en)", problems);
    }

    [Fact]
    public void A_column_may_name_its_coded_values_in_each_language_and_a_label_missing_one_is_refused()
    {
        var contacts = DataMapLoader.Load(DataMapFiles.Default).Store("be/crm").Tables.Single(t => t.Table == "contacts");
        Assert.Equal("Vrouw", contacts.ValueLabel("gender", "f", Language.Nl));
        Assert.Equal("Homme", contacts.ValueLabel("gender", "m", Language.Fr));
        Assert.Null(contacts.ValueLabel("gender", "q", Language.En));
        Assert.Null(contacts.ValueLabel("job_title", "f", Language.En));

        var json = Shipped();
        var gender = json["stores"]![0]!["tables"]![0]!["columns"]!["gender"]!.AsObject();
        gender["values"]!["f"]!.AsObject().Remove("fr");
        json["stores"]![0]!["tables"]![0]!["columns"]!["job_title"]!.AsObject()["values"] = "f";

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[0].columns.gender.values.f.fr: missing", problems);
        Assert.Contains("stores[0].tables[0].columns.job_title.values: an object of codes, each named in nl, fr and en", problems);
    }
}

