using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 16, items 6 and 8: an objection to direct marketing stops the client-relations mailings too, and the report
/// says so truly; portability (Art. 20) holds only what the person provided on consent or contract, and says what it left out.
/// </summary>
public sealed class MailingsAndPortabilityTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    private static async IAsyncEnumerable<StoreRecord> CrmRecords([EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.Yield();
        yield return new StoreRecord("contacts", new JsonObject { ["id"] = 1, ["first_name"] = "An", ["last_name"] = "Peeters", ["gender"] = "V", ["job_title"] = "CFO", ["phone"] = "+32 3", ["email"] = "an.peeters@example.be", ["company"] = "Brouwerij Peeters NV" });
        yield return new StoreRecord("newsletter_subscriptions", new JsonObject { ["id"] = 7, ["email"] = "an.peeters@example.be", ["list"] = "Events", ["email_normalized"] = "an.peeters@example.be" });
    }

    private static ExportManifest Manifest(Language language, bool accessToo) =>
        new("PR-AAAA-BBBB-CCCC", language, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, [Map.Controller("be")],
            [new StorePart(Map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = 1, ["newsletter_subscriptions"] = 1 })], Portability: true, AccessToo: accessToo);

    private static async Task<ZipArchive> ExportAsync(ExportManifest manifest)
    {
        var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => CrmRecords(), CancellationToken.None);
        return new ZipArchive(new MemoryStream(output.ToArray()));
    }

    [Theory]
    [InlineData(RequestType.Access, Language.Nl, "als die er zijn", "art. 15 AVG")]
    [InlineData(RequestType.Access, Language.Fr, "s'il y en a", "art. 15 RGPD")]
    [InlineData(RequestType.Access, Language.En, "if any", "Art. 15 GDPR")]
    [InlineData(RequestType.Portability, Language.Nl, "als we die hebben", "art. 20 AVG")]
    [InlineData(RequestType.Portability, Language.Fr, "si nous en détenons", "art. 20 RGPD")]
    [InlineData(RequestType.Portability, Language.En, "if we hold any", "Art. 20 GDPR")]
    public void The_export_mail_does_not_promise_data_a_search_that_found_none_did_not_put_in_the_zip(RequestType type, Language language, string ifAny, string article)
    {
        // Review of 7 December: the access mail said "a zip file with ... your data" and the portability mail "with the
        // data you provided to us" whatever the search found; a zip holding nothing of the person (or nothing portable)
        // goes out with the same mail, so the mail must say it holds what we found, if anything, and on which article.
        var c = PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), language, null),
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map);

        var text = PrivacyMails.ExportReady(c, Map, new Uri("https://privacy.example/d"), new DateTimeOffset(2026, 12, 20, 12, 0, 0, TimeSpan.Zero)).TextBody;

        Assert.Contains(ifAny, text, StringComparison.Ordinal);
        Assert.Contains(article, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "We sturen u geen mailings meer over events, diensten of producten", "art. 21, lid 2 en 3, AVG")]
    [InlineData(Language.Fr, "Nous ne vous envoyons plus de mailings sur nos évènements, services ou produits", "art. 21, paragraphes 2 et 3, RGPD")]
    [InlineData(Language.En, "We send you no more mailings about events, services or products", "Art. 21(2) and (3) GDPR")]
    public void The_objection_report_says_the_crm_contact_gets_no_more_mailings_and_does_not_say_its_processing_stopped(Language language, string mailings, string article)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Objection, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), language, null, ObjectionScope.DirectMarketing),
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map);
        var crm = new StoreOutcome("be/crm", StoreAction.ObjectToDirectMarketing,
        [
            new TableOutcome("contacts", 1, 0, 0, 0, 1, 0, [], 1),
            new TableOutcome("activity_notes", 2, 0, 0, 0, 0, 0, [], 2),
            new TableOutcome("newsletter_subscriptions", 1, 1, 0, 0, 0, 0, [], 0),
            new TableOutcome("consent_records", 0, 0, 0, 0, 0, 0, [], 0),
        ], true);

        var report = PrivacyMails.ActionReport(c, Map, [crm]).TextBody;

        Assert.Contains(article, report, StringComparison.Ordinal);
        var contactLine = report.Split('\n').Single(line => line.StartsWith(Map.Store("be/crm").Tables[0].Name.In(language) + (language == Language.Fr ? " :" : ":"), StringComparison.Ordinal));
        Assert.Contains(mailings, contactLine, StringComparison.Ordinal);
        // The contact is kept for the services to the employer: "so that the processing stops" would be untrue there.
        Assert.DoesNotContain(Texts(language), contactLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "art. 21, lid 2, AVG: we beschouwen uw intrekking ook als bezwaar tegen deze mailings")]
    [InlineData(Language.Fr, "art. 21, paragraphe 2, RGPD : nous considérons aussi votre retrait comme une opposition à ces mailings")]
    [InlineData(Language.En, "Art. 21(2) GDPR: we take your withdrawal as an objection to these mailings too")]
    public void A_withdrawal_of_marketing_consent_that_also_stops_the_client_relations_mailings_says_why_not_that_the_person_objected(Language language, string why)
    {
        // Review of issue 16: the client-relations mailings rest on legitimate interest, not consent; a withdrawal stops
        // them only because we take it as an objection too, and the line must say so rather than cite Art. 21(3) alone.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.WithdrawConsent, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), language, null) { Consent = ConsentScope.Marketing },
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map);
        var crm = new StoreOutcome("be/crm", StoreAction.WithdrawMarketingConsent, [new TableOutcome("contacts", 1, 0, 0, 0, 1, 0, [], 1)], true);

        var report = PrivacyMails.ActionReport(c, Map, [crm]).TextBody;

        var contactLine = report.Split('\n').Single(line => line.StartsWith(Map.Store("be/crm").Tables[0].Name.In(language) + (language == Language.Fr ? " :" : ":"), StringComparison.Ordinal));
        Assert.Contains(why, contactLine, StringComparison.Ordinal);
    }

    private static string Texts(Language language) => language switch
    {
        Language.Nl => "zodat de verwerking stopt",
        Language.Fr => "pour arrêter le traitement",
        _ => "so that the processing stops",
    };

    [Theory]
    [InlineData(Language.Nl, "Ook gebruikt voor", "Klantrelaties: mailings over events, diensten en producten")]
    [InlineData(Language.Fr, "Également utilisées pour", "Relation clients : mailings sur les évènements, services et produits")]
    [InlineData(Language.En, "Also used for", "Client relations: mailings about events, services and products")]
    public void The_access_summary_says_a_crm_contact_also_serves_the_client_relations_mailings(Language language, string label, string purpose)
    {
        var manifest = new ExportManifest("PR-AAAA-BBBB-CCCC", language, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, [Map.Controller("be")],
            [new StorePart(Map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = 1 })]);

        var html = ExportPackageWriter.RenderSummary(manifest);

        Assert.Contains($"<dt>{label}</dt><dd>{Infomat.Privacy.Localization.HtmlText.Encode(purpose)}", html, StringComparison.Ordinal);
        Assert.Contains("21", html.Split("<dt>" + label + "</dt>")[1].Split("</dd>")[0], StringComparison.Ordinal);

        // Review of 7 December: a person who objected earlier (their code on the suppression list) was still told the
        // contact is used for the mailings, and offered an objection they had made.
        var stopped = ExportPackageWriter.RenderSummary(manifest with { Parts = [manifest.Parts[0] with { Suppressed = true }] });
        var line = stopped.Split("<dt>" + label + "</dt>")[1].Split("</dd>")[0];
        var tail = Infomat.Privacy.Localization.Texts.Format("SummaryAlsoUsedForStopped", language, string.Empty, string.Empty)[4..];
        Assert.Contains(Infomat.Privacy.Localization.HtmlText.Encode(purpose), line, StringComparison.Ordinal);
        Assert.Contains(Infomat.Privacy.Localization.HtmlText.Encode(tail), line, StringComparison.Ordinal);
        Assert.DoesNotContain("21", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_json_and_the_summary_name_the_same_day_it_was_prepared_late_in_the_evening()
    {
        // 23:30 UTC on 14 March is 00:30 on the 15th in Brussels: the summary said the 15th, data.json the 14th.
        var manifest = Manifest(Language.En, accessToo: false) with { PreparedAt = new DateTimeOffset(2027, 3, 14, 23, 30, 0, TimeSpan.Zero) };
        using var zip = await ExportAsync(manifest);

        var data = JsonNode.Parse(zip.GetEntry("data.json")!.Open())!;
        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        Assert.Equal("2027-03-15", data["preparedOn"]!.GetValue<string>());
        Assert.Contains("prepared on 15 March 2027", await summary.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Beside_access_data_json_leaves_out_legitimate_interest_tables_and_the_summary_says_they_are_in_the_access_part()
    {
        using var zip = await ExportAsync(Manifest(Language.En, accessToo: true));

        var data = JsonNode.Parse(zip.GetEntry("data.json")!.Open())!;
        var tables = data["controllers"]![0]!["stores"]![0]!["tables"]!.AsArray().Select(t => t!["table"]!.GetValue<string>());
        Assert.Equal(["newsletter_subscriptions"], tables);
        // The access part still has the contact, in full.
        Assert.NotNull(zip.GetEntry("be/crm/contacts.csv"));

        var summary = await new StreamReader(zip.GetEntry("summary.html")!.Open()).ReadToEndAsync();
        Assert.Contains("Not in data.json: Contact persons.", summary, StringComparison.Ordinal);
        Assert.Contains("They are in the access part of this export", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "Niet in deze export", "Contactpersonen", "art. 20 AVG")]
    [InlineData(Language.Fr, "Ne figurent pas dans cet export", "Personnes de contact", "art. 20 RGPD")]
    [InlineData(Language.En, "Not in this export", "Contact persons", "Art. 20 GDPR")]
    public async Task A_portability_export_alone_leaves_out_legitimate_interest_tables_and_says_why(Language language, string leftOut, string contacts, string article)
    {
        using var zip = await ExportAsync(Manifest(language, accessToo: false));

        Assert.Null(zip.GetEntry("be/crm/contacts.csv"));
        var data = JsonNode.Parse(zip.GetEntry("data.json")!.Open())!;
        Assert.DoesNotContain("Peeters", data.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Peeters", await new StreamReader(zip.GetEntry("be/crm.json")!.Open()).ReadToEndAsync(), StringComparison.Ordinal);

        var summary = await new StreamReader(zip.GetEntry("summary.html")!.Open()).ReadToEndAsync();
        var paragraph = summary.Split('\n').Single(line => line.Contains(leftOut, StringComparison.Ordinal));
        Assert.Contains(contacts, paragraph, StringComparison.Ordinal);
        Assert.Contains(article, paragraph, StringComparison.Ordinal);
        Assert.DoesNotContain(Map.Store("be/crm").Tables.Single(t => t.Table == "newsletter_subscriptions").Name.In(language), paragraph, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "access request", "held no personal data about this address", "This is the answer to your request for data portability", "no data about this address that falls under the right to data portability")]
    [InlineData(Language.Nl, "verzoek om inzage", "geen persoonsgegevens over dit adres bevatten", "Dit is het antwoord op uw verzoek om overdraagbaarheid", "geen gegevens over dit adres die onder het recht op overdraagbaarheid vallen")]
    [InlineData(Language.Fr, "demande d'accès", "ne contenaient aucune donnée personnelle concernant cette adresse", "Voici la réponse à votre demande de portabilité", "aucune donnée concernant cette adresse qui relève du droit à la portabilité")]
    public void A_portability_export_that_finds_nothing_portable_does_not_say_it_answers_an_access_request_nor_that_nothing_is_held(
        Language language, string accessWords, string nothingHeld, string portabilityIntro, string nothingPortable)
    {
        // A prospect held on legitimate interest only: the portability export reads no table of hers (none has a
        // portable column), so it cannot confirm that nothing is held, and it is not the answer to an access request.
        var manifest = new ExportManifest("PR-AAAA-BBBB-CCCC", language, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, [Map.Controller("be")],
            [new StorePart(Map.Store("be/crm"), new Dictionary<string, int>())], Portability: true);

        var summary = System.Net.WebUtility.HtmlDecode(ExportPackageWriter.RenderSummary(manifest));

        Assert.DoesNotContain(accessWords, summary, StringComparison.Ordinal);
        Assert.DoesNotContain(nothingHeld, summary, StringComparison.Ordinal);
        Assert.Contains(portabilityIntro, summary, StringComparison.Ordinal);
        Assert.Contains(nothingPortable, summary, StringComparison.Ordinal);

        // Beside access, every table was read: the access answer's words stand.
        var both = System.Net.WebUtility.HtmlDecode(ExportPackageWriter.RenderSummary(manifest with { AccessToo = true }));
        Assert.Contains(accessWords, both, StringComparison.Ordinal);
        Assert.Contains(nothingHeld, both, StringComparison.Ordinal);
    }
}
