using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The zip as the requester gets it, and the limits on the link: downloads counted and audited, staff revocation.</summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed class ExportDeliveryTests(Azurite azurite) : LocalHostTests(azurite)
{
    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Privacy__Export__MaxDownloads"] = "2",
    });

    [Fact]
    public async Task The_zip_can_be_downloaded_as_often_as_allowed_and_each_download_is_audited()
    {
        var id = await Flows.SubmitAsync("an.peeters@example.be", language: "en");
        await Flows.ApproveAsync(id);
        var link = await Flows.DownloadLinkAsync(id);

        var page = await Flows.Http.GetStringAsync(link.PathAndQuery);
        Assert.Contains("You can start the download 2 more time(s); each start counts, also one that does not finish.", page, StringComparison.Ordinal);
        Assert.Contains("as JSON and CSV", page, StringComparison.Ordinal);
        var first = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await Flows.PostTokenAsync("/download", link)).StatusCode);
        var third = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, third.StatusCode);
        var usedUp = await third.Content.ReadAsStringAsync();
        Assert.Contains("No downloads left", usedUp, StringComparison.Ordinal);
        // The count is of presses of the button (before any byte moved), not of finished downloads: the page says so.
        Assert.Contains("was started 2 times (each start counts, also one that did not finish)", usedUp, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await Flows.Http.GetAsync(link.PathAndQuery)).StatusCode);

        using var blob = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blob.GetByteArrayAsync(first.Headers.Location!)));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("be/crm/contacts.csv", names);
        Assert.All(names, n => Assert.Matches("^[A-Za-z0-9._/-]+$", n));
        using (var csv = new StreamReader(zip.GetEntry("be/crm/contacts.csv")!.Open()))
        {
            var lines = (await csv.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("email", lines[0].Split(','));
            Assert.Equal(2, lines.Length);
        }

        var casePage = await Flows.Http.GetStringAsync($"/cases/{id}");
        Assert.Equal(2, casePage.Split("<code>export-downloaded</code>").Length - 1);
    }

    [Fact]
    public async Task A_link_that_still_works_whose_zip_is_not_there_says_so_with_the_reference_not_that_it_expired()
    {
        // Review of 7 December: while a staff retry writes the zip again, or an erasure deletes it before recording that,
        // the link's page said "This link has expired" and asked to quote a reference it did not show.
        var id = await Flows.SubmitAsync("an.peeters@example.be", language: "en");
        await Flows.ApproveAsync(id);
        var link = await Flows.DownloadLinkAsync(id);
        var exports = new Azure.Storage.Blobs.BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient("exports");
        await foreach (var blob in exports.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, id, default))
        {
            await exports.DeleteBlobAsync(blob.Name);
        }

        var page = await Flows.Http.GetAsync(link.PathAndQuery);
        var text = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.DoesNotContain("expired", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.Contains("not available", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Flows.PostTokenAsync("/download", link)).StatusCode);
    }

    [Fact]
    public async Task Staff_can_withdraw_an_export_and_the_link_then_says_so()
    {
        var id = await Flows.SubmitAsync("jan.devries@example.nl", language: "nl", entity: "nl");
        var tooEarly = await Flows.StaffPostAsync($"/cases/{id}/revoke-export", new Uri($"{Host.BaseUrl}/cases/{id}"), "Els Janssens");
        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        Assert.Contains("Deze zaak heeft geen export om in te trekken.", await tooEarly.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await Flows.ApproveAsync(id);
        var link = await Flows.DownloadLinkAsync(id);
        var before = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.SeeOther, before.StatusCode);

        var revoke = await Flows.StaffPostAsync($"/cases/{id}/revoke-export", new Uri($"{Host.BaseUrl}/cases/{id}"), "Els Janssens");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Contains("ingetrokken en verwijderd door Els Janssens (no sign-in)", await revoke.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var after = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        Assert.Contains("Deze download is ingetrokken", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The blob itself is gone: even the short-lived link given before no longer works.
        using var blob = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await blob.GetAsync(before.Headers.Location!)).StatusCode);
        Assert.Contains("<td>Els Janssens (no sign-in)</td><td><code>export-revoked</code>", await Flows.Http.GetStringAsync($"/cases/{id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_erasure_the_old_download_link_says_the_export_is_gone_and_the_zip_is_deleted()
    {
        // Issue 16, item 3: no copy of the person's data outlives their erasure, and the old link is no 500.
        var access = await Flows.SubmitAsync("zoe.maes@example.be", language: "nl", entity: "be");
        await Flows.ApproveAsync(access);
        var link = await Flows.DownloadLinkAsync(access);
        var before = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.SeeOther, before.StatusCode);
        // A colleague has the access case's page open, its "withdraw" button shown.
        var accessPageLink = new Uri($"{Host.BaseUrl}/cases/{access}");
        var openBefore = await Flows.Http.GetStringAsync(accessPageLink);
        Assert.Contains($"action=\"/cases/{access}/revoke-export\"", openBefore, StringComparison.Ordinal);

        var erasure = await Flows.SubmitAsync("zoe.maes@example.be", language: "nl", entity: "be", type: "erasure");
        await Flows.ApproveAsync(erasure);
        var report = (await Host.Mailbox.WaitForAsync("action-report", erasure)).TextBody;
        Assert.Contains($"Van uw eerdere verzoeken ({access}) zijn het downloadbestand en de gegevens die ervoor waren klaargezet verwijderd", report, StringComparison.Ordinal);

        var page = await Flows.Http.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains($"toen we uw gegevens wisten (verzoek {erasure})", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var post = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Contains("Dit bestand is verwijderd", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var blob = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await blob.GetAsync(before.Headers.Location!)).StatusCode);
        Assert.Contains("<code>earlier-copies-erased</code>", await Flows.Http.GetStringAsync($"/cases/{erasure}"), StringComparison.Ordinal);

        // The colleague's click comes after: the zip is gone already, nothing is withdrawn, and the requester's page keeps
        // saying it was erased as they asked (not "withdrawn by our staff"); the case page says when and why it went.
        var late = await Flows.StaffPostFromPageAsync($"/cases/{access}/revoke-export", openBefore, accessPageLink, "Els Janssens");
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains($"bij de uitvoering van wisverzoek {erasure}: er is niets in te trekken.", System.Net.WebUtility.HtmlDecode(await late.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain("<code>export-revoked</code>", await Flows.Http.GetStringAsync(accessPageLink), StringComparison.Ordinal);
        Assert.Contains($"toen we uw gegevens wisten (verzoek {erasure})", await (await Flows.Http.GetAsync(link.PathAndQuery)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_portability_export_carries_data_json_in_the_documented_format()
    {
        var id = await Flows.SubmitAsync("alexis.papadopoulos@example.nl", language: "en", entity: "nl", type: "portability");
        await Flows.ApproveAsync(id);
        var link = await Flows.DownloadLinkAsync(id);
        var redirect = await Flows.PostTokenAsync("/download", link);

        using var blob = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blob.GetByteArrayAsync(redirect.Headers.Location!)));
        Assert.NotNull(zip.GetEntry("data.schema.json"));
        var data = JsonNode.Parse(zip.GetEntry("data.json")!.Open())!;
        Assert.Equal("infomat-privacy-portability", data["format"]!.GetValue<string>());
        Assert.Equal(id, data["reference"]!.GetValue<string>());
        var application = data["controllers"]![0]!["stores"]!.AsArray().Single(s => s!["store"]!.GetValue<string>() == "nl/recruitment")!["tables"]![0]!["records"]![0]!;
        Assert.Equal("Αλέξης", application["first_name"]!.GetValue<string>());
        Assert.Equal("cv-alexis-papadopoulos.pdf", application["cv_file"]!.GetValue<string>());
        Assert.Null(application["pool_consent"]);

        // The CV the application names is in the zip as the file itself.
        await using var cv = zip.GetEntry("nl/recruitment/files/cv-alexis-papadopoulos.pdf")!.Open();
        Assert.Equal("%PDF-1.4", new StreamReader(cv).ReadLine());
    }
}
