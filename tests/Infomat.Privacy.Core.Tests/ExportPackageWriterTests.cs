using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Export;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

public sealed class ExportPackageWriterTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    private static ExportManifest Manifest(Language language, params StorePart[] parts) =>
        new("PR-AAAA-BBBB-CCCC", language, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, Map.Controllers, parts);

    private static StorePart Part(string store, int contacts) => new(Map.Store(store), new Dictionary<string, int> { ["contacts"] = contacts });

    private static async IAsyncEnumerable<StoreRecord> Records(int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new StoreRecord("contacts", new JsonObject { ["id"] = i, ["company"] = "Brouwerij Peeters NV" });
        }
    }

    private static async Task<byte[]> WriteAsync(ExportManifest manifest, int recordsPerStore)
    {
        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => Records(recordsPerStore), CancellationToken.None);
        return output.ToArray();
    }

    [Fact]
    public async Task The_zip_has_a_summary_and_one_readable_json_file_per_store()
    {
        var bytes = await WriteAsync(Manifest(Language.Nl, Part("be/crm", 2), Part("nl/crm", 2)), 2);
        using var zip = new ZipArchive(new MemoryStream(bytes));
        Assert.Equal(["summary.html", "be/crm.json", "nl/crm.json", "be/crm/contacts.csv", "nl/crm/contacts.csv"], zip.Entries.Select(e => e.FullName));
        using (var csv = new StreamReader(zip.GetEntry("be/crm/contacts.csv")!.Open()))
        {
            Assert.Equal(["id,company", "0,Brouwerij Peeters NV", "1,Brouwerij Peeters NV"], (await csv.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        }


        using var json = JsonDocument.Parse(zip.GetEntry("be/crm.json")!.Open());
        Assert.Equal("Infomat België", json.RootElement.GetProperty("controller").GetString());
        var contacts = json.RootElement.GetProperty("tables")[0];
        Assert.Equal("contacts", contacts.GetProperty("table").GetString());
        Assert.Equal("Diensten aan klanten (implementatie, analyse, support)", contacts.GetProperty("purpose").GetString());
        Assert.Equal(2, contacts.GetProperty("records").GetArrayLength());
        Assert.Equal("Brouwerij Peeters NV", contacts.GetProperty("records")[0].GetProperty("company").GetString());
    }

    [Fact]
    public async Task The_summary_names_both_controllers_and_the_complaint_authority_in_the_requesters_language()
    {
        var html = ExportPackageWriter.RenderSummary(Manifest(Language.Fr, Part("be/crm", 1)));
        Assert.Contains("BE0460190566", html, StringComparison.Ordinal);
        Assert.Contains("NL810585091B01", html, StringComparison.Ordinal);
        Assert.Contains("Autorité de protection des données", html, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", html, StringComparison.Ordinal);
        Assert.Contains("Service à la clientèle", html, StringComparison.Ordinal);
        Assert.Contains("Jusqu'à 10 ans après la fin de la relation client", html.Replace("&#x27;", "'", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("lang=\"fr\"", html, StringComparison.Ordinal);
        Assert.Contains("dans le fichier be/crm.json (et en tableur dans be/crm/contacts.csv)", html, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public void A_person_with_no_data_gets_a_confirmation_that_nothing_is_held()
    {
        var html = ExportPackageWriter.RenderSummary(Manifest(Language.Nl, Part("be/crm", 0), Part("nl/crm", 0)));
        Assert.Contains("We bevestigen dat de systemen van Infomat België en Infomat Nederland, toen we ze voor dit antwoord doorzochten, geen persoonsgegevens over dit adres bevatten, behalve de gegevens van uw verzoeken aan ons (dit verzoek wordt hieronder beschreven).", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_to_one_company_with_no_data_confirms_nothing_for_the_other_company_whose_systems_were_not_searched()
    {
        // Only Infomat België's stores are searched for a request addressed to it: the answer may not speak for "Infomat".
        var be = Map.Controllers.Where(c => c.Entity == "be").ToList();
        var manifest = new ExportManifest("PR-AAAA-BBBB-CCCC", Language.En, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, be, [Part("be/crm", 0)]);

        var html = ExportPackageWriter.RenderSummary(manifest);

        Assert.Contains("We confirm that, when we searched them for this answer, the systems of Infomat België held no personal data about this address, apart from the data of your requests to us", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Infomat Nederland", html, StringComparison.Ordinal);
        // One company: it processes the request as the controller ("Infomat België process them as controllers" before).
        Assert.Contains("Infomat België processes them as controller:", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_company_where_nothing_was_found_speaks_only_for_the_systems_searched_not_for_all_it_holds()
    {
        // Infomat Nederland's systems held nothing for her; it still holds the request itself (described below).
        var html = System.Net.WebUtility.HtmlDecode(ExportPackageWriter.RenderSummary(Manifest(Language.En, Part("be/crm", 1), Part("nl/crm", 0))));

        Assert.Contains("In the systems of this company we searched for this answer, we found no personal data about this address.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("We hold no personal data about this address at this company.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_summary_is_dated_on_the_Brussels_calendar_day_it_was_prepared()
    {
        // 23:30 UTC on 1 December is 00:30 on 2 December in Brussels, where the controllers are and every other date is.
        var late = new ExportManifest("PR-AAAA-BBBB-CCCC", Language.En, "an.peeters@example.be", new DateTimeOffset(2026, 12, 1, 23, 30, 0, TimeSpan.Zero), Map, Map.Controllers, [Part("be/crm", 1)]);

        Assert.Contains("prepared on 2 December 2026", ExportPackageWriter.RenderSummary(late), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_data_gives_the_same_zip()
    {
        var manifest = Manifest(Language.En, Part("be/crm", 3));
        Assert.Equal(await WriteAsync(manifest, 3), await WriteAsync(manifest, 3));
    }

    [Fact]
    public async Task Record_values_cannot_inject_markup_into_the_summary()
    {
        var manifest = Manifest(Language.En, Part("be/crm", 1)) with { SubjectEmail = "<script>alert(1)</script>@example.be" };
        var bytes = await WriteAsync(manifest, 1);
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var reader = new StreamReader(zip.GetEntry("summary.html")!.Open());
        Assert.DoesNotContain("<script>", await reader.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_portability_export_adds_one_csv_per_table_with_the_provided_columns()
    {
        static async IAsyncEnumerable<StoreRecord> Provided()
        {
            await Task.Yield();
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["last_name"] = "Papadopoulos, \"Alex\"", ["email"] = "alexis@example.nl", ["phone"] = null, ["position"] = "=HYPERLINK(\"x\")" });
        }

        // An application: given by the applicant, on consent (a contact's details, from the employer on our legitimate interest, are not portable).
        var manifest = Manifest(Language.En, new StorePart(Map.Store("nl/recruitment"), new Dictionary<string, int> { ["job_applications"] = 1 })) with { Portability = true };
        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => Provided(), CancellationToken.None);

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));
        Assert.Equal(["summary.html", "nl/recruitment.json", "nl/recruitment/job_applications.csv", "data.schema.json", "data.json"], zip.Entries.Select(e => e.FullName));
        using var reader = new StreamReader(zip.GetEntry("nl/recruitment/job_applications.csv")!.Open());
        var lines = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("first_name,last_name,email,phone,position,cv_file,motivation", lines[0]);
        Assert.StartsWith("Αλέξης,\"Papadopoulos, \"\"Alex\"\"\",alexis@example.nl,,", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", lines[1], StringComparison.Ordinal);
        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        Assert.Contains("portability export (Art. 20 GDPR)", await summary.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_portability_export_has_one_data_json_that_its_schema_accepts()
    {
        static async IAsyncEnumerable<StoreRecord> Provided()
        {
            await Task.Yield();
            yield return new StoreRecord("newsletter_subscriptions", new JsonObject { ["email"] = "alexis@example.nl", ["list"] = "Nieuws" });
        }

        StorePart Subscriptions(string store) => new(Map.Store(store), new Dictionary<string, int> { ["newsletter_subscriptions"] = 1 });
        var manifest = Manifest(Language.Nl, Subscriptions("be/crm"), Subscriptions("nl/crm")) with { Portability = true };
        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => Provided(), CancellationToken.None);
        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));

        var data = JsonNode.Parse(zip.GetEntry("data.json")!.Open())!;
        var schema = Json.Schema.JsonSchema.FromText(await new StreamReader(zip.GetEntry("data.schema.json")!.Open()).ReadToEndAsync());
        var result = schema.Evaluate(JsonDocument.Parse(data.ToJsonString()).RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
        Assert.True(result.IsValid, string.Join("; ", result.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values) ?? []));
        Assert.Equal(["Infomat België", "Infomat Nederland"], data["controllers"]!.AsArray().Select(c => c!["controller"]!.GetValue<string>()));
        Assert.Equal("Nieuws", data["controllers"]![1]!["stores"]![0]!["tables"]![0]!["records"]![0]!["list"]!.GetValue<string>());

        // The schema is not a formality: a record with a nested object is refused.
        data["controllers"]![0]!["stores"]![0]!["tables"]![0]!["records"]![0]!["list"] = new JsonObject { ["x"] = 1 };
        Assert.False(schema.Evaluate(JsonDocument.Parse(data.ToJsonString()).RootElement).IsValid);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData("a\\b/c\u0000d\r\n")]
    [InlineData("")]
    [InlineData("cv van Αλέξης (2024).pdf")]
    public void Entry_names_are_made_of_safe_characters_whatever_the_input(string input)
    {
        var name = ExportPackageWriter.SafeName(input + new string('x', 200));
        Assert.Matches("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}$", name);
        Assert.Equal("_", ExportPackageWriter.SafeName(".."));
        Assert.Equal("_etc_passwd", ExportPackageWriter.SafeName("../etc/passwd".Replace("..", "", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Stored_files_the_records_name_are_included_under_safe_names()
    {
        static async IAsyncEnumerable<StoreRecord> Applications()
        {
            await Task.Yield();
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["cv_file"] = "cv-alexis.pdf" });
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["cv_file"] = "../../cv alexis?.pdf" });
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["cv_file"] = "cv-alexis.pdf" });
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["cv_file"] = "missing.pdf" });
            yield return new StoreRecord("job_applications", new JsonObject { ["first_name"] = "Αλέξης", ["cv_file"] = "shared.pdf" });
        }

        var asked = new List<string>();
        var manifest = Manifest(Language.En, new StorePart(Map.Store("nl/recruitment"), new Dictionary<string, int> { ["job_applications"] = 5 }));
        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => Applications(), CancellationToken.None, (store, table, name, _) =>
        {
            asked.Add($"{store.Key}:{table}:{name}");
            return Task.FromResult(name switch
            {
                "missing.pdf" => StoreFile.NotFound,
                "shared.pdf" => StoreFile.HeldBack, // another person's record names it too: never in the zip
                _ => StoreFile.Found(new MemoryStream(System.Text.Encoding.UTF8.GetBytes("%PDF " + name))),
            });
        });

        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));
        var files = zip.Entries.Select(e => e.FullName).Where(n => n.Contains("/files/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["nl/recruitment/files/cv-alexis.pdf", "nl/recruitment/files/_.._cv_alexis_.pdf", "nl/recruitment/files/cv-alexis-2.pdf"], files);
        Assert.Equal("%PDF ../../cv alexis?.pdf", new StreamReader(zip.GetEntry("nl/recruitment/files/_.._cv_alexis_.pdf")!.Open()).ReadToEnd());
        Assert.Contains("nl/recruitment:job_applications:missing.pdf", asked);
    }
    private static Language L(string wire) => Languages.TryParse(wire, out var l) ? l : throw new ArgumentException(wire);

    private static string Readable(string html) => System.Net.WebUtility.HtmlDecode(html);

    private static StorePart Invoices(string store) => new(Map.Store(store), new Dictionary<string, int> { ["invoices"] = 1 });

    [Theory]
    [InlineData("nl", "het soort bewijs waarop ze steunt")]
    [InlineData("fr", "le type de preuve sur lequel elle repose")]
    [InlineData("en", "the kind of evidence it rests on")]
    public void The_request_section_names_what_we_record_ourselves_and_how_long_each_record_of_the_request_is_kept(string lang, string evidence)
    {
        // Review of 7 December: the section named only what the requester gave us, and one retention line; the notice
        // (and the register) also hold the steps' dates, the sender check and the identity decision, and the case and
        // this file each have their own end.
        var l = L(lang);
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(l, Part("be/crm", 1)) with { LinkLifetime = TimeSpan.FromDays(7) }));

        Assert.Contains(evidence, html, StringComparison.Ordinal);
        foreach (var record in new[] { Retention.KeptRecord.CaseIdentifiers, Retention.KeptRecord.Case, Retention.KeptRecord.Export })
        {
            var rule = Retention.SystemRetention.Rules.Single(r => r.Record == record);
            Assert.Contains(rule.Describe(l, TimeSpan.FromDays(7)), html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("nl", "art. 79 AVG", "binnen zes weken na ontvangst van ons antwoord, de e-mail met de link naar dit bestand", "art. 17")]
    [InlineData("fr", "art. 79 RGPD", "dans les six semaines suivant la réception de notre réponse, l'e-mail contenant le lien vers ce fichier", "art. 17")]
    [InlineData("en", "Art. 79 GDPR", "within six weeks of receiving our answer, the mail with the link to this file", "Art. 17")]
    public void The_summary_names_the_courts_and_the_dutch_time_limit_beside_the_authorities_and_the_article_of_each_right(string lang, string courts, string sixWeeks, string erasure)
    {
        // DESIGN: the right to go to court (Art. 79; in the Netherlands within six weeks, UAVG art. 35) is stated in every
        // answer. The summary page, the answer that lasts, named the complaint authorities only. Its six weeks run from
        // our answer, the mail with the link (review: "from receiving this message" on a page in a zip misleads).
        var both = Readable(ExportPackageWriter.RenderSummary(Manifest(L(lang), Part("be/crm", 1))));
        Assert.Contains(courts, both, StringComparison.Ordinal);
        Assert.Contains(sixWeeks, both, StringComparison.Ordinal);
        Assert.Contains(erasure, both, StringComparison.Ordinal);

        // Infomat België alone: no Dutch time limit.
        var be = new ExportManifest("PR-AAAA-BBBB-CCCC", L(lang), "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, [.. Map.Controllers.Where(c => c.Entity == "be")], [Part("be/crm", 1)]);
        var belgian = Readable(ExportPackageWriter.RenderSummary(be));
        Assert.Contains(courts, belgian, StringComparison.Ordinal);
        Assert.DoesNotContain(sixWeeks, belgian, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Per Infomat-bedrijf waarop uw verzoek betrekking heeft, staat hier wat we over an.peeters@example.be bewaarden toen we onze systemen voor dit antwoord doorzochten.")]
    [InlineData("fr", "Pour chaque société Infomat concernée par votre demande, elle indique ce que nous détenions sur an.peeters@example.be lorsque nous avons consulté nos systèmes pour cette réponse.")]
    [InlineData("en", "For each Infomat company your request concerns, it lists what we held about an.peeters@example.be when we searched our systems for this answer.")]
    public void The_summary_says_what_was_held_when_the_systems_were_searched_not_what_is_held_now(string lang, string intro)
    {
        // Review of 7 December: the records are collected before the review of free text, which can take days, and an
        // erasure of the same person may run meanwhile: "what we hold" was then untrue of records the zip still shows.
        // And a request to one company is answered for that company only, not "for each Infomat company".
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(L(lang), Part("be/crm", 1))));
        Assert.Contains(intro, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Ontvangers (art. 15, lid 1, onder c, AVG)", "De externe accountant van Infomat België", "FOD Financiën", "Medewerkers van Infomat")]
    [InlineData("fr", "Destinataires (art. 15, paragraphe 1, point c), RGPD)", "L'expert-comptable externe d'Infomat België", "SPF Finances", "collaborateurs d'Infomat")]
    [InlineData("en", "Recipients (Art. 15(1)(c) GDPR)", "Infomat België's external accountant", "FPS Finance", "Infomat staff")]
    public void The_summary_names_who_received_the_data_and_never_calls_staff_a_recipient(string lang, string heading, string accountant, string taxAuthority, string staff)
    {
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(L(lang), Invoices("be/finance"), Part("be/crm", 1))));
        Assert.Contains(heading, html, StringComparison.Ordinal);
        Assert.Contains(accountant, html, StringComparison.Ordinal);
        Assert.Contains(taxAuthority, html, StringComparison.Ordinal);
        Assert.DoesNotContain(staff, html, StringComparison.OrdinalIgnoreCase);
        // The Belgian invoices went to the Belgian accountant and tax administration, not the Dutch ones.
        Assert.DoesNotContain("Belastingdienst", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Doorgifte buiten de Europese Economische Ruimte (art. 15, lid 2, AVG)", "Geen: deze gegevens worden niet doorgegeven naar een land buiten de Europese Economische Ruimte.", "Verenigde Staten", "adequaatheidsbesluit van de Europese Commissie van 10 juli 2023")]
    [InlineData("fr", "Transferts hors de l'Espace économique européen (art. 15, paragraphe 2, RGPD)", "Aucun : ces données ne sont pas transférées vers un pays situé hors de l'Espace économique européen.", "États-Unis", "décision d'adéquation de la Commission européenne du 10 juillet 2023")]
    [InlineData("en", "Transfers outside the European Economic Area (Art. 15(2) GDPR)", "None: these data are not transferred to a country outside the European Economic Area.", "United States", "adequacy decision of 10 July 2023")]
    public void The_summary_says_per_table_whether_data_leave_the_EEA_and_names_SendGrid_with_its_safeguard(string lang, string heading, string none, string us, string safeguard)
    {
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(L(lang), Part("be/crm", 1))));
        Assert.Contains(heading, html, StringComparison.Ordinal);
        Assert.Contains(none, html, StringComparison.Ordinal);
        // The mails about the request go through SendGrid, in the United States.
        Assert.Contains("Twilio SendGrid", html, StringComparison.Ordinal);
        Assert.Contains(us, html, StringComparison.Ordinal);
        Assert.Contains(safeguard, html, StringComparison.Ordinal);
        Assert.Contains("Microsoft", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Geautomatiseerde besluiten (art. 15, lid 1, onder h, AVG)", "{0} neemt geen besluit over u dat uitsluitend op geautomatiseerde verwerking berust, profilering inbegrepen, en dat rechtsgevolgen voor u heeft of u anderszins in aanmerkelijke mate treft (art. 22, lid 1 en 4, AVG).")]
    [InlineData("fr", "Décisions automatisées (art. 15, paragraphe 1, point h), RGPD)", "{0} ne prend à votre égard aucune décision fondée exclusivement sur un traitement automatisé, y compris le profilage, produisant des effets juridiques vous concernant ou vous affectant de manière significative de façon similaire (art. 22, paragraphes 1 et 4, RGPD).")]
    [InlineData("en", "Automated decisions (Art. 15(1)(h) GDPR)", "{0} takes no decision about you based solely on automated processing, including profiling, that has legal effects for you or similarly significantly affects you (Art. 22(1) and (4) GDPR).")]
    public void The_summary_says_for_each_controller_that_no_automated_decision_is_taken(string lang, string heading, string sentence)
    {
        // Data at the Belgian company only: the Dutch one still says it, as it answers too.
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(L(lang), Part("be/crm", 1))));
        Assert.Equal(2, html.Split(heading).Length - 1);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, sentence, "Infomat België"), html, StringComparison.Ordinal);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, sentence, "Infomat Nederland"), html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Herkomst van de gegevens (art. 15, lid 1, onder g, AVG)")]
    [InlineData("fr", "Origine des données (art. 15, paragraphe 1, point g), RGPD)")]
    [InlineData("en", "Where the data comes from (Art. 15(1)(g) GDPR)")]
    public void The_summary_gives_the_source_of_every_table_under_its_article(string lang, string heading)
    {
        var l = L(lang);
        var portal = new StorePart(Map.Store("be/portal"), new Dictionary<string, int> { ["portal_accounts"] = 1, ["portal_logins"] = 2, ["helpdesk_tickets"] = 1 });
        var html = Readable(ExportPackageWriter.RenderSummary(Manifest(l, portal, Invoices("nl/finance"))));
        var tables = portal.Store.Tables.Concat(Map.Store("nl/finance").Tables).ToList();
        Assert.Equal(tables.Count, html.Split(heading).Length - 1);
        foreach (var table in tables)
        {
            Assert.Contains($"{heading}</dt><dd>{table.Source.In(l)}</dd>", html, StringComparison.Ordinal);
        }
    }
}
