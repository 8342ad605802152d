using System.Text.Json;
using System.Text.Json.Serialization;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Controllers are data: the request's <c>entity</c> names codes of the data map, and a third company needs no code.</summary>
public sealed class ControllerScopeTests
{
    // As the case register writes a case (TableCaseRegister): web defaults, enums as their names.
    private static readonly JsonSerializerOptions RegisterJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static RequestSubmission Request(string? entity) => new("access", "an.peeters@example.be", "An Peeters", null, entity, "nl", null);

    [Fact]
    public void With_a_third_controller_its_code_is_accepted_and_both_means_all_three()
    {
        var map = TestDataMaps.WithLuxembourg();

        var (lu, luErrors) = RequestValidator.Validate(Request("lu"), map.ControllerCodes);
        var (both, _) = RequestValidator.Validate(Request("both"), map.ControllerCodes);
        var (omitted, _) = RequestValidator.Validate(Request(null), map.ControllerCodes);

        Assert.Empty(luErrors);
        Assert.Equal(["lu"], lu!.Entity.Codes);
        Assert.False(lu.Entity.IsAll);
        Assert.Equal("lu", lu.Entity.ToWire());
        Assert.True(both!.Entity.IsAll);
        Assert.Equal(["be", "nl", "lu"], both.Entity.Codes);
        Assert.Equal("both", both.Entity.ToWire());
        Assert.Equal(both.Entity, omitted!.Entity);
        Assert.Equal(["be/crm", "be/finance", "be/recruitment", "be/portal", "nl/crm", "nl/finance", "nl/recruitment", "nl/portal", "lu/crm"],
            map.StoresOf(both.Entity).Select(s => s.Key));
        Assert.Equal(["lu/crm"], map.StoresOf(lu.Entity).Select(s => s.Key));
    }

    [Theory]
    [InlineData("lu")]
    [InlineData("BE")]
    [InlineData("be,nl")]
    [InlineData("all")]
    public void A_code_the_map_does_not_list_is_refused_on_the_field_entity(string entity)
    {
        var (request, errors) = RequestValidator.Validate(Request(entity), TestDataMaps.Real.ControllerCodes);
        Assert.Null(request);
        Assert.Equal(new FieldError("entity", "ErrorEntity"), Assert.Single(errors));
    }

