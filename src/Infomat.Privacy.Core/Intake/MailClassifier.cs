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
/// carries; <see cref="RefusedReason"/> is set when the mail was beyond the reading limits and only its headers were read (its
/// code names the limit: <c>RefusedTooLarge</c>, <c>RefusedTooDeep</c>, <c>RefusedTooManyParts</c>).
/// <see cref="References"/> are the Message-IDs its <c>In-Reply-To</c> and <c>References</c> headers name (ours name the case).
/// <see cref="ReturnedOwnMailKind"/>: for a report that a mail could not be delivered (a non-delivery report), the
/// <c>X-Infomat-Kind</c> of the mail of ours it returns, when it is one.
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
    CodedReason? RefusedReason = null,
    IReadOnlyList<string>? References = null,
    int? Attachments = null,
    string? ReturnedOwnMailKind = null);

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

/// <summary>
/// The classifier's decision, with the language it read and a reason staff can be shown (no personal data), coded so
/// that each reader gets it in their language (<see cref="CodedReason"/>).
/// </summary>
public sealed record MailVerdict(MailVerdictKind Kind, RequestType? Type, Language Language, CodedReason Why, ObjectionScope? Objection = null)
{
    /// <summary>The reason in English, for logs and results.</summary>
    public string Reason => Why.Render(Language.En);

    /// <summary>The rights the case answers besides <see cref="Type"/>, each in full.</summary>
    public IReadOnlyList<RequestType> AlsoRights { get; init; } = [];

    /// <summary>
    /// For a withdrawal of consent, the case's main right or a further one beside an objection to direct marketing:
    /// marketing only, another consent only (the recruitment pool), or every consent. Null beside an erasure (every consent).
    /// </summary>
    public ConsentScope? Consent { get; init; }
}

/// <summary>
/// Decides whether a mail is a GDPR rights request and for which right(s), in Dutch, French and English, from how people
/// write: model letters (with address blocks, dates, references and article citations) and plain words ("send me a
/// copy of the data you hold about me", "unsubscribe me"). Only the sender's own text counts (quoted replies and
/// signatures are cut off first), sentence by sentence: a clause that lists the rights a person has, or that the
/// answer must mention, asks for none of them (nor do the clauses after it, up to one that asks); a phrase just after
/// a negation in the same clause does not count, and a right set aside so in a mail about the sender's own data goes to
/// staff rather than nowhere. An unsubscribe is an objection to direct marketing (decision 51); an article cited without
/// anyone writing in the first person is a request, unless the mail teaches about requests. A strong phrase or an
/// article of the regulation decides alone; a weak word ("verwijder", "supprimer", "I object") decides when the same
/// sentence is about the sender's own data (elsewhere, but in the subject, it is a hint for staff); words that need
/// context (a copy, an access request, unsubscribe, opt out) count only beside data, or a mailing list, and leaving the
/// recruitment pool withdraws that consent; requests named in the plural are a topic, not a request (or, for an objection, about marketing). Several rights are settled by
/// <see cref="BundledRights"/>; what stays unclear (no right, rights answered in an order or by judgement, someone
/// else's data) goes to staff with the reason.
/// </summary>
public static partial class MailClassifier
{
    private static readonly string[] QuoteMarkers =
    [
        "\n-- \n", "\n--\n", "\n> ", "\nvan: ", "\nfrom: ", "\nde : ", "\nde: ", "\nenvoye : ", "\nverzonden: ", "\nsent: ", "\n-----original message-----", "\n----- oorspronkelijk bericht -----",
        "\n-----message d'origine-----", "\nmet vriendelijke groet", "\nvriendelijke groeten", "\nmet vriendelijke groeten", "\ncordialement", "\nbien a vous", "\nkind regards", "\nbest regards", "\nregards,",
        "\nhoogachtend", "\nyours faithfully", "\nyours sincerely", "\nveuillez agreer", "\nje vous prie d'agreer", "\nbien cordialement",
    ];

