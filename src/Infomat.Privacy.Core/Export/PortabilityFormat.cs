namespace Infomat.Privacy.Export;

/// <summary>
/// The documented format of <c>data.json</c> in a portability export (docs/export-format.md), and its JSON Schema,
/// shipped in the zip as <c>data.schema.json</c> so a receiving service can validate before importing.
/// </summary>
public static class PortabilityFormat
{
    public const string Name = "infomat-privacy-portability";
    public const int Version = 1;
    public const string DataEntryName = "data.json";
    public const string SchemaEntryName = "data.schema.json";

    /// <summary>The schema shipped with an export, its description naming the export's <paramref name="controllers"/>.</summary>
    public static string SchemaFor(IReadOnlyList<Stores.Controller> controllers)
    {
        ArgumentNullException.ThrowIfNull(controllers);
        var schema = System.Text.Json.Nodes.JsonNode.Parse(Schema)!;
        schema["description"] = $"The personal data a person provided to {Localization.Texts.List([.. controllers.Select(c => c.LegalName)], Requests.Language.En)}, per controller, store and table.";
        return schema.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All) });
    }

    /// <summary>The schema; its description is the general one, <see cref="SchemaFor"/> names an export's controllers.</summary>
    public const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://infomat.eu/schemas/privacy-portability/v1",
          "title": "Infomat portability export (GDPR Art. 20)",
          "description": "The personal data a person provided to the Infomat controllers of the export, per controller, store and table.",
          "type": "object",
          "required": ["format", "version", "reference", "preparedOn", "controllers"],
          "properties": {
            "$schema": { "type": "string" },
            "format": { "const": "infomat-privacy-portability" },
            "version": { "const": 1 },
            "reference": { "type": "string", "pattern": "^PR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$" },
            "preparedOn": { "type": "string", "format": "date" },
            "controllers": {
              "type": "array",
              "items": {
                "type": "object",
                "required": ["controller", "enterpriseNumber", "stores"],
                "properties": {
                  "controller": { "type": "string" },
                  "enterpriseNumber": { "type": "string" },
                  "stores": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["store", "name", "tables"],
                      "properties": {
                        "store": { "type": "string", "description": "entity/store, e.g. be/crm" },
                        "name": { "type": "string" },
                        "tables": {
                          "type": "array",
                          "items": {
                            "type": "object",
                            "required": ["table", "records"],
                            "properties": {
                              "table": { "type": "string" },
                              "records": {
                                "type": "array",
                                "items": {
                                  "type": "object",
                                  "description": "One record: the columns the person provided, with their values.",
                                  "additionalProperties": { "type": ["string", "number", "boolean", "null"] }
                                }
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      },
                      "additionalProperties": false
                    }
                  }
                },
                "additionalProperties": false
              }
            }
          },
          "additionalProperties": false
        }
        """;
}
