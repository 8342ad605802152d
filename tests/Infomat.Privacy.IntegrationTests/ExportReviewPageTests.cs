using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;

using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The rights of others (Art. 15(4)) on the local host: staff review the free text of an access export before it is built.</summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed partial class ExportReviewPageTests(Azurite azurite) : LocalHostTests(azurite)
{
    private const string Note = "Demo van de nieuwe module gegeven; opvolging in juni.";
    private const string TicketBody = "Sinds de update krijg ik een foutmelding.";

    [Fact]
    public async Task The_review_of_a_case_flagged_failed_says_to_retry_it_first_rather_than_offering_a_form_it_then_refuses()
    {
        // Orchestration hunt of 8 December: the page showed the values and the form; the post then said "no free text
        // waiting for review", throwing the colleague's work away, while the review was still open.
        var id = await Flows.SubmitAsync(entity: "be");
        await Flows.ApproveAsync(id);
        var link = Mailbox.Link(await Host.Mailbox.WaitForAsync("staff-task", id), Host.BaseUrl + "/review?token=");
        await Flows.StatusOnceAsync(id, "AwaitingStaffAction");
        await TestCases.Register(Azurite).ApplyAsync(id, x => x.Fail(DateTimeOffset.UtcNow, "CollectFromStore"), default);

        var page = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync(link.PathAndQuery));
        var post = await Flows.StaffPostAsync("/review", link, "Els Janssens");

        Assert.Contains("kan het nazicht van de vrije tekst niet worden vastgelegd", page, StringComparison.Ordinal);
        Assert.Contains("‘Privacyverzoek " + id + "’", page, StringComparison.Ordinal);
        Assert.DoesNotContain(Note, page, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/review\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, post.StatusCode);
        Assert.Contains("kan het nazicht van de vrije tekst niet worden vastgelegd", WebUtility.HtmlDecode(await post.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.True((await TestCases.Register(Azurite).GetAsync(id, default))!.AwaitsExportReview);
    }

    [Fact]
    public async Task Staff_see_the_free_text_withhold_a_note_once_and_the_zip_shows_the_marker_while_the_audit_holds_no_text()
    {
        var id = await Flows.SubmitAsync(entity: "be");
        await Flows.ApproveAsync(id);
        var mail = await Host.Mailbox.WaitForAsync("staff-task", id);
        Assert.DoesNotContain(Note, mail.TextBody, StringComparison.Ordinal);
        var link = Mailbox.Link(mail, Host.BaseUrl + "/review?token=");
        using (var status = await Flows.StatusOnceAsync(id, "AwaitingStaffAction"))
        {
            Assert.Equal("AwaitingStaffAction", status.RootElement.GetProperty("status").GetString());
        }

        // The page shows each value with where it is, is never cached, and opening it (twice) changes nothing.
        using var page = await Flows.Http.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.True(page.Headers.CacheControl?.NoStore == true);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains(Note, html, StringComparison.Ordinal);
        Assert.Contains(TicketBody, html, StringComparison.Ordinal);
        Assert.Contains("Infomat België, CRM, Notities bij contacten, record ", html, StringComparison.Ordinal);
        await Flows.Http.GetAsync(link.PathAndQuery);
        await Task.Delay(1000);
        Assert.Empty(Host.Mailbox.Of("export-ready", id));
        var noteBox = Checkbox().Matches(html).Select(m => m.Groups[1].Value).Single(v => v.Contains("activity_notes", StringComparison.Ordinal));

        var done = await Flows.StaffPostAsync("/review", link, "Els Janssens", ("withhold", noteBox));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("1 waarde(n) achtergehouden", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var again = await Flows.StaffPostAsync("/review", link, "Pieter Claes");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("al nagekeken", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var redirect = await Flows.PostTokenAsync("/download", Mailbox.Link(await Host.Mailbox.WaitForAsync("export-ready", id), Host.BaseUrl + "/download?token="));
        using var blobClient = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blobClient.GetByteArrayAsync(redirect.Headers.Location!)));
        string Read(string name)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }

        var crm = Read("be/crm.json") + Read("be/crm/activity_notes.csv");
        Assert.Contains("[achtergehouden om de rechten van anderen te beschermen, art. 15, lid 4, AVG]", crm, StringComparison.Ordinal);
        Assert.DoesNotContain("opvolging in juni", crm, StringComparison.Ordinal);
        Assert.Contains(TicketBody, Read("be/portal.json"), StringComparison.Ordinal);

        // The case page's audit trail says how many and which column, never the text.
        var casePage = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/cases/{id}"));
        Assert.Contains("withheld=1 columns=be/crm.activity_notes.note", casePage, StringComparison.Ordinal);
        Assert.DoesNotContain("opvolging in juni", casePage, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"withhold\" value=\"([^\"]+)\"")]
    private static partial Regex Checkbox();
}