    /// <summary>The line a mail client puts above a quoted message ("Op 20 nov. 2026 om 10:12 schreef …:", "Le … a écrit :", "On … wrote:").</summary>
    private static readonly System.Text.RegularExpressions.Regex QuoteHeader = new(
        "\n(op [^\n]{3,80} schreef|le [^\n]{3,80} a ecrit|on [^\n]{3,80} wrote)[^\n]{0,80}:", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly HashSet<string> Abbreviations = ["art", "nr", "no", "cf", "bijv", "p", "par", "al", "mr", "mw", "dhr", "st", "vs", "ca", "resp", "e.g", "i.e", "nov", "dec", "sept", "oct", "okt", "jan", "feb", "aug"];

    private static readonly (Language Language, string[] Words)[] StopWords =
    [
        (Language.Nl, ["de", "het", "een", "en", "ik", "mijn", "van", "niet", "dat", "met", "voor", "u", "jullie", "graag", "wil", "zijn", "op", "te", "avg", "conform"]),
        (Language.Fr, ["le", "la", "les", "un", "une", "et", "je", "mes", "mon", "de", "des", "pas", "que", "avec", "pour", "vous", "est", "merci", "bonjour", "du", "rgpd", "conformement"]),
        (Language.En, ["the", "a", "an", "and", "i", "my", "of", "not", "that", "with", "for", "you", "please", "would", "is", "to", "your", "thanks", "gdpr", "under"]),
    ];

    /// <summary>What the mail says about one right.</summary>
    private sealed class Evidence(RequestType type, int at, string first)
    {
        public RequestType Type { get; } = type;
        public int FirstAt { get; } = at;
        public string First { get; } = first;
        public int Score { get; set; }
    }

    /// <summary>
    /// The verdict on <paramref name="mail"/>. A mail forwarding another person's mail (<see cref="ForwardedWriters"/>;
    /// <paramref name="ownAddresses"/>, this system's and staff's, are not another person) goes to staff when it or the
    /// mail it passes on reads as a request or is unclear: a request in it is that person's, and a case made here would
    /// be in the forwarder's name, its link sent to them (review of 7 December). Forwarded mail with nothing of the kind
    /// is read as any mail.
    /// </summary>
    public static MailVerdict Classify(InboundMail mail, IReadOnlyCollection<string>? ownAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var verdict = ClassifyOwn(mail);
        if (verdict.Kind == MailVerdictKind.NotARequest && MailPhrases.GermanRights.IsMatch(OwnText(mail.Subject + "\n\n" + mail.Body)))
        {
            // Read as nothing by phrases in NL/FR/EN, but about the sender's rights in German: a person reads it
            // rather than nobody (review of 7 December).
            return new MailVerdict(MailVerdictKind.Triage, null, verdict.Language, CodedReason.Of("German"));
        }

        if (verdict.Kind is MailVerdictKind.Ignored || !IsForward(mail))
        {
            return verdict;
        }

        var passedOn = ClassifyOwn(mail with { Subject = string.Empty, Body = ForwardedText(mail) });
        if (ForwardedWriters(mail, ownAddresses).Count > 0)
        {
            return verdict.Kind is MailVerdictKind.Request or MailVerdictKind.Triage || passedOn.Kind is MailVerdictKind.Request or MailVerdictKind.Triage
                ? new MailVerdict(MailVerdictKind.Triage, null, verdict.Language, CodedReason.Of("Forwarded"))
                : verdict;
        }

        // The sender's own earlier mail passed on again ("no answer yet?"): what it asks is theirs, read as if sent now.
        var sender = EmailAddresses.Normalise(mail.FromAddress);
        var fromSender = MailPhrases.ForwardedFrom.Matches(mail.Body).Any(m => EmailAddresses.Normalise(m.Groups["address"].Value) == sender);
        return verdict.Kind == MailVerdictKind.NotARequest && fromSender && passedOn.Kind is MailVerdictKind.Request or MailVerdictKind.Triage ? passedOn : verdict;
    }

    /// <summary>
    /// Whether automatic mail of this kind (<see cref="InboundMail.AutomaticReason"/>) may pass on a person's words: mail
    /// a system generated, or sent from a no-reply address; not replies, reports, bounces, lists or bulk mail.
    /// </summary>
    private static bool MayPassOnRequest(string automatic) =>
        automatic is "auto-submitted (auto-generated)" or "sent by noreply" or "sent by no-reply" or "sent by donotreply" or "sent by do-not-reply";

    private static bool IsForward(InboundMail mail) => MailPhrases.ForwardSubject.IsMatch(mail.Subject) || MailPhrases.ForwardBlock.IsMatch(mail.Body);

    private static MailVerdict ClassifyOwn(InboundMail mail)
    {
        var subject = OwnText(mail.Subject).Trim();
        var body = OwnText(mail.Body);
        var own = subject + "\n\n" + body;
        var language = DetectLanguage(OwnText(mail.Subject + "\n\n" + mail.Body));
        if (mail.AutomaticReason is { } automatic)
        {
            // A bounce, a read report, an out-of-office or a newsletter is never a request. Mail a system generated (a web
            // form or ticket system passing on what a person wrote, a no-reply sender) may carry one: when it reads as a
            // request it goes to staff in triage, never straight to a case (no mail ends nowhere, decision 39).
            var read = MayPassOnRequest(automatic) ? ClassifyOwn(mail with { AutomaticReason = null }) : null;
            return read is { Kind: MailVerdictKind.Request or MailVerdictKind.Triage }
                ? read with { Kind = MailVerdictKind.Triage, Why = CodedReason.Of("AutomaticButAsks", automatic).Then(read.Why) }
                : new MailVerdict(MailVerdictKind.Ignored, null, language, CodedReason.Of("Automatic", automatic));
        }

        if (MailPhrases.AutoReplySubject.IsMatch(subject))
        {
            return new MailVerdict(MailVerdictKind.Ignored, null, language, CodedReason.Of("AutoReplySubject"));
        }

        var regulation = MailPhrases.Regulation.IsMatch(own);
        var selfMail = MailPhrases.SelfData.IsMatch(own);
        var evidence = new Dictionary<RequestType, Evidence>();
        var listed = new SortedSet<RequestType>();
        var negated = new SortedSet<RequestType>();
        var hints = new List<string>();
        var cited = false;
        var subjectAsks = false;
        var unsubscribe = false;
        var withdrawn = (Marketing: false, Other: false, All: false);
        var objectionMarketing = (ObjectionScope?)null;
        var sentences = (IReadOnlyList<string>)[subject, .. Sentences(body)];
        for (var i = 0; i < sentences.Count; i++)
        {
            var sentence = sentences[i];
            var hits = Context(Hits(sentence, regulation, negated), sentence, subject);
            if (hits.Count == 0)
            {
                continue;
            }

            // Three rights in one sentence are a list of them, unless the sentence asks ("I hereby withdraw …, object … and request …").
            if (MailPhrases.Topic.IsMatch(sentence) || (hits.Select(h => h.Type).Distinct().Count() >= 3 && !MailPhrases.Asking.IsMatch(sentence)))
            {
                listed.UnionWith(hits.Select(h => h.Type));
                continue;
            }

            // A clause naming the rights the sender has lists them, and so do the clauses after it, up to one that asks.
            var listing = ListingClauses(sentence);
            listed.UnionWith(hits.Where(h => listing.Any(c => h.Start >= c.Start && h.Start < c.End)).Select(h => h.Type));
            hits = [.. hits.Where(h => !listing.Any(c => h.Start >= c.Start && h.Start < c.End))];
            if (hits.Count == 0)
            {
                continue;
            }

            var self = MailPhrases.SelfData.IsMatch(sentence) || (i > 1 && MailPhrases.SelfData.IsMatch(sentences[i - 1]) && MailPhrases.RefersBack.IsMatch(sentence));
            var marketing = MailPhrases.Marketing.IsMatch(sentence);
            foreach (var group in hits.GroupBy(h => h.Type))
            {
                var strong = group.Any(h => h.Weight == PhraseWeight.Strong)
                    || group.Any(h => h.Weight == PhraseWeight.Weak && (self || (group.Key == RequestType.Objection && marketing)));
                var points = strong ? 2 : group.Any(h => h.Weight == PhraseWeight.Weak) && selfMail ? 1 : 0;
                if (points == 0 || (!strong && i > 0))
                {
                    // A weak word outside a sentence about the sender's own data (and outside the subject) asks for
                    // nothing by itself, however often it comes: staff are asked at most (issue 15 second review).
                    hints.AddRange(group.Select(h => h.Name));
                    continue;
                }

                var name = group.OrderBy(h => h.Weight).First().Name;
                cited |= group.Any(h => h.Article);
                unsubscribe |= group.Any(h => h.Unsubscribe);
                if (!evidence.TryGetValue(group.Key, out var e))
                {
                    evidence[group.Key] = e = new Evidence(group.Key, i, name);
                }

                // The subject and the first sentence that asks weigh most: they order the rights.
                e.Score += i == 0 || (strong && e.FirstAt == i) ? points * 2 : points;
                subjectAsks |= i == 0 && strong;
                if (group.Key == RequestType.WithdrawConsent)
                {
                    // What is taken back is read in the clause of the withdrawal ("… and I withdraw my consent for the recruitment pool").
                    foreach (var hit in group)
                    {
                        var clause = ClauseOf(sentence, hit.Start, hit.End);
                        var forMarketing = MailPhrases.Marketing.IsMatch(clause) || MailPhrases.Unsubscribe.IsMatch(clause);
                        var forOther = hit.Recruitment || MailPhrases.OtherConsent.IsMatch(clause);
                        withdrawn = (withdrawn.Marketing || (forMarketing && !hit.Recruitment), withdrawn.Other || forOther, withdrawn.All || (!hit.Recruitment && MailPhrases.AllConsent.IsMatch(clause)));
                    }
                }
            }

            if (hits.Any(h => h.Type == RequestType.Objection) && hits.FirstOrDefault(h => h.ArticleParagraph is not null && h.Type == RequestType.Objection) is { } article)
            {
                objectionMarketing ??= article.ArticleParagraph is "2" or "3" ? ObjectionScope.DirectMarketing : ObjectionScope.Other;
            }
        }

        var asked = evidence.Values.Where(e => e.Score >= 2).OrderBy(e => e.FirstAt).ThenByDescending(e => e.Score).ToList();
        var listedNote = listed.Except(asked.Select(a => a.Type)).ToList() is { Count: > 0 } onlyListed
            ? CodedReason.Of("RightsListed", CodedReason.Rights(onlyListed))
            : CodedReason.None;
        listedNote = negated.Except(asked.Select(a => a.Type)).Except(listed).ToList() is { Count: > 0 } onlyNegated
            ? listedNote.Then("RightsNegated", CodedReason.Rights(onlyNegated))
            : listedNote;

        if (MailPhrases.ThirdParty.Match(own) is { Success: true } third && !selfMail
            && (evidence.Count > 0 || hints.Count > 0 || MailPhrases.Privacy.IsMatch(own) || own.Contains("donnees", StringComparison.Ordinal) || own.Contains("gegevens", StringComparison.Ordinal) || own.Contains(" data", StringComparison.Ordinal)))
        {
            return new MailVerdict(MailVerdictKind.Triage, null, language, CodedReason.Of("ThirdParty", third.Value.Trim()));
        }

        if (asked.Count == 0)
        {
            if ((evidence.Count > 0 || hints.Count > 0) && selfMail)
            {
                var weak = evidence.Values.Select(e => e.First).Concat(hints).First();
                return new MailVerdict(MailVerdictKind.Triage, evidence.Values.FirstOrDefault()?.Type, language, CodedReason.Of("WeakOnly", weak).Then(listedNote));
            }

            if (MailPhrases.Privacy.Match(own) is { Success: true } word && selfMail)
            {
                return new MailVerdict(MailVerdictKind.Triage, null, language, CodedReason.Of("PrivacyNoRight", word.Value).Then(listedNote));
            }

            // A right the sender names about their own data but that was set aside (listed as a right they have, or
            // after a negation) does not vanish: staff read the mail rather than nobody.
            return selfMail && (listed.Count > 0 || negated.Count > 0)
                ? new MailVerdict(MailVerdictKind.Triage, null, language, CodedReason.Of("SetAside").Then(listedNote))
                : new MailVerdict(MailVerdictKind.NotARequest, null, language, CodedReason.Of("NoRequestPhrase").Then(listedNote));
        }

        // Nobody speaks in the first person: a request all the same when it cites the article of the right it names
        // ("Inzageverzoek conform art. 15 AVG." and a name) or when its subject is the request ("Inzageverzoek" above a
        // name and address), unless the mail teaches about requests (a webinar, a newsletter); otherwise staff read it.
        var firstPerson = MailPhrases.FirstPerson.IsMatch(own);
        var teaching = MailPhrases.Teaching.IsMatch(own);
        var citedAlone = cited && !firstPerson && !teaching;
        var subjectAlone = !cited && subjectAsks && !firstPerson && !teaching;
        if (!firstPerson && !citedAlone && !subjectAlone)
        {
            return new MailVerdict(teaching ? MailVerdictKind.NotARequest : MailVerdictKind.Triage, null, language, CodedReason.Of("NobodyAsks", asked[0].First));
        }

        // An unsubscribe is an objection to direct marketing whatever else the mail says (decision 51).
        var objection = asked.Any(a => a.Type == RequestType.Objection)
            ? unsubscribe ? ObjectionScope.DirectMarketing : objectionMarketing ?? (MailPhrases.Marketing.IsMatch(own) ? ObjectionScope.DirectMarketing : ObjectionScope.Other)
            : (ObjectionScope?)null;
        if (objection == ObjectionScope.DirectMarketing && MailPhrases.ParticularSituation.Match(own) is { Success: true } grounds)
        {
            // Marketing words beside grounds of the person's particular situation: an objection under Art. 21(1) too,
            // which a case for direct marketing alone would apply at once and never weigh or answer. Staff read which
            // objections the mail makes.
            return new MailVerdict(MailVerdictKind.Triage, null, language, CodedReason.Of("ObjectionBothGrounds", grounds.Value).Then(listedNote));
        }

        // What a withdrawal takes back: as its clause says; else an unsubscribe, or a withdrawal that names only
        // marketing, takes back the marketing consent alone; one that names only recruitment takes back that consent
        // alone (issue 15 review finding 4); one that names both, or every consent, or no purpose at all in a letter
        // citing Art. 7(3), takes back every consent.
        var consent = !asked.Any(a => a.Type == RequestType.WithdrawConsent) ? (ConsentScope?)null
            : withdrawn.Marketing && !withdrawn.Other ? ConsentScope.Marketing
            : withdrawn.Other && !withdrawn.Marketing && !withdrawn.All ? ConsentScope.Other
            : withdrawn.Marketing || withdrawn.Other || withdrawn.All ? ConsentScope.All
            : WholeMailScope(own);
        var decision = BundledRights.Decide([.. asked.Select(a => a.Type)], objection, consent);
        var because = new CodedReason([.. asked.Select(a => new ReasonPart("Phrase", [CodedReason.Rights(a.Type), a.First]))]);
        if (decision.Rights is not { } rights)
        {
            return new MailVerdict(MailVerdictKind.Triage, null, language, decision.Why.Then(because).Then(listedNote));
        }

        // The case carries the scope when it applies a withdrawal on its own or beside an objection; beside an erasure
        // every consent is withdrawn (decision 49).
        consent = rights.All.Contains(RequestType.WithdrawConsent) && rights.Main != RequestType.Erasure ? consent : null;
        var scopeNote = consent switch
        {
            ConsentScope.Marketing => CodedReason.Of("MarketingConsentOnly"),
            ConsentScope.Other => CodedReason.Of("OtherConsentOnly"),
            _ => CodedReason.None,
        };
        scopeNote = unsubscribe && rights.All.Contains(RequestType.Objection) ? scopeNote.Then("Unsubscribe") : scopeNote;
        scopeNote = citedAlone ? scopeNote.Then("ArticleWithoutFirstPerson") : scopeNote;
        scopeNote = subjectAlone ? scopeNote.Then("SubjectWithoutFirstPerson") : scopeNote;
        // The rule's reason ("access+portability; access and portability: one export …") when it had to settle several.
        var rule = rights.Also.Count == 0 && asked.Count == 1 ? CodedReason.None : decision.Why;
        return new MailVerdict(MailVerdictKind.Request, rights.Main, language, rule.Then(because).Then(scopeNote).Then(listedNote), rights.Objection) { AlsoRights = rights.Also, Consent = consent };
    }

    /// <summary>Lower case, without accents, with typographic apostrophes made plain, cut before quotes and signatures.</summary>
    /// <summary>
    /// Who wrote the mail(s) <paramref name="mail"/> forwards (normalised addresses from their "From:" lines), other than its
    /// sender and <paramref name="ownAddresses"/>; empty when it is no forward (by its subject or its forward line), or
    /// forwards only the sender's own or our mail (a requester passing their earlier mail or our answer back), or does not
    /// say who wrote it.
    /// </summary>
    public static IReadOnlyList<string> ForwardedWriters(InboundMail mail, IReadOnlyCollection<string>? ownAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (!IsForward(mail))
        {
            return [];
        }

        var known = new HashSet<string>([EmailAddresses.Normalise(mail.FromAddress), .. (ownAddresses ?? []).Select(EmailAddresses.Normalise)], StringComparer.Ordinal);
        return [.. MailPhrases.ForwardedFrom.Matches(mail.Body).Select(m => EmailAddresses.Normalise(m.Groups["address"].Value)).Where(w => !known.Contains(w)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The text of the mail forwarded: after its forward line or its first "From:" line, without the header lines that
    /// open it (From, Sent, To, Subject...), which would otherwise read as the start of a quote and cut it.
    /// </summary>
    private static string ForwardedText(InboundMail mail)
    {
        var at = new[] { MailPhrases.ForwardBlock.Match(mail.Body), MailPhrases.ForwardedFrom.Match(mail.Body) }.Where(m => m.Success).Select(m => m.Index).DefaultIfEmpty(0).Min();
        var lines = mail.Body[at..].Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = 0;
        while (first < lines.Length && (string.IsNullOrWhiteSpace(lines[first]) || MailPhrases.ForwardBlock.IsMatch(lines[first]) || MailPhrases.ForwardHeaderLine.IsMatch(lines[first])))
        {
            first++;
        }

        return string.Join('\n', lines[first..]);
    }

    public static string OwnText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = ("\n" + text.Replace("\r\n", "\n", StringComparison.Ordinal)).Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(c is '\u2019' or '\u2018' or '`' ? '\'' : c is '\u00a0' ? ' ' : char.ToLowerInvariant(c));
            }
        }

        var plain = sb.ToString();
        var cut = QuoteMarkers.Select(m => plain.IndexOf(m, StringComparison.Ordinal)).Where(i => i > 0).DefaultIfEmpty(plain.Length).Min();
        if (QuoteHeader.Match(plain) is { Success: true, Index: > 0 } header && header.Index < cut)
        {
            cut = header.Index;
        }

        return plain[..cut] + "\n";
    }

    public static Language DetectLanguage(string ownText)
    {
        ArgumentNullException.ThrowIfNull(ownText);
        var words = ownText.Split([' ', '\n', '\t', ',', '.', '!', '?', ':', ';', '(', ')', '\''], StringSplitOptions.RemoveEmptyEntries);
        return StopWords.Select(s => (s.Language, Count: words.Count(w => s.Words.Contains(w))))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Language == Language.En ? 1 : 0).First().Language;
    }

