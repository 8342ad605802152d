using Infomat.Privacy.Intake;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The classifier's reason is read by staff in NL, FR or EN: stored as codes, shown in the reader's language.</summary>
public sealed class CodedReasonTests
{
    private static MailVerdict Classify(string subject, string body) =>
        MailClassifier.Classify(new InboundMail("<1@x>", "an.peeters@example.be", "An Peeters", subject, body, DmarcVerdict.Pass, DateTimeOffset.UnixEpoch));

    [Theory]
    [InlineData("Inzage en overdraagbaarheid", "Dit is een verzoek om inzage en om overdraagbaarheid van mijn gegevens. An Peeters, Kerkstraat 1, Gent")]
    [InlineData("unsubscribe me", "Please unsubscribe me from your emails. An Peeters")]
    [InlineData("Mijn gegevens", "Hebben jullie mijn gegevens nog? Ik weet dat ik recht heb op verwijdering. An Peeters")]
    [InlineData("Klant", "Wat weten jullie over onze klant An Peeters?")]
    public void A_reason_reads_in_each_staff_language_differently_and_keeps_no_personal_data(string subject, string body)
    {
        var v = Classify(subject, body);
        var stored = v.Why.Encode();
        var texts = Enum.GetValues<Language>().Select(l => CodedReason.Render(stored, l)).ToList();

        Assert.Equal(3, texts.Distinct().Count());
        Assert.All(texts.Append(stored), t => Assert.DoesNotContain("peeters", t, StringComparison.OrdinalIgnoreCase));
        Assert.All(texts.Append(stored), t => Assert.DoesNotContain("kerkstraat", t, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(v.Reason, CodedReason.Render(stored, Language.En));
    }

    [Fact]
    public void Rights_in_a_reason_are_named_in_the_readers_language()
    {
        var why = BundledRights.Decide([RequestType.Access, RequestType.Portability], null).Why;
        Assert.Contains(Texts.RequestTypeName(RequestType.Portability, Language.Nl), why.Render(Language.Nl), StringComparison.Ordinal);
        Assert.Contains(Texts.RequestTypeName(RequestType.Portability, Language.Fr), why.Render(Language.Fr), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_stored_before_reasons_were_coded_is_shown_as_it_is()
    {
        Assert.Equal("weak signal only: 'verwijder'", CodedReason.Render("weak signal only: 'verwijder'", Language.Fr));
        Assert.Equal("[[not a code]]", CodedReason.Render("[[not a code]]", Language.Nl));
    }

    [Fact]
    public void A_refusal_stored_before_its_codes_still_renders()
    {
        // Triaged mails refused before the RefusedToo* codes kept an English phrase under the code "Refused".
        Assert.Equal("geweigerd, niet gelezen: larger than 10485760 bytes", CodedReason.Render("""[["Refused","larger than 10485760 bytes"]]""", Language.Nl));
    }

    [Fact]
    public void Every_reason_code_has_a_text_in_every_language()
    {
        var codes = new[]
        {
            "Automatic", "AutoReplySubject", "RightsListed", "RightsNegated", "ThirdParty", "WeakOnly", "PrivacyNoRight", "SetAside", "NoRequestPhrase",
            "NobodyAsks", "Phrase", "MarketingConsentOnly", "Unsubscribe", "ArticleWithoutFirstPerson", "NoRightAsked", "ErasureSubsumesWithdrawal",
            "ObjectionSubsumesWithdrawal", "AccessAndPortability", "ErasureAndObjection", "SeveralRights", "CaseRights", "Refused", "MadeFromTriage", "Text",
            "RefusedTooLarge", "RefusedTooDeep", "RefusedTooManyParts", "Unreadable", "NoSender",
        };
        foreach (var code in codes)
        {
            var texts = Enum.GetValues<Language>().Select(l => Texts.Get("Reason" + code, l)).ToList();
            Assert.All(texts, t => Assert.False(string.IsNullOrWhiteSpace(t), code));
        }
    }
}
