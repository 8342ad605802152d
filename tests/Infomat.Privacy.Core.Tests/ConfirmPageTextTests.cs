using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The pages around the address's confirmation say what comes next as the case will do it: a staff check only for what
/// waits for one (a withdrawal of consent or an objection to direct marketing is applied at once, decision 49).
/// </summary>
public sealed class ConfirmPageTextTests
{
    private static PrivacyCase Case(RequestType type, ObjectionScope? objection = null, IReadOnlyList<RequestType>? also = null) =>
        PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, objection) { AlsoRights = also ?? [] },
            Channel.Form, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);

    [Fact]
    public void A_withdrawal_of_consent_is_not_promised_a_staff_check_it_does_not_get()
    {
        var c = Case(RequestType.WithdrawConsent);

        foreach (var l in new[] { Language.Nl, Language.Fr, Language.En })
        {
            Assert.Equal(Texts.Format("VerifyBodyAtOnce", l, c.Id), PrivacyMails.VerifyPageBody(c, l));
            Assert.Equal(Texts.Format("VerifiedBodyAtOnce", l, c.Id, Texts.Date(c.DueDate, l)) + " " + Texts.Format("VerifiedDue", l, Texts.Date(c.DueDate, l)), PrivacyMails.VerifiedPageBody(c, l));
        }

        Assert.DoesNotContain("staff", PrivacyMails.VerifyPageBody(c, Language.En) + PrivacyMails.VerifiedPageBody(c, Language.En), StringComparison.Ordinal);
        Assert.DoesNotContain("medewerker", PrivacyMails.VerifyPageBody(c, Language.Nl) + PrivacyMails.VerifiedPageBody(c, Language.Nl), StringComparison.Ordinal);
        Assert.DoesNotContain("personnel", PrivacyMails.VerifyPageBody(c, Language.Fr) + PrivacyMails.VerifiedPageBody(c, Language.Fr), StringComparison.Ordinal);
    }

    [Fact]
    public void An_erasure_with_an_objection_to_direct_marketing_names_what_is_applied_at_once_and_sends_the_rest_to_staff()
    {
        var c = Case(RequestType.Erasure, ObjectionScope.DirectMarketing, [RequestType.Objection]);

        Assert.Equal("Confirm that you sent request " + c.Id + ". We then apply your objection to direct marketing (Art. 21(2) and (3) GDPR) at once, without further checks; a member of Infomat staff checks the rest.",
            PrivacyMails.VerifyPageBody(c, Language.En));
        Assert.StartsWith("We now apply your objection to direct marketing (Art. 21(2) and (3) GDPR) at once", PrivacyMails.VerifiedPageBody(c, Language.En), StringComparison.Ordinal);
    }

    [Fact]
    public void An_access_request_goes_to_staff()
    {
        var c = Case(RequestType.Access);

        Assert.Equal(Texts.Format("VerifyBody", Language.Fr, c.Id), PrivacyMails.VerifyPageBody(c, Language.Fr));
        Assert.Equal(Texts.Format("VerifiedBody", Language.Fr, c.Id, Texts.Date(c.DueDate, Language.Fr)) + " " + Texts.Format("VerifiedDue", Language.Fr, Texts.Date(c.DueDate, Language.Fr)), PrivacyMails.VerifiedPageBody(c, Language.Fr));
    }

    [Fact]
    public void What_the_requester_is_told_of_the_legal_date_is_true_when_it_has_passed_or_was_extended()
    {
        // Review of 7 December: a case made from a mail staff took from triage weeks late (its date runs from the mail's
        // arrival), or one held up and confirmed late, was told "one month: you will hear from us by <a past date>; if we
        // need more time we will tell you before then", which could no longer be true.
        var c = Case(RequestType.Access) with { EmailVerifiedAt = new DateTimeOffset(2026, 12, 2, 9, 5, 0, TimeSpan.Zero) };
        var late = c.EmailVerifiedAt!.Value.AddDays(45);
        foreach (var l in new[] { Language.Nl, Language.Fr, Language.En })
        {
            var due = Texts.Date(c.DueDate, l);
            Assert.EndsWith(Texts.Format("VerifiedDue", l, due), PrivacyMails.VerifiedPageBody(c, l), StringComparison.Ordinal);
            Assert.EndsWith(Texts.Format("VerifiedDueLate", l, due), PrivacyMails.VerifiedPageBody(c, l, late), StringComparison.Ordinal);

            var inLanguage = c with { Language = l };
            var onTime = PrivacyMails.Acknowledgement(inLanguage, TestDataMaps.Real, now: c.EmailVerifiedAt).TextBody;
            // The moment received with its time zone named, as every moment a requester reads (session 45's hunt).
            Assert.Contains(Texts.Format("MailAckBody", l, c.Id, Texts.Rights(inLanguage, l), Texts.Deadline(c.ReceivedAt, l), due), onTime, StringComparison.Ordinal);
            Assert.Contains(Texts.Format("MailAckBodyLate", l, c.Id, Texts.Rights(inLanguage, l), Texts.Deadline(c.ReceivedAt, l), due),
                PrivacyMails.Acknowledgement(inLanguage, TestDataMaps.Real, now: late).TextBody, StringComparison.Ordinal);
        }

        var lateAck = PrivacyMails.Acknowledgement(c, TestDataMaps.Real, now: late).TextBody;
        Assert.Contains("that date has passed, so our answer is late", lateAck, StringComparison.Ordinal);
        Assert.DoesNotContain("we will tell you by that date at the latest", lateAck, StringComparison.Ordinal);

        var extended = c.Extend(1, "Many requests after an incident.", "Els", c.EmailVerifiedAt!.Value, c.DueDate, TestDataMaps.Real).Changed!;
        Assert.True(extended.DueDate > c.DueDate);
        var extendedAck = PrivacyMails.Acknowledgement(extended, TestDataMaps.Real, now: c.EmailVerifiedAt).TextBody;
        Assert.Contains("the period for this request was extended: you will hear from us by " + Texts.Date(extended.DueDate, Language.En), extendedAck, StringComparison.Ordinal);
        Assert.DoesNotContain("The law gives us one month to answer (GDPR Art. 12(3)): you will hear", extendedAck, StringComparison.Ordinal);

        // The request for identification promises an extension notice only while one may still be decided.
        var asked = c with { IdentificationRequestedAt = c.EmailVerifiedAt!.Value.AddDays(3) };
        var more = Texts.Format("MailIdentificationMoreTime", Language.En, Texts.Date(c.DueDate, Language.En));
        Assert.Contains(more, PrivacyMails.IdentificationRequest(asked, TestDataMaps.Real, "Your customer number.", TimeSpan.FromDays(14)).TextBody, StringComparison.Ordinal);
        var askedLate = c with { IdentificationRequestedAt = late };
        Assert.DoesNotContain("If we need more time", PrivacyMails.IdentificationRequest(askedLate, TestDataMaps.Real, "Your customer number.", TimeSpan.FromDays(14)).TextBody, StringComparison.Ordinal);
    }
}
