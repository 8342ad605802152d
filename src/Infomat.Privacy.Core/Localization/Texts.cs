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

    /// <summary>A case's status in words; a refusal as manifestly unfounded or excessive is shown as its own outcome.</summary>
    public static string Status(Cases.CaseStatus status, Cases.RefusalGround? ground, Language language) =>
        Get(status == Cases.CaseStatus.Rejected && ground == Cases.RefusalGround.ManifestlyUnfoundedOrExcessive ? "StatusRejectedManifestlyUnfoundedOrExcessive" : "Status" + status, language);

    /// <summary>
    /// What a requester mail of <paramref name="kind"/> about <paramref name="c"/> is, in words: a <see cref="Mail.MailKind.Rejection"/>
    /// of an expired case is the notice that it closed, not a refusal. Its wire value for a kind only staff receive.
    /// </summary>
    public static string MailKindName(Mail.MailKind kind, Cases.PrivacyCase c, Language language)
    {
        ArgumentNullException.ThrowIfNull(c);
        var name = kind == Mail.MailKind.Rejection && c.Status == Cases.CaseStatus.Expired ? "ExpiryNotice" : kind.ToString();
        return TryGet("MailKindName" + name, language) ?? Mail.MailKinds.ToWire(kind);
    }

    /// <summary>The text for <paramref name="key"/>, or null when there is none (for keys built from data, e.g. a step's name).</summary>
    public static string? TryGet(string key, Language language) => Resources.GetString(key, language.Culture());

    public static string Format(string key, Language language, params object?[] args) =>
        string.Format(language.Culture(), Get(key, language), args);

    /// <summary>
    /// A text that counts something, in the right number: <c>{key}One</c> for exactly one, <c>{key}Other</c> otherwise
    /// (Dutch, French and English all use the singular for one only, among the counts a report shows).
    /// </summary>
    public static string Plural(string key, int count, Language language, params object?[] args) =>
        Format(key + (count == 1 ? "One" : "Other"), language, args);

    /// <summary>A date as people of that language write it, e.g. "26 december 2026".</summary>
    public static string Date(DateOnly date, Language language) =>
        date.ToString("d MMMM yyyy", language.Culture());

    public static string DateTime(DateTimeOffset at, Language language) =>
        TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels"))
            .ToString("d MMMM yyyy HH:mm", language.Culture());

    /// <summary>
    /// A moment a requester reads (one they must act by, until which a link works, when we received or did something),
    /// as <see cref="DateTime"/> with its time zone named ("15 March 2027 11:00 (Brussels time)"): the requester may live
    /// in another zone. Staff pages leave it out.
    /// </summary>
    public static string Deadline(DateTimeOffset at, Language language) => Format("MomentBrussels", language, DateTime(at, language));

    /// <summary>How an approval's evidence (<see cref="Cases.IdentityApproval.EvidenceKinds"/>) reads, e.g. "the address was confirmed with the link we sent".</summary>
    public static string Evidence(string evidence, Language language)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return Get("Evidence" + string.Concat(evidence.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])), language);
    }

    public static string RequestType(RequestType type, Language language) => Get("Type" + type, language);

    /// <summary>
    /// Every right of a case, each described, the main one first; a withdrawal of the marketing consent only (an
    /// unsubscribe), or of the other consent only (the recruitment pool), is described as such, not as every consent.
    /// </summary>
    public static string Rights(Cases.PrivacyCase c, Language language)
    {
        ArgumentNullException.ThrowIfNull(c);
        return string.Join("; ", c.Rights.Select(r => (r, c.Consent) switch
        {
            (Requests.RequestType.WithdrawConsent, ConsentScope.Marketing) => Get("TypeWithdrawMarketingConsent", language),
            (Requests.RequestType.WithdrawConsent, ConsentScope.Other) => Get("TypeWithdrawOtherConsent", language),
            _ => RequestType(r, language),
        }));
    }

    /// <summary>The names of every right of a case ("Inzage + Overdraagbaarheid").</summary>
    public static string RightNames(IReadOnlyList<RequestType> rights, Language language) => string.Join(" + ", rights.Select(r => RequestTypeName(r, language)));

    /// <summary>The right's name alone ("Inzage", "Accès", "Access"): the part of its description before the colon.</summary>
    public static string RequestTypeName(RequestType type, Language language) => RequestType(type, language).Split(':')[0].Trim();

    /// <summary>The companies of <paramref name="scope"/> by legal name, as a list inside a sentence ("Infomat België and Infomat Nederland").</summary>
    public static string Companies(ControllerScope scope, Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(map);
        return List([.. map.ControllersOf(scope).Select(x => x.LegalName)], language);
    }

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
        var joined = List(names, language);
        var key = !scope.IsAll || names.Count == 1 ? "EntityOnly" : names.Count == 2 ? "EntityBoth" : "EntityAll";
        return Format(key, language, joined);
    }

    /// <summary>Items as a sentence lists them: "A", "A en B", "A, B en C".</summary>
    public static string List(IReadOnlyList<string> items, Language language)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Count <= 1 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " " + Get("EntityAnd", language) + " " + items[^1];
    }

    /// <summary>
    /// The controllers line of a footer, by legal name and the number each is registered under: "Controller: Infomat België
    /// (BE0460190566)." or "Controllers: Infomat België (BE0460190566) and Infomat Nederland (NL810585091B01)". The number is
    /// not labelled: a Belgian enterprise number and a Dutch VAT number are different things, and the map does not say which.
    /// </summary>
    public static string ControllersLine(IReadOnlyList<Stores.Controller> controllers, Language language)
    {
        ArgumentNullException.ThrowIfNull(controllers);
        var named = controllers
            .Select(c => $"{c.LegalName} ({c.EnterpriseNumber})")
            .ToList();
        return Format(named.Count == 1 ? "ControllersOne" : "Controllers", language, List(named, language));
    }

    /// <summary>The complaint line of a footer: each supervisory authority a person may complain to, with its address.</summary>
    public static string ComplaintLine(IReadOnlyList<Stores.Authority> authorities, Language language)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        return Format("Complaint", language, string.Join("; ", authorities.Select(a => a.Name.In(language) + ", " + a.Address.In(language))));
    }

    /// <summary>
    /// The footer of every requester mail and page: the controllers of <paramref name="scope"/> (a case's controllers)
    /// or, without a case, every controller in the map, and their complaint authorities.
    /// </summary>
    public static IReadOnlyList<string> ControllerFooter(Stores.DataMap map, ControllerScope? scope, Language language)
    {
        ArgumentNullException.ThrowIfNull(map);
        IReadOnlyList<Stores.Controller> controllers = scope is null
            ? map.Controllers
            : [.. scope.Codes.Select(code => map.Controllers.FirstOrDefault(c => c.Entity == code)).OfType<Stores.Controller>()];

        // An old case whose controllers the map no longer lists still gets a footer that names someone to turn to.
        if (controllers.Count == 0)
        {
            controllers = map.Controllers;
        }

        return [ControllersLine(controllers, language), ComplaintLine(map.AuthoritiesFor(controllers), language)];
    }

    /// <summary>The opening of the request form: who processes the data (every controller in the map) and what the form does.</summary>
    public static string FormIntro(Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(map);
        var names = map.Controllers.Select(c => c.LegalName).ToList();
        return Format(names.Count == 1 ? "FormIntroWhoOne" : "FormIntroWho", language, List(names, language)) + " " + Get("FormIntro", language);
    }

    /// <summary>What is wrong with a field, in words; the message about the controller field names the map's controllers.</summary>
    public static string ErrorMessage(FieldError error, Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(map);
        if (error.Code != "ErrorEntity")
        {
            return Get(error.Code, language);
        }

        // "Choose A, B or both": the map's controllers, then the word for all of them (the wire value "both").
        var names = map.Controllers.Select(c => c.LegalName).ToList();
        return names.Count == 1
            ? Format("ErrorEntityOne", language, names[0])
            : Format("ErrorEntity", language, string.Join(", ", names), Get(names.Count == 2 ? "ErrorEntityBoth" : "ErrorEntityAll", language));
    }

    /// <summary>
    /// A duration in words, e.g. "7 days" / "7 dagen" / "7 jours", in the largest whole unit, rounded down: it says how
    /// long a link still works, so "within 2 days" for 2 days and 14 hours is true, and "3 days" would not be.
    /// </summary>
    public static string Duration(TimeSpan span, Language language)
    {
        var (n, en, nl, fr) = span.TotalDays >= 1
            ? ((int)Math.Floor(span.TotalDays), ("day", "days"), ("dag", "dagen"), ("jour", "jours"))
            : span.TotalHours >= 1
                ? ((int)Math.Floor(span.TotalHours), ("hour", "hours"), ("uur", "uur"), ("heure", "heures"))
                : ((int)Math.Max(1, Math.Floor(span.TotalMinutes)), ("minute", "minutes"), ("minuut", "minuten"), ("minute", "minutes"));
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
