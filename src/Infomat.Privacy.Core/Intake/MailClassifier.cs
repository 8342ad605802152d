using System.Globalization;
using System.Text;

using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Intake;

/// <summary>What the sender's domain authentication said, from the receiving tenant's Authentication-Results header.</summary>
public enum DmarcVerdict
{
    None,
    Pass,
    Fail,
}

/// <summary>
/// One mail to info@infomat.eu as the intake sees it. <see cref="AutomaticReason"/> is set when the headers show an
/// auto-reply, a bounce or report, or list mail: such mail is never answered. <see cref="SentAt"/> is the mail's
/// <c>Date</c> header; <see cref="InfomatHeader"/> the name of the first of our own <c>X-Infomat-*</c> headers it
/// carries; <see cref="RefusedReason"/> is set when the mail was beyond the reading limits and only its headers were read.
/// </summary>
public sealed record InboundMail(
    string MessageId,
    string FromAddress,
    string? FromName,
    string Subject,
    string Body,
    DmarcVerdict Dmarc,
    DateTimeOffset ReceivedAt,
    string? AutomaticReason = null,
    DateTimeOffset? SentAt = null,
    string? InfomatHeader = null,
    string? RefusedReason = null);

public enum MailVerdictKind
{
    /// <summary>A rights request of a known type: it becomes a case.</summary>
    Request,

    /// <summary>About personal data, but the type is unclear or mixed: staff decide (triage), nothing is guessed.</summary>
    Triage,

    /// <summary>Ordinary business mail: left alone.</summary>
    NotARequest,

    /// <summary>Auto-reply, bounce, delivery report or list mail: never answered.</summary>
    Ignored,
}

/// <summary>The classifier's decision, with the language it read and a reason staff can be shown (no personal data).</summary>
public sealed record MailVerdict(MailVerdictKind Kind, RequestType? Type, Language Language, string Reason, ObjectionScope? Objection = null)
{
    /// <summary>The rights the case answers besides <see cref="Type"/>, each in full.</summary>
    public IReadOnlyList<RequestType> AlsoRights { get; init; } = [];
}

/// <summary>
/// Decides whether a mail is a GDPR rights request and of which type, in Dutch, French and English, from phrases people
/// actually write. Strong phrases ("recht op vergetelheid", "droit d'accès", "subject access request") decide alone;
/// weak ones ("verwijder", "supprimer", "delete") only count when the mail is about the sender's own data. Only the
/// sender's own text counts: quoted replies and signatures are cut off first. Two types at once, or a mail about
/// personal data with no clear type, go to staff.
/// </summary>
public static class MailClassifier
{
    private sealed record Phrase(string Text, RequestType Type, bool Strong);