    /// <summary>The sentences of the own text: cut at line ends, ';', '?', '!' and at a full stop that ends a word (not "art.").</summary>
    private static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = c is '\n' or ';' or '?' or '!'
                || (c == '.' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])) && !Abbreviations.Contains(WordBefore(text, i)));
            if (end)
            {
                if (i > start)
                {
                    sentences.Add(text[start..i]);
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            sentences.Add(text[start..]);
        }

        return sentences;
    }

    private static string WordBefore(string text, int dot)
    {
        var from = dot;
        while (from > 0 && (char.IsLetter(text[from - 1]) || text[from - 1] == '.'))
        {
            from--;
        }

        var word = text[from..dot];
        return word.Length == 1 ? "p" : word;
    }

    /// <summary>One phrase or article found in a sentence.</summary>
    /// <remarks><paramref name="Recruitment"/>: a word for leaving next to the recruitment pool, a withdrawal of that consent.</remarks>
    private sealed record Hit(int Start, int End, RequestType Type, PhraseWeight Weight, string Name, string? ArticleParagraph = null, bool Article = false, bool Unsubscribe = false,
        bool NeedsData = false, bool NeedsList = false, bool Recruitment = false);

    /// <summary>
    /// The clauses (cut at commas and colons) of a sentence that list rights rather than ask: one that names the rights
    /// the sender has (<see cref="MailPhrases.Listing"/>), and each after it until a clause that asks.
    /// </summary>
    private static List<(int Start, int End)> ListingClauses(string sentence)
    {
        var clauses = new List<(int Start, int End)>();
        var start = 0;
        for (var i = 0; i <= sentence.Length; i++)
        {
            if (i == sentence.Length || sentence[i] is ',' or ':')
            {
                clauses.Add((start, i));
                start = i + 1;
            }
        }

        var listing = new List<(int Start, int End)>();
        var inList = false;
        foreach (var (from, to) in clauses)
        {
            var clause = sentence[from..to];
            inList = MailPhrases.Listing.IsMatch(clause) || (inList && !MailPhrases.Asking.IsMatch(clause));
            if (inList)
            {
                listing.Add((from, to));
            }
        }

        return listing;
    }

    /// <summary>
    /// The phrases and articles of one sentence: the longest first, none inside another (so "remove me from your mailing
    /// list" is an unsubscribe, not an erasure), none just after a negation.
    /// </summary>
    private static List<Hit> Hits(string sentence, bool regulation, SortedSet<RequestType> negated)
    {
        var found = new List<Hit>();
        foreach (var phrase in MailPhrases.All)
        {
            foreach (System.Text.RegularExpressions.Match m in phrase.Pattern.Matches(sentence))
            {
                found.Add(new Hit(m.Index, m.Index + m.Length, phrase.Type, phrase.Weight, phrase.Name, Unsubscribe: phrase.Unsubscribe, NeedsData: phrase.NeedsData, NeedsList: phrase.NeedsList));
            }
        }

        if (regulation)
        {
            foreach (System.Text.RegularExpressions.Match m in MailPhrases.Article.Matches(sentence))
            {
                var paragraph = new[] { m.Groups[2], m.Groups[3], m.Groups[4] }.FirstOrDefault(g => g.Success)?.Value;
                RequestType? type = m.Groups[1].Value switch
                {
                    "15" => RequestType.Access,
                    "16" => RequestType.Rectification,
                    "17" => RequestType.Erasure,
                    "18" => RequestType.Restriction,
                    "20" => RequestType.Portability,
                    "21" => RequestType.Objection,
                    "7" when paragraph == "3" => RequestType.WithdrawConsent,
                    _ => null,
                };
                if (type is { } t)
                {
                    found.Add(new Hit(m.Index, m.Index + m.Length, t, PhraseWeight.Strong, $"art. {m.Groups[1].Value}{(paragraph is null ? string.Empty : $"({paragraph})")}", paragraph, Article: true));
                }
            }
        }

        var kept = new List<Hit>();
        foreach (var hit in found.OrderByDescending(h => h.End - h.Start).ThenBy(h => h.Start))
        {
            if (kept.Any(k => hit.Start < k.End && k.Start < hit.End))
            {
                continue;
            }

            if (MailPhrases.Negation.IsMatch(sentence[..hit.Start]))
            {
                if (hit.Weight != PhraseWeight.Hint)
                {
                    negated.Add(hit.Type);
                }

                continue;
            }

            kept.Add(hit);
        }

        return kept;
    }
}
