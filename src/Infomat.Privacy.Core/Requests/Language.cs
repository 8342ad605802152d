using System.Globalization;

namespace Infomat.Privacy.Requests;

/// <summary>The three languages every text a person reads exists in.</summary>
public enum Language
{
    Nl,
    Fr,
    En,
}

public static class Languages
{
    public static string ToWire(this Language language) => language switch
    {
        Language.Nl => "nl",
        Language.Fr => "fr",
        _ => "en",
    };

    public static CultureInfo Culture(this Language language) => language switch
    {
        Language.Nl => CultureInfo.GetCultureInfo("nl-BE"),
        Language.Fr => CultureInfo.GetCultureInfo("fr-BE"),
        _ => CultureInfo.GetCultureInfo("en-GB"),
    };

    public static bool TryParse(string? wire, out Language language)
    {
        switch (wire?.Trim().ToLowerInvariant())
        {
            case "nl": language = Language.Nl; return true;
            case "fr": language = Language.Fr; return true;
            case "en": language = Language.En; return true;
            default: language = Language.En; return false;
        }
    }

    /// <summary>Picks the language from an explicit choice, else from an Accept-Language header, else English.</summary>
    public static Language Negotiate(string? explicitChoice, string? acceptLanguage)
    {
        if (TryParse(explicitChoice, out var chosen))
        {
            return chosen;
        }

        if (!string.IsNullOrWhiteSpace(acceptLanguage))
        {
            var ranked = acceptLanguage.Split(',')
                .Select((part, index) =>
                {
                    var pieces = part.Split(';');
                    var tag = pieces[0].Trim();
                    var q = 1.0;
                    foreach (var p in pieces.Skip(1))
                    {
                        var kv = p.Trim();
                        if (kv.StartsWith("q=", StringComparison.Ordinal) &&
                            double.TryParse(kv[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                        {
                            q = parsed;
                        }
                    }

                    return (Tag: tag, Q: q, Index: index);
                })
                .Where(x => x.Q > 0)
                .OrderByDescending(x => x.Q)
                .ThenBy(x => x.Index);
            foreach (var (tag, _, _) in ranked)
            {
                var primary = tag.Split('-')[0];
                if (TryParse(primary, out var language))
                {
                    return language;
                }
            }
        }

        return Language.En;
    }
}
