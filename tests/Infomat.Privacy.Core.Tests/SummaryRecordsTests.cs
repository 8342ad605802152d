using System.IO.Compression;
using System.Text.Json.Nodes;

using Infomat.Privacy.Export;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 22: summary.html shows the person's records themselves, readable, in their language, bounded.</summary>
public sealed class SummaryRecordsTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    private static ExportManifest Manifest(Language language, params StorePart[] parts) =>
        new("PR-AAAA-BBBB-CCCC", language, "an.peeters@example.be", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), Map, Map.Controllers, parts);

    private static async IAsyncEnumerable<StoreRecord> Replay(IEnumerable<StoreRecord> records)
    {
        foreach (var record in records)
        {
            await Task.Yield();
            yield return record;
        }
    }

    private static async Task<string> SummaryAsync(ExportManifest manifest, IReadOnlyList<StoreRecord> records, Func<StoreMap, string, string, CancellationToken, Task<StoreFile>>? openFile = null)
    {
        using var output = new MemoryStream();
        // Each store gives the records of its own tables.
        await ExportPackageWriter.WriteAsync(output, manifest, store => Replay(records.Where(r => store.Tables.Any(t => t.Table == r.Table))), CancellationToken.None, openFile);
        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));
        using var reader = new StreamReader(zip.GetEntry("summary.html")!.Open());
        return System.Net.WebUtility.HtmlDecode(await reader.ReadToEndAsync());
    }

    private static JsonObject Contact(string jobTitle) => new()
    {
        ["id"] = 7,
        ["email"] = "an.peeters@example.be",
        ["first_name"] = "An",
        ["job_title"] = jobTitle,
        ["created_at"] = "2019-12-16T09:00:00Z",
        ["relationship_ended_on"] = "2025-03-31",
        // SQLite has no boolean type: the flag comes as 0.
        ["marketing_opt_out"] = 0,
        ["marketing_opt_out_at"] = null,
    };

    [Theory]
    [InlineData("nl", "Functie", "Aangemaakt op", "16 december 2019 10:00", "Einde van de klantrelatie", "31 maart 2025", "Afgemeld voor reclame", "Nee", "(leeg)")]
    [InlineData("fr", "Fonction", "Créé le", "16 décembre 2019 10:00", "Fin de la relation client", "31 mars 2025", "Désinscrit de la prospection", "Non", "(vide)")]
    [InlineData("en", "Job title", "Created on", "16 December 2019 10:00", "End of the client relationship", "31 March 2025", "Opted out of marketing", "No", "(empty)")]
    public async Task The_summary_shows_each_value_under_its_column_name_with_dates_and_yes_no_as_people_write_them(
        string lang, string jobTitle, string createdOn, string created, string endedOn, string ended, string optedOut, string no, string empty)
    {
        var l = Languages.TryParse(lang, out var parsed) ? parsed : throw new ArgumentException(lang);
        var part = new StorePart(Map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = 1 });
        var html = await SummaryAsync(Manifest(l, part), [new StoreRecord("contacts", Contact("Finance manager"))]);

        Assert.Contains($"<dt>{jobTitle}</dt><dd>Finance manager</dd>", html, StringComparison.Ordinal);
        Assert.Contains($"<dt>{createdOn}</dt><dd>{created}</dd>", html, StringComparison.Ordinal);
        Assert.Contains($"<dt>{endedOn}</dt><dd>{ended}</dd>", html, StringComparison.Ordinal);
        Assert.Contains($"<dt>{optedOut}</dt><dd>{no}</dd>", html, StringComparison.Ordinal);
        Assert.Contains($"<dd>{empty}</dd>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("2019-12-16T09:00:00Z", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        // Nothing fetched from elsewhere: the page works offline.
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_of_500_records_shows_the_first_200_and_names_the_files_holding_the_rest()
    {
        var part = new StorePart(Map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = 500 });
        var records = Enumerable.Range(1, 500).Select(i => new StoreRecord("contacts", Contact($"Job-{i}-title"))).ToList();
        var html = await SummaryAsync(Manifest(Language.En, part), records);

        Assert.Contains("Job-1-title", html, StringComparison.Ordinal);
        Assert.Contains("Job-200-title", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Job-201-title", html, StringComparison.Ordinal);
        Assert.Contains("Shown here: the first 200 of these 500 records. The other 300 are in be/crm.json and be/crm/contacts.csv.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_file_is_linked_by_its_name_inside_the_zip_and_a_short_table_reads_as_a_table()
    {
        var applications = new StorePart(Map.Store("nl/recruitment"), new Dictionary<string, int> { ["job_applications"] = 1 });
        var logins = new StorePart(Map.Store("nl/portal"), new Dictionary<string, int> { ["portal_logins"] = 1 });
        StoreRecord[] records =
        [
            new("job_applications", new JsonObject
            {
                ["id"] = 1, ["email"] = "alexis@example.nl", ["first_name"] = "Αλέξης", ["last_name"] = "Papadopoulos", ["position"] = "Consultant",
                ["applied_at"] = "2026-05-04T12:00:00Z", ["cv_file"] = "cv alexis.pdf", ["motivation"] = "Ik wil graag\nbij Infomat werken.", ["pool_consent"] = true,
            }),
            new("portal_logins", new JsonObject { ["id"] = 3, ["logged_in_at"] = "2026-06-01T08:30:00Z", ["ip_address"] = "198.51.100.23" }),
        ];
        var html = await SummaryAsync(Manifest(Language.Nl, applications, logins), records, (_, _, name, _) => Task.FromResult(StoreFile.Found(new MemoryStream([1, 2, 3]))));

        Assert.Contains("<dt>Cv</dt><dd><a href=\"nl/recruitment/files/cv_alexis.pdf\">cv alexis.pdf</a></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Toestemming voor de wervingsreserve</dt><dd>Ja</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<h4>Sollicitaties: record 1</h4>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">IP-adres</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>1 juni 2026 10:30</td><td>198.51.100.23</td>", html, StringComparison.Ordinal);
        // Which time that is, beside the files' UTC (session 45's hunt: "10:30" here, "08:30:00Z" in the CSV, unexplained).
        Assert.Contains("<p>Datums en tijden op deze pagina staan in Brusselse tijd; in de JSON- en CSV-bestanden staan tijden in UTC (ze eindigen op Z).</p>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "<dt>Geslacht</dt><dd>Vrouw</dd>")]
    [InlineData("fr", "<dt>Sexe</dt><dd>Femme</dd>")]
    [InlineData("en", "<dt>Gender</dt><dd>Female</dd>")]
    public async Task A_coded_value_reads_in_the_persons_language_in_the_summary_and_stays_the_code_in_the_json_and_csv(string lang, string expected)
    {
        var l = Languages.TryParse(lang, out var parsed) ? parsed : throw new ArgumentException(lang);
        var part = new StorePart(Map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = 2 });
        var coded = Contact("Finance manager");
        coded["gender"] = "f";
        var unknown = Contact("Controller");
        unknown["gender"] = "q";
        var html = await SummaryAsync(Manifest(l, part), [new StoreRecord("contacts", coded), new StoreRecord("contacts", unknown)]);

        Assert.Contains(expected, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<dd>f</dd>", html, StringComparison.Ordinal);
        // A code the map does not label is shown as it is rather than hidden.
        Assert.Contains("<dd>q</dd>", html, StringComparison.Ordinal);

        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, Manifest(l, part), _ => Replay([new StoreRecord("contacts", coded)]), CancellationToken.None);
        using var zip = new ZipArchive(new MemoryStream(output.ToArray()));
        foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".json", StringComparison.Ordinal) || e.Name.EndsWith(".csv", StringComparison.Ordinal)).Where(e => e.FullName.StartsWith("be/", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(entry.Open());
            var text = await reader.ReadToEndAsync();
            Assert.DoesNotContain("Vrouw", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Female", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("nl", "cv weg.pdf (dit bestand werd bij het opmaken van deze export niet teruggevonden in onze systemen en zit dus niet in het zip-bestand)")]
    [InlineData("fr", "cv weg.pdf (ce fichier n'a pas été retrouvé dans nos systèmes lors de la préparation de cet export ; il ne figure donc pas dans le fichier zip)")]
    [InlineData("en", "cv weg.pdf (this file was not found in our systems when this export was prepared, so it is not in the zip)")]
    public async Task A_stored_file_the_store_no_longer_has_is_named_without_a_link_and_the_page_says_it_is_not_in_the_zip(string lang, string expected)
    {
        var l = Languages.TryParse(lang, out var parsed) ? parsed : throw new ArgumentException(lang);
        var applications = new StorePart(Map.Store("nl/recruitment"), new Dictionary<string, int> { ["job_applications"] = 2 });
        JsonObject Application(int id, string cv) => new()
        {
            ["id"] = id, ["email"] = "alexis@example.nl", ["first_name"] = "Alexis", ["position"] = "Consultant", ["applied_at"] = "2026-05-04T12:00:00Z", ["cv_file"] = cv,
        };
        var html = await SummaryAsync(Manifest(l, applications), [new StoreRecord("job_applications", Application(1, "cv weg.pdf")), new StoreRecord("job_applications", Application(2, "cv alexis.pdf"))],
            (_, _, name, _) => Task.FromResult(name == "cv weg.pdf" ? StoreFile.NotFound : StoreFile.Found(new MemoryStream([1, 2, 3]))));

        Assert.Contains($"<td>{expected}</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cv_weg.pdf", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"nl/recruitment/files/cv_alexis.pdf\">cv alexis.pdf</a>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "cv.pdf (dit bestand zit niet in het zip-bestand: we konden in onze systemen niet vaststellen dat het alleen van u is")]
    [InlineData("fr", "cv.pdf (ce fichier ne figure pas dans le fichier zip : nous n'avons pas pu établir dans nos systèmes qu'il vous appartient à vous seul")]
    [InlineData("en", "cv.pdf (this file is not in the zip: we could not confirm from our systems that it is yours alone")]
    public async Task A_stored_file_another_persons_record_also_names_is_named_without_a_link_and_the_page_says_it_is_held_back_without_saying_who_else(string lang, string expected)
    {
        var l = Languages.TryParse(lang, out var parsed) ? parsed : throw new ArgumentException(lang);
        var applications = new StorePart(Map.Store("nl/recruitment"), new Dictionary<string, int> { ["job_applications"] = 1 });
        var record = new StoreRecord("job_applications", new JsonObject
        {
            ["id"] = 1, ["email"] = "alexis@example.nl", ["first_name"] = "Alexis", ["position"] = "Consultant", ["applied_at"] = "2026-05-04T12:00:00Z", ["cv_file"] = "cv.pdf",
        });
        var html = await SummaryAsync(Manifest(l, applications), [record], (_, _, _, _) => Task.FromResult(StoreFile.HeldBack));

        Assert.Contains($"<td>{expected}", html, StringComparison.Ordinal);
        Assert.Contains(l == Language.En ? "(Art. 15(4) GDPR)" : l == Language.Nl ? "(art. 15, lid 4, AVG)" : "(art. 15, paragraphe 4, RGPD)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("files/cv.pdf", html, StringComparison.Ordinal);
    }
}
