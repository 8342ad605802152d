using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 20: the approval card Outlook shows inside the approval mail (an Adaptive Card 1.4 actionable message).</summary>
public sealed partial class ApprovalCardTests
{
    private static readonly Uri ActionUrl = new("https://privacy.infomat.eu/api/approvals/card?token=card-token");
    private static readonly Uri PageLink = new("https://privacy.infomat.eu/approvals?token=page-token");
    private const string Originator = "0f6b2a4c-1d3e-4f5a-8b7c-9d0e1f2a3b4c";

    private static PrivacyCase Verified(RequestType type = RequestType.Access) =>
        PrivacyCase.Received(
            new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, "", null),
            Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real) with
        {
            EmailVerifiedAt = new DateTimeOffset(2026, 11, 26, 9, 5, 0, TimeSpan.Zero),
            ApprovalsRequired = type == RequestType.Erasure ? 2 : 1,
            Holdings = new Dictionary<string, int> { ["be/crm"] = 3, ["nl/crm"] = 1, ["be/portal"] = 2 },
        };

    private static string Text(JsonObject card) =>
        card.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static IEnumerable<JsonObject> Actions(JsonObject card) =>
        (card["actions"]?.AsArray() ?? []).Select(a => a!.AsObject()).SelectMany(a => a["type"]!.GetValue<string>() == "Action.ShowCard" ? Actions(a["card"]!.AsObject()) : [a]);

    [Theory]
    [InlineData(Language.Nl, "28 december 2026", "Infomat België, CRM: 3", "Identiteit goedkeuren", "Beslissingspagina openen")]
    [InlineData(Language.Fr, "28 décembre 2026", "Infomat België, CRM : 3", "Approuver l'identité", "Ouvrir la page de décision")]
    [InlineData(Language.En, "28 December 2026", "Infomat België, CRM: 3", "Approve identity", "Open the decision page")]
    public void The_card_shows_the_request_the_stores_counts_and_the_due_date_in_the_staff_language_and_offers_the_decisions(
        Language l, string due, string holding, string approve, string openPage)
    {
        var c = Verified();

        var card = ApprovalCard.Build(c, TestDataMaps.Real, l, Originator, ActionUrl, PageLink);
        var text = Text(card);

        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        Assert.Equal("1.4", card["version"]!.GetValue<string>());
        Assert.Equal(Originator, card["originator"]!.GetValue<string>());
        Assert.Contains(c.Id, text, StringComparison.Ordinal);
        Assert.Contains(due, text, StringComparison.Ordinal);
        Assert.Contains(holding, text, StringComparison.Ordinal);
        Assert.Contains("Infomat Nederland", text, StringComparison.Ordinal);
        // The requester's own words are marked as theirs on the card too.
        Assert.Contains(Localization.Texts.Get("RequesterWroteMarker", l), text, StringComparison.Ordinal);
        var actions = Actions(card).ToList();
        Assert.Equal(approve, actions.Single(a => a["body"]?.GetValue<string>().Contains("\"approve\"", StringComparison.Ordinal) == true)["title"]!.GetValue<string>());
        Assert.All(actions.Where(a => a["type"]!.GetValue<string>() == "Action.Http"), a =>
        {
            Assert.Equal(ActionUrl.AbsoluteUri, a["url"]!.GetValue<string>());
            Assert.Equal("POST", a["method"]!.GetValue<string>());
        });
        Assert.Equal(3, actions.Count(a => a["type"]!.GetValue<string>() == "Action.Http"));
        Assert.Equal(openPage, actions.Single(a => a["type"]!.GetValue<string>() == "Action.OpenUrl")["title"]!.GetValue<string>());
        Assert.Equal(PageLink.AbsoluteUri, actions.Single(a => a["type"]!.GetValue<string>() == "Action.OpenUrl")["url"]!.GetValue<string>());
        Assert.Equal(ActionUrl.AbsoluteUri, card["autoInvokeAction"]!["url"]!.GetValue<string>());
    }

    [Fact]
    public void A_link_verified_case_is_one_click_its_evidence_chosen_and_a_mail_case_without_a_pass_chooses_nothing()
    {
        static string? Chosen(PrivacyCase c) =>
            ApprovalCard.Build(c, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink)["body"]!.AsArray()
                .Single(b => b!["id"]?.GetValue<string>() == "evidence")!["value"]?.GetValue<string>();

        Assert.Equal("verified-link", Chosen(Verified()));
        Assert.Equal("dmarc-pass", Chosen(Verified() with { Channel = Channel.Email, EmailVerifiedAt = null, SenderAuthentication = Intake.DmarcVerdict.Pass }));
        Assert.Null(Chosen(Verified() with { EmailVerifiedAt = null, SenderAuthentication = Intake.DmarcVerdict.Fail }));
        // A mail with a DMARC pass is taken as confirmed on arrival, and no link was ever sent: its evidence is the pass.
        var arrived = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var passed = Verified() with { Channel = Channel.Email, SenderAuthentication = Intake.DmarcVerdict.Pass, EmailVerifiedAt = arrived };
        Assert.Equal("dmarc-pass", Chosen(passed));
        Assert.Equal("dmarc-pass", IdentityApproval.Established(passed));
        // An erasure by mail with a pass is sent the link all the same (the pass does not suffice): confirmed by the link.
        var erasure = Verified(RequestType.Erasure) with { Channel = Channel.Email, SenderAuthentication = Intake.DmarcVerdict.Pass };
        Assert.Equal("verified-link", IdentityApproval.Established(erasure));
        Assert.EndsWith("email address confirmed by link on 26 November 2026 10:05",
            PrivacyMails.Facts(erasure, TestDataMaps.Real, Language.En).Single(f => f.Label == Localization.Texts.Get("LabelChannel", Language.En)).Value, StringComparison.Ordinal);
        // A mail without a pass whose address was confirmed with our link: the link, and no "web form" said of a mail.
        var linked = Verified() with { Channel = Channel.Email, SenderAuthentication = Intake.DmarcVerdict.Fail };
        Assert.Equal("verified-link", Chosen(linked));
        var channel = PrivacyMails.Facts(linked, TestDataMaps.Real, Language.En).Single(f => f.Label == Localization.Texts.Get("LabelChannel", Language.En)).Value;
        Assert.Equal("email to info@infomat.eu; sender authentication (DMARC): fail; email address confirmed by link on 26 November 2026 10:05", channel);
    }

    [Fact]
    public void An_erasure_card_says_a_second_different_approver_is_needed_and_a_decided_case_offers_no_decision()
    {
        var at = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var half = Verified(RequestType.Erasure) with { Approvals = [new IdentityApproval(1, "els@infomat.eu", at, "verified-link", null, "oid-els")] };

        var waiting = Text(ApprovalCard.Build(half, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink));
        Assert.Contains("Approved by els@infomat.eu", waiting, StringComparison.Ordinal);
        Assert.Contains("Waiting for approval 2 of 2: a different colleague must give it.", waiting, StringComparison.Ordinal);

        var decided = half with { Decision = new IdentityDecision(DecisionOutcome.Reject, at.AddHours(1), "jan@infomat.eu", "no match") };
        var card = ApprovalCard.Build(decided, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink, status: "status line");
        Assert.Contains("Decision recorded: rejected", Text(card), StringComparison.Ordinal);
        Assert.Contains("status line", Text(card), StringComparison.Ordinal);
        Assert.DoesNotContain(Actions(card), a => a["type"]!.GetValue<string>() == "Action.Http");
        Assert.DoesNotContain(card["body"]!.AsArray(), b => b!["type"]!.GetValue<string>().StartsWith("Input.", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_decision_says_what_the_card_showed_so_a_stale_card_is_not_taken_on_a_case_that_moved_on()
    {
        static IEnumerable<string> DecisionBodies(PrivacyCase c) =>
            Actions(ApprovalCard.Build(c, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink))
                .Select(a => a["body"]?.GetValue<string>()).OfType<string>().Where(b => !b.Contains("\"refresh\"", StringComparison.Ordinal));

        var at = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var none = Verified(RequestType.Erasure);
        var half = none with { Approvals = [new IdentityApproval(1, "els@infomat.eu", at, "verified-link", null, "oid-els")] };
        var asked = half with { IdentificationRequestedAt = at.AddHours(1), IdentificationRequestedBy = "Els", IdentificationRequest = "Een factuurnummer." };

        // Approve, reject and ask (while nobody has asked): each carries the case's basis as the card shows it.
        Assert.Equal(3, DecisionBodies(none).Count());
        Assert.All(DecisionBodies(none), b => Assert.Contains("\"basis\":\"1.0.0\"", b, StringComparison.Ordinal));
        Assert.All(DecisionBodies(half), b => Assert.Contains("\"basis\":\"2.0.0\"", b, StringComparison.Ordinal));
        Assert.Equal(2, DecisionBodies(asked).Count());
        Assert.All(DecisionBodies(asked), b => Assert.Contains($"\"basis\":\"2.{at.AddHours(1).UtcTicks}.0\"", b, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Language.Nl, "vraagt aandacht", "Verzoek opnieuw proberen", "geen beslissing meer")]
    [InlineData(Language.Fr, "requiert votre attention", "Relancer le dossier", "Plus aucune décision")]
    [InlineData(Language.En, "needs attention", "Retry the case", "No decision can be recorded any more")]
    public void A_failed_case_card_says_to_retry_it_from_its_case_page_not_that_no_decision_can_be_recorded_any_more(Language l, string attention, string retry, string closed)
    {
        var at = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var waiting = Verified().WithStatus(CaseStatus.AwaitingIdentityApproval, at) with { ApprovalMailSentAt = at };
        var failed = waiting.Fail(at.AddHours(1), "TendApprovalWait").Changed!;

        var text = Text(ApprovalCard.Build(failed, TestDataMaps.Real, l, Originator, ActionUrl, PageLink));

        Assert.Contains(attention, text, StringComparison.Ordinal);
        Assert.Contains(retry, text, StringComparison.Ordinal);
        Assert.Contains(failed.Id, text, StringComparison.Ordinal);
        Assert.DoesNotContain(closed, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Actions(ApprovalCard.Build(failed, TestDataMaps.Real, l, Originator, ActionUrl, PageLink)), a => a["type"]!.GetValue<string>() == "Action.Http");
    }

    [Fact]
    public void The_approval_mail_carries_the_card_in_its_html_only_when_cards_are_on_and_nothing_in_it_can_close_the_script()
    {
        var options = new PrivacyOptions { PublicBaseUrl = new Uri("https://privacy.infomat.eu"), Staff = new StaffOptions { Language = Language.Fr, ClientId = "client", TenantId = "tenant" } };
        var c = Verified() with { Details = "</script><script>alert(1)</script>" };

        Assert.Null(ApprovalCard.ForMail(c, TestDataMaps.Real, options, () => "t", PageLink));

        options.ActionableMessages = new ActionableMessageOptions { Originator = Originator, Audience = "api://auth-am-x/y" };
        var json = ApprovalCard.ForMail(c, TestDataMaps.Real, options, () => "card-token", PageLink)!;
        var mail = PrivacyMails.ApprovalRequest(c, TestDataMaps.Real, PageLink, "staff@infomat.eu", Language.Fr, json);
        var reminder = PrivacyMails.ApprovalReminder(c, TestDataMaps.Real, PageLink, "staff@infomat.eu", Language.Fr, escalated: true, json);

        foreach (var m in new[] { mail, reminder })
        {
            var scripts = CardScript().Matches(m.HtmlBody);
            var card = JsonNode.Parse(Assert.Single(scripts).Groups[1].Value)!.AsObject();
            Assert.Equal("https://privacy.infomat.eu/api/approvals/card?token=card-token", card["autoInvokeAction"]!["url"]!.GetValue<string>());
            // The requester's text is in the card (escaped as literal text), yet it closed no script: one card, whole JSON.
            var facts = card["body"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "FactSet")!["facts"]!.AsArray();
            Assert.Contains(facts, f => f!["value"]!.GetValue<string>() == @"\</script\>\<script\>alert\(1\)\</script\>");
            Assert.Contains(PageLink.AbsoluteUri, m.TextBody, StringComparison.Ordinal);
        }

        // Without cards the mail is as before: no script at all.
        Assert.DoesNotContain("<script", PrivacyMails.ApprovalRequest(c, TestDataMaps.Real, PageLink, "staff@infomat.eu", Language.Fr).HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_requester_typed_cannot_pass_for_a_link_or_emphasis_of_ours_on_the_card()
    {
        var c = Verified() with { Details = "[Identity confirmed by link](https://evil.example) **approve now**\n- done" };

        var details = ApprovalCard.Build(c, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink)["body"]!.AsArray()
            .Single(b => b!["type"]!.GetValue<string>() == "FactSet")!["facts"]!.AsArray()
            .Single(f => f!["title"]!.GetValue<string>().StartsWith("Details", StringComparison.Ordinal))!["value"]!.GetValue<string>();

        Assert.Equal(@"\[Identity confirmed by link\]\(https://evil\.example\) \*\*approve now\*\* \- done", details);
        // Our own facts stay as written.
        Assert.Contains("\"value\":\"" + c.Id + "\"", Text(ApprovalCard.Build(c, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_staff_sign_in_no_mail_carries_a_card_whose_buttons_could_not_work()
    {
        var cards = new ActionableMessageOptions { Originator = Originator, Audience = "api://auth-am-x/y" };
        var signedIn = new StaffOptions { RequireSignIn = true, ClientId = "client", TenantId = "tenant" };
        PrivacyOptions With(StaffOptions staff) => new() { ActionableMessages = cards, Staff = staff };

        Assert.NotNull(ApprovalCard.ForMail(Verified(), TestDataMaps.Real, With(signedIn), () => "t", PageLink));
        Assert.Null(ApprovalCard.ForMail(Verified(), TestDataMaps.Real, With(new StaffOptions { RequireSignIn = false, ClientId = "client", TenantId = "tenant" }), () => "t", PageLink));
        Assert.Null(ApprovalCard.ForMail(Verified(), TestDataMaps.Real, With(new StaffOptions { RequireSignIn = true, TenantId = "tenant" }), () => "t", PageLink));
    }

    [Fact]
    public void An_expired_cards_refresh_shows_the_state_without_decisions_and_an_asked_identification_is_not_offered_again()
    {
        var expired = ApprovalCard.Build(Verified(), TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink, decisionsOffered: false);
        Assert.DoesNotContain(Actions(expired), a => a["type"]!.GetValue<string>() == "Action.Http");
        Assert.Contains(Actions(expired), a => a["type"]!.GetValue<string>() == "Action.OpenUrl");

        var asked = Verified() with { IdentificationRequestedAt = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), IdentificationRequestedBy = "els@infomat.eu", IdentificationMailSentAt = new DateTimeOffset(2026, 11, 27, 8, 0, 1, TimeSpan.Zero) };
        var card = ApprovalCard.Build(asked, TestDataMaps.Real, Language.En, Originator, ActionUrl, PageLink);
        Assert.DoesNotContain(Actions(card), a => a["body"]?.GetValue<string>().Contains("request-identification", StringComparison.Ordinal) == true);
        Assert.Contains("asked for more identification on 27 November 2026", Text(card), StringComparison.Ordinal);
        Assert.Equal(2, Actions(card).Count(a => a["type"]!.GetValue<string>() == "Action.Http"));
    }

    [GeneratedRegex("<script type=\"application/adaptivecard\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex CardScript();
}
