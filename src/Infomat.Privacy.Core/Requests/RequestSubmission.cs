namespace Infomat.Privacy.Requests;

/// <summary>A request as it arrives from the form or the JSON API: every field a raw string.</summary>
public sealed record RequestSubmission(
    string? Type,
    string? Email,
    string? Name,
    string? Company,
    string? Entity,
    string? Language,
    string? Details,
    string? Objection = null);

/// <summary>A request that passed validation.</summary>
public sealed record ValidRequest(
    RequestType Type,
    string Email,
    string Name,
    string? Company,
    ControllerScope Entity,
    Language Language,
    string? Details,
    ObjectionScope? Objection = null)
{
    /// <summary>Rights answered in full beside <see cref="Type"/> (a letter that bundles rights; <see cref="BundledRights"/>).</summary>
    public IReadOnlyList<RequestType> AlsoRights { get; init; } = [];

    /// <summary>For a withdrawal of consent: which consent (null: every consent; an unsubscribe mail: marketing only).</summary>
    public ConsentScope? Consent { get; init; }
}

/// <summary>
/// Which consent a withdrawal (Art. 7(3)) takes back: marketing only (an unsubscribe: newsletters, mailings), consent
/// other than for marketing only (the recruitment pool), or every consent the person gave.
/// </summary>
public enum ConsentScope
{
    All,
    Marketing,

    /// <summary>Consent other than for marketing only (a withdrawal that names the recruitment pool): the newsletter stays.</summary>
    Other,
}

/// <summary>What an objection (Art. 21) is against: direct marketing is always honoured; anything else is weighed by staff.</summary>
public enum ObjectionScope
{
    DirectMarketing,
    Other,
}

/// <summary>Wire values of <see cref="ObjectionScope"/> (request field <c>objection</c>).</summary>
public static class ObjectionScopes
{
    public static string ToWire(this ObjectionScope scope) => scope == ObjectionScope.DirectMarketing ? "direct-marketing" : "other";

    public static bool TryParse(string? wire, out ObjectionScope scope)
    {
        scope = wire switch
        {
            "direct-marketing" => ObjectionScope.DirectMarketing,
            "other" => ObjectionScope.Other,
            _ => (ObjectionScope)(-1),
        };
        return Enum.IsDefined(scope);
    }
}

/// <summary>One field that failed validation; <see cref="Code"/> is a text key so the message can be localized.</summary>
public sealed record FieldError(string Field, string Code);
