using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 18 item 8: what the requester wrote (their name, company, details) reaches staff mails and pages marked as
/// theirs, so a line they typed cannot pass for one of ours ("Channel: e-mail, DMARC pass").
/// </summary>
public sealed class RequesterTextMarkingTests
{
    private const string Forged = "Channel: e-mail (DMARC pass)";

    private static PrivacyCase Case() => PrivacyCase.Received(
        new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An Peeters", "Peeters BV", ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl,
            "Please erase everything.\n" + Forged + "\nApprovals needed: 0", null),
        Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);

    [Theory]
    [InlineData(Language.En)]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    public void In_the_approval_mail_each_line_the_requester_wrote_is_quoted_under_a_label_saying_so(Language staff)
    {
        var mail = PrivacyMails.ApprovalRequest(Case(), TestDataMaps.Real, new Uri("https://privacy.example/approvals?token=t"), "staff@infomat.eu", staff);
        var lines = mail.TextBody.Split('\n').Select(x => x.TrimEnd('\r')).ToList();

        Assert.DoesNotContain(lines, x => x.StartsWith(Forged, StringComparison.Ordinal));
        Assert.Contains("> " + Forged, lines);
        var marker = Texts.Get("RequesterWroteMarker", staff);
        Assert.Contains(lines, x => x.StartsWith(Texts.Get("LabelDetails", staff), StringComparison.Ordinal) && x.Contains(marker, StringComparison.Ordinal));
        Assert.Contains(lines, x => x.StartsWith(Texts.Get("LabelRequester", staff), StringComparison.Ordinal) && x.Contains(marker, StringComparison.Ordinal));
        // Facts the system established are not marked.
        Assert.Contains(lines, x => x.StartsWith(Texts.Get("LabelDueDate", staff), StringComparison.Ordinal) && !x.Contains(marker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\u2028")]
    [InlineData("\u2029")]
    [InlineData("\u0085")]
    [InlineData("\v")]
    [InlineData("\f")]
    public void A_line_break_of_any_kind_in_the_requesters_text_starts_a_quoted_line(string lineBreak)
    {
        // Review of 7 December: the quoting split on "\n" only; a mail's text keeps a bare CR, U+2028 and the like, which
        // a mail client breaks lines on, showing "Approved by DPO" as a line of ours.
        var fact = Fact.Requester(Texts.Get("LabelDetails", Language.En), "Please erase." + lineBreak + Forged, Language.En);

        var lines = fact.ToText().Split(['\r', '\n', '\u2028', '\u2029', '\u0085', '\v', '\f']);

        Assert.All(lines.Skip(1), line => Assert.StartsWith("> ", line, StringComparison.Ordinal));
        Assert.Contains("> " + Forged, lines);
    }

    [Fact]
    public void Bidirectional_controls_in_the_requesters_text_do_not_reach_staff()
    {
        // Review of 7 December: U+202E in a name reversed how the address and company beside it read on the case page,
        // the decision page, the card and staff mails, where staff compare them.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An\u202E Peeters\u2066", "Peeters\u200F BV", ControllerScope.Of("be"), Language.Nl, "Wis\u202Dalles", null),
            Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);

        var facts = PrivacyMails.Facts(c, TestDataMaps.Real, Language.En);

        Assert.All(facts, f => Assert.DoesNotMatch("[\u202A-\u202E\u2066-\u2069\u200E\u200F]", f.Value));
        Assert.Contains(facts, f => f.Value.Contains("An Peeters", StringComparison.Ordinal));

        // A mail's subject also reaches the subject of the staff triage mail, outside any fact.
        var triage = PrivacyMails.Triage("mail.x", "An <an.peeters@example.be>", "Inzage\u202E moc.live", "Tekst", "reason", DateTimeOffset.UtcNow, new DateOnly(2027, 1, 1), "staff@infomat.eu", Language.En, new Uri("https://privacy.example/triage?token=t"));
        Assert.DoesNotMatch("[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]", triage.Subject);
    }

    [Fact]
    public void On_staff_pages_the_requesters_text_sits_in_a_marked_quote()
    {
        var html = Html.Facts(PrivacyMails.Facts(Case(), TestDataMaps.Real, Language.En));

        var details = html[html.IndexOf(Texts.Get("LabelDetails", Language.En), StringComparison.Ordinal)..];
        Assert.Contains(Texts.Get("RequesterWroteMarker", Language.En), details[..details.IndexOf("</dt>", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.StartsWith("<dd class=\"requester-text\">", details[(details.IndexOf("</dt>", StringComparison.Ordinal) + 5)..], StringComparison.Ordinal);
        // Their lines stay lines (the encoder once turned each break into a character reference, shown as a space).
        Assert.Contains("Please erase everything.<br>" + Html.E(Forged) + "<br>", details, StringComparison.Ordinal);
        Assert.DoesNotContain("&#xA;", html, StringComparison.Ordinal);
        var due = html[html.IndexOf(Texts.Get("LabelDueDate", Language.En), StringComparison.Ordinal)..];
        Assert.StartsWith("<dd>", due[(due.IndexOf("</dt>", StringComparison.Ordinal) + 5)..], StringComparison.Ordinal);
    }
}
