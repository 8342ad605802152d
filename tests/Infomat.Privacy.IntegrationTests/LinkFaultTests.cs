using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 14, item 6: a link in a mail is spent only when the step it takes is recorded. When the case register answers
/// 503 while a person uses a link, they are told to try again, and the same link then takes the step, once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LinkFaultTests(Azurite azurite) : IAsyncLifetime
{
    private readonly InProcessHost host = new(azurite);
    private Flows flows = null!;

    public async Task InitializeAsync()
    {
        await host.StartAsync();
        flows = new Flows(host);
    }

    public async Task DisposeAsync()
    {
        flows.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_storage_outage_while_confirming_the_address_asks_to_try_again_and_the_same_link_then_confirms_it_once()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "fr", entity: "nl");
        var link = Mailbox.Link(await host.Mailbox.WaitForAsync("verification", id), host.BaseUrl + "/verify?token=");
        // The link's record follows its send, after the answer (decision 86): done before the register goes down.
        await host.Services.GetRequiredService<Http.Hosting.NewCases>().AllBegunAsync(default).WaitAsync(TimeSpan.FromSeconds(30));
        await RecordedAsync(id, "verificationMailSentAt");

        host.TableFaults.FailWhen(StorageFaults.CaseWrite(id));
        var failed = await flows.PostTokenAsync("/verify", link);

        Assert.True(host.TableFaults.Injected > 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("Réessayez dans quelques minutes avec le même lien", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        host.TableFaults.Heal();
        var again = await flows.PostTokenAsync("/verify", link);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await flows.PostTokenAsync("/verify", link)).StatusCode);

        await host.Mailbox.WaitForAsync("approval-request", id);
        await RecordedAsync(id, "approvalMailSentAt"); // the register records the request after the mail went out
        Assert.Equal(1, await TimesInStatusAsync(id, "AwaitingIdentityApproval"));
    }

    [Fact]
    public async Task A_storage_outage_on_a_staff_case_page_asks_to_try_again_rather_than_a_bare_error()
    {
        // Review of 7 December: the case page and its actions read and wrote the register unguarded (a 500).
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "nl", entity: "nl");
        host.TableFaults.FailWhen(r => r.Method == Azure.Core.RequestMethod.Get && r.Uri.Path.Contains("/PrivacyCases", StringComparison.Ordinal));
        using var failed = await flows.Http.GetAsync($"/cases/{id}");

        Assert.True(host.TableFaults.Injected > 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains(Localization.Texts.Get("StaffTryAgainBody", Requests.Language.Nl), System.Net.WebUtility.HtmlDecode(await failed.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        host.TableFaults.Heal();
        using var again = await flows.Http.GetAsync($"/cases/{id}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_storage_outage_while_staff_approve_asks_to_try_again_and_the_same_link_then_approves_once()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await flows.VerifyAsync(id);
        var link = await flows.ApprovalLinkAsync(id);
        await RecordedAsync(id, "approvalMailSentAt");

        host.TableFaults.FailWhen(StorageFaults.CaseWrite(id));
        var failed = await flows.StaffPostAsync("/approvals", link, "Staff One", ("decision", "approve"), ("evidence", "verified-link"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("Probeer het over enkele minuten opnieuw met dezelfde link", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        host.TableFaults.Heal();
        var again = await flows.StaffPostAsync("/approvals", link, "Staff One", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await flows.StaffPostAsync("/approvals", link, "Staff Two", ("decision", "approve"), ("evidence", "verified-link"))).StatusCode);

        await flows.DownloadLinkAsync(id);
        Assert.Equal(1, await TimesInStatusAsync(id, "InProgress"));
    }

    [Fact]
    public async Task A_storage_outage_while_staff_mark_a_task_done_asks_to_try_again_and_the_same_link_then_records_it_once()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "nl", entity: "nl", type: "rectification", details: "Mijn functie is gewijzigd.");
        await flows.ApproveAsync(id);
        var link = await flows.TasksLinkAsync(id);
        await RecordedAsync(id, "tasksMailSentAt");

        var tasks = System.Text.RegularExpressions.Regex.Matches(await flows.Http.GetStringAsync(link.PathAndQuery), "name=\"task\" value=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("nl/crm", tasks);

        host.TableFaults.FailWhen(StorageFaults.CaseWrite(id));
        var failed = await flows.StaffPostAsync("/tasks", link, "Staff One", ("task", "nl/crm"), ("outcome", "done"), ("note", "Functie aangepast."));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("Probeer het over enkele minuten opnieuw met dezelfde link", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        host.TableFaults.Heal();
        var again = await flows.StaffPostAsync("/tasks", link, "Staff One", ("task", "nl/crm"), ("outcome", "done"), ("note", "Functie aangepast."));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await flows.StaffPostAsync("/tasks", link, "Staff One", ("task", "nl/crm"), ("outcome", "done"))).StatusCode);
        foreach (var other in tasks.Where(t => t != "nl/crm"))
        {
            Assert.Equal(HttpStatusCode.OK, (await flows.StaffPostAsync("/tasks", link, "Staff One", ("task", other), ("outcome", "done"))).StatusCode);
        }

        var report = (await host.Mailbox.WaitForAsync("action-report", id)).TextBody;
        Assert.Contains("Functie aangepast.", report, StringComparison.Ordinal);
        Assert.Single(host.Mailbox.Of("action-report", id));
    }

    [Fact]
    public async Task A_storage_outage_when_the_requester_downloads_asks_to_try_again_and_gives_no_link_until_the_download_is_counted()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await flows.ApproveAsync(id);
        var link = await flows.DownloadLinkAsync(id);
        await RecordedAsync(id, "answerSentAt");

        host.TableFaults.FailWhen(StorageFaults.CaseWrite(id));
        var failed = await flows.PostTokenAsync("/download", link);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Null(failed.Headers.Location);
        Assert.Contains("Please try again in a few minutes with the same link", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        host.TableFaults.Heal();
        Assert.Equal(HttpStatusCode.SeeOther, (await flows.PostTokenAsync("/download", link)).StatusCode);
        Assert.Contains("You can start the download 4 more time(s); each start counts, also one that does not finish.", await flows.Http.GetStringAsync(link.PathAndQuery), StringComparison.Ordinal);
    }

    /// <summary>
    /// The exports account (its own in Azure, decision 67) failing while the register answers: the download page and the
    /// download gave a bare 500 (review of 5 December); now the page says to try again with the same link, which then works.
    /// </summary>
    [Fact]
    public async Task An_outage_of_the_exports_storage_when_the_requester_downloads_asks_to_try_again_with_the_same_link()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await flows.ApproveAsync(id);
        var link = await flows.DownloadLinkAsync(id);
        await RecordedAsync(id, "answerSentAt");

        host.ExportFaults.FailWhen(_ => true);
        var page = await flows.Http.GetAsync(link.PathAndQuery);
        var post = await flows.PostTokenAsync("/download", link);

        Assert.True(host.ExportFaults.Injected > 0);
        foreach (var answer in new[] { page, post })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Null(answer.Headers.Location);
            Assert.Contains("Please try again in a few minutes with the same link", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        host.ExportFaults.Heal();
        Assert.Contains("You can start the download 5 more time(s); each start counts, also one that does not finish.", await flows.Http.GetStringAsync(link.PathAndQuery), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, (await flows.PostTokenAsync("/download", link)).StatusCode);
    }

    /// <summary>
    /// Staff withdraw a zip while the exports storage answers 503 to the delete (review of 5 December): the withdrawal was
    /// recorded, the page answered a bare 500, and the retention sweep skipped a withdrawn zip, so the requester's data
    /// stayed in storage until the case was removed. Now the page says the withdrawal stands and the next sweep deletes
    /// the zip, once.
    /// </summary>
    [Fact]
    public async Task A_withdrawn_zip_whose_delete_failed_is_said_so_on_the_page_and_deleted_by_the_next_retention_sweep()
    {
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", language: "en", entity: "nl");
        await flows.ApproveAsync(id);
        var link = await flows.DownloadLinkAsync(id);
        await RecordedAsync(id, "answerSentAt");
        var before = await flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.SeeOther, before.StatusCode);

        host.ExportFaults.FailWhen(r => r.Method == Azure.Core.RequestMethod.Delete);
        var revoke = await flows.StaffPostAsync($"/cases/{id}/revoke-export", new Uri($"{host.BaseUrl}/cases/{id}"), "Els Janssens");

        Assert.True(host.ExportFaults.Injected > 0);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var page = await revoke.Content.ReadAsStringAsync();
        Assert.Contains("De intrekking geldt: de downloadlink werkt niet meer.", page, StringComparison.Ordinal);
        Assert.Contains("nog niet uit de opslag verwijderd", page, StringComparison.Ordinal);
        Assert.DoesNotContain("ingetrokken en verwijderd", page, StringComparison.Ordinal);
        // The requester's page says the file is withdrawn and will be deleted, not that it was (review of 6 December).
        var refused = await flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        var requesterPage = await refused.Content.ReadAsStringAsync();
        Assert.Contains(Privacy.Localization.Texts.Format("DownloadRevokedPendingBody", Privacy.Requests.Language.En, id), requesterPage, StringComparison.Ordinal);
        Assert.DoesNotContain("and deleted it", requesterPage, StringComparison.Ordinal);
        using var blob = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await blob.GetAsync(before.Headers.Location!)).StatusCode);

        host.ExportFaults.Heal();
        var sweep = host.Services.GetRequiredService<Http.Cases.RetentionSweep>();
        Assert.True((await sweep.RunAsync(default)).ExportsDeleted >= 1);
        await sweep.RunAsync(default);

        Assert.Equal(HttpStatusCode.NotFound, (await blob.GetAsync(before.Headers.Location!)).StatusCode);
        var casePage = await flows.Http.GetStringAsync($"/cases/{id}");
        Assert.Contains("ingetrokken en verwijderd door Els Janssens (no sign-in)", casePage, StringComparison.Ordinal);
        Assert.Equal(1, casePage.Split("<code>export-deleted</code>").Length - 1);
        var afterSweep = await flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, afterSweep.StatusCode);
        Assert.Contains(Privacy.Localization.Texts.Format("DownloadRevokedBody", Privacy.Requests.Language.En, id), await afterSweep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_outage_while_a_request_is_sent_asks_to_send_it_again_keeps_what_was_typed_and_the_second_try_makes_one_case()
    {
        var address = $"outage.{Guid.NewGuid():N}@example.be";
        // Every write to the case register fails: the request cannot be recorded.
        host.TableFaults.FailWhen(r => r.Method != Azure.Core.RequestMethod.Get && r.Uri.Path.Contains("/PrivacyCases", StringComparison.Ordinal));

        var json = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = address, name = "Els Peeters", language = "en", entity = "be" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
        Assert.True(json.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.DoesNotContain(address, await json.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        var form = await flows.PostFormAsync(("type", "access"), ("email", address), ("name", "Els Peeters"), ("language", "nl"), ("entity", "be"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, form.StatusCode);
        var page = await form.Content.ReadAsStringAsync();
        Assert.Contains("Stuur het over enkele minuten opnieuw", page, StringComparison.Ordinal);
        Assert.Contains("value=\"Els Peeters\"", page, StringComparison.Ordinal);

        host.TableFaults.Heal();
        var again = await flows.PostFormAsync(("type", "access"), ("email", address), ("name", "Els Peeters"), ("language", "nl"), ("entity", "be"));
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        var id = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri(host.BaseUrl), again.Headers.Location!).Query)["request"]!;
        await host.Mailbox.WaitForAsync("verification", id);
        Assert.Single(host.Mailbox.All(), m => m.Headers["X-Infomat-Kind"] == "verification" && m.To.Mailboxes.Single().Address == address);
    }

    /// <summary>Waits until the case's register row records <paramref name="field"/>: the orchestration is then waiting on the person.</summary>
    private async Task RecordedAsync(string id, string field)
    {
        var cases = new Azure.Data.Tables.TableClient(azurite.ConnectionString, "PrivacyCases");
        for (var i = 0; i < 150; i++)
        {
            var data = (await cases.GetEntityAsync<Azure.Data.Tables.TableEntity>(id, "case")).Value.GetString("Data");
            if (data.Contains($"\"{field}\":\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Case {id} did not record {field}.");
    }

    private async Task<int> TimesInStatusAsync(string id, string status)
    {
        using var json = await flows.StatusAsync(id);
        return json.RootElement.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("status").GetString() == status);
    }
}
