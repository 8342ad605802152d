namespace Infomat.Privacy.Requests;

/// <summary>The GDPR right a request exercises. Wire values are in <see cref="RequestTypes"/>.</summary>
public enum RequestType
{
    Access,
    Portability,
    Rectification,
    Erasure,
    Restriction,
    Objection,
    WithdrawConsent,
}

/// <summary>Wire values of <see cref="RequestType"/> (DESIGN §2).</summary>
public static class RequestTypes
{
    private static readonly (RequestType Type, string Wire)[] Map =
    [
        (RequestType.Access, "access"),
        (RequestType.Portability, "portability"),
        (RequestType.Rectification, "rectification"),
        (RequestType.Erasure, "erasure"),
        (RequestType.Restriction, "restriction"),
        (RequestType.Objection, "objection"),
        (RequestType.WithdrawConsent, "withdraw-consent"),
    ];

    public static IEnumerable<string> WireValues => Map.Select(m => m.Wire);

    public static string ToWire(this RequestType type) => Map.First(m => m.Type == type).Wire;

    public static bool TryParse(string? wire, out RequestType type)
    {
        foreach (var (t, w) in Map)
        {
            if (string.Equals(w, wire, StringComparison.Ordinal))
            {
                type = t;
                return true;
            }
        }

        type = default;
        return false;
    }
}
