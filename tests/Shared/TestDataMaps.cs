using System.Text.Json.Nodes;

using Infomat.Privacy.Stores;

namespace Infomat.Privacy.TestSupport;

/// <summary>
/// The deployment's data map, and the same map with a third company added the way a deployment would add one: a
/// controller entry, its complaint authority and its store, in the JSON, read by <see cref="DataMapLoader"/>.
/// </summary>
internal static class TestDataMaps
{
    public const string LuxembourgLegalName = "Infomat Luxembourg";

    // Made up: no such company is registered.
    public const string LuxembourgEnterpriseNumber = "LU99999999";

    private static readonly Lazy<string> RealJson = new(() => File.ReadAllText(DataMapFiles.Default));

    public static DataMap Real { get; } = DataMapLoader.Load(DataMapFiles.Default);

    /// <summary>The real map plus Infomat Luxembourg (<c>lu</c>, country LU, complaints to the CNPD) and its CRM store <c>lu/crm</c>.</summary>
    public static DataMap WithLuxembourg() => DataMapLoader.Parse(WithLuxembourgJson());

    public static string WithLuxembourgJson()
    {
        var root = JsonNode.Parse(RealJson.Value, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        root["authorities"]!.AsObject()["cnpd"] = new JsonObject
        {
            ["name"] = Same("Commission nationale pour la protection des données (CNPD)"),
            ["address"] = Same("15, Boulevard du Jazz, L-4370 Belvaux, Luxembourg"),
        };
        root["controllers"]!.AsArray().Add(new JsonObject
        {
            ["entity"] = "lu",
            ["legalName"] = LuxembourgLegalName,
            ["enterpriseNumber"] = LuxembourgEnterpriseNumber,
            ["country"] = "LU",
            ["complaintAuthorities"] = new JsonArray("cnpd"),
            ["automatedDecisionMaking"] = "none",
        });

        // Its CRM is built as the Belgian one: the same tables, purposes and rules.
        var stores = root["stores"]!.AsArray();
        var crm = stores.Single(s => (string?)s!["entity"] == "be" && (string?)s["store"] == "crm")!.DeepClone().AsObject();
        crm["entity"] = "lu";
        stores.Add(crm);
        return root.ToJsonString();
    }

    private static JsonObject Same(string text) => new() { ["nl"] = text, ["fr"] = text, ["en"] = text };
}
