using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Every right other than access through the local host as users meet it: the requester's form or API call, the
/// mails, the staff pages, the report, and what the stores hold afterwards. On SQLite (the default of scripts/run.sh);
/// <see cref="PostgresRightsEndToEndTests"/> runs the same host on PostgreSQL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public partial class RightsEndToEndTests(Azurite azurite) : LocalHostTests(azurite)
{
    [Fact]
    public async Task Erasure_keeps_only_the_invoices_under_the_legal_hold_and_the_report_says_until_when()
    {
        var id = await Flows.SubmitAsync(email: "Jan.deVries@example.nl", language: "en", entity: "nl", type: "erasure");
        await Flows.ApproveAsync(id);

        var report = (await Host.Mailbox.WaitForAsync("action-report", id)).TextBody;
        Assert.Contains("Infomat Nederland (NL810585091B01) — Accounting:", report, StringComparison.Ordinal);
        Assert.Contains("We erased 2 records about you, as you asked", report, StringComparison.Ordinal);
        Assert.Contains("We keep 1 record because the law obliges us to", report, StringComparison.Ordinal);
        Assert.Contains("Invoices: 1 record deleted.", report, StringComparison.Ordinal);
        Assert.Contains("Invoices: 1 record kept until 31 December 2030, because the law obliges us to keep it (Art. 17(3)(b) GDPR; Dutch fiscal retention law (General State Taxes Act, AWR art. 52)).", report, StringComparison.Ordinal);
        Assert.Contains("Result: only the record kept above still matches your address.", report, StringComparison.Ordinal);
        Assert.Contains("Contact persons: 1 record deleted.", report, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Infomat België (BE", report, StringComparison.Ordinal);
        using (var status = await Flows.StatusOnceAsync(id, "Completed"))
        {
            Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
        }

        // Asking for access afterwards shows what is left: the one invoice, marked restricted.
        var access = await Flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await Flows.ApproveAsync(access);
        using var zip = await ExportAsync(access);
        Assert.Equal(["summary.html", "nl/finance.json", "nl/finance/invoices.csv"], zip.Entries.Select(e => e.FullName));
        using var finance = JsonDocument.Parse(zip.GetEntry("nl/finance.json")!.Open());
        var invoice = Assert.Single(finance.RootElement.GetProperty("tables")[0].GetProperty("records").EnumerateArray());
        Assert.Equal("NL-2023-0311", invoice.GetProperty("invoice_number").GetString());
        var restricted = invoice.GetProperty("restricted");
        Assert.True(restricted.ValueKind == JsonValueKind.True || (restricted.ValueKind == JsonValueKind.Number && restricted.GetInt32() == 1));
    }

    [Fact]
    public async Task Rectification_is_done_by_staff_store_by_store_from_the_task_page_then_reported()
    {
        var id = await Flows.SubmitAsync(language: "nl", type: "rectification", details: "Mijn functie is nu Finance director.");
        await Flows.ApproveAsync(id);
        var link = await Flows.TasksLinkAsync(id);

        var page = await Flows.Http.GetStringAsync(link.PathAndQuery);
        var tasks = TaskKeys().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["be/crm", "be/portal", "nl/crm"], tasks.Order(StringComparer.Ordinal));
        Assert.Contains("Mijn functie is nu Finance director.", page, StringComparison.Ordinal);
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingStaffAction", status.RootElement.GetProperty("status").GetString());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Flows.StaffPostAsync("/tasks", link, "Staff One", ("task", "be/crm"), ("outcome", "uphold"))).StatusCode);
        foreach (var task in tasks)
        {
            var done = await Flows.StaffPostAsync("/tasks", link, "Staff One", ("task", task), ("outcome", "done"), ("note", task == "be/crm" ? "Functie aangepast." : string.Empty));
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await Flows.StaffPostAsync("/tasks", link, "Staff One", ("task", "be/crm"), ("outcome", "done"))).StatusCode);
        var report = (await Host.Mailbox.WaitForAsync("action-report", id)).TextBody;
        Assert.Contains("We hebben uw gegevens verbeterd", report, StringComparison.Ordinal);
        Assert.Contains("Onze medewerkers voegen toe: Functie aangepast.", report, StringComparison.Ordinal);
        Assert.Contains("Infomat Nederland (NL810585091B01) — CRM:", report, StringComparison.Ordinal);
        Assert.Single(Host.Mailbox.Of("action-report", id));
    }

    [Fact]
    public async Task Withdrawing_consent_stops_the_newsletter_once_the_address_is_confirmed_without_approval_and_the_report_mentions_the_suppression_list()
    {
        var id = await Flows.SubmitAsync(email: "zoe.maes@example.be", language: "fr", entity: "be", type: "withdraw-consent");
        await Flows.VerifyAsync(id);

        // No identity approval (Art. 7(3); decision 49): staff are told afterwards.
        await Host.Mailbox.WaitForAsync("applied-at-once", id);

        var report = (await Host.Mailbox.WaitForAsync("action-report", id)).TextBody;
        Assert.Contains("Vous avez retiré votre consentement", report, StringComparison.Ordinal);
        Assert.Contains("Abonnements aux newsletters : 1 enregistrement supprimé.", report, StringComparison.Ordinal);
        Assert.Contains("Consentements : 1 enregistrement modifié pour arrêter le traitement (p. ex. consentement marqué comme retiré ; art. 7, par. 3, RGPD)", report, StringComparison.Ordinal);
        Assert.Contains("liste d'exclusion", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_objection_to_other_processing_without_a_motivation_is_refused_at_the_form()
    {
        var response = await Flows.PostFormAsync(("type", "objection"), ("objection", "other"), ("email", "an.peeters@example.be"), ("name", "An"), ("language", "en"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Explain which processing you object to and why", page, StringComparison.Ordinal);
    }

    protected async Task<ZipArchive> ExportAsync(string id)
    {
        var redirect = await Flows.PostTokenAsync("/download", await Flows.DownloadLinkAsync(id));
        using var blob = new HttpClient();
        return new ZipArchive(new MemoryStream(await blob.GetByteArrayAsync(redirect.Headers.Location!)));
    }

    [GeneratedRegex("name=\"task\" value=\"([^\"]+)\"")]
    private static partial Regex TaskKeys();
}

/// <summary>The same flows with the local host's entity stores on a real PostgreSQL server.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PostgresRightsEndToEndTests(Azurite azurite, PostgresServer server) : RightsEndToEndTests(azurite), IClassFixture<PostgresServer>
{
    protected override async Task<IDictionary<string, string>> SettingsAsync()
    {
        var connectionString = await server.CreateDatabaseAsync("e");

        return new Dictionary<string, string>
        {
            ["Stores__Provider"] = "postgres",
            ["Stores__PostgresConnectionString"] = connectionString,
        };
    }
}
