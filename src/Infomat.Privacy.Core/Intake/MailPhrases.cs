using System.Text.RegularExpressions;

using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Intake;

/// <summary>How much one phrase says about a right.</summary>
internal enum PhraseWeight
{
    /// <summary>Names the request by itself ("recht op vergetelheid", "copie des données", "unsubscribe me").</summary>
    Strong,

    /// <summary>A verb or word that is a request only about the sender's own data in the same sentence ("verwijder", "supprimer", "I object").</summary>
    Weak,

    /// <summary>A vague word that never decides alone ("aanpassen", "update my"): staff are asked rather than guessing.</summary>
    Hint,
}

/// <summary>One phrase of the classifier, as a pattern over the normalised text (lower case, no accents, plain apostrophes).</summary>
/// <remarks>
/// <paramref name="Unsubscribe"/>: the phrase asks to leave mailings, an objection to direct marketing (decision 51).
/// <paramref name="NeedsData"/>: the phrase is strong only with the sender's own data or a data word in its sentence or
/// the subject ("a copy" of data, not of invoice 2026-113; "rectifier" data, not an invoice).
/// <paramref name="NeedsList"/>: a word for leaving something ("afmelden", "unsubscribe", "opt out") that is an unsubscribe only
/// next to a marketing word, a withdrawal of that consent next to a recruitment word, and nothing next to anything else
/// (a training session, paper invoices), unless it stands alone ("Graag uitschrijven.").
/// </remarks>
internal sealed record MailPhrase(Regex Pattern, RequestType Type, PhraseWeight Weight, string Name, bool Unsubscribe = false, bool NeedsData = false, bool NeedsList = false);

