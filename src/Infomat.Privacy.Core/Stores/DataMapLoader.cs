using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Stores;

/// <summary>
/// Reads and validates the data-map JSON. Texts are objects with <c>nl</c>, <c>fr</c> and <c>en</c>, or a reference
/// <c>"@key"</c> to the file's <c>texts</c>. Table and column names must be plain identifiers: they end up quoted in SQL.
/// </summary>
public static partial class DataMapLoader
{
    public static DataMap Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataMapException([$"file not found: {path}"]);
        }

        return Parse(File.ReadAllText(path));
    }

    public static DataMap Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                ?? throw new DataMapException(["the file is empty"]);
        }
        catch (JsonException ex)
        {
            throw new DataMapException([$"not valid JSON: {ex.Message}"]);
        }
        catch (InvalidOperationException)
        {
            throw new DataMapException(["the top level must be an object"]);
        }

        var reader = new Reader(root);
        var map = reader.Read();
        if (reader.Problems.Count > 0)
        {
            throw new DataMapException(reader.Problems);
        }

        return map;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    internal static partial Regex Identifier();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}$")]
    private static partial Regex Key();

    [GeneratedRegex("^(?:[A-Z]{2}|EEA)$")]
    private static partial Regex CountryCode();

    private sealed class Reader(JsonObject root)
    {
        public List<string> Problems { get; } = [];

        public DataMap Read()
        {
            var texts = root["texts"] as JsonObject ?? [];
            var authorities = new Dictionary<string, Authority>(StringComparer.Ordinal);
            foreach (var (key, node) in Object(root, "authorities", "$"))
            {
                var at = $"authorities.{key}";
                authorities[key] = new Authority(key, Text(node, "name", at, texts), Text(node, "address", at, texts));
            }

            var recipients = new Dictionary<string, Recipient>(StringComparer.Ordinal);
            foreach (var (key, node) in Object(root, "recipients", "$"))
            {
                recipients[key] = ReadRecipient(key, node, texts);
            }

            var controllers = new List<Controller>();
            foreach (var (node, i) in Array(root, "controllers", "$"))
            {
                var at = $"controllers[{i}]";
                var entity = String(node, "entity", at, Key());
                var complaint = Strings(node, "complaintAuthorities", at);
                foreach (var a in complaint.Where(a => !authorities.ContainsKey(a)))
                {
                    Problems.Add($"{at}.complaintAuthorities: '{a}' is not in authorities");
                }

                if (entity == ControllerScope.AllWire)
                {
                    Problems.Add($"{at}.entity: '{entity}' is the request value for every controller, not a code");
                }
                else if (controllers.Any(c => c.Entity == entity))
                {
                    Problems.Add($"{at}.entity: '{entity}' appears twice");
                }

                var country = String(node, "country", at);
                if (country.Length > 0 && !DueDateCalculator.HasCalendar(country))
                {
                    Problems.Add($"{at}.country: '{country}' has no public-holiday calendar here (known: {string.Join(", ", DueDateCalculator.Countries)})");
                }

                controllers.Add(new Controller(entity, String(node, "legalName", at), String(node, "enterpriseNumber", at), country, complaint, AutomatedDecisions(node, at, texts)));
            }

            var purposes = new Dictionary<string, Purpose>(StringComparer.Ordinal);
            foreach (var (key, node) in Object(root, "purposes", "$"))
            {
                var at = $"purposes.{key}";
                var consent = Flag(node, "consent", at);
                purposes[key] = new Purpose(key, Text(node, "name", at, texts), Text(node, "legalBasis", at, texts), consent, Flag(node, "directMarketing", at), Bases(node, at, consent));
            }

            var stores = new List<StoreMap>();
            foreach (var (node, i) in Array(root, "stores", "$"))
            {
                stores.Add(ReadStore(node, $"stores[{i}]", stores, texts, controllers, purposes, recipients));
            }

            // Taken out of use (decision 114): checked as a live store, and one key in all.
            var retired = new List<StoreMap>();
            if (root["retiredStores"] is not null)
            {
                foreach (var (node, i) in Array(root, "retiredStores", "$"))
                {
                    retired.Add(ReadStore(node, $"retiredStores[{i}]", [.. stores, .. retired], texts, controllers, purposes, recipients));
                }
            }

            if (controllers.Count == 0)
            {
                Problems.Add("controllers: at least one is needed");
            }

            var requests = root["privacyRequests"] is { } requestsNode
                ? DisclosedTo(requestsNode, "privacyRequests", recipients)
                : Fail(new List<string>(), "privacyRequests: missing (an object with 'disclosedTo': who the data of a request itself goes to)");

            return new DataMap(authorities, controllers, purposes, stores, recipients, requests) { RetiredStores = retired };
        }

        private StoreMap ReadStore(JsonNode node, string at, IReadOnlyList<StoreMap> before, JsonObject texts, List<Controller> controllers, Dictionary<string, Purpose> purposes, Dictionary<string, Recipient> recipients)
        {
            var entity = String(node, "entity", at, Key());
            if (controllers.All(c => c.Entity != entity))
            {
                Problems.Add($"{at}.entity: '{entity}' is not a controller's entity");
            }

            var tables = new List<TableMap>();
            foreach (var (table, j) in Array(node, "tables", at))
            {
                tables.Add(ReadTable(table, $"{at}.tables[{j}]", texts, purposes, recipients));
            }

            var retiredTables = new List<TableMap>();
            if (node["retiredTables"] is not null)
            {
                foreach (var (table, j) in Array(node, "retiredTables", at))
                {
                    var read = ReadTable(table, $"{at}.retiredTables[{j}]", texts, purposes, recipients);
                    if (tables.Concat(retiredTables).Any(t => t.Table == read.Table))
                    {
                        Problems.Add($"{at}.retiredTables[{j}]: table '{read.Table}' appears twice (in tables or retiredTables)");
                    }

                    retiredTables.Add(read);
                }
            }

            string? suppression = null;
            if (node["suppressionTable"] is not null)
            {
                suppression = String(node, "suppressionTable", at, DataMapLoader.Identifier());
            }

            var store = new StoreMap(entity, String(node, "store", at, Key()), Text(node, "name", at, texts), tables, suppression) { RetiredTables = retiredTables };
            if (before.Any(s => s.Key == store.Key))
            {
                Problems.Add($"{at}: store '{store.Key}' appears twice (in stores or retiredStores)");
            }

            return store;
        }

        /// <summary>
        /// A recipient (Art. 15(1)(c) GDPR): a processor, a third party or an authority, never the controller's own staff
        /// (CJEU C-579/21); outside the EEA only with the safeguard the transfer rests on (Art. 44-46 GDPR).
        /// </summary>
        private Recipient ReadRecipient(string key, JsonNode node, JsonObject texts)
        {
            var at = $"recipients.{key}";
            if (!Key().IsMatch(key))
            {
                Problems.Add($"{at}: '{key}' is not a plain lower-case key");
            }

            var role = String(node, "role", at) switch
            {
                "processor" => RecipientRole.Processor,
                "recipient" => RecipientRole.Recipient,
                "authority" => RecipientRole.Authority,
                "staff" or "internal" or "employee" or "employees" => Fail(RecipientRole.Recipient, $"{at}.role: the controller's own staff are not recipients (CJEU C-579/21): list only processors, third parties and authorities"),
                var other => Fail(RecipientRole.Recipient, $"{at}.role: '{other}' is not processor, recipient or authority"),
            };

            var countries = new List<string>();
            if (node["countries"] is not JsonArray { Count: > 0 } list)
            {
                Problems.Add($"{at}.countries: missing (where it processes the data: country codes as BE or US, or EEA)");
            }
            else
            {
                foreach (var (item, i) in list.Select((n, i) => (n, i)))
                {
                    var code = item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;
                    if (CountryCode().IsMatch(code))
                    {
                        countries.Add(code);
                    }
                    else
                    {
                        Problems.Add($"{at}.countries[{i}]: '{code}' is not a country code (two capitals, as BE or US) or EEA");
                    }
                }
            }

            Localized? safeguard = node["safeguard"] is null ? null : Text(node, "safeguard", at, texts);
            var recipient = new Recipient(key, Text(node, "name", at, texts), role, countries, Text(node, "place", at, texts), safeguard);
            if (recipient.OutsideEea && safeguard is null)
            {
                Problems.Add($"{at}.safeguard: it processes outside the EEA ({string.Join(", ", countries.Where(c => !Eea.Contains(c)))}), so name the transfer safeguard (Art. 45 or 46 GDPR) in nl, fr and en");
            }
            else if (!recipient.OutsideEea && safeguard is not null)
            {
                Problems.Add($"{at}.safeguard: it processes only in the EEA, so there is no transfer to safeguard (a summary would name one that does not exist)");
            }

            return recipient;
        }

        /// <summary>The recipient keys a table (or a request) is disclosed to; each must be one of the map's recipients.</summary>
        private List<string> DisclosedTo(JsonNode node, string at, Dictionary<string, Recipient> recipients)
        {
            var keys = Strings(node, "disclosedTo", at, Key());
            foreach (var key in keys.Where(k => !recipients.ContainsKey(k)))
            {
                Problems.Add($"{at}.disclosedTo: '{key}' is not in recipients");
            }

            foreach (var key in keys.GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                Problems.Add($"{at}.disclosedTo: '{key}' appears twice");
            }

            return keys;
        }

        /// <summary>Art. 15(1)(h), 22 GDPR: <c>"none"</c>, or the logic, significance and consequences in nl, fr and en.</summary>
        private Localized? AutomatedDecisions(JsonNode node, string at, JsonObject texts)
        {
            var value = node["automatedDecisionMaking"];
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "none")
            {
                return null;
            }

            if (value is JsonObject || (value is JsonValue r && r.GetValueKind() == JsonValueKind.String && r.GetValue<string>().StartsWith('@')))
            {
                return Text(node, "automatedDecisionMaking", at, texts);
            }

            Problems.Add($"{at}.automatedDecisionMaking: missing (\"none\", or a text in nl, fr and en giving the logic, significance and consequences: Art. 15(1)(h) GDPR)");
            return null;
        }

        private TableMap ReadTable(JsonNode node, string at, JsonObject texts, Dictionary<string, Purpose> purposes, Dictionary<string, Recipient> recipients)
        {
            if (node["recipients"] is not null)
            {
                Problems.Add($"{at}.recipients: no longer read: list the recipient ids in 'disclosedTo' (decision 55)");
            }

            var purpose = String(node, "purpose", at);
            if (purpose.Length > 0 && !purposes.ContainsKey(purpose))
            {
                Problems.Add($"{at}.purpose: '{purpose}' is not in purposes");
            }

            var erasureNode = node["erasure"];
            var erasure = new ErasureRule(ErasureAction.Delete, new Dictionary<string, ColumnErasure>(), null);
            if (erasureNode is not JsonObject)
            {
                Problems.Add($"{at}.erasure: missing");
            }
            else
            {
                var action = String(erasureNode, "action", at + ".erasure") switch
                {
                    "delete" => ErasureAction.Delete,
                    "anonymise" => ErasureAction.Anonymise,
                    "retain" => ErasureAction.Retain,
                    var other => Fail(ErasureAction.Delete, $"{at}.erasure.action: '{other}' is not delete, anonymise or retain"),
                };
                var columns = new Dictionary<string, ColumnErasure>(StringComparer.Ordinal);
                foreach (var (column, value) in erasureNode["columns"] as JsonObject ?? [])
                {
                    Identifier(column, $"{at}.erasure.columns");
                    var v = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
                    columns[column] = v switch
                    {
                        "null" => ColumnErasure.Null,
                        "blank" => ColumnErasure.Blank,
                        "pseudonymise" => Fail(ColumnErasure.Null, $"{at}.erasure.columns.{column}: a keyed hash of an identifier is still personal data (Recital 26 GDPR): use \"null\" or \"blank\", or delete the rows"),
                        _ => Fail(ColumnErasure.Null, $"{at}.erasure.columns.{column}: must be \"null\" or \"blank\""),
                    };
                }

                LegalHold? hold = null;
                int? years = erasureNode["years"] is JsonValue y && y.TryGetValue<int>(out var yv) ? yv : null;
                var from = erasureNode["from"] is JsonValue f && f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : null;
                if (action == ErasureAction.Retain)
                {
                    if (years is null or <= 0 || from is null || erasureNode["law"] is null)
                    {
                        Problems.Add($"{at}.erasure: retain needs 'years' (> 0), 'from' (the date column the retention counts from) and 'law' (the statute that obliges us to keep)");
                    }
                    else
                    {
                        Identifier(from, $"{at}.erasure.from");
                        hold = new LegalHold(years.Value, from, Text(erasureNode, "law", at + ".erasure", texts));
                    }
                }

                erasure = new ErasureRule(action, columns, hold);
            }

            WithdrawalRule? withdrawal = null;
            if (node["withdrawal"] is { } withdrawalNode)
            {
                var set = SetColumns(withdrawalNode, at + ".withdrawal");

                var action = String(withdrawalNode, "action", at + ".withdrawal") switch
                {
                    "delete" => WithdrawalAction.Delete,
                    "set" when set.Count > 0 => WithdrawalAction.Set,
                    "set" => Fail(WithdrawalAction.Set, $"{at}.withdrawal.set: 'set' needs the columns to change"),
                    var other => Fail(WithdrawalAction.Delete, $"{at}.withdrawal.action: '{other}' is not delete or set"),
                };
                var purposeColumn = withdrawalNode["purposeColumn"] is null ? null : String(withdrawalNode, "purposeColumn", at + ".withdrawal", DataMapLoader.Identifier());
                withdrawal = new WithdrawalRule(action, set, purposeColumn);
                if (purposes.TryGetValue(purpose, out var p) && !p.Consent && !p.DirectMarketing)
                {
                    Problems.Add($"{at}.withdrawal: purpose '{purpose}' is neither consent-based nor direct marketing, so nothing would apply this rule");
                }
            }

            MarketingOptOut? optOut = null;
            if (node["marketingOptOut"] is { } optOutNode)
            {
                var where = at + ".marketingOptOut";
                var optOutPurpose = String(optOutNode, "purpose", where);
                if (optOutPurpose.Length > 0 && !(purposes.TryGetValue(optOutPurpose, out var p) && p.DirectMarketing))
                {
                    Problems.Add($"{where}.purpose: '{optOutPurpose}' is not a direct-marketing purpose");
                }

                var set = SetColumns(optOutNode, where);
                if (set.Count == 0)
                {
                    Problems.Add($"{where}.set: name the columns that mark the row opted out");
                }

                optOut = new MarketingOptOut(optOutPurpose, set);
            }

            var map = new TableMap(
                String(node, "table", at, DataMapLoader.Identifier()),
                Text(node, "name", at, texts),
                purpose,
                Text(node, "categories", at, texts),
                DisclosedTo(node, at, recipients),
                Text(node, "source", at, texts),
                Text(node, "retention", at, texts),
                String(node, "match", at, DataMapLoader.Identifier()),
                Strings(node, "staffIdentifiers", at, DataMapLoader.Identifier()),
                Strings(node, "providedBySubject", at, DataMapLoader.Identifier()),
                String(node, "orderBy", at, DataMapLoader.Identifier()),
                erasure,
                String(node, "restrictedColumn", at, DataMapLoader.Identifier()),
                withdrawal,
                node["files"] is null ? [] : Strings(node, "files", at, DataMapLoader.Identifier()),
                node["emailColumns"] is null ? [] : Strings(node, "emailColumns", at, DataMapLoader.Identifier()),
                Strings(node, "freeText", at, DataMapLoader.Identifier()),
                optOut,
                ColumnNames(node, at, texts))
            {
                ValueLabels = ValueLabels(node, at, texts),
            };

            // Each column a rule uses is certainly in the export (access shows every column): it must have a name.
            foreach (var column in map.ColumnNames is { Count: > 0 } named ? map.ColumnsTheMapUses.Where(c => !named.ContainsKey(c)) : [])
            {
                Problems.Add($"{at}.columns: '{column}' has no name (the map uses it, so the summary shows it: give it one in nl, fr and en)");
            }

            if (map.Erasure.Action == ErasureAction.Anonymise)
            {
                // Anonymous means nothing left that identifies: every such column the map names must be cleared.
                foreach (var column in map.IdentifyingColumns.Where(c => !map.Erasure.Columns.ContainsKey(c)))
                {
                    Problems.Add($"{at}.erasure.columns: anonymise must clear '{column}' (an address, identifier, free-text or file column, or a time this system's actions write)");
                }
            }

            return map;
        }

        /// <summary>
        /// The table's <c>columns</c>: each column the export shows, by its name in the store, with its name in nl, fr and
        /// en for the summary page (issue 22).
        /// </summary>
        private Dictionary<string, Localized> ColumnNames(JsonNode node, string at, JsonObject texts)
        {
            var names = new Dictionary<string, Localized>(StringComparer.Ordinal);
            if (node["columns"] is not JsonObject columns || columns.Count == 0)
            {
                Problems.Add($"{at}.columns: missing (each column the export shows, named in nl, fr and en)");
                return names;
            }

            foreach (var (column, _) in columns)
            {
                Identifier(column, $"{at}.columns");
                names[column] = Text(columns, column, $"{at}.columns", texts);
            }

            return names;
        }

        /// <summary>
        /// The coded values a column declares (<c>"values": {"f": {"nl": "Vrouw", ...}}</c>), each named in nl, fr and en, so
        /// the summary writes <c>Vrouw</c> rather than <c>f</c>; the JSON and CSV keep the code.
        /// </summary>
        private Dictionary<string, IReadOnlyDictionary<string, Localized>> ValueLabels(JsonNode node, string at, JsonObject texts)
        {
            var labels = new Dictionary<string, IReadOnlyDictionary<string, Localized>>(StringComparer.Ordinal);
            foreach (var (column, definition) in node["columns"] as JsonObject ?? [])
            {
                if (definition?["values"] is not { } values)
                {
                    continue;
                }

                var where = $"{at}.columns.{column}.values";
                if (values is not JsonObject codes || codes.Count == 0)
                {
                    Problems.Add($"{where}: an object of codes, each named in nl, fr and en");
                    continue;
                }

                labels[column] = codes.ToDictionary(c => c.Key, c => Text(codes, c.Key, where, texts), StringComparer.Ordinal);
            }

            return labels;
        }

        /// <summary>A purpose's lawful bases (Art. 6(1)); <c>consent</c> among them exactly when the purpose says <c>"consent": true</c>.</summary>
        private List<LawfulBasis> Bases(JsonNode node, string at, bool consent)
        {
            if (node["bases"] is null)
            {
                Problems.Add($"{at}.bases: missing (a list, possibly empty)");
                return [];
            }

            var bases = new List<LawfulBasis>();
            foreach (var (value, i) in Strings(node, "bases", at).Select((v, i) => (v, i)))
            {
                LawfulBasis? basis = value switch
                {
                    "consent" => LawfulBasis.Consent,
                    "contract" => LawfulBasis.Contract,
                    "legal-obligation" => LawfulBasis.LegalObligation,
                    "legitimate-interest" => LawfulBasis.LegitimateInterest,
                    _ => null,
                };
                if (basis is { } b)
                {
                    bases.Add(b);
                }
                else
                {
                    Problems.Add($"{at}.bases[{i}]: '{value}' is not consent, contract, legal-obligation or legitimate-interest");
                }
            }

            if (node["bases"] is JsonArray { Count: 0 })
            {
                Problems.Add($"{at}.bases: name at least one lawful basis (Art. 6(1) GDPR)");
            }
            else if (bases.Contains(LawfulBasis.Consent) != consent && bases.Count > 0)
            {
                Problems.Add($"{at}.bases: 'consent' is {(consent ? "true" : "false")}, so the bases must include consent (and only then)");
            }

            return bases;
        }

        /// <summary>The <c>set</c> object of a withdrawal or opt-out rule: column to <c>false</c>, <c>true</c>, <c>null</c> or <c>now</c>.</summary>
        private Dictionary<string, string> SetColumns(JsonNode node, string at)
        {
            var set = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (column, value) in node["set"] as JsonObject ?? [])
            {
                Identifier(column, $"{at}.set");
                var v = value is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : null;
                set[column] = v is "false" or "true" or "null" or "now" ? v : Fail("null", $"{at}.set.{column}: must be \"false\", \"true\", \"null\" or \"now\"");
            }

            return set;
        }

        private bool Flag(JsonNode node, string name, string at)
        {
            switch (node[name])
            {
                case null:
                    return false;
                case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    return v.GetValue<bool>();
                default:
                    Problems.Add($"{at}.{name}: must be true or false");
                    return false;
            }
        }

        private T Fail<T>(T fallback, string problem)
        {
            Problems.Add(problem);
            return fallback;
        }

        private void Identifier(string value, string at)
        {
            if (!DataMapLoader.Identifier().IsMatch(value))
            {
                Problems.Add($"{at}: '{value}' is not a plain lower-case identifier");
            }
        }

        private List<(string Key, JsonNode Node)> Object(JsonNode parent, string name, string at)
        {
            if (parent[name] is not JsonObject obj)
            {
                Problems.Add($"{at}.{name}: missing (an object)");
                return [];
            }

            return obj.Where(p => p.Value is not null).Select(p => (p.Key, p.Value!)).ToList();
        }

        private List<(JsonNode Node, int Index)> Array(JsonNode parent, string name, string at)
        {
            if (parent[name] is not JsonArray array)
            {
                Problems.Add($"{at}.{name}: missing (a list)");
                return [];
            }

            return array.Select((n, i) => (n!, i)).Where(x => x.Item1 is not null).ToList();
        }

        private string String(JsonNode node, string name, string at, Regex? shape = null)
        {
            if (node[name] is not JsonValue value || value.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetValue<string>()))
            {
                Problems.Add($"{at}.{name}: missing (text)");
                return string.Empty;
            }

            var text = value.GetValue<string>();
            if (shape is not null && !shape.IsMatch(text))
            {
                Problems.Add($"{at}.{name}: '{text}' is not a plain lower-case identifier");
            }

            return text;
        }

        private List<string> Strings(JsonNode node, string name, string at, Regex? shape = null)
        {
            if (node[name] is not JsonArray array)
            {
                Problems.Add($"{at}.{name}: missing (a list, possibly empty)");
                return [];
            }

            var values = new List<string>();
            foreach (var (item, i) in array.Select((n, i) => (n, i)))
            {
                if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String && (shape is null || shape.IsMatch(v.GetValue<string>())))
                {
                    values.Add(v.GetValue<string>());
                }
                else
                {
                    Problems.Add($"{at}.{name}[{i}]: not a plain lower-case identifier");
                }
            }

            return values;
        }

        private Localized Text(JsonNode node, string name, string at, JsonObject texts)
        {
            var value = node[name];
            var where = $"{at}.{name}";
            if (value is JsonValue reference && reference.GetValueKind() == JsonValueKind.String && reference.GetValue<string>().StartsWith('@'))
            {
                var key = reference.GetValue<string>()[1..];
                value = texts[key];
                if (value is null)
                {
                    Problems.Add($"{where}: '@{key}' is not in texts");
                    return new Localized(string.Empty, string.Empty, string.Empty);
                }
            }

            if (value is not JsonObject obj)
            {
                Problems.Add($"{where}: missing (an object with nl, fr and en)");
                return new Localized(string.Empty, string.Empty, string.Empty);
            }

            string One(string language)
            {
                if (obj[language] is JsonValue v && v.GetValueKind() == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetValue<string>()))
                {
                    return v.GetValue<string>();
                }

                Problems.Add($"{where}.{language}: missing");
                return string.Empty;
            }

            return new Localized(One("nl"), One("fr"), One("en"));
        }
    }
}
