using System.Globalization;
using System.Text;

using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;

using Xunit.Abstractions;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The request letters of <c>Letters/</c>, written in the style of the model letters that supervisory authorities and
/// request generators publish (with their furniture: address blocks, place and date, references, footnotes, article
/// citations in each language's spelling) and in plain words, a third of them bundling rights, with near-misses
/// (business mail about privacy, newsletters, a colleague asking about a customer, auto-replies quoting a request).
/// <c>Letters/expected.tsv</c> gives each letter the verdict it must get. The test prints precision and recall per
/// right and per language, and fails when fewer than 95 % of the requests become the right case(s) or when any
/// letter that is not a request becomes a case.
/// </summary>
public sealed class LetterCorpusTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Letters");

    private static readonly DateTimeOffset Received = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One letter and what it must become.</summary>
    private sealed record Expected(string File, Language Language, MailVerdictKind Verdict, IReadOnlyList<RequestType> Rights, ObjectionScope? Objection, IReadOnlyList<RequestType> AsksFor, ConsentScope? Consent);

    [Fact]
    public void The_corpus_has_at_least_60_request_letters_in_every_right_and_language_a_third_bundling_rights_and_near_misses()
    {
        var letters = Letters();
        var requests = letters.Where(l => l.Verdict == MailVerdictKind.Request).ToList();
        Assert.True(requests.Count >= 60, $"{requests.Count} request letters");
        Assert.True(requests.Count(r => r.AsksFor.Count > 1) * 3 >= requests.Count, "a third of the requests bundle rights");
        foreach (var language in Enum.GetValues<Language>())
        {
            Assert.Equal(Enum.GetValues<RequestType>().Order(), requests.Where(r => r.Language == language).SelectMany(r => r.Rights).Distinct().Order());
        }

        Assert.Contains(letters, l => l.Verdict is MailVerdictKind.NotARequest);
        Assert.Contains(letters, l => l.Verdict is MailVerdictKind.Ignored);
        Assert.Contains(letters, l => l.Verdict is MailVerdictKind.Triage);
        Assert.All(letters, l => Assert.True(File.Exists(Path.Combine(Folder, l.File)), l.File));
        Assert.Equal(letters.Count, Directory.GetFiles(Folder, "*.txt").Length);
    }

    [Fact]
    public void At_least_95_percent_of_the_requests_become_the_right_cases_and_no_other_letter_becomes_a_case()
    {
        var results = Letters().Select(l => (Expected: l, Verdict: MailClassifier.Classify(Read(l.File)))).ToList();
        var misses = new List<string>();
        var rows = new List<(string Group, int Tp, int Fp, int Fn)>();

        foreach (var right in Enum.GetValues<RequestType>())
        {
            rows.Add(Count(right.ToWire(), results.Select(r => (Wanted: r.Expected.Rights.Contains(right) && IsCase(r.Expected), Got: r.Verdict.Kind == MailVerdictKind.Request && Rights(r.Verdict).Contains(right), Right: Exact(r.Expected, r.Verdict)))));
        }

        foreach (var language in Enum.GetValues<Language>())
        {
            rows.Add(Count(language.ToWire(), results.Where(r => r.Expected.Language == language).Select(r => (Wanted: IsCase(r.Expected), Got: r.Verdict.Kind == MailVerdictKind.Request, Right: Exact(r.Expected, r.Verdict)))));
        }

        var all = Count("all", results.Select(r => (Wanted: IsCase(r.Expected), Got: r.Verdict.Kind == MailVerdictKind.Request, Right: Exact(r.Expected, r.Verdict))));
        rows.Add(all);

        foreach (var (expected, verdict) in results.Where(r => IsCase(r.Expected) ? !Exact(r.Expected, r.Verdict) : r.Verdict.Kind != r.Expected.Verdict))
        {
            misses.Add($"{expected.File}: expected {Describe(expected)}, got {verdict.Kind} {string.Join('+', Rights(verdict).Select(t => t.ToWire()))} {verdict.Objection?.ToWire()}{verdict.Consent} [{verdict.Language.ToWire()}] ({verdict.Reason})");
        }

        var table = new StringBuilder();
        table.AppendLine("| right / language | requests | became the right case | precision | recall |").AppendLine("|---|---|---|---|---|");
        foreach (var (group, tp, fp, fn) in rows)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {group} | {tp + fn} | {tp} | {Percent(tp, tp + fp)} | {Percent(tp, tp + fn)} |");
        }

        var others = results.Where(r => !IsCase(r.Expected)).ToList();
        table.AppendLine(CultureInfo.InvariantCulture, $"Not requests or unclear ({others.Count}): {others.Count(r => r.Verdict.Kind == MailVerdictKind.Request)} became a case, {others.Count(r => r.Verdict.Kind == r.Expected.Verdict)} got their verdict.");
        output.WriteLine(table.ToString());
        misses.ForEach(output.WriteLine);
        output.WriteLine(string.Empty);
        results.ForEach(r => output.WriteLine($"{r.Expected.File}: {r.Verdict.Kind} — {r.Verdict.Reason}"));

        var requests = results.Count(r => IsCase(r.Expected));
        Assert.True(all.Tp * 100 >= requests * 95, $"{all.Tp} of {requests} requests became the right case(s):\n{table}\n{string.Join('\n', misses)}");
        Assert.True(others.All(r => r.Verdict.Kind != MailVerdictKind.Request), "a letter that is not a request became a case:\n" + string.Join('\n', misses));
        Assert.True(others.All(r => r.Verdict.Kind == r.Expected.Verdict), "a letter that is not a request got the wrong verdict:\n" + string.Join('\n', misses));
    }

    [Fact]
    public void Every_verdict_gives_staff_a_reason_without_the_letters_personal_data()
    {
        foreach (var letter in Letters())
        {
            var mail = Read(letter.File);
            var verdict = MailClassifier.Classify(mail);
            Assert.False(string.IsNullOrWhiteSpace(verdict.Reason), letter.File);
            Assert.DoesNotContain("@", verdict.Reason, StringComparison.Ordinal);
        }
    }

    private static (string Group, int Tp, int Fp, int Fn) Count(string group, IEnumerable<(bool Wanted, bool Got, bool Right)> items)
    {
        var list = items.ToList();
        return (group, list.Count(i => i.Wanted && i.Got && i.Right), list.Count(i => i.Got && !(i.Wanted && i.Right)), list.Count(i => i.Wanted && !(i.Got && i.Right)));
    }

    private static string Percent(int part, int whole) => whole == 0 ? "–" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static bool IsCase(Expected e) => e.Verdict == MailVerdictKind.Request;

    private static IReadOnlyList<RequestType> Rights(MailVerdict v) => v.Type is { } t ? [t, .. v.AlsoRights] : [];

    /// <summary>The right case: a request, the same main right, the same further rights, the kind of objection, the scope of a withdrawal (main or further) and the language.</summary>
    private static bool Exact(Expected e, MailVerdict v) =>
        v.Kind == MailVerdictKind.Request
        && Rights(v).SequenceEqual(e.Rights)
        && v.Language == e.Language
        && (!e.Rights.Contains(RequestType.Objection) || v.Objection == e.Objection)
        && (!e.Rights.Contains(RequestType.WithdrawConsent) || v.Consent == e.Consent);

    private static string Describe(Expected e) =>
        e.Verdict == MailVerdictKind.Request ? $"{string.Join('+', e.Rights.Select(r => r.ToWire()))} {e.Objection?.ToWire()}{e.Consent} [{e.Language.ToWire()}]" : e.Verdict.ToString();

    private static List<Expected> Letters() =>
        File.ReadAllLines(Path.Combine(Folder, "expected.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => new Expected(
                f[0],
                Languages.TryParse(f[1], out var language) ? language : throw new InvalidDataException(f[1]),
                Enum.Parse<MailVerdictKind>(f[2]),
                f[3].Length == 0 ? [] : f[3].Split('+').Select(w => RequestTypes.TryParse(w, out var t) ? t : throw new InvalidDataException(w)).ToList(),
                f.Length > 4 && ObjectionScopes.TryParse(f[4].Split('+')[0], out var scope) ? scope : null,
                f.Length > 5 && f[5].Length > 0 ? f[5].Split('+').Select(w => RequestTypes.TryParse(w, out var t) ? t : throw new InvalidDataException(w)).ToList() : [],
                f.Length > 4 ? f[4].Split('+')[^1] switch { "marketing" => ConsentScope.Marketing, "other" => ConsentScope.Other, "all" => ConsentScope.All, _ => null } : null))
            .ToList();

    /// <summary>
    /// A letter file: header lines (<c>Subject:</c>, optional <c>From:</c>, and <c>Auto:</c> standing for the headers of
    /// an auto-reply or list mail), a blank line, the text.
    /// </summary>
    internal static InboundMail Read(string file)
    {
        var text = File.ReadAllText(Path.Combine(Folder, file)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = text[..split].Split('\n').Select(h => h.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new InboundMail(
            $"<{file}@letters.example>",
            headers.GetValueOrDefault("From") ?? "requester@example.org",
            null,
            headers["Subject"],
            text[(split + 2)..],
            DmarcVerdict.Pass,
            Received,
            AutomaticReason: headers.GetValueOrDefault("Auto"));
    }
}