/// <summary>
/// The words the classifier reads, in Dutch, French and English: the phrases of each right, the article numbers,
/// what makes a sentence a list of rights rather than a request, and the markers of own data, third parties and
/// marketing. Written from how requesters and the published model letters phrase requests; the letters of
/// <c>tests/Infomat.Privacy.Core.Tests/Letters</c> pin them.
/// </summary>
internal static class MailPhrases
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    /// <summary>Up to a few words within one sentence.</summary>
    private const string Gap = "[^.?!;\\n]{0,40}";

    /// <summary>A few words more (a withdrawal whose "in" comes at the end of a long Dutch sentence).</summary>
    private const string LongGap = "[^.?!;\\n]{0,80}";

    /// <summary>A word or two.</summary>
    private const string ShortGap = "[^.?!;\\n]{0,20}";

    public static readonly MailPhrase[] All =
    [
        // Access (Art. 15)
        .. S(RequestType.Access, "inzageverzoek", "verzoek (om|tot) inzage", "recht (op|van) inzage", "inzage (in|krijgen|gekregen|van)", "inzage" + Gap + "(mijn|over mij|van mij)",
            "welke (persoons)?gegevens" + Gap + "(over mij|van mij|bewaren|verwerken|hebben|bijhouden)", "wat (weten|bewaren|hebben) (jullie|u)" + Gap + "(over|van) mij",
            "overzicht van" + Gap + "gegevens", "kopie van" + Gap + "(gegevens|van mij|over mij)",
            "droit d'acces", "acces a (mes|l'ensemble de mes) donnees", "copie (de|des|de l'ensemble des) (mes )?(donnees|informations)",
            "quelles donnees" + Gap + "(me concernant|sur moi|a mon sujet|detenez|conservez|avez)",
            "subject access", "right of access", "dsar"),
        // Words that are about data only when the sentence or the subject says so ("an access request for the customer
        // portal", "a copy of invoice 2026-113", "what information do you have on the new release").
        .. SD(RequestType.Access, "demande d'acces", "access request", "copy of" + Gap + "(data|information)", "what (personal )?(data|information)" + Gap + "(hold|have|has|keep|process|store)", "(provide|send|give) me (with )?a copy"),
        .. W(RequestType.Access, "gegevens opvragen", "opvragen"),

        // Portability (Art. 20)
        .. SD(RequestType.Portability, "machineleesba", "lisible par (une )?machine", "machine-readable", "machine readable", "import" + Gap + "(elsewhere|another)"),
        .. S(RequestType.Portability, "overdraagbaarheid", "overdracht van (mijn )?gegevens", "portabilite", "portability",
            "wat ik (zelf )?(heb )?(zelf )?(ingevuld|verstrekt|gegeven)", "die ik zelf", "ce que je vous ai" + Gap + "(transmis|fourni|communique)", "que je vous ai (fourni|transmis|communique)",
            "(data|information|details) i('ve| have)? (gave|given|provided)", "i provided to you"),
        .. W(RequestType.Portability, "json", "csv"),

        // Rectification (Art. 16)
        .. SD(RequestType.Rectification, "rectificatie", "rectification", "rectifier", "rectify"),
        .. S(RequestType.Rectification, "recht op (verbetering|rectificatie)", "droit de rectification", "right to rectification", "corriger (mes|mon|ma)", "correct (my|the) (data|details|name|address|record|job|phone)"),
        .. W(RequestType.Rectification, "klopt niet", "onjuist", "verbeter", "fout", "corrig", "inexact", "incorrect", "is wrong", "mal orthographi", "verkeerd"),
        .. H(RequestType.Rectification, "aanpassen", "wijzigen", "update my", "modifier"),

        // Erasure (Art. 17)
        .. S(RequestType.Erasure, "recht op (vergetelheid|gegevenswissing|wissing|verwijdering)", "recht om vergeten te worden", "verwijdering van" + Gap + "gegevens", "(verwijder|wis)\\w* al mijn",
            "droit a l'(oubli|effacement)", "effacement de" + Gap + "donnees", "l'effacement de mes", "right to (erasure|be forgotten)", "(delete|erase|remove) (all )?(of )?(my|the) (personal )?(data|details|information)",
            "(delete|erase) all (of )?my", "(erasure|deletion) of (all )?(of )?(my|the) (personal )?(data|details|information)",
            // Out of the files altogether, not off a list: an erasure ("remove me from your database", "me retirer de vos fichiers").
            "(remove|delete|erase|take) me (from|off|out of) (your|all|the|all your) (database|databases|records|systems|files|crm|customer file|client file)",
            "(haal|verwijder|wis) (mij|me) uit" + Gap + "(database|bestand|bestanden|systeem|systemen|administratie|klantenbestand|dossiers)",
            "(retir|supprim|effac|ray)\\w*(-moi)? de (vos|votre|tous vos|toutes vos) (fichiers?|bases?|systemes|registres|bases de donnees)"),
        .. W(RequestType.Erasure, "verwijder", "wissen", "wis ", "supprim", "effac", "delete", "erase", "remove my"),
        // "Remove me" with no list or files named: about the sender, but what is asked is for staff to read.
        .. H(RequestType.Erasure, "(remove|delete|erase) me\\b", "(verwijder|wis|haal) (mij|me)\\b", "(retirez|supprimez|effacez|rayez)-moi", "me (retirer|supprimer|effacer|rayer)\\b"),

        // Restriction (Art. 18)
        .. S(RequestType.Restriction, "beperking van de verwerking", "(verwerking|gebruik)" + Gap + "(te )?beperken", "limitation du traitement", "limiter le traitement",
            "restriction of( the)? processing", "restrict" + Gap + "processing", "restrict the use"),

        // Objection (Art. 21)
        .. S(RequestType.Objection, "recht (van|op) bezwaar", "bezwaar tegen" + Gap + "(verwerking|gebruik|marketing|reclame)", "droit d'opposition", "m'opposer? (au|a la|a l'|a toute)", "m'y oppose",
            "right to object", "object to" + Gap + "(processing|use|marketing)", "objection to" + Gap + "(processing|use|marketing)"),
        .. W(RequestType.Objection, "bezwaar", "je m'oppose", "opposition", "i object", "objection"),

        // Unsubscribing: leaving the mailings is an objection to direct marketing (Art. 21(2)-(3)), which stops every
        // marketing mail, those sent on legitimate interest (client relations) as well as on consent (decision 51).
        .. U("(haal|verwijder) (mij|me) uit" + Gap + "(mailing|nieuwsbrie|verzendlijst|lijst)",
            "(mij|me) uit" + Gap + "(mailing|nieuwsbrie|verzendlijst|lijst)\\w*( te)? (verwijderen|halen|schrappen)", "geen" + Gap + "(mails|mailings|nieuwsbrie\\w*|reclame|marketing) meer",
            "verwijder\\w* (uit|van)" + Gap + "(mailing|nieuwsbrie|verzendlijst|adressenlijst)", "niet meer dat (jullie|u) (mij|me) (mailen|e-?mailen|mails sturen)", "(mij|me) (niet|nooit) meer (te )?(mailen|e-?mailen)",
            "(supprim|retir|ray|enlev)\\w*(-moi| mon (adresse|e-?mail|courriel)" + ShortGap + ")? de (votre|vos|la|ces|cette) (liste de diffusion|liste d'envoi|liste de distribution|mailing|newsletter|lettre d'information)",
            "(remove|delete|take|drop) (me|my (e-?mail ?)?(address|e-?mail|details|name))" + Gap + "(off|from|out of)" + Gap + "(mailing|e-?mail|newsletter|distribution|marketing|subscriber|contact)",
            "stop (e-?mailing|mailing|emailing) (me|us)", "stop sending me (e-?mails|mails|newsletters|marketing|promotions|advertising|offers)"),

        // Leaving something: an unsubscribe only beside a marketing word, or alone (see NeedsList).
        .. UL("uitschrijven", "schrijf (mij|me)" + Gap + "uit", "(mij|me) uit te schrijven", "afmelden", "(haal|verwijder) (mij|me) (uit|van)", "niet meer (ontvangen|krijgen|toegestuurd)",
            "desinscri", "desabonn", "ne (veux|souhaite) plus recevoir", "ne plus (m'envoyer|me contacter|recevoir)",
            "unsubscribe", "(remove|take) me (off|from|out of)", "stop sending me", "(no longer|don't|do not) (want|wish) to (receive|get)", "opt out", "opt-out"),

        // Withdrawal of consent (Art. 7(3))
        .. S(RequestType.WithdrawConsent, "toestemming" + Gap + "in te trekken", "toestemming intrek", "trek\\w*" + Gap + "toestemming" + LongGap + "\\bin\\b", "intrekking van (mijn|de) toestemming",
            "retir\\w*" + Gap + "consentement", "retrait (de|du) (mon )?consentement",
            "withdraw\\w* (all |every )?(of )?(my |the |any |all )?(consent|permission)", "no longer consent"),
    ];

    /// <summary>An article of the GDPR: number, then an optional paragraph ("(3)", "lid 3", ", paragraphe 3", ".3").</summary>
    public static readonly Regex Article = new(
        "\\b(?:art(?:icle|ikel|\\.)?)\\s*(\\d{1,2})\\b(?:\\s*\\((\\d)\\)|,?\\s*(?:lid|paragraphe|paragraph|par\\.|alinea|§)\\s*(\\d)|\\.(\\d)\\b)?", Options);

    /// <summary>The regulation is named somewhere in the mail, so an article number is one of its articles.</summary>
    public static readonly Regex Regulation = new("\\b(avg|gdpr|rgpd|u?avg|agvd|verordening|reglement general|general data protection|2016/679)\\b", Options);

    /// <summary>A sentence that lists rights the person has, that the answer must mention, or that are kept for later, rather than asking for them.</summary>
    public static readonly Regex Listing = new(string.Join('|',
        "het bestaan van het recht", "l'existence du droit", "the existence of the right", "klacht in te dienen", "introduire une reclamation", "lodge a complaint",
        "ik (het )?recht heb", "ik heb (ook )?(het )?recht", "dat ik (ook )?(het )?recht", "daarvan maak ik", "je dispose (egalement |aussi )?d", "que je n'exerce pas",
        "i (also )?have the right", "i am aware that i", "i know i (also )?have", "which i am not exercising", "not exercising",
        // A right kept for later ("I reserve the right to request erasure at a later stage") is not asked for now.
        "reserve (the|my) right", "behoud (mij|me|ik mij|ik me) (uitdrukkelijk )?het recht", "me reserve le droit", "ulterieurement", "at a later (stage|date)",
        "op een later (moment|tijdstip)", "later te (vragen|verzoeken)", "later (request|ask)"), Options);

    /// <summary>A sentence about requests as a subject (slides, a webinar, how to handle them), not one being made: the right in the plural.</summary>
    public static readonly Regex Topic = new(
        "(access|erasure|portability|rectification|objection)( and [a-z]+)? requests|(inzage|verwijderings?|wissings?)verzoeken|demandes d'(acces|effacement)|\\b(slides|webinar|training|presentation|checklist|opleiding|formation) (on|about|over|sur)\\b", Options);

    /// <summary>The sender writes about their own data.</summary>
    public static readonly Regex SelfData = new(string.Join('|',
        "\\bmijn (persoons)?gegevens", "\\bmijn (data|e-mailadres|adres|naam|functie|telefoonnummer|cv|account)", "\\b(over|van) mij\\b", "\\bal mijn\\b",
        "\\bmes (donnees|coordonnees|informations)", "\\bmon (adresse|nom|compte|cv|numero)", "\\bma fonction", "\\bme concernant", "\\ba mon sujet", "\\bsur moi\\b", "\\bde mes donnees",
        "\\bmy (personal )?(data|details|information|email address|address|name|job title|phone number|account|cv|record)", "\\b(about|on) me\\b", "\\bconcerning me\\b",
        "\\b(remove|delete|erase) me\\b", "\\b(verwijder|wis|haal) (mij|me)\\b", "\\b(retirez|supprimez|effacez|rayez)-moi\\b", "\\bme (retirer|supprimer|effacer|rayer)\\b"), Options);

    /// <summary>
    /// A sentence that points back at the one before ("Pourriez-vous le corriger ?", "Can you fix it?"): a weak word in it
    /// is about the sender's own data when that sentence was.
    /// </summary>
    public static readonly Regex RefersBack = new("\\b(it|them|het|dit|deze)\\b|\\b(le|la|les|l')\\s?(corrig|rectifi|supprim|effac|modifi|verifi|mettre a jour)", Options);

    /// <summary>The sender speaks for themself (first person singular) or asks (please, graag, merci de).</summary>
    public static readonly Regex FirstPerson = new("\\b(ik|mij|mijn|me|je|j'|moi|mes|mon|ma|m'|i|i'm|i'd|my|graag|gelieve|please|merci|ondergetekende|soussignee?|undersigned)\\b", Options);

    /// <summary>The mail is about someone else's data: a customer, a client, him or her.</summary>
    public static readonly Regex ThirdParty = new(string.Join('|',
        "\\b(over|van) (hem|haar)\\b", "\\b(zijn|haar) (persoons)?gegevens", "\\b(een|onze) klant\\b", "\\b(sur|de) (elle|lui)\\b", "\\b(notre|un) client\\b",
        "\\babout (him|her)\\b", "\\b(his|her) (personal )?data", "\\b(a|our) customer\\b", "\\bon behalf of\\b", "\\bnamens\\b", "\\bau nom de\\b"), Options);

    /// <summary>Marketing words: an objection that mentions them is to direct marketing.</summary>
    public static readonly Regex Marketing = new(
        "(marketing|mailing|nieuwsbrie|newsletter|prospection|publicit|reclame|advertis|promoti|lettre d'information|uitnodiging|invitation|mailinglijst|mailing list)", Options);

    /// <summary>The grounds of an objection under Art. 21(1): the person's particular situation.</summary>
    public static readonly Regex ParticularSituation = new(
        "(particular situation|specific situation|situation particuli[eè]re|situation personnelle|bijzondere situatie|specifieke situatie)", Options);

    /// <summary>What a word for leaving must stand beside to be an unsubscribe: a marketing word (not an invitation to a training session).</summary>
    public static readonly Regex MailingList = new(
        "(marketing|mailing|nieuwsbrie|newsletter|prospection|publicit|reclame|advertis|promoti|lettre d'information|e-?mails\\b|\\bmails\\b|aanbieding|offres|\\boffers\\b|communications|communicatie|liste de diffusion|verzendlijst|\\byour list\\b|\\b(jullie|uw) lijst\\b|\\b(votre|vos) listes?\\b)", Options);

    /// <summary>What a word for leaving can stand beside to be a withdrawal of consent other than for marketing: the recruitment pool.</summary>
    public static readonly Regex Recruitment = new("(recruit|recrut|wervingsreserve|sollicit|candidature|\\bpool\\b|vacature)", Options);

    /// <summary>After a word for leaving, nothing but the sender and politeness: it stands alone ("Graag uitschrijven.", "Unsubscribe me please").</summary>
    public static readonly Regex NothingElse = new("^\\w*[\\s,]*(-?(me|moi|mij|us)\\b)?[\\s,]*(please|pls|aub|a\\.u\\.b\\.?|svp|s'il vous plait|s'il te plait|alstublieft|graag|merci|thanks|thank you)?[\\s,.!]*$", Options);

    /// <summary>A data word: a phrase that needs one is about the sender's data beside it ("a copy of the data", "demande d'accès RGPD").</summary>
    public static readonly Regex DataWord = new(
        "\\b(persoonsgegevens|gegevens|data|personal information|personal details|donnees|informations personnelles|avg|gdpr|rgpd|privacy|dsar"
        + "|date of birth|birth ?date|geboortedatum|date de naissance|e-?mail ?address|e-?mailadres|adresse e-?mail|home address|woonadres|phone number|telefoonnummer|numero de telephone|surname|achternaam|voornaam|prenom)\\b", Options);

    /// <summary>A withdrawal of every consent ("all my consent", "toute autorisation", "al mijn toestemmingen").</summary>
    public static readonly Regex AllConsent = new("\\b(all|every|any|tout|toute|tous|toutes|alle|al mijn|elke)\\b", Options);

    /// <summary>Leaving a list: a withdrawal worded so is about marketing consent.</summary>
    public static readonly Regex Unsubscribe = new("(unsubscri|uitschrijv|schrijf (mij|me) uit|afmeld|desabonn|desinscri|mailing|e-?mails|\\bmails\\b)", Options);

    /// <summary>Consent other than for marketing: a withdrawal that names it takes back every consent.</summary>
    public static readonly Regex OtherConsent = new("(recruit|recrut|wervingsreserve|sollicit|candidat|application|vacature|vacanc|\\bcv\\b|\\bpool\\b|\\breserve\\b)", Options);

    /// <summary>General words about data protection: with own data and no right named, staff decide.</summary>
    public static readonly Regex Privacy = new("\\b(avg|gdpr|rgpd|privacy|persoonsgegevens|donnees personnelles|vie privee|personal data|gegevensbescherming|protection des donnees|data protection)\\b", Options);

    /// <summary>
    /// A negation just before a phrase ("do not delete", "niet wissen", "ne pas effacer"), within its clause: "Ik ben geen
    /// klant meer, dus verwijder …" negates nothing after the comma.
    /// </summary>
    public static readonly Regex Negation = new("\\b(not|never|don't|niet|nooit|geen|ne|n'|pas|jamais)\\b[^.?!;,:\\n]{0,20}$", Options);

    /// <summary>
    /// The sender asks, in the first person or politely: a clause with it is a request even after a clause that names
    /// the rights the sender has ("As I have the right to erasure, please delete my data"), and a sentence with it that
    /// names three rights asks for them rather than listing them.
    /// </summary>
    public static readonly Regex Asking = new(string.Join('|',
        "\\b(please|graag|gelieve|hierbij|hereby|veuillez|merci de|par la presente)\\b", "\\b(i|we) (hereby )?(request|ask|withdraw|object|demand|want|would like)\\b",
        "\\b(vraag|verzoek|wil|trek|maak) ik\\b", "\\bik (verzoek|vraag|wil|trek|maak)\\b", "\\bje (vous )?(demande|retire|souhaite|veux|prie)\\b", "\\bje m'oppose\\b"), Options);

    /// <summary>Mail about requests as a subject (an invitation, a course, a newsletter): an article it cites asks for nothing.</summary>
    public static readonly Regex Teaching = new(
        "\\b(webinar|seminar|seminarie|workshop|training|opleiding|cursus|formation|course|newsletter|nieuwsbrief|lettre d'information|inschrijven|inscriptions?|registration|in this issue)\\b", Options);

    /// <summary>The subject of an auto-reply that quotes the request it answers.</summary>
    public static readonly Regex AutoReplySubject = new("^\\s*(automatisch antwoord|automatic reply|auto-reply|autoreply|out of (the )?office|afwezig|niet aanwezig|reponse automatique|absence (du|au) bureau|absente? (du|jusqu|until)|absence\\s*(:|$))", Options);

    /// <summary>
    /// A mail about personal data and its rights in German (an official language of Belgium), which the phrase tables
    /// (NL/FR/EN) do not read: the regulation's German name, or data-protection words beside a right's German name
    /// (accents already stripped, lower case).
    /// </summary>
    public static readonly Regex GermanRights = new("\\b(dsgvo|ds-gvo|datenschutz-grundverordnung)\\b|\\b(personenbezogene[nrs]? daten|meine daten|datenschutz)\\b[^\\n]{0,200}\\b(auskunft|loschung|loschen|berichtigung|widerspruch|widerrufe|einschrankung|datenubertragbarkeit|kopie)|\\b(auskunft|loschung|loschen|berichtigung|widerspruch|widerrufe|einschrankung|datenubertragbarkeit)\\b[^\\n]{0,200}\\b(personenbezogene[nrs]? daten|meine daten|meiner daten)", Options);

    /// <summary>A forward by its subject, as mail clients write it (FW:, Fwd:, TR:, WG:, Doorst:).</summary>
    public static readonly Regex ForwardSubject = new("^\\s*(fwd?|tr|wg|doorst)\\s*:", Options | RegexOptions.IgnoreCase);

    /// <summary>The line a mail client puts above a forwarded message (not a reply's quote, which other markers cut).</summary>
    public static readonly Regex ForwardBlock = new("(-{3,}\\s*(forwarded message|doorgestuurd bericht|message transf[eé]r[eé]|weitergeleitete nachricht)|begin forwarded message\\s*:|d[eé]but du message r[eé]exp[eé]di[eé]\\s*:)", Options | RegexOptions.IgnoreCase);

    /// <summary>A header line of a forwarded or quoted message naming who wrote it ("From: Jan &lt;jan@example.be&gt;", "Van:", "De :").</summary>
    public static readonly Regex ForwardedFrom = new("^[ \\t>]*(from|van|de)[ \\t]*:[^\\n@]*?<?(?<address>[^\\s<>:@]+@[^\\s<>]+?)>?[ \\t]*\\r?$", Options | RegexOptions.IgnoreCase | RegexOptions.Multiline);

    /// <summary>A header line of a forwarded message (who, when, to whom, about what), in the clients' NL/FR/EN/DE words.</summary>
    public static readonly Regex ForwardHeaderLine = new("^[ \\t>]*(from|van|de|to|aan|a|à|an|cc|sent|verzonden|envoy[eé]|gesendet|date|datum|subject|onderwerp|objet|betreff)[ \\t]*:", Options | RegexOptions.IgnoreCase);

    private static IEnumerable<MailPhrase> Make(RequestType type, PhraseWeight weight, string[] patterns) =>
        patterns.Select(p => new MailPhrase(new Regex("\\b" + p, Options), type, weight, Readable(p)));

    /// <summary>A pattern as staff read it in a reason: "verzoek (om|tot) inzage" becomes "verzoek om/tot inzage".</summary>
    private static string Readable(string pattern)
    {
        var text = pattern.Replace(LongGap, " … ", StringComparison.Ordinal).Replace(ShortGap, " … ", StringComparison.Ordinal).Replace(Gap, " … ", StringComparison.Ordinal).Replace("\\w*", string.Empty, StringComparison.Ordinal).Replace("\\b", string.Empty, StringComparison.Ordinal);
        text = Regex.Replace(text, "\\([^()]*\\)\\?", string.Empty, RegexOptions.CultureInvariant);
        text = Regex.Replace(text, "\\(([^()]*)\\)", m => m.Groups[1].Value.Replace('|', '/'), RegexOptions.CultureInvariant);
        return Regex.Replace(text, " {2,}", " ", RegexOptions.CultureInvariant).Trim();
    }

    private static MailPhrase[] S(RequestType type, params string[] patterns) => [.. Make(type, PhraseWeight.Strong, patterns)];

    private static MailPhrase[] W(RequestType type, params string[] patterns) => [.. Make(type, PhraseWeight.Weak, patterns)];

    private static MailPhrase[] H(RequestType type, params string[] patterns) => [.. Make(type, PhraseWeight.Hint, patterns)];

    private static MailPhrase[] U(params string[] patterns) => [.. Make(RequestType.Objection, PhraseWeight.Strong, patterns).Select(p => p with { Unsubscribe = true })];

    private static MailPhrase[] SD(RequestType type, params string[] patterns) => [.. Make(type, PhraseWeight.Strong, patterns).Select(p => p with { NeedsData = true })];

    private static MailPhrase[] UL(params string[] patterns) => [.. U(patterns).Select(p => p with { NeedsList = true })];
}
