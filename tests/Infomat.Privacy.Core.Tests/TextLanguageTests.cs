using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// A Belgian and a Dutch DPO read every text: each must be in the language of its file, in the terms the GDPR uses in
/// that language (AVG: "verzoek"; RGPD: "demande relative à vos données personnelles"), not in Flemish-only words.
/// </summary>
public sealed partial class TextLanguageTests
{
    // Words that occur in one of the three languages only (the sets do not overlap: "we", "is", "of", "in", "en", "de",
    // "te", "an", "on", "a", "was", "over" belong to two and are left out).
    private static readonly Dictionary<Language, HashSet<string>> StopWords = new()
    {
        [Language.En] = ["the", "and", "your", "you", "with", "are", "not", "this", "to", "our", "for", "has", "have",
            "be", "been", "will", "it", "that", "by", "or", "from", "any", "which", "when", "what", "who", "can", "if",
            "at", "no", "each", "only", "after", "before", "these", "those", "its", "do", "does", "there", "here", "us"],
        [Language.Nl] = ["het", "een", "uw", "van", "niet", "wij", "zijn", "wordt", "deze", "dit", "met", "voor", "naar",
            "ook", "bij", "om", "op", "u", "dat", "die", "worden", "heeft", "hebben", "kan", "als", "geen", "nog", "aan",
            "uit", "tot", "maar", "door", "welke", "wat", "ze", "er", "alleen", "elk", "onze", "ons", "hier"],
        [Language.Fr] = ["le", "la", "les", "vous", "votre", "vos", "des", "est", "pas", "nous", "une", "pour", "avec",
            "du", "au", "aux", "sur", "dans", "qui", "que", "par", "ne", "et", "ou", "sont", "été", "être", "cette", "ce",
            "ces", "son", "sa", "ses", "leur", "plus", "tout", "un", "l", "d", "qu", "n", "jusqu", "nos", "notre", "ici"],
    };

    // Texts that are rightly the same in two languages, or too full of names to score: keep this list short. (Texts of
    // fewer than five words, such as "CRM", "Nederlands" or "{0}: {1}", are not scored at all.)
    private static readonly HashSet<string> SameInEveryLanguage = new(StringComparer.Ordinal)
    {
        "datamap.authorities.gba.address", // a Brussels street address: names and numbers
        "datamap.authorities.ap.address", // the Dutch postal address, the same in every language (tested below)
    };

    private static readonly (string Pattern, string Why)[] DutchBanned =
    [
        (@"aanvra(ag|ger|gen)", "AVG term is \"verzoek\" (\"verzoeker\"/\"betrokkene\" for the person), also in compounds"),
        (@"verwittig", "Flemish: \"op de hoogte brengen\""),
        (@"omwille van", "Flemish: \"vanwege\""),
        (@"gegeven\(s\)", "rows are \"record(s)\""),
        (@"uw gegevens (zijn|worden) beperkt", "\"de verwerking van uw gegevens is beperkt\" (art. 18 AVG restricts processing)"),
        (@"tot dan (is het|zijn ze) beperkt", "\"tot dan is de verwerking ervan beperkt\""),
        (@"liep .{0,20}\bmis\b", "Flemish: \"er ging iets mis\""),
        (@"op korte tijd", "Flemish: \"in korte tijd\""),
        (@"binnen het uur", "Flemish: \"binnen een uur\""),
        (@"bijkomend", "Flemish: \"aanvullend\""),
        (@"contacteren", "Flemish: \"benaderen\", \"contact opnemen\""),
        (@"rapportering", "Flemish: \"rapportage\""),
        (@"\btoekwam", "Flemish for mail: \"binnenkwam\""),
        (@"\b(je|jij|jouw)\b", "staff and requesters are addressed with \"u\""),
    ];

