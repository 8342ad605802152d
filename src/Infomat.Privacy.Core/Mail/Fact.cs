using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

/// <summary>
/// One fact staff read about a case or a mail (label and value). <see cref="FromRequester"/> facts hold what the
/// requester or sender wrote (name, address, company, details, a mail's sender, subject and text): their label says so
/// and their value is shown as a quote, in mails and on pages alike, so nothing they type can pass for a line the
/// system wrote (issue 18 item 8). The one place the marking is decided.
/// </summary>
public sealed partial record Fact(string Label, string Value, bool FromRequester = false)
{
    /// <summary>
    /// A fact the requester gave, its label marked in <paramref name="language"/>. Every kind of line break becomes a new
    /// line (each then quoted: a bare CR or U+2028 that a mail client breaks on would start an unquoted line), and
    /// bidirectional controls are left out (U+202E in a name reversed how the address beside it read).
    /// </summary>
    public static Fact Requester(string label, string value, Language language) =>
        new(Texts.Format("RequesterWroteLabel", language, label, Texts.Get("RequesterWroteMarker", language)), Plain(value), FromRequester: true);

    private static string Plain(string value) => WithoutBidiControls(LineBreaks().Replace(value ?? string.Empty, "\n"));

    /// <summary>The text without bidirectional controls (also for a requester's text shown outside a fact: a mail subject in a staff mail's subject).</summary>
    public static string WithoutBidiControls(string value) => BidiControls().Replace(value ?? string.Empty, string.Empty);

    [System.Text.RegularExpressions.GeneratedRegex("\r\n|[\r\u0085\u2028\u2029\v\f]")]
    private static partial System.Text.RegularExpressions.Regex LineBreaks();

    [System.Text.RegularExpressions.GeneratedRegex("[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]")]
    private static partial System.Text.RegularExpressions.Regex BidiControls();

    /// <summary>
    /// The fact as plain text: "Label: value"; a requester's value on lines of its own, each quoted with "> ", so none of
    /// its lines starts like one of ours.
    /// </summary>
    public string ToText() => FromRequester
        ? Label + ":\n" + string.Join("\n", LineBreaks().Replace(Value, "\n").Split('\n').Select(line => "> " + line))
        : Label + ": " + Value;
}
