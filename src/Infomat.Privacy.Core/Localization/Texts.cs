using System.Globalization;
using System.Resources;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Localization;

/// <summary>Every text a person reads, from <c>Texts.resx</c> (English), <c>Texts.nl.resx</c> and <c>Texts.fr.resx</c>.</summary>
public static class Texts
{
    internal static ResourceManager Resources { get; } = new(typeof(Texts));

    /// <summary>The text for <paramref name="key"/>; throws when the key does not exist, so a typo fails a test, not a page.</summary>
    public static string Get(string key, Language language) =>
        Resources.GetString(key, language.Culture())
        ?? throw new KeyNotFoundException($"No text '{key}'.");

    public static string Format(string key, Language language, params object?[] args) =>
        string.Format(language.Culture(), Get(key, language), args);

    /// <summary>A date as people of that language write it, e.g. "26 december 2026".</summary>
    public static string Date(DateOnly date, Language language) =>
        date.ToString("d MMMM yyyy", language.Culture());

    public static string DateTime(DateTimeOffset at, Language language) =>
        TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels"))
            .ToString("d MMMM yyyy HH:mm", language.Culture());

    public static string RequestType(RequestType type, Language language) => Get("Type" + type, language);

    /// <summary>The right's name alone ("Inzage", "Accès", "Access"): the part of its description before the colon.</summary>
    public static string RequestTypeName(RequestType type, Language language) => RequestType(type, language).Split(':')[0].Trim();

    /// <summary>
    /// The controllers of a request in words, from their legal names in the data map: "Alleen Infomat België",
    /// "Beide: Infomat België en Infomat Nederland", or, with more controllers, "Alle: A, B en C".
    /// </summary>
    public static string Entity(ControllerScope scope, Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(map);
        // A code the map no longer lists (an old case) still shows, as its code.
        var names = scope.Codes
            .Select(code => map.Controllers.FirstOrDefault(c => c.Entity == code)?.LegalName ?? code.ToUpperInvariant())
            .ToList();
        var joined = names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " " + Get("EntityAnd", language) + " " + names[^1];
        var key = !scope.IsAll || names.Count == 1 ? "EntityOnly" : names.Count == 2 ? "EntityBoth" : "EntityAll";
        return Format(key, language, joined);
    }

    /// <summary>The controllers line of a footer: who the controllers concerned are, by legal name and enterprise number.</summary>
    public static string ControllersLine(IReadOnlyList<Stores.Controller> controllers, Language language)
    {
        ArgumentNullException.ThrowIfNull(controllers);
        return Get("Controllers", language);
    }

    /// <summary>The complaint line of a footer: the supervisory authorities a person may complain to.</summary>
    public static string ComplaintLine(IReadOnlyList<Stores.Authority> authorities, Language language)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        return Get("Complaint", language);
    }

    /// <summary>
    /// The footer of every requester mail and page: the controllers of <paramref name="scope"/> (a case's controllers)
    /// or, without a case, every controller in the map, and their complaint authorities.
    /// </summary>
    public static IReadOnlyList<string> ControllerFooter(Stores.DataMap map, ControllerScope? scope, Language language)
    {
        ArgumentNullException.ThrowIfNull(map);
        var controllers = map.Controllers;
        return [ControllersLine(controllers, language), ComplaintLine(map.AuthoritiesFor(controllers), language)];
    }

    /// <summary>The opening of the request form: who processes the data (every controller in the map) and what the form does.</summary>
    public static string FormIntro(Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Get("FormIntro", language);
    }

    /// <summary>What is wrong with a field, in words; the message about the controller field names the map's controllers.</summary>
    public static string ErrorMessage(FieldError error, Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(map);
        return Get(error.Code, language);
    }

    /// <summary>A duration in words, e.g. "7 days" / "7 dagen" / "7 jours", rounded to the largest whole unit.</summary>
    public static string Duration(TimeSpan span, Language language)
    {
        var (n, en, nl, fr) = span.TotalDays >= 1
            ? ((int)Math.Round(span.TotalDays), ("day", "days"), ("dag", "dagen"), ("jour", "jours"))
            : span.TotalHours >= 1
                ? ((int)Math.Round(span.TotalHours), ("hour", "hours"), ("uur", "uur"), ("heure", "heures"))
                : ((int)Math.Max(1, Math.Round(span.TotalMinutes)), ("minute", "minutes"), ("minuut", "minuten"), ("minute", "minutes"));
        var unit = language switch
        {
            Language.Nl => n == 1 ? nl.Item1 : nl.Item2,
            Language.Fr => n == 1 ? fr.Item1 : fr.Item2,
            _ => n == 1 ? en.Item1 : en.Item2,
        };
        return n.ToString(CultureInfo.InvariantCulture) + " " + unit;
    }

    /// <summary>A byte count in a readable unit.</summary>
    public static string Size(long bytes, Language language)
    {
        var culture = language.Culture();
        return bytes switch
        {
            < 1024 => string.Format(culture, "{0} B", bytes),
            < 1024 * 1024 => string.Format(culture, "{0:0.#} KB", bytes / 1024.0),
            _ => string.Format(culture, "{0:0.#} MB", bytes / (1024.0 * 1024.0)),
        };
    }
}