    private static readonly Phrase[] Phrases =
    [
        // Access (Art. 15)
        S("inzageverzoek", RequestType.Access), S("recht op inzage", RequestType.Access), S("inzage in mijn", RequestType.Access), S("inzage in de persoonsgegevens", RequestType.Access),
        S("welke gegevens u over mij", RequestType.Access), S("welke gegevens jullie over mij", RequestType.Access), S("welke persoonsgegevens", RequestType.Access), W("kopie van mijn", RequestType.Access),
        S("droit d'acces", RequestType.Access), S("acces a mes donnees", RequestType.Access), S("copie de mes donnees", RequestType.Access), W("quelles donnees", RequestType.Access),
        S("subject access request", RequestType.Access), S("right of access", RequestType.Access), S("copy of my personal data", RequestType.Access), S("copy of my data", RequestType.Access),
        S("what personal data you hold", RequestType.Access), S("what data you hold", RequestType.Access), S("what information you hold", RequestType.Access), S("dsar", RequestType.Access),
        W("article 15", RequestType.Access), W("artikel 15", RequestType.Access), W("art. 15", RequestType.Access),

        // Portability (Art. 20)
        S("overdraagbaarheid", RequestType.Portability), S("portabilite", RequestType.Portability), S("portability", RequestType.Portability), W("machine-readable", RequestType.Portability),
        W("machineleesbaar", RequestType.Portability), W("lisible par machine", RequestType.Portability), W("article 20", RequestType.Portability), W("artikel 20", RequestType.Portability),

        // Rectification (Art. 16)
        S("rectificatie", RequestType.Rectification), S("recht op verbetering", RequestType.Rectification), S("rectification", RequestType.Rectification), W("rectifier", RequestType.Rectification),
        W("article 16", RequestType.Rectification), W("artikel 16", RequestType.Rectification),
        W("klopt niet", RequestType.Rectification), W("onjuist", RequestType.Rectification), W("verbeteren", RequestType.Rectification), W("aanpassen", RequestType.Rectification), W("corriger", RequestType.Rectification),
        W("inexact", RequestType.Rectification), W("incorrect", RequestType.Rectification), W("correct my", RequestType.Rectification), W("is wrong", RequestType.Rectification), W("update my", RequestType.Rectification),

        // Erasure (Art. 17)
        S("recht op vergetelheid", RequestType.Erasure), S("recht om vergeten te worden", RequestType.Erasure), S("droit a l'oubli", RequestType.Erasure), S("droit a l'effacement", RequestType.Erasure),
        S("right to be forgotten", RequestType.Erasure), S("right to erasure", RequestType.Erasure), W("article 17", RequestType.Erasure), W("artikel 17", RequestType.Erasure),
        S("verwijder mijn gegevens", RequestType.Erasure), S("verwijder al mijn", RequestType.Erasure), S("mijn gegevens te verwijderen", RequestType.Erasure), S("gegevens wissen", RequestType.Erasure),
        S("supprimer mes donnees", RequestType.Erasure), S("effacer mes donnees", RequestType.Erasure), S("effacement de mes donnees", RequestType.Erasure), S("delete my data", RequestType.Erasure),
        S("delete my personal data", RequestType.Erasure), S("erase my data", RequestType.Erasure), S("erase my personal data", RequestType.Erasure), S("delete all my", RequestType.Erasure), S("delete all data", RequestType.Erasure),
        W("verwijder", RequestType.Erasure), W("wissen", RequestType.Erasure), W("supprimer", RequestType.Erasure), W("effacer", RequestType.Erasure), W("delete", RequestType.Erasure), W("erase", RequestType.Erasure),

        // Restriction (Art. 18)
        S("beperking van de verwerking", RequestType.Restriction), S("verwerking te beperken", RequestType.Restriction), S("verwerking beperken", RequestType.Restriction), S("limitation du traitement", RequestType.Restriction),
        S("limiter le traitement", RequestType.Restriction), S("restriction of processing", RequestType.Restriction), S("restrict the processing", RequestType.Restriction), S("restrict processing", RequestType.Restriction),
        W("article 18", RequestType.Restriction), W("artikel 18", RequestType.Restriction),

        // Objection (Art. 21)
        S("recht van bezwaar", RequestType.Objection), S("recht op bezwaar", RequestType.Objection), S("bezwaar tegen de verwerking", RequestType.Objection), S("bezwaar tegen het gebruik van mijn", RequestType.Objection),
        S("bezwaar tegen direct marketing", RequestType.Objection), S("droit d'opposition", RequestType.Objection), S("m'oppose au traitement", RequestType.Objection), S("m'opposer au traitement", RequestType.Objection),
        S("m'oppose a la prospection", RequestType.Objection), S("right to object", RequestType.Objection), S("object to the processing", RequestType.Objection), S("object to processing", RequestType.Objection),
        S("object to direct marketing", RequestType.Objection), S("objection to the processing", RequestType.Objection), S("objection to direct marketing", RequestType.Objection),
        W("maak bezwaar", RequestType.Objection), W("bezwaar", RequestType.Objection), W("je m'oppose", RequestType.Objection), W("opposition", RequestType.Objection), W("i object", RequestType.Objection),
        W("article 21", RequestType.Objection), W("artikel 21", RequestType.Objection),

        // Withdrawal of consent (Art. 7(3))
        S("toestemming intrekken", RequestType.WithdrawConsent), S("toestemming in te trekken", RequestType.WithdrawConsent), S("trek mijn toestemming", RequestType.WithdrawConsent), S("trek ik mijn toestemming", RequestType.WithdrawConsent),
        S("retirer mon consentement", RequestType.WithdrawConsent), S("retire mon consentement", RequestType.WithdrawConsent), S("retrait de mon consentement", RequestType.WithdrawConsent),
        S("withdraw my consent", RequestType.WithdrawConsent), S("withdraw consent", RequestType.WithdrawConsent), S("withdrawing my consent", RequestType.WithdrawConsent),
        W("uitschrijven", RequestType.WithdrawConsent), W("afmelden", RequestType.WithdrawConsent), W("desinscrire", RequestType.WithdrawConsent), W("desabonner", RequestType.WithdrawConsent), W("unsubscribe", RequestType.WithdrawConsent),
    ];

    /// <summary>The sender writes about their own personal data (what makes a weak phrase count).</summary>
    private static readonly string[] OwnData =
    [
        "mijn gegevens", "mijn persoonsgegevens", "mijn data", "mijn e-mailadres", "mijn adres", "mijn naam", "mijn functie", "mijn telefoonnummer", "over mij",
        "mes donnees", "mes coordonnees", "mon adresse", "mon nom", "ma fonction", "me concernant",
        "my data", "my personal data", "my details", "my email address", "my address", "my name", "my job title", "my phone number", "about me",
        "avg", "gdpr", "rgpd", "privacywet", "persoonsgegevens", "donnees personnelles", "personal data",
    ];

    private static readonly string[] PrivacyWords = ["avg", "gdpr", "rgpd", "privacy", "persoonsgegevens", "donnees personnelles", "vie privee", "personal data", "gegevensbescherming", "protection des donnees", "data protection"];

