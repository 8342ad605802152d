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
            Assert.Equal(Texts.Format("VerifiedBodyAtOnce", l, c.Id, Texts.Date(c.DueDate, l)), PrivacyMails.VerifiedPageBody(c, l));
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
        Assert.Equal(Texts.Format("VerifiedBody", Language.Fr, c.Id, Texts.Date(c.DueDate, Language.Fr)), PrivacyMails.VerifiedPageBody(c, Language.Fr));
    }
}
