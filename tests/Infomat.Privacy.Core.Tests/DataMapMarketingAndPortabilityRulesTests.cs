using System.Text.Json.Nodes;

using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The data-map rules behind items 6 and 8 of issue 16: which purpose makes data portable, which table an objection opts out of mailings.</summary>
public sealed class DataMapMarketingAndPortabilityRulesTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    [Fact]
    public void Each_purpose_states_its_lawful_basis_and_only_consent_or_contract_makes_provided_data_portable()
    {
        Assert.Equal([LawfulBasis.LegitimateInterest], Map.Purposes["customer-services"].Bases);
        Assert.Equal([LawfulBasis.LegalObligation, LawfulBasis.LegitimateInterest], Map.Purposes["accounting"].Bases);
        Assert.Equal([LawfulBasis.Consent], Map.Purposes["newsletter"].Bases);
        Assert.False(Map.Purposes["client-relations"].CoversPortability);
        Assert.True(Map.Purposes["recruitment"].CoversPortability);

        var crm = Map.Store("be/crm");
        Assert.Empty(Map.PortableColumns(crm.Tables.Single(t => t.Table == "contacts")));
        Assert.Equal(["email", "list"], Map.PortableColumns(crm.Tables.Single(t => t.Table == "newsletter_subscriptions")));
        Assert.Empty(Map.PortableColumns(Map.Store("be/portal").Tables.Single(t => t.Table == "helpdesk_tickets")));
        Assert.Contains("cv_file", Map.PortableColumns(Map.Store("nl/recruitment").Tables.Single()));
    }

    [Fact]
    public void The_loader_refuses_a_purpose_without_a_known_lawful_basis_or_whose_consent_flag_disagrees()
    {
        var json = JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!;
        json["purposes"]!["customer-services"]!.AsObject().Remove("bases");
        json["purposes"]!["accounting"]!["bases"] = new JsonArray("vital-interest");
        json["purposes"]!["newsletter"]!["bases"] = new JsonArray("legitimate-interest");
        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("purposes.customer-services.bases: missing (a list, possibly empty)", problems);
        Assert.Contains("purposes.accounting.bases[0]: 'vital-interest' is not consent, contract, legal-obligation or legitimate-interest", problems);
        Assert.Contains("purposes.newsletter.bases: 'consent' is true, so the bases must include consent (and only then)", problems);
    }

    [Fact]
    public void An_objection_or_an_unsubscribe_opts_the_crm_contact_out_of_the_client_relations_mailings()
    {
        var contacts = Map.Store("nl/crm").Tables.Single(t => t.Table == "contacts");
        Assert.Equal("client-relations", contacts.MarketingOptOut!.Purpose);
        Assert.True(contacts.OptsOutOfMailings(StoreAction.ObjectToDirectMarketing));
        Assert.True(contacts.OptsOutOfMailings(StoreAction.WithdrawMarketingConsent));
        Assert.False(contacts.OptsOutOfMailings(StoreAction.Erase));
        Assert.False(contacts.OptsOutOfMailings(StoreAction.Restrict));
        Assert.False(Map.Store("nl/crm").Tables.Single(t => t.Table == "activity_notes").OptsOutOfMailings(StoreAction.ObjectToDirectMarketing));

        var json = JsonNode.Parse(File.ReadAllText(DataMapFiles.Default))!;
        json["stores"]![0]!["tables"]![0]!["marketingOptOut"]!["purpose"] = "customer-services";
        var problems = Assert.Throws<DataMapException>(() => DataMapLoader.Parse(json.ToJsonString())).Problems;
        Assert.Contains("stores[0].tables[0].marketingOptOut.purpose: 'customer-services' is not a direct-marketing purpose", problems);
    }
}
