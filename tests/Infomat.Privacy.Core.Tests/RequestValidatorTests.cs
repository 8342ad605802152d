using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

public sealed class RequestValidatorTests
{
    private static readonly IReadOnlyList<string> Codes = TestDataMaps.Real.ControllerCodes;

    private static RequestSubmission Good => new("access", "an.peeters@example.be", "An Peeters", null, null, "nl", null);

    [Fact]
    public void A_complete_request_is_valid_and_defaults_to_both_entities()
    {
        var (request, errors) = RequestValidator.Validate(Good, Codes);
        Assert.Empty(errors);
        Assert.Equal(RequestType.Access, request!.Type);
        Assert.True(request.Entity.IsAll);
        Assert.Equal(["be", "nl"], request.Entity.Codes);
        Assert.Equal(Language.Nl, request.Language);
    }

    [Theory]
    [InlineData("access", RequestType.Access)]
    [InlineData("portability", RequestType.Portability)]
    [InlineData("rectification", RequestType.Rectification)]
    [InlineData("erasure", RequestType.Erasure)]
    [InlineData("restriction", RequestType.Restriction)]
    [InlineData("objection", RequestType.Objection)]
    [InlineData("withdraw-consent", RequestType.WithdrawConsent)]
    public void Every_wire_type_of_the_contract_is_accepted(string wire, RequestType expected)
    {
        var (request, errors) = RequestValidator.Validate(Good with { Type = wire, Details = "Mijn functietitel klopt niet." }, Codes);
        Assert.Empty(errors);
        Assert.Equal(expected, request!.Type);
        Assert.Equal(wire, expected.ToWire());
    }

    [Theory]
    [InlineData(Language.En, "from your network", "Each request we accepted before")]
    [InlineData(Language.Nl, "vanaf uw netwerk", "Elk verzoek dat we eerder aanvaardden")]
    [InlineData(Language.Fr, "depuis votre réseau", "Chaque demande que nous avons acceptée auparavant")]
    public void The_too_many_page_does_not_say_earlier_requests_are_registered_to_a_client_whose_posts_were_all_refused(Language language, string network, string accepted)
    {
        // Review of 7 December: the per-client limit counts every post from a network address (refused ones, other people
        // behind the same address); "your earlier requests are registered" could be untrue for the person reading it.
        var text = Localization.Texts.Format("TooManyBody", language, 5);
        Assert.Contains(network, text, StringComparison.Ordinal);
        Assert.Contains(accepted, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "optional)", "Needed for a rectification")]
    [InlineData(Language.Nl, "optioneel)", "Nodig bij een verbetering")]
    [InlineData(Language.Fr, "facultatif)", "Nécessaires pour une rectification")]
    public void The_form_does_not_call_details_optional_where_the_rule_requires_them(Language language, string optional, string needed)
    {
        // Review of 7 December: the label said "Details (optional)" while a rectification is refused without them.
        var (_, errors) = RequestValidator.Validate(new RequestSubmission("rectification", "an.peeters@example.be", "An", null, "be", "en", null), Codes);
        Assert.Contains(errors, e => e.Field == "details");

        Assert.DoesNotContain(optional, Localization.Texts.Get("FieldDetails", language), StringComparison.Ordinal);
        Assert.Contains(needed, Localization.Texts.Get("FieldDetailsHint", language), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_field_is_named_at_once()
    {
        var (request, errors) = RequestValidator.Validate(new RequestSubmission("delete-everything", "not-an-address", " ", null, "de", "es", null), Codes);
        Assert.Null(request);
        Assert.Equal(["type", "email", "name", "entity", "language"], errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("An <an@example.be>")]
    [InlineData("an@example")]
    [InlineData("an@@example.be")]
    [InlineData("an peeters@example.be")]
    [InlineData("an@example.be\r\nBcc: x@example.com")]
    public void Addresses_with_display_names_spaces_or_header_injection_are_refused(string email)
    {
        var (_, errors) = RequestValidator.Validate(Good with { Email = email }, Codes);
        Assert.Contains(errors, e => e.Field == "email" && e.Code == "ErrorEmail");
    }

    [Fact]
    public void Over_long_details_are_refused_rather_than_cut()
    {
        var (_, errors) = RequestValidator.Validate(Good with { Details = new string('x', RequestValidator.MaxDetailsLength + 1) }, Codes);
        Assert.Contains(errors, e => e.Field == "details" && e.Code == "ErrorTooLong");
    }

    [Fact]
    public void Control_characters_are_removed_from_names_but_new_lines_stay_in_details()
    {
        var (request, _) = RequestValidator.Validate(Good with { Name = "An\u0007 Peeters", Details = "line 1\nline 2" }, Codes);
        Assert.Equal("An Peeters", request!.Name);
        Assert.Equal("line 1\nline 2", request.Details);
    }

    [Fact]
    public void A_rectification_must_say_what_to_correct()
    {
        var (request, errors) = RequestValidator.Validate(Good with { Type = "rectification" }, Codes);
        Assert.Null(request);
        Assert.Equal([new FieldError("details", "ErrorDetailsRectification")], errors);
    }

    [Fact]
    public void An_objection_is_to_direct_marketing_unless_it_says_otherwise_and_then_needs_a_motivation()
    {
        var (marketing, none) = RequestValidator.Validate(Good with { Type = "objection" }, Codes);
        Assert.Empty(none);
        Assert.Equal(ObjectionScope.DirectMarketing, marketing!.Objection);

        var (_, errors) = RequestValidator.Validate(Good with { Type = "objection", Objection = "other" }, Codes);
        Assert.Equal([new FieldError("details", "ErrorDetailsObjection")], errors);

        var (other, _) = RequestValidator.Validate(Good with { Type = "objection", Objection = "other", Details = "Ik sta niet graag in de notities." }, Codes);
        Assert.Equal(ObjectionScope.Other, other!.Objection);

        var (_, bad) = RequestValidator.Validate(Good with { Type = "objection", Objection = "everything" }, Codes);
        Assert.Equal([new FieldError("objection", "ErrorObjection")], bad);
    }

    [Fact]
    public void The_objection_field_is_ignored_for_other_types()
    {
        var (request, errors) = RequestValidator.Validate(Good with { Objection = "nonsense" }, Codes);
        Assert.Empty(errors);
        Assert.Null(request!.Objection);
    }
}
