using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The case's side of rights applied at once (decision 49): its transitions and what its mails say, in every language.</summary>
public sealed class AppliedAtOnceTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static PrivacyCase Case(RequestType type, Language language = Language.Nl, IReadOnlyList<RequestType>? also = null, ObjectionScope? objection = null) =>
        PrivacyCase.Received(
            new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), language, "", objection) { AlsoRights = also ?? [] },
            Channel.Form, At, TestDataMaps.Real);

    [Fact]
    public void Nothing_is_applied_at_once_before_the_address_is_confirmed()
    {
        var c = Case(RequestType.WithdrawConsent);
        Assert.Equal(CaseRefusal.WrongStatus, c.AppliedAtOnce(At).Refusal);
        Assert.Equal(CaseRefusal.WrongStatus, c.Verify(At).Changed!.StaffToldOfAppliedAtOnce(At).Refusal);
    }

    [Fact]
    public void A_case_with_only_rights_applied_at_once_moves_on_to_its_report_and_a_bundled_one_waits_for_approval()
    {
        var alone = Case(RequestType.WithdrawConsent).Verify(At).Changed!.AppliedAtOnce(At.AddMinutes(1)).Changed!;
        Assert.Equal(CaseStatus.InProgress, alone.Status);
        Assert.Equal(CaseRefusal.AlreadyDone, alone.AppliedAtOnce(At.AddMinutes(2)).Refusal);

        var bundled = Case(RequestType.Erasure, also: [RequestType.WithdrawConsent]).Verify(At).Changed!.AppliedAtOnce(At.AddMinutes(1)).Changed!;
        Assert.Equal(CaseStatus.AwaitingEmailVerification, bundled.Status);
        Assert.True(bundled.NeedsIdentityApproval);
        Assert.Equal(CaseRefusal.WrongStatus, Case(RequestType.Erasure).Verify(At).Changed!.AppliedAtOnce(At).Refusal);
    }

    [Theory]
    [InlineData(Language.Nl, "de rest van het verzoek", "blijft gelden")]
    [InlineData(Language.Fr, "le reste de la demande", "reste en vigueur")]
    [InlineData(Language.En, "the rest of the request", "stays in force")]
    public void The_status_page_of_a_bundled_request_closed_for_identification_says_only_the_rest_closed_and_what_was_applied_stands(Language language, string rest, string stands)
    {
        // Review of 7 December: the expiry mail said "we closed the rest of the request" and that the withdrawal stays in
        // force; the status page said the request was closed, whole.
        var bundled = Case(RequestType.Erasure, language, also: [RequestType.WithdrawConsent]).Verify(At).Changed!.AppliedAtOnce(At.AddMinutes(1)).Changed!;
        var expired = bundled with { Status = CaseStatus.Expired, IdentificationRequestedAt = At.AddDays(1), IdentificationMailSentAt = At.AddDays(1) };
        Assert.Equal(RequestProgress.ClosedIdentityNotConfirmed, expired.Progress);

        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(expired, TestDataMaps.Real, language, resent: false, canResend: false, At.AddDays(40)));

        Assert.Contains(rest, page, StringComparison.Ordinal);
        Assert.Contains(stands, page, StringComparison.Ordinal);

        // While the identification is still awaited, the moment to answer by names the rest only, too.
        var awaiting = bundled with { Status = CaseStatus.AwaitingIdentityApproval, ApprovalMailSentAt = At.AddMinutes(2), IdentificationRequestedAt = At.AddDays(1), IdentificationMailSentAt = At.AddDays(1) };
        Assert.Equal(RequestProgress.AwaitingIdentification, awaiting.Progress);
        var waiting = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(awaiting, TestDataMaps.Real, language, resent: false, canResend: false, At.AddDays(2), identificationBy: At.AddDays(15)));
        Assert.Contains(rest, waiting, StringComparison.Ordinal);
        Assert.Contains(stands, waiting, StringComparison.Ordinal);
    }

    /// <summary>Issue 15 second review: "I object to direct marketing and withdraw my consent for the recruitment pool" applies both at once.</summary>
    [Theory]
    [InlineData(ConsentScope.All, StoreAction.WithdrawConsent)]
    [InlineData(ConsentScope.Other, StoreAction.WithdrawOtherConsent)]
    public void An_objection_to_direct_marketing_case_with_a_further_withdrawal_applies_the_withdrawal_at_once_too(ConsentScope consent, StoreAction withdrawal)
    {
        var c = PrivacyCase.Received(
            new ValidRequest(RequestType.Objection, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, "", ObjectionScope.DirectMarketing)
            {
                AlsoRights = [RequestType.WithdrawConsent],
                Consent = consent,
            },
            Channel.Form,
            At,
            TestDataMaps.Real);

        Assert.Equal([StoreAction.ObjectToDirectMarketing, withdrawal], c.ActionsAtOnce);
        Assert.False(c.NeedsIdentityApproval);
    }

    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void A_refused_erasure_says_the_objection_applied_at_once_stands_and_only_the_rest_was_refused(Language language)
    {
        var c = Case(RequestType.Erasure, language, [RequestType.Objection], ObjectionScope.DirectMarketing).Verify(At).Changed!.AppliedAtOnce(At).Changed! with
        {
            Decision = new IdentityDecision(DecisionOutcome.Reject, At, "tester", null),
        };

        var mail = PrivacyMails.Rejection(c, TestDataMaps.Real).TextBody;

        Assert.Contains(Texts.Get("AtOnceObjectToDirectMarketing", language), mail, StringComparison.Ordinal);
        Assert.Contains(Texts.Format("MailRejectionBodyPartly", language, c.Id, Texts.RequestTypeName(RequestType.Erasure, language)), mail, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.Format("MailRejectionBody", language, c.Id), mail, StringComparison.Ordinal);

        // The status page says so too (session 44's hunt: it said "answered" and nothing of the objection, which stands).
        var rejected = c with { Status = CaseStatus.Rejected };
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(rejected, TestDataMaps.Real, language, resent: false, canResend: false, At.AddDays(3)));
        Assert.Contains(Texts.Get("AtOnceObjectToDirectMarketing", language), page, StringComparison.Ordinal);
        // Says what was refused first, so "This does not affect your objection" reads after it (review of this change).
        var refused = Texts.Format("ThanksAnsweredRefusedPartly", language, c.Id, Texts.RequestTypeName(RequestType.Erasure, language));
        Assert.True(page.IndexOf(refused, StringComparison.Ordinal) is var at && at >= 0 && at < page.IndexOf(Texts.Get("AtOnceObjectToDirectMarketing", language), StringComparison.Ordinal), page);

        // Answered by staff outside this system: the same, after the day they answered (second review of this change).
        var outside = rejected with { AnsweredOutside = new AnswerOutside("Els", At.AddDays(2), DateOnly.FromDateTime(At.AddDays(2).UtcDateTime), "letter") };
        var outsidePage = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(outside, TestDataMaps.Real, language, resent: false, canResend: false, At.AddDays(3)));
        var rest = Texts.Format("ThanksRestRefused", language, Texts.RequestTypeName(RequestType.Erasure, language));
        Assert.True(outsidePage.IndexOf(rest, StringComparison.Ordinal) is var r && r >= 0 && r < outsidePage.IndexOf(Texts.Get("AtOnceObjectToDirectMarketing", language), StringComparison.Ordinal), outsidePage);

        // A request answered in full (an erasure carried out beside the objection) does not need the sentence.
        var done = c with { Status = CaseStatus.Completed, Decision = new IdentityDecision(DecisionOutcome.Approve, At, "tester", null) };
        Assert.DoesNotContain(Texts.Get("AtOnceObjectToDirectMarketing", language), System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(done, TestDataMaps.Real, language, resent: false, canResend: false, At.AddDays(3))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void The_acknowledgement_says_what_is_applied_at_once_instead_of_a_check_by_a_colleague(Language language)
    {
        var c = Case(RequestType.WithdrawConsent, language).Verify(At).Changed!;

        var mail = PrivacyMails.Acknowledgement(c, TestDataMaps.Real).TextBody;

        Assert.Contains(Texts.Format("MailAckNextAtOnce", language, Texts.Get("AtOnceName" + StoreAction.WithdrawConsent, language)), mail, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.Get("MailAckNext", language), mail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void A_report_of_a_withdrawal_of_one_consent_cites_Art_7_3_not_the_objection_article(Language language)
    {
        var c = Case(RequestType.WithdrawConsent, language) with { Consent = ConsentScope.Other };
        var outcome = new StoreOutcome("nl/recruitment", StoreAction.WithdrawOtherConsent, [new TableOutcome("job_applications", 1, 0, 0, 0, 1, 0, [], 1)], false);

        var report = PrivacyMails.ActionReport(c, TestDataMaps.Real, [outcome]).TextBody;

        Assert.Contains(Texts.Format("ReportIntroWithdrawOtherConsent", language, c.Id), report, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportArticleWithdrawal", language), report, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.Get("ReportArticleObjection", language), report, StringComparison.Ordinal);
    }
}