    [Theory]
    [InlineData("\"Both\"", true, new[] { "be", "nl" })]
    [InlineData("\"Be\"", false, new[] { "be" })]
    [InlineData("\"Nl\"", false, new[] { "nl" })]
    [InlineData("0", true, new[] { "be", "nl" })]
    [InlineData("2", false, new[] { "nl" })]
    public void A_case_stored_with_the_old_enum_reads_as_what_it_meant(string stored, bool all, string[] codes)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), Language.Nl, null),
            Channel.Form, new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.FromHours(1)), TestDataMaps.Real);
        var json = JsonSerializer.Serialize(c, RegisterJson);
        Assert.Contains("\"entity\":{\"controllers\":[\"be\"],\"all\":false}", json, StringComparison.Ordinal);
        var old = json.Replace("{\"controllers\":[\"be\"],\"all\":false}", stored, StringComparison.Ordinal);

        var read = JsonSerializer.Deserialize<PrivacyCase>(old, RegisterJson)!;

        Assert.Equal(all, read.Entity.IsAll);
        Assert.Equal(codes, read.Entity.Codes);
        // Every other field reads as before; written back, the case takes the new form, which reads the same.
        Assert.Equal(JsonSerializer.Serialize(c with { Entity = read.Entity }, RegisterJson), JsonSerializer.Serialize(read, RegisterJson));
        Assert.Equal(read.Entity, JsonSerializer.Deserialize<PrivacyCase>(JsonSerializer.Serialize(read, RegisterJson), RegisterJson)!.Entity);
    }

    [Fact]
    public void The_case_list_and_the_csv_show_what_they_showed_for_be_nl_and_both_and_the_code_of_a_new_controller()
    {
        var map = TestDataMaps.WithLuxembourg();
        // The case list upper-cases ToString() and the CSV lower-cases it (CaseEndpoints).
        Assert.Equal("BOTH", ControllerScope.AllOf(map.ControllerCodes).ToString().ToUpperInvariant());
        Assert.Equal("BE", ControllerScope.Of("be").ToString().ToUpperInvariant());
        Assert.Equal("NL", ControllerScope.Of("nl").ToString().ToUpperInvariant());
        Assert.Equal("LU", ControllerScope.Of("lu").ToString().ToUpperInvariant());
        Assert.Equal("both", ControllerScope.AllOf(map.ControllerCodes).ToString());
    }

    [Fact]
    public void The_scope_in_words_comes_from_the_legal_names_and_reads_as_before_for_be_nl_and_both()
    {
        var real = TestDataMaps.Real;
        var both = ControllerScope.AllOf(real.ControllerCodes);
        Assert.Equal("Beide: Infomat België en Infomat Nederland", Texts.Entity(both, real, Language.Nl));
        Assert.Equal("Les deux : Infomat België et Infomat Nederland", Texts.Entity(both, real, Language.Fr));
        Assert.Equal("Both: Infomat België and Infomat Nederland", Texts.Entity(both, real, Language.En));
        Assert.Equal("Alleen Infomat België", Texts.Entity(ControllerScope.Of("be"), real, Language.Nl));
        Assert.Equal("Infomat Nederland uniquement", Texts.Entity(ControllerScope.Of("nl"), real, Language.Fr));
        Assert.Equal("Infomat Nederland only", Texts.Entity(ControllerScope.Of("nl"), real, Language.En));

        var three = TestDataMaps.WithLuxembourg();
        Assert.Equal("Alle: Infomat België, Infomat Nederland en Infomat Luxembourg", Texts.Entity(ControllerScope.AllOf(three.ControllerCodes), three, Language.Nl));
        Assert.Equal("Infomat Luxembourg only", Texts.Entity(ControllerScope.Of("lu"), three, Language.En));
    }

    [Fact]
    public void A_request_to_the_Luxembourg_controller_is_due_on_the_Luxembourg_calendar()
    {
        var map = TestDataMaps.WithLuxembourg();
        // 23 June 2027 (Wednesday) is Luxembourg's national day, a working day in Belgium and the Netherlands.
        var received = new DateTimeOffset(2027, 5, 23, 12, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal(new DateOnly(2027, 6, 24), DueDateCalculator.DueDate(received, ControllerScope.Of("lu"), map));
        Assert.Equal(new DateOnly(2027, 6, 23), DueDateCalculator.DueDate(received, ControllerScope.Of("be"), map));
        // Every controller: the earliest of their own dates (issue 17): the Belgian and Dutch 23rd; and on 21 July, a
        // Belgian holiday, the Dutch and Luxembourg 21st rather than the Belgian 22nd.
        Assert.Equal(new DateOnly(2027, 6, 23), DueDateCalculator.DueDate(received, ControllerScope.AllOf(map.ControllerCodes), map));
        Assert.Equal(new DateOnly(2027, 7, 21), DueDateCalculator.DueDate(new DateTimeOffset(2027, 6, 21, 12, 0, 0, TimeSpan.FromHours(2)), ControllerScope.AllOf(map.ControllerCodes), map));
    }

    [Fact]
    public void The_report_to_a_Luxembourg_requester_names_that_controller_and_its_authority_only()
    {
        var map = TestDataMaps.WithLuxembourg();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An", null, ControllerScope.Of("lu"), Language.En, null),
            Channel.Form, new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.FromHours(1)), map);

        var report = PrivacyMails.ActionReport(c, map, []);

        Assert.Contains("Infomat Luxembourg (" + TestDataMaps.LuxembourgEnterpriseNumber + ")", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("CNPD", report.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("BE0460190566", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_data_map_refuses_a_controller_named_both_a_code_twice_or_a_country_without_a_calendar()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(TestDataMaps.WithLuxembourgJson())!.AsObject();
        var controllers = json["controllers"]!.AsArray();
        controllers[0]!["entity"] = "both";
        controllers[1]!["entity"] = "lu";
        controllers[2]!["country"] = "XX";

        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;

        Assert.Contains("controllers[0].entity: 'both' is the request value for every controller, not a code", problems);
        Assert.Contains("controllers[2].entity: 'lu' appears twice", problems);
        Assert.Contains(problems, p => p.StartsWith("controllers[2].country: 'XX' has no public-holiday calendar", StringComparison.Ordinal));
    }
}