    private static readonly (string Pattern, string Why)[] FrenchBanned =
    [
        (@"demande (relative à la )?vie privée", "\"demande relative à vos données personnelles\" (staff: \"aux données personnelles\")"),
        (@"responsables? vie privée", "\"responsable de la protection des données\""),
        (@"équipe vie privée", "\"équipe chargée de la protection des données\""),
        (@"à rien d['’]autre", "\"ne servent à aucune autre fin\""),
        (@"n['’]a plus rien à faire", "\"Ce lien a déjà servi ; aucune autre action n'est nécessaire\""),
        (@"vos données sont limitées", "\"le traitement de vos données est limité\" (art. 18 RGPD restricts processing)"),
        (@"d['’]ici là, (il est|ils sont) limités?", "\"d'ici là, son/leur traitement est limité\""),
        (@"\bles ops\b|\breporting\b", "anglicism: \"l'équipe d'exploitation\", \"rapports\""),
    ];

    [Fact]
    public void Dutch_texts_use_the_words_of_the_AVG_and_no_Flemish_only_words()
    {
        var offences = Offences(ResxTexts(Language.Nl).Concat(DataMapTexts(Language.Nl)), DutchBanned);
        Assert.True(offences.Count == 0, $"{offences.Count} Dutch texts to reword:\n{string.Join("\n", offences)}");
    }

    [Fact]
    public void French_texts_use_the_words_of_the_RGPD()
    {
        var offences = Offences(ResxTexts(Language.Fr).Concat(DataMapTexts(Language.Fr)), FrenchBanned);
        Assert.True(offences.Count == 0, $"{offences.Count} French texts to reword:\n{string.Join("\n", offences)}");
    }

