using System.Text.Json.Nodes;

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
        Assert.Contains("stores[3].tables[2].erasure.columns: anonymise must clear 'body' (an address, identifier, free-text or file column)", problems);
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
}
