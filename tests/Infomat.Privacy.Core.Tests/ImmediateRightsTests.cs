using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Which rights are applied once the address is confirmed, without staff identity approval (decision 49).</summary>
public sealed class ImmediateRightsTests
{
    [Theory]
    [InlineData(null, StoreAction.WithdrawConsent)]
    [InlineData(ConsentScope.All, StoreAction.WithdrawConsent)]
    [InlineData(ConsentScope.Marketing, StoreAction.WithdrawMarketingConsent)]
    [InlineData(ConsentScope.Other, StoreAction.WithdrawOtherConsent)]
    public void A_withdrawal_of_consent_needs_no_approval_and_withdraws_what_was_withdrawn(ConsentScope? consent, StoreAction action)
    {
        Assert.False(ImmediateRights.NeedsApproval([RequestType.WithdrawConsent], null));
        Assert.Equal([action], ImmediateRights.Actions([RequestType.WithdrawConsent], null, consent));
    }

    [Fact]
    public void An_objection_to_direct_marketing_needs_no_approval_one_to_other_processing_does()
    {
        Assert.False(ImmediateRights.NeedsApproval([RequestType.Objection], ObjectionScope.DirectMarketing));
        Assert.Equal([StoreAction.ObjectToDirectMarketing], ImmediateRights.Actions([RequestType.Objection], ObjectionScope.DirectMarketing, null));
        Assert.True(ImmediateRights.NeedsApproval([RequestType.Objection], ObjectionScope.Other));
        Assert.Empty(ImmediateRights.Actions([RequestType.Objection], ObjectionScope.Other, null));
    }

    /// <summary>"I object to direct marketing and withdraw all my consent (recruitment too)": both run at once, the objection first.</summary>
    [Theory]
    [InlineData(ConsentScope.All, StoreAction.WithdrawConsent)]
    [InlineData(ConsentScope.Other, StoreAction.WithdrawOtherConsent)]
    public void An_objection_to_direct_marketing_with_a_further_withdrawal_of_every_or_other_consent_applies_both_at_once(ConsentScope consent, StoreAction withdrawal)
    {
        IReadOnlyList<RequestType> rights = [RequestType.Objection, RequestType.WithdrawConsent];
        Assert.False(ImmediateRights.NeedsApproval(rights, ObjectionScope.DirectMarketing));
        Assert.Equal([StoreAction.ObjectToDirectMarketing, withdrawal], ImmediateRights.Actions(rights, ObjectionScope.DirectMarketing, consent));
    }

    [Theory]
    [InlineData(RequestType.Access)]
    [InlineData(RequestType.Portability)]
    [InlineData(RequestType.Rectification)]
    [InlineData(RequestType.Erasure)]
    [InlineData(RequestType.Restriction)]
    public void Every_other_right_waits_for_staff_and_nothing_is_applied_at_once(RequestType right)
    {
        Assert.True(ImmediateRights.NeedsApproval([right], null));
        Assert.Empty(ImmediateRights.Actions([right], null, null));
    }

    [Fact]
    public void A_bundled_erasure_waits_for_staff_but_its_objection_and_withdrawal_are_applied_at_once()
    {
        IReadOnlyList<RequestType> rights = [RequestType.Erasure, RequestType.Objection, RequestType.WithdrawConsent];
        Assert.True(ImmediateRights.NeedsApproval(rights, ObjectionScope.DirectMarketing));
        Assert.Equal([StoreAction.ObjectToDirectMarketing, StoreAction.WithdrawConsent], ImmediateRights.Actions(rights, ObjectionScope.DirectMarketing, null));
        Assert.Equal([StoreAction.WithdrawConsent], ImmediateRights.Actions(rights, ObjectionScope.Other, null));
    }

    [Theory]
    [InlineData(RequestType.Objection, ObjectionScope.DirectMarketing, null, true)]
    [InlineData(RequestType.WithdrawConsent, null, ConsentScope.Marketing, true)]
    [InlineData(RequestType.Access, null, null, true)]
    [InlineData(RequestType.WithdrawConsent, null, ConsentScope.All, false)]
    [InlineData(RequestType.WithdrawConsent, null, ConsentScope.Other, false)]
    // Issue 18: anyone who can send for a domain passes DMARC for every address at it; an erasure is confirmed from the
    // mailbox itself before staff see it.
    [InlineData(RequestType.Erasure, null, null, false)]
    [InlineData(RequestType.Rectification, null, null, true)]
    public void A_sender_domain_that_passed_DMARC_stands_in_for_the_confirmation_link_only_where_a_forger_could_do_no_harm(
        RequestType right, ObjectionScope? objection, ConsentScope? consent, bool verifiedAtIntake)
    {
        // Review of decision 49: DMARC proves the domain, not the mailbox. Applied at once without staff, a withdrawal of
        // every consent (or of the recruitment pool) on a colleague's address would delete and suppress for good; stopping
        // marketing is no more than an unsubscribe link does. Those go through the confirmation link first.
        var request = new ValidRequest(right, "an.peeters@example.be", "An", null, ControllerScope.AllOf(TestSupport.TestDataMaps.Real.ControllerCodes), Language.Nl, null, objection) { Consent = consent };
        var c = Cases.PrivacyCase.Received(request, Channel.Email, new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), TestSupport.TestDataMaps.Real, Intake.DmarcVerdict.Pass);
        Assert.Equal(verifiedAtIntake, c.EmailVerifiedAt is not null);
        Assert.Equal(verifiedAtIntake ? Cases.CaseStatus.AwaitingIdentityApproval : Cases.CaseStatus.AwaitingEmailVerification, c.Status);
        Assert.Equal(Intake.DmarcVerdict.Pass, c.SenderAuthentication);
    }

    [Fact]
    public void An_erasure_asked_alongside_another_right_also_waits_for_the_confirmation_link_despite_a_DMARC_pass()
    {
        var request = new ValidRequest(RequestType.Access, "an.peeters@example.be", "An", null, ControllerScope.AllOf(TestSupport.TestDataMaps.Real.ControllerCodes), Language.Nl, null)
        {
            AlsoRights = [RequestType.Erasure],
        };
        var c = Cases.PrivacyCase.Received(request, Channel.Email, new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), TestSupport.TestDataMaps.Real, Intake.DmarcVerdict.Pass);
        Assert.Equal(Cases.CaseStatus.AwaitingEmailVerification, c.Status);
        Assert.Null(c.EmailVerifiedAt);
    }
}
