using System.Text.Json;
using System.Text.RegularExpressions;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// The compiled ARM JSON of <c>infra/main.bicep</c> (<c>scripts/test.sh</c> builds it into <c>artifacts/main.json</c>),
/// with its modules' templates flattened and just enough of the expression language resolved to check values:
/// <c>[variables('x')]</c>, <c>[parameters('x')]</c> (through the value a module is given) and
/// <c>[format('...', 'literal')]</c>. Anything else stays an expression, and checks treat it as unknown.
/// </summary>
internal sealed partial class ArmTemplate
{
    private ArmTemplate(JsonElement root) => Root = new Scope(root, null, null);

    public Scope Root { get; }

    public List<Resource> Resources { get; } = [];

    public static ArmTemplate Load()
    {
        var path = Environment.GetEnvironmentVariable("INFOMAT_ARM_TEMPLATE") is { Length: > 0 } p ? p : Path.Combine(Repo.Root, "artifacts", "main.json");
        Assert.True(File.Exists(path), $"{path} is missing: run scripts/test.sh (it runs 'bicep build infra/main.bicep').");
        var newestBicep = Directory.EnumerateFiles(Path.Combine(Repo.Root, "infra"), "*.bicep", SearchOption.AllDirectories).Max(File.GetLastWriteTimeUtc);
        Assert.True(File.GetLastWriteTimeUtc(path) >= newestBicep, $"{path} is older than the Bicep files: build it again (scripts/test.sh does).");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var template = new ArmTemplate(doc.RootElement.Clone());
        template.Collect(template.Root);
        return template;
    }

    public IEnumerable<Resource> OfType(string type) => Resources.Where(r => r.Type.Equals(type, StringComparison.OrdinalIgnoreCase));

    public Resource Single(string type)
    {
        var all = OfType(type).ToList();
        Assert.True(all.Count == 1, $"Expected one {type}, found {all.Count}.");
        return all[0];
    }

    /// <summary>The resources of one type that the module deployed under <paramref name="module"/> (its deployment name) declares.</summary>
    public IEnumerable<Resource> InModule(string module, string type)
    {
        var deployment = OfType("Microsoft.Resources/deployments").Single(d => d.Json.GetProperty("name").GetString() == module);
        return OfType(type).Where(r => ReferenceEquals(r.Scope, deployment.Module));
    }

    /// <summary>Every template: main and each module.</summary>
    public IEnumerable<Scope> Scopes()
    {
        yield return Root;
        foreach (var module in OfType("Microsoft.Resources/deployments"))
        {
            yield return module.Module!;
        }
    }

    private void Collect(Scope scope)
    {
        foreach (var json in Items(scope.Template.GetProperty("resources")))
        {
            var resource = new Resource(json.GetProperty("type").GetString()!, json, scope);
            Resources.Add(resource);
            if (resource.Type == "Microsoft.Resources/deployments")
            {
                var properties = json.GetProperty("properties");
                resource.Module = new Scope(properties.GetProperty("template"), scope, properties.TryGetProperty("parameters", out var given) ? given : null);
                Collect(resource.Module);
            }
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement resources) =>
        resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);

    public sealed class Resource(string type, JsonElement json, Scope scope)
    {
        public string Type { get; } = type;

        public JsonElement Json { get; } = json;

        public Scope Scope { get; } = scope;

        public Scope? Module { get; set; }

        public JsonElement Properties => Json.GetProperty("properties");

        /// <summary>A property path, resolved; null when absent.</summary>
        public JsonElement? At(params string[] path)
        {
            var current = Json;
            foreach (var name in path)
            {
                if (Scope.Resolve(current) is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(name, out current))
                {
                    return null;
                }
            }

            return Scope.Resolve(current);
        }
    }

    public sealed class Scope(JsonElement template, Scope? parent, JsonElement? given)
    {
        public JsonElement Template { get; } = template;

        public IEnumerable<JsonProperty> Parameters => Template.TryGetProperty("parameters", out var p) ? p.EnumerateObject() : [];

        /// <summary>A value with simple expressions replaced by what they stand for (as far as the template says).</summary>
        public JsonElement? Resolve(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text)
            {
                return value;
            }

            if (Reference().Match(text) is { Success: true } m)
            {
                return m.Groups[1].Value == "variables" ? Variable(m.Groups[2].Value) : Parameter(m.Groups[2].Value);
            }

            if (FormatOfLiteral().Match(text) is { Success: true } f)
            {
                return JsonSerializer.SerializeToElement(f.Groups[1].Value.Replace("{0}", f.Groups[2].Value, StringComparison.Ordinal));
            }

            return value;
        }

        public JsonElement? Variable(string name) =>
            Template.TryGetProperty("variables", out var vars) && vars.TryGetProperty(name, out var v) ? Resolve(v) : null;

        /// <summary>The value a module is given for a parameter (resolved in the caller), else the default.</summary>
        public JsonElement? Parameter(string name)
        {
            if (given is { } g && g.TryGetProperty(name, out var passed) && passed.TryGetProperty("value", out var value))
            {
                return parent!.Resolve(value);
            }

            return Template.TryGetProperty("parameters", out var ps) && ps.TryGetProperty(name, out var p) && p.TryGetProperty("defaultValue", out var d) ? Resolve(d) : null;
        }

        /// <summary>The names of the variables an expression reads.</summary>
        public static IEnumerable<string> VariablesIn(string expression) => VariableUse().Matches(expression).Select(m => m.Groups[1].Value);
    }

    [GeneratedRegex(@"^\[(variables|parameters)\('([^']+)'\)\]$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\[format\('([^']*)', '([^']*)'\)\]$")]
    private static partial Regex FormatOfLiteral();

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableUse();
}
