using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infomat.Privacy.Requests;

/// <summary>
/// Which controllers a request is addressed to: one or more controller codes of the data map (<c>be</c>, <c>nl</c>, ...),
/// in the map's order, and whether the requester asked for every controller (wire value <c>both</c>). The codes of
/// "every controller" are fixed when the request is received, so a controller added to the map later does not join
/// cases already open.
/// </summary>
[JsonConverter(typeof(ControllerScopeJsonConverter))]
public sealed class ControllerScope : IEquatable<ControllerScope>
{
    /// <summary>The wire value for "every controller in the data map" (the public contract keeps the word of two companies).</summary>
    public const string AllWire = "both";

    private ControllerScope(IReadOnlyList<string> codes, bool isAll)
    {
        if (codes.Count == 0 || codes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A controller scope needs at least one controller code.", nameof(codes));
        }

        Codes = codes;
        IsAll = isAll;
    }

    /// <summary>The controller codes, in the data map's order; never empty.</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>True when the requester addressed every controller (<c>both</c>), rather than naming them.</summary>
    public bool IsAll { get; }

    /// <summary>Every controller: the codes of all controllers of the data map, in its order.</summary>
    public static ControllerScope AllOf(IEnumerable<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return new([.. codes.Distinct(StringComparer.Ordinal)], isAll: true);
    }

    /// <summary>The named controllers only.</summary>
    public static ControllerScope Of(params IEnumerable<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        return new([.. codes.Distinct(StringComparer.Ordinal)], isAll: false);
    }

    /// <summary>
    /// Reads the request field <c>entity</c>: <c>both</c> (every controller of <paramref name="controllerCodes"/>) or one
    /// of those codes. Anything else is not a controller of this deployment.
    /// </summary>
    public static bool TryParse(string? wire, IReadOnlyList<string> controllerCodes, out ControllerScope? scope)
    {
        ArgumentNullException.ThrowIfNull(controllerCodes);
        scope = null;
        if (wire == AllWire)
        {
            scope = AllOf(controllerCodes);
        }
        else if (wire is not null && controllerCodes.Contains(wire, StringComparer.Ordinal))
        {
            scope = Of(wire);
        }

        return scope is not null;
    }

    /// <summary>The wire value: <c>both</c> for every controller, else the codes (joined by <c>+</c> when several).</summary>
    public string ToWire() => IsAll ? AllWire : string.Join('+', Codes);

    /// <summary>The wire value, so lists and logs show <c>both</c>, <c>be</c>, <c>nl</c> as they did before.</summary>
    public override string ToString() => ToWire();

    public bool Equals(ControllerScope? other) =>
        other is not null && IsAll == other.IsAll && Codes.SequenceEqual(other.Codes, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ControllerScope);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(IsAll);
        foreach (var code in Codes)
        {
            hash.Add(code, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(ControllerScope? left, ControllerScope? right) => Equals(left, right);

    public static bool operator !=(ControllerScope? left, ControllerScope? right) => !Equals(left, right);
}

/// <summary>
/// Stores a <see cref="ControllerScope"/> as <c>{"controllers":["be","nl"],"all":true}</c>. Cases stored before
/// controllers were data hold the old enum instead (<c>"Both"</c>, <c>"Be"</c>, <c>"Nl"</c>, or its number): they are
/// read as what they meant then, when the data map had exactly the controllers <c>be</c> and <c>nl</c>.
/// </summary>
public sealed class ControllerScopeJsonConverter : JsonConverter<ControllerScope>
{
    // The controllers of the old enum, in its order; "Both" meant these two, whatever the map holds today.
    private static readonly string[] LegacyBoth = ["be", "nl"];

    public override ControllerScope Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Legacy(reader.GetString()!);
            case JsonTokenType.Number when reader.TryGetInt32(out var number):
                // The old enum written as a number: Both = 0, Be = 1, Nl = 2.
                return number switch
                {
                    0 => ControllerScope.AllOf(LegacyBoth),
                    1 => ControllerScope.Of("be"),
                    2 => ControllerScope.Of("nl"),
                    _ => throw new JsonException("Unknown stored controller scope."),
                };
            case JsonTokenType.StartObject:
                return ReadObject(ref reader);
            default:
                throw new JsonException("A controller scope is an object, or a string of the old format.");
        }
    }

    public override void Write(Utf8JsonWriter writer, ControllerScope value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteStartArray("controllers");
        foreach (var code in value.Codes)
        {
            writer.WriteStringValue(code);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("all", value.IsAll);
        writer.WriteEndObject();
    }

    private static ControllerScope Legacy(string value) =>
        string.Equals(value, ControllerScope.AllWire, StringComparison.OrdinalIgnoreCase)
            ? ControllerScope.AllOf(LegacyBoth)
            : ControllerScope.Of(value.ToLowerInvariant());

    private static ControllerScope ReadObject(ref Utf8JsonReader reader)
    {
        var codes = new List<string>();
        var all = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "controllers" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        codes.Add(reader.GetString() ?? throw new JsonException("A controller code is text."));
                    }

                    break;
                case "all":
                    all = reader.GetBoolean();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (codes.Count == 0)
        {
            throw new JsonException("A stored controller scope names at least one controller.");
        }

        return all ? ControllerScope.AllOf(codes) : ControllerScope.Of(codes);
    }
}