    private static readonly (Language Language, string[] Words)[] StopWords =
    [
        (Language.Nl, ["de", "het", "een", "en", "ik", "mijn", "van", "niet", "dat", "met", "voor", "u", "jullie", "graag", "wil", "zijn", "op", "te"]),
        (Language.Fr, ["le", "la", "les", "un", "une", "et", "je", "mes", "mon", "de", "des", "pas", "que", "avec", "pour", "vous", "est", "merci", "bonjour"]),
        (Language.En, ["the", "a", "an", "and", "i", "my", "of", "not", "that", "with", "for", "you", "please", "would", "is", "to", "your", "thanks"]),
    ];

    private static readonly string[] QuoteMarkers =
    [
        "\n-- \n", "\n--\n", "\n> ", "\nvan: ", "\nfrom: ", "\nde : ", "\nde: ", "\nenvoye : ", "\nverzonden: ", "\nsent: ", "\n-----original message-----", "\n----- oorspronkelijk bericht -----",
        "\n-----message d'origine-----", "\nmet vriendelijke groet", "\nvriendelijke groeten", "\nmet vriendelijke groeten", "\ncordialement", "\nbien a vous", "\nkind regards", "\nbest regards", "\nregards,",
    ];

    public static MailVerdict Classify(InboundMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var own = OwnText(mail.Subject + "\n\n" + mail.Body);
        var language = DetectLanguage(own);
        if (mail.AutomaticReason is { } automatic)
        {
            return new MailVerdict(MailVerdictKind.Ignored, null, language, automatic);
        }

        var aboutOwnData = OwnData.FirstOrDefault(own.Contains);
        var scores = new Dictionary<RequestType, (int Score, string First)>();
        foreach (var phrase in Phrases)
        {
            if ((!phrase.Strong && aboutOwnData is null) || !ContainsPhrase(own, phrase.Text))
            {
                continue;
            }

            var weight = phrase.Strong ? 2 : 1;
            scores[phrase.Type] = scores.TryGetValue(phrase.Type, out var s) ? (s.Score + weight, s.First) : (weight, phrase.Text);
        }

        if (scores.Count == 0)
        {
            return PrivacyWords.FirstOrDefault(own.Contains) is { } word && aboutOwnData is not null
                ? new MailVerdict(MailVerdictKind.Triage, null, language, $"about personal data ('{word}') but no right is named")
                : new MailVerdict(MailVerdictKind.NotARequest, null, language, "no request phrase");
        }

        var ranked = scores.OrderByDescending(s => s.Value.Score).ToList();
        if (ranked.Count > 1 && ranked[1].Value.Score * 2 > ranked[0].Value.Score)
        {
            return new MailVerdict(MailVerdictKind.Triage, null, language,
                $"several rights named: {string.Join(", ", ranked.Select(r => $"{r.Key.ToWire()} ('{r.Value.First}')"))}");
        }

        var (type, (score, first)) = (ranked[0].Key, ranked[0].Value);
        if (score < 2)
        {
            return new MailVerdict(MailVerdictKind.Triage, type, language, $"weak signal only: '{first}'");
        }

        return new MailVerdict(MailVerdictKind.Request, type, language, $"{type.ToWire()}: '{first}'");
    }

    /// <summary>Lower case, without accents, with typographic apostrophes made plain, cut before quotes and signatures.</summary>
    public static string OwnText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = ("\n" + text.Replace("\r\n", "\n", StringComparison.Ordinal)).Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(c is '\u2019' or '\u2018' or '`' ? '\'' : char.ToLowerInvariant(c));
            }
        }

        var plain = sb.ToString();
        var cut = QuoteMarkers.Select(m => plain.IndexOf(m, StringComparison.Ordinal)).Where(i => i > 0).DefaultIfEmpty(plain.Length).Min();
        return plain[..cut] + "\n";
    }

    public static Language DetectLanguage(string ownText)
    {
        ArgumentNullException.ThrowIfNull(ownText);
        var words = ownText.Split([' ', '\n', '\t', ',', '.', '!', '?', ':', ';', '(', ')', '\''], StringSplitOptions.RemoveEmptyEntries);
        return StopWords.Select(s => (s.Language, Count: words.Count(w => s.Words.Contains(w))))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Language == Language.En ? 1 : 0).First().Language;
    }

    private static bool ContainsPhrase(string text, string phrase)
    {
        for (var i = text.IndexOf(phrase, StringComparison.Ordinal); i >= 0; i = text.IndexOf(phrase, i + 1, StringComparison.Ordinal))
        {
            var before = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
            var end = i + phrase.Length;
            // Word start is required; a word may continue ("verwijder" matches "verwijderen").
            if (before && (end >= text.Length || !char.IsLetterOrDigit(text[end]) || !char.IsLetterOrDigit(phrase[^1]) || phrase.Length >= 5))
            {
                return true;
            }
        }

        return false;
    }

    private static Phrase S(string text, RequestType type) => new(text, type, true);

    private static Phrase W(string text, RequestType type) => new(text, type, false);
}
