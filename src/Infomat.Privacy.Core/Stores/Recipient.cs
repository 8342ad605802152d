namespace Infomat.Privacy.Stores;

/// <summary>
/// How a recipient stands towards Infomat. The controller's own staff are not recipients (CJEU C-579/21): the map has no
/// role for them.
/// </summary>
public enum RecipientRole
{
    /// <summary>Processes the data for Infomat under a processing agreement (Art. 28 GDPR).</summary>
    Processor,

    /// <summary>A third party that receives the data for its own tasks (the external accountant).</summary>
    Recipient,

    /// <summary>A public authority that receives the data on an audit or inquiry (the tax administration).</summary>
    Authority,
}

/// <summary>
/// Someone the data of a table is disclosed to (Art. 15(1)(c) GDPR): by name where Infomat knows it, otherwise a
/// category (<see cref="Name"/> then describes it), with the countries it processes in (ISO codes, or <c>EEA</c> for
/// somewhere in the European Economic Area) as the person reads them in <see cref="Place"/>, and, when a country is
/// outside the EEA, the safeguard the transfer rests on (Art. 15(2), 45, 46 GDPR).
/// </summary>
public sealed record Recipient(string Key, Localized Name, RecipientRole Role, IReadOnlyList<string> Countries, Localized Place, Localized? Safeguard)
{
    /// <summary>Whether the recipient processes the data, or may reach them, from a country outside the EEA.</summary>
    public bool OutsideEea => Countries.Any(c => !Eea.Contains(c));
}

/// <summary>The European Economic Area: the EU's 27 member states, Iceland, Liechtenstein and Norway.</summary>
public static class Eea
{
    /// <summary>The code a data map uses for "somewhere in the EEA" when the country is not known.</summary>
    public const string Anywhere = "EEA";

    private static readonly HashSet<string> Members = new(StringComparer.Ordinal)
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
        "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    };

    /// <summary>Whether <paramref name="code"/> (an ISO 3166-1 alpha-2 code, or <see cref="Anywhere"/>) is in the EEA.</summary>
    public static bool Contains(string code) => code == Anywhere || Members.Contains(code);
}
