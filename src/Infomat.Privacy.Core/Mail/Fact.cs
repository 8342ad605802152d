using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

/// <summary>
/// One fact staff read about a case or a mail (label and value). <see cref="FromRequester"/> facts hold what the
/// requester or sender wrote (name, address, company, details, a mail's sender, subject and text): their label says so
/// and their value is shown as a quote, in mails and on pages alike, so nothing they type can pass for a line the
/// system wrote (issue 18 item 8). The one place the marking is decided.
/// </summary>
public sealed record Fact(string Label, string Value, bool FromRequester = false)
{
    /// <summary>A fact the requester gave, its label marked in <paramref name="language"/>.</summary>
    public static Fact Requester(string label, string value, Language language) =>
        new(Texts.Format("RequesterWroteLabel", language, label, Texts.Get("RequesterWroteMarker", language)), value, FromRequester: true);

    /// <summary>
    /// The fact as plain text: "Label: value"; a requester's value on lines of its own, each quoted with "> ", so none of
    /// its lines starts like one of ours.
    /// </summary>
    public string ToText() => FromRequester
        ? Label + ":\n" + string.Join("\n", Value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(line => "> " + line))
        : Label + ": " + Value;
}
