using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.AspNetCore.Http.HttpResults;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Every text a requester reads names the controllers concerned (a case's controllers; without a case every controller
/// in the map) by legal name and enterprise number, and their complaint authorities — never a fixed pair of companies.
/// </summary>
public sealed class ControllerTextsTests
{
    private const string Gba = "Gegevensbeschermingsautoriteit";

    private static PrivacyCase Case(DataMap map, ControllerScope scope, Language language) =>
        PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, scope, language, "", null),
            Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), map);

    private static OutgoingMail[] VerificationAndAcknowledgement(DataMap map, PrivacyCase c) =>
    [
        PrivacyMails.Verification(c, map, new Uri("https://privacy.example/verify?token=t"), TimeSpan.FromDays(7)),
        PrivacyMails.Acknowledgement(c, map),
    ];

    /// <summary>
    /// A block of several lines (the signature, a list) keeps its lines in the HTML part as in the text part. Seen
    /// failing: the encoder turned each line break into <c>&amp;#xA;</c> before it could become a <c>&lt;br&gt;</c>, so a
    /// mail client showed "Kind regards, Infomat privacy team info@infomat.eu" on one line.
    /// </summary>
    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void The_lines_of_a_block_stay_lines_in_the_HTML_part(Language language)
    {
        var map = TestDataMaps.Real;
        foreach (var mail in VerificationAndAcknowledgement(map, Case(map, ControllerScope.Of("be"), language)))
        {
            Assert.DoesNotContain("&#xA;", mail.HtmlBody, StringComparison.Ordinal);
            var blocks = mail.TextBody.Split("\n\n").Where(b => b.Trim('\n').Contains('\n', StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(blocks);
            Assert.All(blocks, b => Assert.Contains(string.Join("<br>", b.Trim('\n').Split('\n').Select(HtmlText.Encode)), mail.HtmlBody, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(Language.Nl,
        "Verwerkingsverantwoordelijke: Infomat België (BE0460190566).",
        "U kunt een klacht indienen bij een toezichthoudende autoriteit, met name in het EU-land waar u woont, werkt of waar de vermeende inbreuk plaatsvond (art. 77 AVG), zoals: Gegevensbeschermingsautoriteit, Drukpersstraat 35, 1000 Brussel, tel. 02 274 48 00, contact@apd-gba.be; Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag, tel. 088 1805 250.")]
    [InlineData(Language.Fr,
        "Responsable du traitement : Infomat België (BE0460190566).",
        "Vous pouvez introduire une réclamation auprès d'une autorité de contrôle, en particulier dans le pays de l'UE où vous résidez, travaillez ou où la violation alléguée a eu lieu (art. 77 RGPD), par exemple : Autorité de protection des données, Rue de la Presse 35, 1000 Bruxelles, tél. 02 274 48 00, contact@apd-gba.be; Autoriteit Persoonsgegevens (autorité néerlandaise), Postbus 93374, 2509 AJ Den Haag, Pays-Bas, tél. +31 88 1805 250.")]
    [InlineData(Language.En,
        "Controller: Infomat België (BE0460190566).",
        "You may lodge a complaint with a supervisory authority, in particular in the EU country where you live, work or where the alleged infringement took place (Art. 77 GDPR), such as: Belgian Data Protection Authority (GBA/APD), Drukpersstraat 35, 1000 Brussels, Belgium, +32 2 274 48 00, contact@apd-gba.be; Dutch Data Protection Authority (Autoriteit Persoonsgegevens), Postbus 93374, 2509 AJ Den Haag, the Netherlands, +31 88 1805 250.")]
    public void A_mail_of_a_case_to_Infomat_Belgie_only_names_that_controller_and_every_authority_a_person_may_turn_to(Language language, string controllerLine, string complaintLine)
    {
        var map = TestDataMaps.Real;
        foreach (var mail in VerificationAndAcknowledgement(map, Case(map, ControllerScope.Of("be"), language)))
        {
            Assert.Contains(controllerLine, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(complaintLine, mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("Infomat Nederland", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("NL810585091B01", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(HtmlText.Encode(controllerLine), mail.HtmlBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Language.Nl,
        "Verwerkingsverantwoordelijken: Infomat België (BE0460190566) en Infomat Nederland (NL810585091B01).",
        "U kunt een klacht indienen bij een toezichthoudende autoriteit, met name in het EU-land waar u woont, werkt of waar de vermeende inbreuk plaatsvond (art. 77 AVG), zoals: Gegevensbeschermingsautoriteit, Drukpersstraat 35, 1000 Brussel, tel. 02 274 48 00, contact@apd-gba.be; Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag, tel. 088 1805 250.")]
    [InlineData(Language.Fr,
        "Responsables du traitement : Infomat België (BE0460190566) et Infomat Nederland (NL810585091B01).",
        "Vous pouvez introduire une réclamation auprès d'une autorité de contrôle, en particulier dans le pays de l'UE où vous résidez, travaillez ou où la violation alléguée a eu lieu (art. 77 RGPD), par exemple : Autorité de protection des données, Rue de la Presse 35, 1000 Bruxelles, tél. 02 274 48 00, contact@apd-gba.be; Autoriteit Persoonsgegevens (autorité néerlandaise), Postbus 93374, 2509 AJ Den Haag, Pays-Bas, tél. +31 88 1805 250.")]
    [InlineData(Language.En,
        "Controllers: Infomat België (BE0460190566) and Infomat Nederland (NL810585091B01).",
        "You may lodge a complaint with a supervisory authority, in particular in the EU country where you live, work or where the alleged infringement took place (Art. 77 GDPR), such as: Belgian Data Protection Authority (GBA/APD), Drukpersstraat 35, 1000 Brussels, Belgium, +32 2 274 48 00, contact@apd-gba.be; Dutch Data Protection Authority (Autoriteit Persoonsgegevens), Postbus 93374, 2509 AJ Den Haag, the Netherlands, +31 88 1805 250.")]
    public void A_mail_of_a_case_to_both_controllers_names_both_and_both_authorities(Language language, string controllerLine, string complaintLine)
    {
        var map = TestDataMaps.Real;
        foreach (var mail in VerificationAndAcknowledgement(map, Case(map, ControllerScope.AllOf(map.ControllerCodes), language)))
        {
            Assert.Contains(controllerLine, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(complaintLine, mail.TextBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Language.Nl, "Verwerkingsverantwoordelijke: Infomat Nederland (NL810585091B01).")]
    [InlineData(Language.En, "Controller: Infomat Nederland (NL810585091B01).")]
    public void A_mail_of_a_case_to_Infomat_Nederland_only_names_it_and_both_its_authorities(Language language, string controllerLine)
    {
        var map = TestDataMaps.Real;
        var c = Case(map, ControllerScope.Of("nl"), language) with { Decision = new IdentityDecision(DecisionOutcome.Reject, DateTimeOffset.UtcNow, "staff", "no match") };
        foreach (var mail in new[] { PrivacyMails.Rejection(c, map), PrivacyMails.Expired(c, map), PrivacyMails.ExportReady(c, map, new Uri("https://privacy.example/d"), DateTimeOffset.UtcNow) })
        {
            Assert.Contains(controllerLine, mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain("Infomat België", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("Autoriteit Persoonsgegevens", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(map.Authorities["gba"].Name.In(language), mail.TextBody, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    [InlineData(Language.En)]
    public void The_acknowledgement_and_the_export_summary_of_a_Luxembourg_case_name_Infomat_Luxembourg_and_its_authority_first(Language language)
    {
        var map = TestDataMaps.WithLuxembourg();
        var c = Case(map, ControllerScope.Of("lu"), language);
        var mail = PrivacyMails.Acknowledgement(c, map);
        var summary = ExportPackageWriter.RenderSummary(new ExportManifest(c.Id, language, c.Email, c.ReceivedAt, map, map.ControllersOf(c.Entity),
            [new StorePart(map.Store("lu/crm"), new Dictionary<string, int> { ["contacts"] = 1 })]));
        var summaryEnd = summary[summary.LastIndexOf("</ul>", StringComparison.Ordinal)..];

        foreach (var text in new[] { mail.TextBody, mail.HtmlBody, summary, summaryEnd })
        {
            Assert.Contains(TestDataMaps.LuxembourgLegalName, text, StringComparison.Ordinal);
            Assert.Contains(TestDataMaps.LuxembourgEnterpriseNumber, text, StringComparison.Ordinal);
            // The other companies are not named ("Nederland" alone may be where a processor works: the Azure region).
            Assert.DoesNotContain("Infomat België", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Infomat Nederland", text, StringComparison.Ordinal);
        }

        // Its own authority first; the others follow, as a person may complain where they live or work (Art. 77).
        foreach (var text in new[] { mail.TextBody, summary })
        {
            var cnpd = text.IndexOf("CNPD", StringComparison.Ordinal);
            Assert.True(cnpd >= 0 && cnpd < text.IndexOf("Autoriteit Persoonsgegevens", StringComparison.Ordinal), "the CNPD is named before the other authorities");
        }
    }

    [Fact]
    public void A_case_to_every_controller_of_a_three_controller_map_names_all_three_and_every_authority()
    {
        var map = TestDataMaps.WithLuxembourg();
        var mail = PrivacyMails.Acknowledgement(Case(map, ControllerScope.AllOf(map.ControllerCodes), Language.En), map);

        Assert.Contains("Controllers: Infomat België (BE0460190566), Infomat Nederland (NL810585091B01) and Infomat Luxembourg (LU99999999).",
            mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Belgian Data Protection Authority (GBA/APD)", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("CNPD", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_of_a_case_names_its_controllers_and_a_page_without_a_case_every_controller_in_the_map()
    {
        var map = TestDataMaps.WithLuxembourg();

        var ofCase = Footer(Http.Pages.Html.Page(map, Language.Fr, "Merci", "<p>ok</p>", scope: ControllerScope.Of("lu")));
        Assert.Contains("Responsable du traitement : Infomat Luxembourg (LU99999999).", ofCase, StringComparison.Ordinal);
        Assert.Contains("CNPD", ofCase, StringComparison.Ordinal);
        Assert.DoesNotContain("België", ofCase, StringComparison.Ordinal);
        Assert.DoesNotContain("Nederland", ofCase, StringComparison.Ordinal);
        Assert.True(ofCase.IndexOf("CNPD", StringComparison.Ordinal) < ofCase.IndexOf("Autorité de protection des données", StringComparison.Ordinal), "the case's own authority comes first");

        var noCase = Footer(Http.Pages.Html.Page(map, Language.Nl, "Formulier", "<p>ok</p>"));
        Assert.Contains("Verwerkingsverantwoordelijken: Infomat België (BE0460190566), Infomat Nederland (NL810585091B01) en Infomat Luxembourg (LU99999999).",
            noCase, StringComparison.Ordinal);
        Assert.Contains(Gba, noCase, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", noCase, StringComparison.Ordinal);
        Assert.Contains("CNPD", noCase, StringComparison.Ordinal);
    }

    [Fact]
    public void The_form_intro_and_the_controller_field_error_name_every_controller_in_the_map()
    {
        var map = TestDataMaps.WithLuxembourg();
        var error = new FieldError("entity", "ErrorEntity");

        Assert.StartsWith("Infomat België, Infomat Nederland and Infomat Luxembourg process personal data as described in their privacy policy.", Texts.FormIntro(map, Language.En), StringComparison.Ordinal);
        Assert.StartsWith("Infomat België, Infomat Nederland en Infomat Luxembourg verwerken persoonsgegevens", Texts.FormIntro(map, Language.Nl), StringComparison.Ordinal);
        Assert.StartsWith("Infomat België, Infomat Nederland et Infomat Luxembourg traitent des données personnelles", Texts.FormIntro(map, Language.Fr), StringComparison.Ordinal);
        Assert.Equal("Choose Infomat België, Infomat Nederland, Infomat Luxembourg or all of them.", Texts.ErrorMessage(error, map, Language.En));
        Assert.Equal("Kies Infomat België, Infomat Nederland, Infomat Luxembourg of alle.", Texts.ErrorMessage(error, map, Language.Nl));
        Assert.Equal("Choisissez Infomat België, Infomat Nederland, Infomat Luxembourg ou toutes.", Texts.ErrorMessage(error, map, Language.Fr));

        // The deployment's two companies: today's sentences.
        Assert.Equal("Choose Infomat België, Infomat Nederland or both.", Texts.ErrorMessage(error, TestDataMaps.Real, Language.En));
        Assert.Equal("Kies Infomat België, Infomat Nederland of beide.", Texts.ErrorMessage(error, TestDataMaps.Real, Language.Nl));
        Assert.Equal("Choisissez Infomat België, Infomat Nederland ou les deux.", Texts.ErrorMessage(error, TestDataMaps.Real, Language.Fr));
        Assert.Equal(Texts.Get("ErrorType", Language.Nl), Texts.ErrorMessage(new FieldError("type", "ErrorType"), map, Language.Nl));
    }

    [Fact]
    public void The_portability_schema_describes_the_data_provided_to_the_exports_controllers()
    {
        var map = TestDataMaps.WithLuxembourg();

        var lu = System.Text.Json.Nodes.JsonNode.Parse(PortabilityFormat.SchemaFor(map.ControllersOf(ControllerScope.Of("lu"))))!;
        var both = System.Text.Json.Nodes.JsonNode.Parse(PortabilityFormat.SchemaFor(TestDataMaps.Real.Controllers))!;

        Assert.Equal("The personal data a person provided to Infomat Luxembourg, per controller, store and table.", (string?)lu["description"]);
        Assert.Equal("The personal data a person provided to Infomat België and Infomat Nederland, per controller, store and table.", (string?)both["description"]);
        Assert.Equal("infomat-privacy-portability", (string?)lu["properties"]!["format"]!["const"]);
    }

    /// <summary>
    /// Issue 17 item 10: every answer and every refusal (the export, the action report, a rejection, an expiry) says the
    /// person may also go to court (Art. 79), and, where Infomat Nederland is concerned, within six weeks (UAVG art. 35);
    /// the mails that only confirm a step (verification, acknowledgement) do not.
    /// </summary>
    [Theory]
    [InlineData(Language.Nl, "beroep doen op de rechter (art. 79 AVG)", "zes weken")]
    [InlineData(Language.Fr, "recours juridictionnel devant les tribunaux (art. 79 RGPD)", "six semaines")]
    [InlineData(Language.En, "judicial remedy before the courts (Art. 79 GDPR)", "six weeks")]
    public void Every_answer_and_refusal_names_the_courts_and_the_Dutch_six_weeks_where_Infomat_Nederland_is_concerned(Language language, string courts, string sixWeeks)
    {
        var map = TestDataMaps.Real;
        foreach (var scope in new[] { ControllerScope.Of("be"), ControllerScope.Of("nl"), ControllerScope.AllOf(map.ControllerCodes) })
        {
            var c = Case(map, scope, language) with { Decision = new IdentityDecision(DecisionOutcome.Reject, DateTimeOffset.UtcNow, "staff", "no match") };
            var answers = new[]
            {
                PrivacyMails.Rejection(c, map),
                PrivacyMails.Expired(c, map),
                PrivacyMails.ExportReady(c, map, new Uri("https://privacy.example/d"), DateTimeOffset.UtcNow),
                PrivacyMails.ActionReport(c with { Type = RequestType.Erasure }, map, []),
            };
            foreach (var mail in answers)
            {
                Assert.Contains(courts, mail.TextBody, StringComparison.Ordinal);
                Assert.Contains(HtmlText.Encode(courts), mail.HtmlBody, StringComparison.Ordinal);
                Assert.Equal(1, Count(mail.TextBody, courts));
                if (scope.Codes.Contains("nl"))
                {
                    Assert.Contains(sixWeeks, mail.TextBody, StringComparison.Ordinal);
                    Assert.Contains("UAVG", mail.TextBody, StringComparison.Ordinal);
                }
                else
                {
                    Assert.DoesNotContain("UAVG", mail.TextBody, StringComparison.Ordinal);
                }
            }

            foreach (var step in VerificationAndAcknowledgement(map, c))
            {
                Assert.DoesNotContain(courts, step.TextBody, StringComparison.Ordinal);
            }
        }
    }

    private static int Count(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static string Footer(Microsoft.AspNetCore.Http.IResult page)
    {
        var html = Assert.IsType<Http.Pages.Html.SecurePage>(page).ResponseContent!;
        return html[html.IndexOf("<footer>", StringComparison.Ordinal)..];
    }
}