    [Fact]
    public void Every_text_reads_as_the_language_it_is_shown_in()
    {
        var wrong = new List<string>();
        var en = ResxTexts(Language.En).ToDictionary(t => t.Key, t => t.Text);
        foreach (var language in new[] { Language.En, Language.Nl, Language.Fr })
        {
            foreach (var (key, text) in ResxTexts(language).Concat(DataMapTexts(language)))
            {
                if (SameInEveryLanguage.Contains(key))
                {
                    continue;
                }

                var verdict = WrongLanguage(text, language);
                if (verdict is not null)
                {
                    wrong.Add($"{language} {key}: {verdict}: {text}");
                }

                if (language != Language.En && en.TryGetValue(key, out var english) && english.Trim() == text.Trim() && Words(text).Count > 3)
                {
                    wrong.Add($"{language} {key}: left in English: {text}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} texts not in their language:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void The_stop_words_of_one_language_are_not_words_of_another()
    {
        var shared = StopWords.SelectMany(a => StopWords.Where(b => a.Key < b.Key).SelectMany(b => a.Value.Intersect(b.Value).Select(w => $"{a.Key}/{b.Key}: {w}"))).ToList();
        Assert.True(shared.Count == 0, string.Join(", ", shared));
    }

    [Theory]
    [InlineData("We hebben uw verzoek ontvangen en antwoorden binnen een maand.", Language.Fr)]
    [InlineData("Nous avons reçu votre demande et vous répondrons dans un mois.", Language.Nl)]
    [InlineData("We have received your request and will answer within a month.", Language.Fr)]
    [InlineData("Nous avons reçu votre demande et vous répondrons dans un mois.", Language.En)]
    public void A_text_in_another_language_is_caught(string text, Language shownIn) =>
        Assert.NotNull(WrongLanguage(text, shownIn));

    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void The_Dutch_authority_is_written_to_at_its_Dutch_postal_address_in_every_language(Language language)
    {
        var map = DataMapLoader.Load(DataMapFiles.Default);
        var address = map.Authorities["ap"].Address.In(language);
        Assert.Matches(@"^Postbus 93374, 2509 AJ Den Haag(, (Nederland|Pays-Bas|the Netherlands))?, (tel\. 088 1805 250|tél\. \+31 88 1805 250|\+31 88 1805 250)$", address);
    }

    [Theory]
    [InlineData(RequestType.Access, "Art. 15 GDPR", "art. 15 AVG", "art. 15 RGPD")]
    [InlineData(RequestType.Portability, "Art. 20 GDPR", "art. 20 AVG", "art. 20 RGPD")]
    [InlineData(RequestType.Rectification, "Art. 16 GDPR", "art. 16 AVG", "art. 16 RGPD")]
    [InlineData(RequestType.Erasure, "Art. 17 GDPR", "art. 17 AVG", "art. 17 RGPD")]
    [InlineData(RequestType.Restriction, "Art. 18 GDPR", "art. 18 AVG", "art. 18 RGPD")]
    [InlineData(RequestType.WithdrawConsent, "Art. 7(3) GDPR", "art. 7, lid 3, AVG", "art. 7, paragraphe 3, RGPD")]
    public void Each_right_on_the_form_names_its_article_in_every_language(RequestType type, string en, string nl, string fr)
    {
        // Session 44's note: the form named the rights without the articles they rest on (the objection's hint alone did).
        Assert.Contains(en, Texts.Get("TypeHint" + type, Language.En), StringComparison.Ordinal);
        Assert.Contains(nl, Texts.Get("TypeHint" + type, Language.Nl), StringComparison.Ordinal);
        Assert.Contains(fr, Texts.Get("TypeHint" + type, Language.Fr), StringComparison.Ordinal);
    }

    [Fact]
    public void The_objection_hint_says_an_objection_to_direct_marketing_is_always_accepted()
    {
        Assert.Contains("bezwaar tegen direct marketing wordt altijd ingewilligd", Texts.Get("TypeHintObjection", Language.Nl), StringComparison.Ordinal);
        Assert.Contains("art. 21, lid 2 en 3, AVG", Texts.Get("TypeHintObjection", Language.Nl), StringComparison.Ordinal);
        Assert.Contains("une opposition à la prospection directe est toujours acceptée", Texts.Get("TypeHintObjection", Language.Fr), StringComparison.Ordinal);
        Assert.Contains("art. 21, paragraphes 2 et 3, RGPD", Texts.Get("TypeHintObjection", Language.Fr), StringComparison.Ordinal);
        Assert.Contains("an objection to direct marketing is always accepted", Texts.Get("TypeHintObjection", Language.En), StringComparison.Ordinal);
    }

    /// <summary>Null when the text reads as <paramref name="language"/> (or is too short to tell), else why not.</summary>
    private static string? WrongLanguage(string text, Language language)
    {
        var words = Words(text);
        if (words.Count < 5)
        {
            return null;
        }

        var scores = StopWords.ToDictionary(s => s.Key, s => words.Count(s.Value.Contains));
        var best = scores.Where(s => s.Key != language).MaxBy(s => s.Value);
        return best.Value > scores[language]
            ? $"reads as {best.Key} ({best.Value} {best.Key} words, {scores[language]} {language} words)"
            : null;
    }

    private static List<string> Words(string text)
    {
        var plain = Markup().Replace(text, " ");
        return WordPattern().Matches(plain).Select(m => m.Value.ToLowerInvariant()).ToList();
    }

    private static List<string> Offences(IEnumerable<(string Key, string Text)> texts, (string Pattern, string Why)[] banned) =>
        texts.SelectMany(t => banned
                .Where(b => Regex.IsMatch(t.Text, b.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                .Select(b => $"{t.Key}: /{b.Pattern}/ → {b.Why}: {t.Text}"))
            .ToList();

    private static IEnumerable<(string Key, string Text)> ResxTexts(Language language)
    {
        var culture = language == Language.En ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(language == Language.Nl ? "nl" : "fr");
        var set = Texts.Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!;
        return set.Cast<DictionaryEntry>().Select(e => ((string)e.Key, (string)e.Value!)).OrderBy(e => e.Item1, StringComparer.Ordinal);
    }

    /// <summary>Every text of the data map (names, addresses, purposes, categories), as "path" and text.</summary>
    private static IEnumerable<(string Key, string Text)> DataMapTexts(Language language)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(DataMapFiles.Default));
        var code = language.ToString().ToLowerInvariant();
        var found = new List<(string, string)>();
        Walk(doc.RootElement, "datamap");
        return found;

        void Walk(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (e.TryGetProperty("nl", out _) && e.TryGetProperty("fr", out _) && e.TryGetProperty("en", out _))
                {
                    found.Add((path, e.GetProperty(code).GetString()!));
                    return;
                }

                foreach (var p in e.EnumerateObject())
                {
                    Walk(p.Value, path + "." + p.Name);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]");
                }
            }
        }
    }

    [GeneratedRegex(@"<[^>]+>|\{[^}]*\}|https?://\S+|\S+@\S+")]
    private static partial Regex Markup();

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex WordPattern();
}
