using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 18 item 9: the form must not be a way to send text of one's choosing from info@infomat.eu to any address.
/// The mail to an address nobody has confirmed yet does not carry the name typed on the form, and the per-address limit
/// counts an address's plus-tags as the address.
/// </summary>
public sealed class MailCannonTests
{
    [Theory]
    [InlineData(Language.Nl, "Goedendag,")]
    [InlineData(Language.Fr, "Bonjour,")]
    [InlineData(Language.En, "Hello,")]
    public void The_verification_mail_does_not_repeat_the_name_typed_on_the_form(Language language, string greeting)
    {
        const string name = "Win a prize at https://evil.example now";
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "victim@example.be", name, "https://evil.example", ControllerScope.Of("be"), language, "", null),
            Channel.Form, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);

        var mail = PrivacyMails.Verification(c, TestDataMaps.Real, new Uri("https://privacy.example/verify?token=t"), TimeSpan.FromDays(7));

        Assert.StartsWith(greeting + "\n", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("prize", mail.TextBody, StringComparison.Ordinal);

        // Never confirmed, the request is closed when its time runs out: that mail too goes to whoever owns the address.
        var expired = PrivacyMails.Expired(c, TestDataMaps.Real);
        Assert.StartsWith(greeting + "\n", expired.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", expired.TextBody + expired.HtmlBody, StringComparison.Ordinal);

        // Once the address is confirmed with our link, the person is greeted by the name they gave.
        var confirmed = c with { VerificationMailSentAt = c.ReceivedAt.AddMinutes(1), EmailVerifiedAt = c.ReceivedAt.AddHours(1) };
        Assert.StartsWith(Localization.Texts.Format("MailGreeting", language, name), PrivacyMails.Acknowledgement(confirmed, TestDataMaps.Real).TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "Goedendag,")]
    [InlineData(Language.Fr, "Bonjour,")]
    [InlineData(Language.En, "Hello,")]
    public void A_mail_whose_domain_passed_dmarc_is_not_greeted_by_the_display_name_its_sender_chose(Language language, string greeting)
    {
        // Review of 7 December: a DMARC pass confirms an access request's address at once, but anyone who can send for a
        // domain passes for every address at it: the display name they chose went into our acknowledgement to a colleague.
        const string name = "Your mailbox is locked - sign in at https://evil.example/x";
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", name, null, ControllerScope.Of("be"), language, "Ik wil inzage.", null),
            Channel.Email, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real, Intake.DmarcVerdict.Pass);
        Assert.NotNull(c.EmailVerifiedAt);

        var ack = PrivacyMails.Acknowledgement(c, TestDataMaps.Real);

        Assert.StartsWith(greeting + "\n", ack.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", ack.TextBody + ack.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_requester_who_confirmed_with_the_first_link_after_a_staff_retry_is_greeted_by_name()
    {
        // Review: a staff retry of a case still to be confirmed sets its link aside for a new one; a click on the first
        // link before the new one went confirms the address with no link recorded as the case's current one.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, "", null),
            Channel.Form, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);
        var confirmed = c with { EarlierVerificationMails = [c.ReceivedAt.AddMinutes(1)], VerificationMailSentAt = null, EmailVerifiedAt = c.ReceivedAt.AddHours(2) };

        Assert.StartsWith("Hello An Peeters,", PrivacyMails.Acknowledgement(confirmed, TestDataMaps.Real).TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "within 2 days")]
    [InlineData(Language.Nl, "binnen 2 dagen")]
    [InlineData(Language.Fr, "dans un délai de 2 jours")]
    public void A_link_sent_again_says_no_longer_than_it_still_works(Language language, string within)
    {
        // Sent again with 2 days and 14 hours left: "3 days" would promise ten hours the link does not have.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), language, "", null),
            Channel.Form, new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);

        var mail = PrivacyMails.Verification(c, TestDataMaps.Real, new Uri("https://privacy.example/verify?token=t"), TimeSpan.FromDays(2) + TimeSpan.FromHours(14));

        Assert.Contains(within, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(Localization.Texts.Duration(TimeSpan.FromDays(7), language), PrivacyMails.Verification(c, TestDataMaps.Real, new Uri("https://privacy.example/verify?token=t"), TimeSpan.FromDays(7)).TextBody, StringComparison.Ordinal);
        Assert.Equal("7 " + (language == Language.En ? "days" : language == Language.Nl ? "dagen" : "jours"), Localization.Texts.Duration(TimeSpan.FromDays(7), language));
    }

    [Theory]
    [InlineData("An.Peeters+1@Example.be", "an.peeters@example.be")]
    [InlineData("an.peeters+promo+x@example.be", "an.peeters@example.be")]
    [InlineData(" an.peeters@example.be ", "an.peeters@example.be")]
    [InlineData("+tag@example.be", "+tag@example.be")]
    public void The_per_address_limit_counts_plus_tags_as_the_address(string typed, string key) =>
        Assert.Equal(key, EmailAddresses.LimitKey(typed));
}
