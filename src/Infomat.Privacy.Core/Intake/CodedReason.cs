using System.Text.Json;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Intake;

/// <summary>
/// One step of an intake reason: a code, whose text is <c>Reason{Code}</c> in <c>Texts.resx</c> (NL, FR, EN), and its
/// parameters. Parameters are rights (<see cref="CodedReason.Rights"/>, rendered as the rights' names in the reader's
/// language), our own phrase names and article numbers, or a technical header verdict: never the mail's words about a
/// person, never an address or a name.
/// </summary>
public sealed record ReasonPart(string Code, IReadOnlyList<string> Args);

/// <summary>
/// Why intake decided what it did (the classifier, the bundling rule, staff triage), as codes with parameters, so that
/// staff read it in their own language on the case page, the approval mail and the triage mail (decision 51). It is
/// stored as a short JSON array (<see cref="Encode"/>); a stored reason written before reasons were coded is plain text
/// and is shown as it is.
/// </summary>
public sealed record CodedReason(IReadOnlyList<ReasonPart> Parts)
{
    private const string RightsPrefix = "rights:";

    public static CodedReason Of(string code, params string[] args) => new([new ReasonPart(code, args)]);

    public static CodedReason None { get; } = new([]);

    /// <summary>A parameter naming rights, shown as their names in the reader's language ("Inzage en Overdraagbaarheid").</summary>
    public static string Rights(params IEnumerable<RequestType> rights) => RightsPrefix + string.Join('+', rights.Select(r => r.ToWire()));

    public CodedReason Then(string code, params string[] args) => new([.. Parts, new ReasonPart(code, args)]);

    public CodedReason Then(CodedReason other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. Parts, .. other.Parts]);
    }

    /// <summary>The reason in <paramref name="language"/>, its steps joined by "; ".</summary>
    public string Render(Language language) =>
        string.Join("; ", Parts.Select(p => Texts.Format("Reason" + p.Code, language, [.. p.Args.Select(a => Argument(a, language))])));

    /// <summary>The reason as stored on a case or a triaged mail: <c>[["Code","arg",…],…]</c>.</summary>
    public string Encode() => JsonSerializer.Serialize(Parts.Select(p => (string[])[p.Code, .. p.Args]));

    /// <summary>A stored reason, or null when it is not a coded one (a reason written before reasons were coded).</summary>
    public static CodedReason? Decode(string? stored)
    {
        if (stored is null || !stored.StartsWith("[[", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var parts = JsonSerializer.Deserialize<string[][]>(stored);
            return parts is null || parts.Any(p => p.Length == 0 || Texts.TryGet("Reason" + p[0], Language.En) is null)
                ? null
                : new CodedReason([.. parts.Select(p => new ReasonPart(p[0], p[1..]))]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A stored reason in <paramref name="language"/>: a coded one rendered, an older plain one as it is.</summary>
    public static string Render(string? stored, Language language) => Decode(stored)?.Render(language) ?? stored ?? string.Empty;

    /// <summary>The English rendering, for logs and results (no personal data either).</summary>
    public override string ToString() => Render(Language.En);

    private static string Argument(string arg, Language language) =>
        arg.StartsWith(RightsPrefix, StringComparison.Ordinal)
            ? Texts.List([.. arg[RightsPrefix.Length..].Split('+').Select(w => RequestTypes.TryParse(w, out var t) ? Texts.RequestTypeName(t, language) : w)], language)
            : arg;
}
