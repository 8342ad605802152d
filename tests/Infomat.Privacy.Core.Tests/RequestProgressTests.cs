using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// What the thank-you page tells a requester about their case (<see cref="PrivacyCase.Progress"/>), and what makes a
/// request "the same" as a case's (<see cref="PrivacyCase.AsksTheSame(ValidRequest)"/>). The page used to say "we sent a link: open it"
/// whatever the case's status, also of a case answered weeks ago.
/// </summary>
public sealed class RequestProgressTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly DataMap Map = TestDataMaps.Real;
    private static readonly ValidRequest Request = new(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl, null, null);

    private static PrivacyCase Taken(CaseTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Changed!;
    }

    private static PrivacyCase Written() => PrivacyCase.Received(Request, Channel.Form, Received, Map);

    private static PrivacyCase New() => Taken(Written().VerificationMailSent(Received));

    private static PrivacyCase Verified() => Taken(New().Verify(Received.AddMinutes(5)));

    private static PrivacyCase AwaitingApproval() =>
        Taken(Taken(Verified().PrepareApproval(new Dictionary<string, int> { ["be/crm"] = 1 }, true)).RequestApproval(Received.AddMinutes(6)));

    private static PrivacyCase Completed() => Taken(Taken(AwaitingApproval().StartWork(Received.AddMinutes(7))).Complete(Received.AddMinutes(8)));

    [Fact]
    public void A_form_case_waits_for_its_address_then_is_under_way_also_when_a_step_failed()
    {
        Assert.Equal(RequestProgress.AwaitingAddressConfirmation, New().Progress);
        Assert.Equal(RequestProgress.UnderWay, Verified().Progress);
        var waitingForStaff = AwaitingApproval();
        Assert.Equal(RequestProgress.UnderWay, waitingForStaff.Progress);
        // A failed case is owed its answer: staff retry it and its date still runs.
        Assert.Equal(RequestProgress.UnderWay, Taken(waitingForStaff.Fail(Received.AddMinutes(7), "collect")).Progress);
    }

    [Fact]
    public void A_link_not_sent_yet_is_coming_and_a_confirmed_address_gets_no_second_link()
    {
        // The mail service was slow (decision 81): the orchestration's first step sends the link.
        Assert.Equal(RequestProgress.AddressLinkComing, Written().Progress);

        var confirmed = Verified();
        Assert.Equal(CaseStatus.AwaitingEmailVerification, confirmed.Status);
        Assert.Equal(CaseRefusal.AlreadyVerified, confirmed.ResendRefusal(Week, Received.AddMinutes(6)));
        Assert.Null(New().ResendRefusal(Week, Received.AddMinutes(6)));
    }

    [Fact]
    public void A_requester_asked_for_identification_is_told_so_until_they_answer()
    {
        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("Staff One", "A copy of a bill.", Received.AddHours(1))).IdentificationMailSent(Received.AddHours(1)));
        Assert.Equal(RequestProgress.AwaitingIdentification, asked.Progress);
        Assert.Equal(RequestProgress.UnderWay, Taken(asked.IdentificationAnswered(Received.AddHours(5), 1)).Progress);
    }

    [Fact]
    public void A_failed_case_is_where_it_was_before_it_failed()
    {
        // An expired case whose Art. 12(4) notice could not go is flagged Failed: it is closed all the same.
        var expired = Taken(New().Expire(Received + Week, Week, Week));
        Assert.Equal(RequestProgress.ClosedAddressNotConfirmed, Taken(expired.Fail(Received + Week, "expire")).Progress);
        Assert.Equal(RequestProgress.UnderWay, Taken(Verified().Fail(Received.AddMinutes(6), "approval")).Progress);
    }

    [Fact]
    public void A_case_failed_before_its_address_was_confirmed_is_held_up_whether_its_link_went_or_not()
    {
        // "The link is on its way" would not be true (nothing sends it until staff take the case up again), and one that
        // went may not have: the page says it is held up. A link that went still confirms the address meanwhile.
        var sentThenFailed = Taken(New().Fail(Received.AddMinutes(1), "verify"));
        var failedBeforeTheLink = Taken(Written().Fail(Received.AddMinutes(1), "send-verification"));
        Assert.All(new[] { sentThenFailed, failedBeforeTheLink }, c => Assert.Equal(RequestProgress.HeldUpBeforeAddressConfirmed, c.Progress));
        Assert.Null(sentThenFailed.Verify(Received.AddMinutes(2)).Refusal);
        Assert.Equal(CaseRefusal.WrongStatus, failedBeforeTheLink.ResendRefusal(Week, Received.AddMinutes(2)));

        // Taken up again by staff, a new link is on its way (the requester's time runs from it), then it waits for it.
        var retried = Taken(sentThenFailed.Retry("Staff One", Received.AddHours(1)));
        Assert.Equal(RequestProgress.AddressLinkComing, retried.Progress);
        Assert.Equal(RequestProgress.AwaitingAddressConfirmation, Taken(retried.VerificationMailSent(Received.AddHours(1).AddMinutes(1))).Progress);
    }

    [Fact]
    public void The_status_page_says_until_when_the_requester_may_confirm_the_address()
    {
        // Review of 7 December: the page a requester is sent to gave no moment to confirm by (the mail said it once), and
        // the request closes at that moment.
        var by = Received.AddDays(7);
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(New(), Map, Language.En, resent: false, canResend: false, Received, confirmBy: by));
        Assert.Contains("Confirm your address before " + Localization.Texts.Deadline(by, Language.En), page, StringComparison.Ordinal);
        Assert.Contains("(GDPR Art. 12(6))", page, StringComparison.Ordinal);
        // Not once the request no longer waits for it, nor once the moment has passed (the expiry is a step away).
        string Page(Cases.PrivacyCase c, DateTimeOffset now) =>
            System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(c, Map, Language.En, resent: false, canResend: false, now, confirmBy: by));
        Assert.DoesNotContain("Confirm your address before", Page(Taken(New().VerificationMailBounced(Received.AddMinutes(3))), Received), StringComparison.Ordinal);
        Assert.DoesNotContain("Confirm your address before", Page(New(), by.AddMinutes(1)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sent_again_banner_shows_only_while_the_request_waits_for_its_link()
    {
        // Review of 7 December: the page a resend leads to (…&resent=1), opened again later from a bookmark, said "we
        // sent the confirmation link again" on an answered or closed request.
        var banner = Localization.Texts.Get("ResentDone", Language.En);
        Assert.Contains(banner, System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(New(), Map, Language.En, resent: true, canResend: false, Received)), StringComparison.Ordinal);
        var closed = Taken(New().VerificationMailBounced(Received.AddMinutes(3)));
        Assert.DoesNotContain(banner, System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(closed, Map, Language.En, resent: true, canResend: false, Received)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_case_whose_link_the_mail_service_refused_for_good_closes_at_once_and_says_the_address_was_refused()
    {
        // Decision 141: "a fault on our side" was untrue when the address the requester gave was refused, and the case
        // could then neither expire (no link went) nor be closed by staff, its retention never starting.
        var refused = Taken(Written().VerificationMailRefused(Received.AddMinutes(1)));
        Assert.Equal(CaseStatus.Expired, refused.Status);
        Assert.True(refused.ClosedAsAddressRefused);
        Assert.Equal(RequestProgress.AddressRefusedByMailService, refused.Progress);
        Assert.False(refused.NeedsExpiryNotice);
        Assert.False(refused.NeedsWork);
        Assert.Equal(Received.AddMinutes(1), refused.ClosedAt);
        Assert.Equal(CaseRefusal.NotAsked, refused.VerificationMailRefused(Received.AddMinutes(2)).Refusal);
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(refused, Map, Language.Fr, resent: false, canResend: false, Received));
        Assert.Contains("notre service de messagerie a refusé l'adresse indiquée", page, StringComparison.Ordinal);
        Assert.Contains("la demande a donc été clôturée sans suite (RGPD art. 12, paragraphe 6)", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/privacy?lang=fr\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("panne de notre côté", page, StringComparison.Ordinal);
        // Not acted on, and no mail can go: the page names the remedies (Art. 12(4)), the authorities and the courts.
        Assert.Contains("(art. 77 RGPD)", page, StringComparison.Ordinal);
        Assert.Contains("Autorité de protection des données", page, StringComparison.Ordinal);
        Assert.Contains("(art. 79 RGPD)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("(art. 77 RGPD)", Http.Intake.ThanksPage.Body(New(), Map, Language.Fr, resent: false, canResend: false, Received), StringComparison.Ordinal);

        // Not once the link went. After a staff retry whose earlier link went, the new link refused closes it all the same:
        // nothing more can reach the requester (before, such a case failed again at every retry and could not be closed).
        Assert.Equal(CaseRefusal.NotAsked, New().VerificationMailRefused(Received.AddMinutes(1)).Refusal);
        var retried = Taken(Taken(New().Fail(Received.AddMinutes(1), "verify")).Retry("Staff One", Received.AddHours(1)));
        Assert.True(retried.NeedsVerificationMail);
        Assert.Equal(RequestProgress.AddressRefusedByMailService, Taken(retried.VerificationMailRefused(Received.AddHours(1).AddMinutes(1))).Progress);
    }

    [Theory]
    [InlineData(Language.En, "We extended this deadline, which was originally 1 April 2027 (GDPR Art. 12(3))")]
    [InlineData(Language.Nl, "We hebben deze termijn verlengd; oorspronkelijk liep die af op 1 april 2027 (art. 12, lid 3, AVG)")]
    [InlineData(Language.Fr, "Nous avons prolongé ce délai, qui expirait initialement le 1 avril 2027 (art. 12, paragraphe 3, RGPD)")]
    public void The_status_page_of_a_request_whose_deadline_was_extended_says_so_and_from_which_date(Language language, string extended)
    {
        // Session 44's hunt: the page gave the new date as "the legal deadline" with nothing of the extension, which the
        // requester may have missed in their mail (or whose mail bounced).
        var underWay = Taken(AwaitingApproval().StartWork(Received.AddDays(7)));
        var at = Received.AddDays(9);
        var longer = Taken(underWay.Extend(2, "Many systems to search", "Staff One", at, underWay.DueDate, Map));
        string Page(PrivacyCase c) => System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(c, Map, language, resent: false, canResend: false, at.AddDays(1)));

        Assert.Equal(new DateOnly(2027, 4, 1), underWay.DueDate);
        Assert.Contains(extended, Page(longer), StringComparison.Ordinal);
        Assert.Contains(Texts.Date(longer.DueDate, language), Page(longer), StringComparison.Ordinal);
        Assert.DoesNotContain(extended, Page(underWay), StringComparison.Ordinal);

        // An extension taken back because its mail did not go was never one: the page says nothing of it.
        var withdrawn = Taken(longer.WithdrawExtension(longer.Extensions[^1], at));
        Assert.DoesNotContain(extended, Page(withdrawn), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "On 3 March 2027 our mail service reported that our answer could not be delivered to your address")]
    [InlineData(Language.Nl, "Op 3 maart 2027 meldde onze e-maildienst dat ons antwoord niet bij uw adres kon worden afgeleverd")]
    [InlineData(Language.Fr, "Le 3 mars 2027, notre service de messagerie a signalé que notre réponse n'a pas pu être remise à votre adresse")]
    public void The_status_page_of_an_answered_request_whose_answer_bounced_says_it_did_not_arrive(Language language, string bounced)
    {
        // Session 44's hunt: "we sent our answer to the email address you gave" stayed the whole story after the mail
        // service reported the answer undelivered (the case page told staff; the requester's page did not).
        var answered = Completed();
        string Page(PrivacyCase c) => System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(c, Map, language, resent: false, canResend: false, Received.AddDays(3)));
        Assert.DoesNotContain(bounced, Page(answered), StringComparison.Ordinal);

        var report = Taken(answered.MailBounced(Mail.MailKind.ExportReady, "bounce/Content", Received.AddDays(2)));
        Assert.Contains(bounced, Page(report), StringComparison.Ordinal);
        Assert.Contains(Texts.Format("ThanksAnsweredBody", language, report.Id), Page(report), StringComparison.Ordinal);

        // Nothing was done or refused by mail the requester may not have: the page names the remedies (Art. 77, 79).
        Assert.Contains(language == Language.En ? "(Art. 77 GDPR)" : language == Language.Nl ? "(art. 77 AVG)" : "(art. 77 RGPD)", Page(report), StringComparison.Ordinal);

        // A report from before a retry sent the answer again is about the earlier sending; the resent answer's own
        // report is taken (one report per kind and sending) and shown.
        var resent = report with { AnswerSentAt = Received.AddDays(2).AddHours(1) };
        Assert.DoesNotContain(bounced, Page(resent), StringComparison.Ordinal);
        var again = Taken(resent.MailBounced(Mail.MailKind.ExportReady, "bounce/Content", Received.AddDays(2).AddHours(2)));
        Assert.Contains(System.Net.WebUtility.HtmlDecode(Texts.Format("ThanksAnswerBounced", language, Texts.Date(new DateOnly(2027, 3, 3), language), again.Id)), Page(again), StringComparison.Ordinal);

        // Another mail of the case bouncing (the acknowledgement) is not the answer.
        Assert.DoesNotContain(bounced, Page(Taken(answered.MailBounced(Mail.MailKind.Acknowledgement, "bounce/Content", Received.AddDays(2)))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_request_whose_notice_has_not_gone_names_the_remedies_on_its_page_until_the_notice_goes()
    {
        // Session 44's hunt: a request closed without being acted on is told why and of its remedies by mail (Art. 12(4));
        // while that mail could not go (the case flagged for staff), its page said it was closed and named no remedy.
        var expired = Taken(New().Expire(Received.AddDays(8), Week, Week));
        Assert.Equal(RequestProgress.ClosedAddressNotConfirmed, expired.Progress);
        var failed = Taken(expired.Fail(Received.AddDays(8), "expire"));
        foreach (var untold in new[] { expired, failed })
        {
            Assert.Equal(RequestProgress.ClosedAddressNotConfirmed, untold.Progress);
            var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(untold, Map, Language.En, resent: false, canResend: false, Received.AddDays(9)));
            Assert.Contains("(Art. 77 GDPR)", page, StringComparison.Ordinal);
            Assert.Contains("(Art. 79 GDPR)", page, StringComparison.Ordinal);
            Assert.Contains("within six weeks of receiving our answer (UAVG art. 35(2))", page, StringComparison.Ordinal);
        }

        // Once the notice went, the mail carries them; the page does not repeat them.
        var told = Taken(expired.ExpiryNoticeSent(Received.AddDays(8)));
        Assert.DoesNotContain("(Art. 77 GDPR)", Http.Intake.ThanksPage.Body(told, Map, Language.En, resent: false, canResend: false, Received.AddDays(9)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_the_mail_service_took_and_then_reported_as_bounced_closes_the_case_and_says_the_link_did_not_arrive()
    {
        // Decision 148: SendGrid takes nearly every address and reports a bounce later; the case waited for a link that
        // never arrived until its deadline, and the requester's page kept asking them to open it.
        var bounced = Taken(New().VerificationMailBounced(Received.AddMinutes(3)));
        Assert.Equal(CaseStatus.Expired, bounced.Status);
        Assert.True(bounced.ClosedAsAddressRefused);
        Assert.True(bounced.VerificationLinkBounced);
        Assert.Equal(RequestProgress.AddressRefusedByMailService, bounced.Progress);
        Assert.False(bounced.NeedsExpiryNotice);
        Assert.False(bounced.NeedsWork);
        Assert.Equal(Received.AddMinutes(3), bounced.ClosedAt);
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(bounced, Map, Language.Nl, resent: false, canResend: false, Received));
        Assert.Contains("onze maildienst meldde dat die link niet op dat adres kon worden bezorgd", page, StringComparison.Ordinal);
        Assert.Contains("(AVG art. 12, lid 6)", page, StringComparison.Ordinal);
        Assert.Contains("(art. 77 AVG)", page, StringComparison.Ordinal);
        Assert.Contains("(art. 79 AVG)", page, StringComparison.Ordinal);
        // The Dutch time limit runs from our answer, which this page is: not "from receiving this message", none went.
        Assert.Contains("binnen zes weken na ontvangst van ons antwoord", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dit bericht", page, StringComparison.Ordinal);
        Assert.DoesNotContain("weigerde", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/privacy?lang=nl\"", page, StringComparison.Ordinal);
        var trail = Audit.CaseAudit.Entries(bounced, new KeyedHash(new byte[32]));
        Assert.Equal("verification: reported undeliverable by the mail service", Assert.Single(trail, e => e.Action == Audit.AuditActions.VerificationMailBounced).Outcome);
        Assert.DoesNotContain(trail, e => e.Action == Audit.AuditActions.VerificationMailRefused);

        // A second report of it changes nothing; nor one for a case whose address was confirmed (the link, or one sent
        // again, did arrive), one before any link went (it is not this case's link), or a case that failed or finished.
        Assert.Equal(CaseRefusal.NotAsked, bounced.VerificationMailBounced(Received.AddMinutes(4)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, Verified().VerificationMailBounced(Received.AddMinutes(6)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, Written().VerificationMailBounced(Received.AddMinutes(1)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, Taken(New().Fail(Received.AddMinutes(1), "verify")).VerificationMailBounced(Received.AddMinutes(2)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, Completed().VerificationMailBounced(Received.AddMinutes(9)).Refusal);

        // The link refused when it was sent reads as before, not as a bounce.
        Assert.False(Taken(Written().VerificationMailRefused(Received.AddMinutes(1))).VerificationLinkBounced);
    }

    [Fact]
    public void Other_mail_reported_bounced_is_recorded_once_per_kind_also_on_a_closed_case_and_audited()
    {
        // Decision 148: an answer that bounced left no trace on the case; the alert was the only sign.
        var done = Completed();
        var once = Taken(done.MailBounced(Mail.MailKind.ExportReady, "bounce/Invalid Address", Received.AddDays(1)));
        Assert.Equal(CaseStatus.Completed, once.Status);
        Assert.Equal([new BouncedMail(Mail.MailKind.ExportReady, Received.AddDays(1), "bounce/Invalid Address")], once.BouncedMails);
        Assert.Equal(CaseRefusal.AlreadyDone, once.MailBounced(Mail.MailKind.ExportReady, "bounce/Invalid Address", Received.AddDays(2)).Refusal);
        var twice = Taken(once.MailBounced(Mail.MailKind.Acknowledgement, "dropped/Invalid", Received.AddDays(2)));
        Assert.Equal(2, twice.BouncedMails.Count);

        var trail = Audit.CaseAudit.Entries(twice, new KeyedHash(new byte[32])).Where(e => e.Action == Audit.AuditActions.MailBounced).ToList();
        Assert.Equal(["export-ready (bounce/Invalid Address)", "acknowledgement (dropped/Invalid)"], trail.Select(e => e.Outcome));
        Assert.Equal("het antwoord met de link naar de gegevens", Localization.Texts.MailKindName(Mail.MailKind.ExportReady, twice, Language.Nl));
        Assert.Equal("staff-task", Localization.Texts.MailKindName(Mail.MailKind.StaffTask, twice, Language.Nl));
        Assert.Equal("the refusal", Localization.Texts.MailKindName(Mail.MailKind.Rejection, twice, Language.En));
        var expired = Taken(Written().VerificationMailRefused(Received.AddMinutes(1)));
        Assert.Equal("the notice that the request was closed", Localization.Texts.MailKindName(Mail.MailKind.Rejection, expired, Language.En));

        // A link bounced for a reason that leaves the case open: the requester's page says it did not arrive, and how to
        // get another (or, with no resend left, whom to write to); not once the address is confirmed.
        var linkBounced = Taken(New().MailBounced(Mail.MailKind.Verification, "bounce/Reputation", Received.AddHours(2)));
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(linkBounced, Map, Language.En, resent: false, canResend: true, Received));
        Assert.Contains("Our mail service reported on", page, StringComparison.Ordinal);
        Assert.Contains("have it sent again below", page, StringComparison.Ordinal);
        var noResend = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(linkBounced, Map, Language.Fr, resent: false, canResend: false, Received));
        Assert.Contains("que le lien n'a pas pu être remis", noResend, StringComparison.Ordinal);
        Assert.DoesNotContain("ci-dessous", noResend, StringComparison.Ordinal);
        Assert.DoesNotContain("Our mail service reported", System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(New(), Map, Language.En, resent: false, canResend: true, Received)), StringComparison.Ordinal);

        // A link that bounced once the address was confirmed is nothing for staff to act on.
        Assert.Equal(CaseRefusal.AlreadyVerified, Verified().MailBounced(Mail.MailKind.Verification, "bounce/Content", Received.AddDays(1)).Refusal);
        Assert.Single(Taken(New().MailBounced(Mail.MailKind.Verification, "bounce/Content", Received.AddDays(1))).BouncedMails);
    }

    [Fact]
    public void A_link_reported_undelivered_for_a_reason_that_leaves_the_case_open_never_lets_it_close_as_not_confirmed()
    {
        // Review of 7 December: the link bounced for our reputation or a fault, the case stayed open (decision 148), and a
        // week later it closed as "the address was never confirmed", the requester told so at the address that took no mail.
        var bounced = Taken(New().MailBounced(Mail.MailKind.Verification, "bounce/Reputation", Received.AddHours(2)));
        var end = Received + Week;

        Assert.Equal(CaseRefusal.StillWaiting, bounced.ExpireRefusal(end.AddMinutes(-1), Week, Week));
        Assert.Equal(CaseRefusal.MailNotDelivered, bounced.ExpireRefusal(end, Week, Week));
        var held = Taken(bounced.Expire(end, Week, Week));
        Assert.Equal((CaseStatus.Failed, PrivacyCase.MailNotDeliveredStep), (held.Status, held.FailedStep));
        Assert.False(held.NeedsExpiryNotice);
        Assert.Equal(RequestProgress.HeldUpBeforeAddressConfirmed, held.Progress);
        // Without the report, the requester's silence closes it as before.
        Assert.Equal(CaseStatus.Expired, Taken(New().Expire(end, Week, Week)).Status);

        // Staff retry it: the new link's time runs from its sending, and the earlier link's report is not the new one's.
        var again = Taken(Taken(held.Retry("staff", end.AddDays(1))).VerificationMailSent(end.AddDays(1)));
        Assert.Null(again.LinkBouncedAt);
        Assert.Equal(CaseStatus.Expired, Taken(again.Expire(end.AddDays(1) + Week, Week, Week)).Status);
        // A report of the new link is recorded (not taken for the earlier one's posted again), and holds it again.
        var bouncedAgain = Taken(again.MailBounced(Mail.MailKind.Verification, "bounce/Technical", end.AddDays(2)));
        Assert.Equal(2, bouncedAgain.BouncedMails.Count);
        Assert.Equal(CaseRefusal.AlreadyDone, bouncedAgain.MailBounced(Mail.MailKind.Verification, "bounce/Technical", end.AddDays(3)).Refusal);
        // Both bounces are in the audit trail, each under a key of its own.
        Assert.Equal(2, Audit.CaseAudit.Entries(bouncedAgain, new KeyedHash(new byte[32])).Where(e => e.Action == Audit.AuditActions.MailBounced).Select(e => e.Key).Distinct().Count());

        // The link staff sent again did not arrive either: it cannot wait without end (review of decision 151), so it
        // closes as a link that did not reach its address does: no notice, the page saying so with the remedies.
        var closed = Taken(bouncedAgain.Expire(end.AddDays(1) + Week, Week, Week));
        Assert.Equal((CaseStatus.Expired, true, true), (closed.Status, closed.ClosedAsAddressRefused, closed.VerificationLinkBounced));
        Assert.False(closed.NeedsExpiryNotice);
        Assert.Equal(RequestProgress.AddressRefusedByMailService, closed.Progress);

        Assert.Equal(bouncedAgain.LinkBouncedAt, closed.VerificationMailRefusedAt);

        // A retry for another fault (not a bounce), then one bounce of the new link: held again, not closed (review).
        var otherFault = Taken(Taken(Taken(New().Fail(Received.AddHours(1), "LoadProgress")).Retry("staff", Received.AddHours(2))).VerificationMailSent(Received.AddHours(2)));
        var once = Taken(otherFault.MailBounced(Mail.MailKind.Verification, "bounce/Technical", Received.AddHours(3)));
        Assert.False(once.PreviousLinkBounced);
        Assert.Equal((CaseStatus.Failed, PrivacyCase.MailNotDeliveredStep), (Taken(once.Expire(Received.AddHours(2) + Week, Week, Week)).Status, Taken(once.Expire(Received.AddHours(2) + Week, Week, Week)).FailedStep));

        // The page of the case held up says the link did not arrive, not that a fault on our side holds it.
        var heldPage = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(held, Map, Language.En, resent: false, canResend: false, end));
        Assert.Contains("could not be delivered to it, so the request is on hold until our staff send a new link", heldPage, StringComparison.Ordinal);
        Assert.DoesNotContain("A fault on our side", heldPage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_late_report_of_an_earlier_link_is_matched_to_that_link_not_taken_for_the_one_staff_sent_since()
    {
        // Decision 151 left this: reports were matched to a sending by when they arrived. The mail service tries a
        // deferred mail for days before it reports it bounced; a staff retry meanwhile sent a new link, and the late
        // report of the first was taken for the new one: the case was held up at its expiry, its page saying the link
        // did not arrive, though the new link may have. Each link now carries which sending it is, and its report names it.
        var failed = Taken(New().Fail(Received.AddHours(1), "LoadProgress"));
        Assert.Equal("v0", failed.SendingOf(Mail.MailKind.Verification));
        var again = Taken(Taken(failed.Retry("staff", Received.AddHours(2))).VerificationMailSent(Received.AddHours(2)));
        Assert.Equal("v1", again.SendingOf(Mail.MailKind.Verification));
        Assert.Equal("v1", Mail.PrivacyMails.Verification(again, Map, new Uri("https://privacy.infomat.eu/verify?token=x"), Week).Sending);

        var late = Taken(again.MailBounced(Mail.MailKind.Verification, "bounce/Technical", Received.AddDays(3), sending: "v0"));

        Assert.Null(late.LinkBouncedAt);
        Assert.True(late.PreviousLinkBounced);
        // Its own silence closes it as not confirmed, as for any link that went.
        Assert.Equal(CaseStatus.Expired, Taken(late.Expire(Received.AddHours(2) + Week, Week, Week)).Status);
        // The same report posted again changes nothing; the new link's own report is recorded and holds the case, and
        // with the earlier one undelivered too, closes it at the expiry as a link that did not reach its address.
        Assert.Equal(CaseRefusal.AlreadyDone, late.MailBounced(Mail.MailKind.Verification, "bounce/Technical", Received.AddDays(4), sending: "v0").Refusal);
        var current = Taken(late.MailBounced(Mail.MailKind.Verification, "bounce/Technical", Received.AddDays(4), sending: "v1"));
        Assert.Equal(Received.AddDays(4), current.LinkBouncedAt);
        Assert.True(Taken(current.Expire(Received.AddHours(2) + Week, Week, Week)).VerificationLinkBounced);

        // A request for identification names its sending too: a report of the first request is not the second's.
        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("Els", "An invoice number.", Received.AddDays(1))).IdentificationMailSent(Received.AddDays(1)));
        var askedAgain = Taken(Taken(Taken(asked.IdentificationAnswered(Received.AddDays(2))).RequestIdentification("Jan", "A customer card.", Received.AddDays(3))).IdentificationMailSent(Received.AddDays(3)));
        Assert.Equal(("i0", "i1"), (asked.SendingOf(Mail.MailKind.IdentificationRequest), askedAgain.SendingOf(Mail.MailKind.IdentificationRequest)));
        Assert.Null(Taken(askedAgain.MailBounced(Mail.MailKind.IdentificationRequest, "bounce/Technical", Received.AddDays(4), sending: "i0")).IdentificationRequestBouncedAt);
        Assert.NotNull(Taken(askedAgain.MailBounced(Mail.MailKind.IdentificationRequest, "bounce/Technical", Received.AddDays(4), sending: "i1")).IdentificationRequestBouncedAt);
    }

    [Fact]
    public void A_case_flagged_failed_while_it_waited_for_identification_takes_a_possible_answer_from_triage_too()
    {
        // Review of decision 152: a failed case takes the answer itself (decision 106), so it must take this too, or
        // after a staff retry it closes as "the identification did not reach us" while the answer sat in triage.
        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("staff", "A copy of your ID card, please.", Received.AddDays(1))).IdentificationMailSent(Received.AddDays(1)));
        var failed = Taken(asked.Fail(Received.AddDays(2), "TendApprovalWait"));
        var inTriage = Taken(failed.IdentificationMailInTriage(Received.AddDays(3)));
        Assert.Equal(Received.AddDays(3), inTriage.IdentificationMailInTriageAt);

        // Its requester's page no longer asks them to answer: a mail that may be the answer is with staff.
        var open = Taken(asked.IdentificationMailInTriage(Received.AddDays(3)));
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(open, Map, Language.Fr, false, false, Received.AddDays(3)));
        Assert.Contains("un e-mail qui pourrait être votre réponse", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Répondez à ce mail", page, StringComparison.Ordinal);
        Assert.Contains("Répondez à ce mail", System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(asked, Map, Language.Fr, false, false, Received.AddDays(3))), StringComparison.Ordinal);
        var retried = Taken(inTriage.Retry("staff", Received.AddDays(30)));
        Assert.Equal(CaseRefusal.StaffMustDecide, retried.ExpireRefusal(Received.AddDays(30), Week, Week));
        Assert.Equal(CaseRefusal.NotAsked, Completed().IdentificationMailInTriage(Received.AddDays(3)).Refusal);
    }

    [Fact]
    public void A_request_for_identification_reported_undelivered_puts_the_case_back_with_staff_instead_of_letting_it_expire()
    {
        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("staff", "A copy of your ID card, please.", Received.AddDays(1))).IdentificationMailSent(Received.AddDays(1)));
        var end = Received.AddDays(1) + Week;
        Assert.Equal(ApprovalWaitAction.Expire, asked.ApprovalWaitAt(end, TimeSpan.FromDays(2), Week).Action);

        var bouncedAt = Received.AddDays(1).AddHours(1);
        var bounced = Taken(asked.MailBounced(Mail.MailKind.IdentificationRequest, "bounce/Technical", bouncedAt));

        // Nobody can answer a request that did not arrive: staff are reminded from the report on, and the case never
        // closes as "the identification did not reach us".
        Assert.Equal(CaseRefusal.StaffMustDecide, bounced.ExpireRefusal(end.AddDays(30), Week, Week));
        Assert.Equal(bouncedAt, bounced.ApprovalWaitStart(Received));
        var reminder = bounced.ApprovalWaitAt(bouncedAt.AddDays(2), TimeSpan.FromDays(2), Week);
        Assert.Equal(ApprovalWaitAction.Remind, reminder.Action);
        Assert.Equal(ApprovalWaitAction.Escalate, bounced.ApprovalWaitAt(bouncedAt + Week, TimeSpan.FromDays(2), Week).Action);
        // A page of a case under way or held up says a passed legal date has passed (review of decision 153).
        var underWay = Verified();
        Assert.Contains("The legal deadline for our answer is " + Localization.Texts.Date(underWay.DueDate, Language.En),
            System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(underWay, Map, Language.En, false, false, Received.AddDays(1))), StringComparison.Ordinal);
        Assert.Contains("it has passed, so our answer is late",
            System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(underWay, Map, Language.En, false, false, Received.AddDays(60))), StringComparison.Ordinal);

        // The requester's answer by another way is still taken, and their page says the mail did not reach them.
        Assert.True(bounced.AwaitsIdentification);
        Assert.Equal(RequestProgress.AwaitingIdentification, bounced.Progress);
        var page = System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(bounced, Map, Language.En, resent: false, canResend: false, Received));
        Assert.Contains("this mail could not be delivered to the address you gave", page, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be delivered", System.Net.WebUtility.HtmlDecode(Http.Intake.ThanksPage.Body(asked, Map, Language.En, resent: false, canResend: false, Received)), StringComparison.Ordinal);

        // Staff ask again: that request's wait is the requester's again, and its own report is recorded.
        var askedAgain = Taken(Taken(bounced.RequestIdentification("staff", "Please send it to info@infomat.eu.", Received.AddDays(3))).IdentificationMailSent(Received.AddDays(3)));
        Assert.Equal(ApprovalWaitAction.Expire, askedAgain.ApprovalWaitAt(Received.AddDays(3) + Week, TimeSpan.FromDays(2), Week).Action);
        Assert.Equal(2, Taken(askedAgain.MailBounced(Mail.MailKind.IdentificationRequest, "bounce/Technical", Received.AddDays(4))).BouncedMails.Count);
    }

    [Fact]
    public void Each_progress_has_a_wire_value_of_its_own_in_kebab_case()
    {
        var wires = Enum.GetValues<RequestProgress>().Select(p => p.ToWire()).ToList();

        // The public values, as the README's route table lists them: renaming a member must not change one unnoticed.
        Assert.Equal(
            ["awaiting-address-confirmation", "address-link-coming", "held-up-before-address-confirmed", "address-refused-by-mail-service", "awaiting-identification", "under-way", "answered",
             "closed-address-not-confirmed", "closed-identity-not-confirmed", "answered-outside", "joined-earlier-request"],
            wires);
    }

    [Fact]
    public void The_same_submission_is_word_for_word_and_its_fingerprint_changes_with_any_field()
    {
        var c = Written() with { Details = "My job title is Finance director." };
        var sent = Request with { Details = "My job title is Finance director.", Email = "AN.peeters@example.be" };
        Assert.True(c.IsSameSubmission(sent));
        Assert.Equal(PrivacyCase.SubmissionFingerprint(sent), PrivacyCase.SubmissionFingerprint(Request with { Details = sent.Details }));

        ValidRequest[] changed =
        [
            sent with { Details = "My job title is CFO." }, sent with { Name = "An Peters" }, sent with { Company = "Acme" },
            sent with { Type = RequestType.Rectification }, sent with { Entity = ControllerScope.Of("nl") },
            sent with { Objection = ObjectionScope.Other }, sent with { AlsoRights = [RequestType.Portability] }, sent with { Email = "jan.devries@example.nl" },
        ];
        Assert.All(changed, other =>
        {
            Assert.False(c.IsSameSubmission(other));
            Assert.NotEqual(PrivacyCase.SubmissionFingerprint(sent), PrivacyCase.SubmissionFingerprint(other));
        });
    }

    [Fact]
    public void A_carried_out_or_refused_case_is_answered()
    {
        Assert.Equal(RequestProgress.Answered, Completed().Progress);
        var refused = Taken(Taken(AwaitingApproval().Reject("Staff One", "The identity does not match.", Received.AddMinutes(8))).RejectionSent(Received.AddMinutes(9)));
        Assert.Equal(RequestProgress.Answered, refused.Progress);
    }

    [Fact]
    public void An_expired_case_says_which_confirmation_did_not_come()
    {
        var unconfirmed = Taken(New().Expire(Received + Week, Week, Week));
        Assert.Equal(RequestProgress.ClosedAddressNotConfirmed, unconfirmed.Progress);

        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("Staff One", "A copy of a bill.", Received.AddHours(1))).IdentificationMailSent(Received.AddHours(1)));
        Assert.Equal(RequestProgress.ClosedIdentityNotConfirmed, Taken(asked.Expire(Received.AddHours(1) + Week, Week, Week)).Progress);
    }

    [Fact]
    public void The_same_request_is_the_same_whatever_the_case_status_but_only_an_open_case_is_joined_by_content()
    {
        var answered = Completed();
        var sentAgain = Request with { Email = " An.Peeters@Example.be" };

        Assert.True(answered.AsksTheSame(sentAgain));
        Assert.False(answered.IsSameOpenRequest(sentAgain));
        Assert.False(answered.AsksTheSame(sentAgain with { Type = RequestType.Erasure }));
        Assert.False(answered.AsksTheSame(sentAgain with { Entity = ControllerScope.Of("be") }));
        Assert.False(answered.AsksTheSame(sentAgain with { Email = "jan.devries@example.nl" }));
        Assert.False(answered.AsksTheSame(sentAgain with { AlsoRights = [RequestType.Erasure] }));
    }
}
