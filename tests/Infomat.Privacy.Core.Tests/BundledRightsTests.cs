using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>How a letter that asks for several rights becomes one case: each rule once, with the reason staff read.</summary>
public sealed class BundledRightsTests
{
    [Fact]
    public void Erasure_subsumes_withdrawal_of_consent_which_stays_on_the_case_to_be_applied_whatever_becomes_of_the_erasure()
    {
        var d = BundledRights.Decide([RequestType.WithdrawConsent, RequestType.Erasure], null);
        Assert.Equal(RequestType.Erasure, d.Rights!.Main);
        Assert.Equal([RequestType.WithdrawConsent], d.Rights.Also);
        Assert.Contains("erasure subsumes withdrawal of consent", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_objection_to_direct_marketing_subsumes_withdrawing_marketing_consent()
    {
        var d = BundledRights.Decide([RequestType.Objection, RequestType.WithdrawConsent], ObjectionScope.DirectMarketing);
        Assert.Equal((RequestType.Objection, 0, ObjectionScope.DirectMarketing), (d.Rights!.Main, d.Rights.Also.Count, d.Rights.Objection));
        Assert.Contains("objection to direct marketing subsumes", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ConsentScope.All)]
    [InlineData(ConsentScope.Other)]
    public void An_objection_to_direct_marketing_keeps_a_withdrawal_of_every_or_other_consent_on_the_case(ConsentScope consent)
    {
        var d = BundledRights.Decide([RequestType.Objection, RequestType.WithdrawConsent], ObjectionScope.DirectMarketing, consent);
        Assert.Equal((RequestType.Objection, ObjectionScope.DirectMarketing), (d.Rights!.Main, d.Rights.Objection));
        Assert.Equal([RequestType.WithdrawConsent], d.Rights.Also);
        Assert.DoesNotContain("subsumes", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_objection_to_direct_marketing_subsumes_a_withdrawal_of_marketing_consent_named_so()
    {
        var d = BundledRights.Decide([RequestType.WithdrawConsent, RequestType.Objection], ObjectionScope.DirectMarketing, ConsentScope.Marketing);
        Assert.Equal((RequestType.Objection, 0), (d.Rights!.Main, d.Rights.Also.Count));
    }

    [Fact]
    public void Withdrawal_with_an_objection_to_other_processing_is_for_staff()
    {
        var d = BundledRights.Decide([RequestType.Objection, RequestType.WithdrawConsent], ObjectionScope.Other);
        Assert.Null(d.Rights);
        Assert.Contains(Localization.Texts.RequestTypeName(RequestType.WithdrawConsent, Language.En), d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_and_portability_are_one_case_whose_export_has_both_parts()
    {
        var d = BundledRights.Decide([RequestType.Portability, RequestType.Access], null);
        Assert.Equal(RequestType.Access, d.Rights!.Main);
        Assert.Equal([RequestType.Portability], d.Rights.Also);
        Assert.Contains("one export with both parts", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ObjectionScope.DirectMarketing)]
    [InlineData(ObjectionScope.Other)]
    public void Erasure_and_objection_are_one_erasure_case_that_answers_the_objection_too(ObjectionScope scope)
    {
        var d = BundledRights.Decide([RequestType.Objection, RequestType.Erasure], scope);
        Assert.Equal((RequestType.Erasure, scope), (d.Rights!.Main, d.Rights.Objection));
        Assert.Equal([RequestType.Objection], d.Rights.Also);
    }

    [Fact]
    public void Erasure_objection_and_withdrawal_together_are_erasure_objection_and_withdrawal()
    {
        var d = BundledRights.Decide([RequestType.Erasure, RequestType.Objection, RequestType.WithdrawConsent], ObjectionScope.DirectMarketing);
        Assert.Equal(RequestType.Erasure, d.Rights!.Main);
        Assert.Equal([RequestType.Objection, RequestType.WithdrawConsent], d.Rights.Also);
    }

    [Theory]
    [InlineData(RequestType.Access, RequestType.Erasure)]
    [InlineData(RequestType.Rectification, RequestType.Restriction)]
    [InlineData(RequestType.Access, RequestType.Rectification)]
    public void Rights_answered_in_an_order_or_by_judgement_go_to_staff_with_both_named(RequestType first, RequestType second)
    {
        var d = BundledRights.Decide([first, second], null);
        Assert.Null(d.Rights);
        Assert.Contains(Localization.Texts.RequestTypeName(first, Language.En), d.Reason, StringComparison.Ordinal);
        Assert.Contains(Localization.Texts.RequestTypeName(second, Language.En), d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_right_is_that_right()
    {
        var d = BundledRights.Decide([RequestType.Restriction], null);
        Assert.Equal(RequestType.Restriction, d.Rights!.Main);
        Assert.Empty(d.Rights.Also);
    }
}
