using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// A store or table taken out of use stays in the data map for the cases that name it (decision 114): ops move its entry
/// to <c>retiredStores</c> (or a table to its store's <c>retiredTables</c>). Nothing new is collected from it or acted
/// on in it, and every page, mail and report about a case that acted there before still names it in the map's words.
/// </summary>
public sealed class DataMapRetirementTests
{
    private static JsonObject Shipped() => JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!.AsObject();

    /// <summary>The shipped map with BE recruitment taken out of use, and BE portal's sign-in log table with it.</summary>
    private static JsonObject WithRetirements()
    {
        var json = Shipped();
        var stores = json["stores"]!.AsArray();
        var recruitment = stores.Single(s => (string?)s!["entity"] == "be" && (string?)s["store"] == "recruitment")!;
        stores.Remove(recruitment);
        json["retiredStores"] = new JsonArray(recruitment);
        var portal = stores.Single(s => (string?)s!["entity"] == "be" && (string?)s["store"] == "portal")!.AsObject();
        var tables = portal["tables"]!.AsArray();
        var logins = tables.Single(t => (string?)t!["table"] == "portal_logins")!;
        tables.Remove(logins);
        portal["retiredTables"] = new JsonArray(logins);
        return json;
    }

    private static readonly DataMap Retired = DataMapLoader.Parse(WithRetirements().ToJsonString());

    [Fact]
    public void A_retired_store_or_table_is_out_of_every_new_step_but_found_by_its_key()
    {
        Assert.DoesNotContain(Retired.Stores, s => s.Key == "be/recruitment");
        Assert.DoesNotContain(Retired.StoresOf(["be"]), s => s.Key == "be/recruitment");
        Assert.DoesNotContain(Retired.Store("be/portal").Tables, t => t.Table == "portal_logins");

        Assert.Equal("Recruitment", Retired.Store("be/recruitment").Name.En);
        Assert.Equal("portal_logins", Retired.Store("be/portal").Table("portal_logins").Table);
        Assert.Equal("job_applications", Retired.Store("be/recruitment").Table("job_applications").Table);
    }

    [Fact]
    public void A_retired_entry_is_checked_as_a_live_one_and_named_once()
    {
        var json = WithRetirements();
        json["retiredStores"]![0]!["tables"]![0]!["purpose"] = "nowhere";
        json["stores"]!.AsArray().Add(json["retiredStores"]![0]!.DeepClone());
        var portal = json["stores"]!.AsArray().Single(s => (string?)s!["entity"] == "be" && (string?)s["store"] == "portal")!;
        portal["retiredTables"]!.AsArray().Add(portal["tables"]![0]!.DeepClone());
        var at = json["stores"]!.AsArray().IndexOf(portal);

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("retiredStores[0].tables[0].purpose: 'nowhere' is not in purposes", problems);
        Assert.Contains(problems, p => p.StartsWith("retiredStores[0]: store 'be/recruitment' appears twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"stores[{at}].retiredTables[1]: table 'portal_accounts' appears twice", StringComparison.Ordinal));
    }

    [Fact]
    public void A_store_the_map_no_longer_has_at_all_is_named_by_its_key_where_staff_read_what_it_held()
    {
        var c = Case(RequestType.Access) with { Holdings = new Dictionary<string, int> { ["be/crm"] = 2, ["be/gone"] = 3 } };

        var lines = PrivacyMails.Holdings(c, Retired, Language.En);

        Assert.Equal(["Infomat België, CRM: 2", "be/gone: 3 (this system is no longer in the data map)"], lines);
        Assert.Equal("be/gone (this system is no longer in the data map): 1 record(s) to check and correct",
            PrivacyMails.TaskLabel(Retired, new StaffTask("rectify.be/gone", StaffTaskKind.Rectify, "be/gone", 1), Language.En));
        var thrown = Assert.Throws<ArgumentException>(() => Retired.Store("be/gone"));
        Assert.Contains("retiredStores", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "Recruitment", "Job applications: 1 record deleted.", "Portal sign-ins: 2 records deleted.")]
    [InlineData(Language.Nl, "Rekrutering", "Sollicitaties: 1 record verwijderd.", "Aanmeldingen op het portaal: 2 records verwijderd.")]
    public void An_erasure_done_before_the_retirement_is_reported_in_the_maps_words(Language language, string store, string applications, string logins)
    {
        var c = Case(RequestType.Erasure, language);
        var outcomes = new[]
        {
            new StoreOutcome("be/recruitment", StoreAction.Erase, [new TableOutcome("job_applications", 1, 1, 0, 0, 0, 0, [], 0)], false),
            new StoreOutcome("be/portal", StoreAction.Erase, [new TableOutcome("portal_logins", 2, 2, 0, 0, 0, 0, [], 0)], false),
        };

        var report = PrivacyMails.ActionReport(c, Retired, outcomes).TextBody;

        Assert.Contains(store, report, StringComparison.Ordinal);
        Assert.Contains(applications, report, StringComparison.Ordinal);
        Assert.Contains(logins, report, StringComparison.Ordinal);
        Assert.Equal(["processors"], c.RecipientsToInform(Retired, outcomes).Select(r => r.Key));
    }

    private static PrivacyCase Case(RequestType type, Language language = Language.En) =>
        PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), language, null),
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Retired);
}
