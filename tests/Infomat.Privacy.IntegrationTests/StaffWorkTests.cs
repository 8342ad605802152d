using System.Net;
using System.Text.Json;

using Azure.Data.Tables;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Staff running cases from their mailbox and the case list, through the local host (no sign-in locally).</summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed partial class StaffWorkTests(Azurite azurite) : LocalHostTests(azurite)
{
    [Fact]
    public async Task The_post_deployment_check_fails_when_staff_pages_are_open_without_sign_in()
    {
        // This host runs as the local one does: staff type their name, no sign-in. Deployed like that, it must fail.
        var (exit, output) = await Scripts.RunAsync("check-deployment.sh", "--no-mailbox", Host.BaseUrl);

        Assert.Equal(1, exit);
        Assert.Contains("FAIL  /cases answered 200 without sign-in", output, StringComparison.Ordinal);
        Assert.Contains("ok    /health 200", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_are_never_cached_framed_or_given_away_by_referrer_and_their_style_is_the_only_thing_allowed()
    {
        // Issue 18, item 11: case, approval, task and download pages carry personal data and tokens.
        var id = await Flows.SubmitAsync(Fresh("kop.regels"));
        await Flows.VerifyAsync(id);
        var approval = await Flows.ApprovalLinkAsync(id);
        foreach (var path in new[] { "/privacy?lang=fr", "/privacy/notice?lang=nl", "/cases", $"/cases/{id}", approval.PathAndQuery, "/download?token=not-a-token", "/verify?token=x" })
        {
            using var response = await Flows.Http.GetAsync(path);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control {response.Headers.CacheControl}");
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            // The one inline style block is allowed by its hash, so the page still looks as it should.
            var html = await response.Content.ReadAsStringAsync();
            var style = html[(html.IndexOf("<style>", StringComparison.Ordinal) + 7)..html.IndexOf("</style>", StringComparison.Ordinal)];
            Assert.Contains($"style-src 'sha256-{Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(style)))}'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        }

        using var status = await Flows.Http.GetAsync($"/api/requests/{id}");
        Assert.Equal("nosniff", Assert.Single(status.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(status.Headers.CacheControl?.NoStore == true, "the status of a case is not cached");
    }

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["LocalHost__CaseSweepInterval"] = "00:00:02",
        ["Privacy__Staff__EscalationAddress"] = "dpo@infomat.eu",
    });

    private static string Fresh(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    private ICaseRegister Register() => TestCases.Register(Azurite);

    private Task<PrivacyCase> WaitingCaseAsync(DateTimeOffset receivedAt, string email, DateOnly? dueDate = null) => TestCases.WaitingAsync(Azurite, receivedAt, email, dueDate);

    [Fact]
    public async Task An_erasure_needs_two_different_colleagues_and_the_audit_trail_names_both()
    {
        var email = Fresh("wis.mij");
        var id = await Flows.SubmitAsync(email, type: "erasure");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        var approvalMail = (await Host.Mailbox.WaitForAsync("approval-request", id)).TextBody;
        Assert.Contains("2 verschillende collega's", approvalMail, StringComparison.Ordinal);
        Assert.Contains("Infomat België, CRM: 0", approvalMail, StringComparison.Ordinal);

        var first = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("Goedkeuring 1 van 2", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var same = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        await Task.Delay(1000);
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
        }

        var second = await Flows.StaffPostAsync("/approvals", link, "Pieter Claes", ("decision", "approve"), ("evidence", "known-details"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("door Pieter Claes (no sign-in)", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Host.Mailbox.WaitForAsync("action-report", id);

        var casePage = await Flows.Http.GetStringAsync($"/cases/{id}");
        Assert.True(casePage.Contains("De keten van", StringComparison.Ordinal), casePage[Math.Max(0, casePage.IndexOf("<main", StringComparison.Ordinal))..]);
        Assert.Contains("Els Janssens (no sign-in)", casePage, StringComparison.Ordinal);
        Assert.Contains("approval 2 of 2 evidence=known-details", casePage, StringComparison.Ordinal);
        Assert.DoesNotContain(email, casePage[casePage.IndexOf("<table", StringComparison.Ordinal)..], StringComparison.OrdinalIgnoreCase);

        var (intact, output) = await Host.RunCommandAsync("verify-audit", id);
        Assert.True(intact == 0, output);
        Assert.Contains($"{id}: intact", output, StringComparison.Ordinal);

        // Someone with write access to the table turns the second approval into something else.
        var table = new TableClient(Azurite.ConnectionString, TableAuditTrail.TableName);
        var edited = table.Query<TableEntity>(e => e.PartitionKey == id).First(e => e.GetString("Actor") == "Pieter Claes (no sign-in)");
        edited["Actor"] = "Els Janssens (no sign-in)";
        await table.UpdateEntityAsync(edited, edited.ETag, TableUpdateMode.Replace);

        var (broken, report) = await Host.RunCommandAsync("verify-audit", id);
        Assert.Equal(1, broken);
        Assert.Contains($"{id}: BROKEN at event {int.Parse(edited.RowKey, System.Globalization.CultureInfo.InvariantCulture)}", report, StringComparison.Ordinal);
        Assert.Contains("gebroken", await Flows.Http.GetStringAsync($"/cases/{id}"), StringComparison.OrdinalIgnoreCase);

        // Issue 18 item 13: deleting the last events (the edited one and all after it) left a chain that verified.
        var events = table.Query<TableEntity>(e => e.PartitionKey == id && e.RowKey != "checkpoint").OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        foreach (var tail in events.Where(e => string.CompareOrdinal(e.RowKey, edited.RowKey) >= 0))
        {
            await table.DeleteEntityAsync(tail.PartitionKey, tail.RowKey);
        }

        var (truncated, truncation) = await Host.RunCommandAsync("verify-audit", id);
        Assert.Equal(1, truncated);
        Assert.Contains($"{id}: BROKEN at event {int.Parse(edited.RowKey, System.Globalization.CultureInfo.InvariantCulture)}", truncation, StringComparison.Ordinal);
        Assert.Contains("missing", truncation, StringComparison.Ordinal);
        Assert.Contains("gebroken", await Flows.Http.GetStringAsync($"/cases/{id}"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_approval_from_a_page_that_showed_an_earlier_count_is_not_taken_as_the_second_one()
    {
        var id = await Flows.SubmitAsync(Fresh("twee.tabbladen"), type: "erasure");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        // Els and Pieter both open the decision page while nobody has approved yet (0 of 2).
        var elsPage = await Flows.Http.GetStringAsync(link);
        var pieterPage = await Flows.Http.GetStringAsync(link);

        var first = await Flows.StaffPostFromPageAsync("/approvals", elsPage, link, "Els Janssens", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("Goedkeuring 1 van 2", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Pieter approves from the page he opened before, believing a second check would follow: not the final decision.
        var stale = await Flows.StaffPostFromPageAsync("/approvals", pieterPage, link, "Pieter Claes", ("decision", "approve"), ("evidence", "known-details"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var answer = System.Net.WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync());
        Assert.Contains("Deze goedkeuring is niet vastgelegd", answer, StringComparison.Ordinal);
        // The answer shows where the decision stands now: Els's approval, and the form to give the second one.
        Assert.Contains("Goedgekeurd door Els Janssens (no sign-in)", answer, StringComparison.Ordinal);
        Assert.Contains("value=\"approve\"", answer, StringComparison.Ordinal);
        // A form that does not say which count it showed (a page opened before this release) is refused the same way.
        var unsaid = await Flows.Http.PostAsync("/approvals", Flows.Form(
            [.. Flows.StaffFormFields(await Flows.Http.GetStringAsync(link), link, "Pieter Claes", "decision_basis"), ("decision", "approve"), ("evidence", "known-details")]));
        Assert.Equal(HttpStatusCode.Conflict, unsaid.StatusCode);
        var stored = (await Register().GetAsync(id, default))!;
        Assert.Null(stored.Decision);
        Assert.Single(stored.Approvals);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);

        // From the page as it stands now, Pieter's approval is the second one, and it decides.
        var second = await Flows.StaffPostAsync("/approvals", link, "Pieter Claes", ("decision", "approve"), ("evidence", "known-details"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.DoesNotContain("data-approvals-missing", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, (await Register().GetAsync(id, default))!.Approvals.Count);
    }

    [Fact]
    public async Task A_failed_case_is_listed_with_the_open_ones_and_a_staff_retry_resumes_it_where_it_stood()
    {
        var id = await Flows.SubmitAsync(Fresh("mislukt"));
        await Flows.VerifyAsync(id);
        var firstLink = await Flows.ApprovalLinkAsync(id);
        var openedBefore = await Flows.Http.GetStringAsync(firstLink);
        // A step failed after its retries (what MarkFailed records): the case stops, the requester is sent nothing.
        await Register().ApplyAsync(id, x => x.Fail(DateTimeOffset.UtcNow, "SendAcknowledgement"), default);

        var list = await Flows.Http.GetStringAsync($"/cases?q={id}");
        var page = await Flows.Http.GetStringAsync($"/cases/{id}");
        Assert.InRange(list.IndexOf($"<a href=\"/cases/{id}\">", StringComparison.Ordinal), 0, list.IndexOf("</tbody>", StringComparison.Ordinal));
        Assert.Contains("action=\"/cases/" + id + "/retry\"", page, StringComparison.Ordinal);
        Assert.Contains("hervat een nieuwe poging het verzoek waar het stond (wacht op de identiteitsbeslissing)", page, StringComparison.Ordinal);
        Assert.Contains("Mislukte stap: het verzenden van de ontvangstbevestiging (SendAcknowledgement)", page, StringComparison.Ordinal);
        // The decision link staff already have says what to do now, not that no decision can be recorded any more.
        var stopped = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync(firstLink));
        Assert.Contains($"Hervat het met ‘Verzoek opnieuw proberen’ op zijn pagina ‘Privacyverzoek {id}’", stopped, StringComparison.Ordinal);
        Assert.Contains("daarna werkt deze link weer", stopped, StringComparison.Ordinal);
        Assert.Contains($"href=\"/cases/{id}\"", stopped, StringComparison.Ordinal);
        Assert.DoesNotContain("geen beslissing meer", stopped, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"decision\"", stopped, StringComparison.Ordinal);
        // A decision posted from the page opened before it failed is refused with the same way to the case page.
        var posted = await Flows.StaffPostFromPageAsync("/approvals", openedBefore, firstLink, "Staff One", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.Conflict, posted.StatusCode);
        var refused = System.Net.WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
        Assert.Contains("daarna werkt deze link weer", refused, StringComparison.Ordinal);
        Assert.Contains($"href=\"/cases/{id}\"", refused, StringComparison.Ordinal);

        var retry = await Flows.StaffPostAsync($"/cases/{id}/retry", new Uri($"{Host.BaseUrl}/cases/{id}"), "Els Janssens");
        var again = await Flows.StaffPostAsync($"/cases/{id}/retry", new Uri($"{Host.BaseUrl}/cases/{id}"), "Els Janssens");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("Het verzoek is hervat", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await Register().GetAsync(id, default))!.Status);
        // The decision link staff already have works, and the case goes on to its answer.
        var decided = await Flows.StaffPostAsync("/approvals", firstLink, "Staff One", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        using var status = await Flows.StatusOnceAsync(id, "Completed");
        Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_request_whose_address_the_mail_service_refused_says_so_to_staff_and_to_the_requester_not_a_fault_on_our_side()
    {
        // Decision 141: what the verification step records when the mail service refuses the address for good.
        var now = DateTimeOffset.UtcNow;
        var refused = PrivacyCase.Received(new ValidRequest(RequestType.Access, Fresh("geweigerd"), "Test Person", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, now, TestDataMaps.Real);
        refused = refused.VerificationMailRefused(now).Changed!;
        await Register().CreateAsync(refused, default);

        var casePage = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/cases/{refused.Id}"));
        var thanks = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy/thanks?request={refused.Id}&lang=nl"));

        Assert.Contains("Onze maildienst weigerde het adres van de verzoeker definitief op", casePage, StringComparison.Ordinal);
        Assert.Contains("wie per mail schreef, krijgt het van dit systeem niet te horen, al kan een antwoord vanuit de mailbox info@infomat.eu de verzoeker misschien nog bereiken", casePage, StringComparison.Ordinal);
        Assert.Contains("Link om het adres te bevestigen definitief geweigerd door de maildienst", casePage, StringComparison.Ordinal);
        Assert.Contains("maar onze maildienst weigerde het opgegeven adres", thanks, StringComparison.Ordinal);
        Assert.Contains("dus is het verzoek afgesloten zonder er gevolg aan te geven", thanks, StringComparison.Ordinal);
        Assert.DoesNotContain("storing bij ons", thanks, StringComparison.Ordinal);
        // Closed: out of the cases owed an answer, with no retry offered.
        Assert.DoesNotContain($"action=\"/cases/{refused.Id}/retry\"", casePage, StringComparison.Ordinal);
        Assert.DoesNotContain(refused.Email, thanks, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_failed_case_whose_copies_an_erasure_is_deleting_is_retried_only_once_that_erasure_stops_and_the_page_names_it()
    {
        // Decision 133: the person's erasure marked this failed case while it deletes what the case prepared.
        var email = Fresh("gewist.terwijl");
        var id = await Flows.SubmitAsync(email);
        await Flows.VerifyAsync(id);
        await Flows.ApprovalLinkAsync(id);
        var erasure = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, email, "Test Person", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real)
            .WithStatus(CaseStatus.InProgress, DateTimeOffset.UtcNow);
        await Register().CreateAsync(erasure, default);
        await Register().ApplyAsync(id, x => x.Fail(DateTimeOffset.UtcNow, "SendAcknowledgement"), default);
        // The mark the erasure's step sets (PrivacyCase.BeginErasingCopies; set here directly on a case failed earlier on).
        await Register().UpdateAsync(id, c => c with { CopiesBeingErasedBy = [erasure.Id] }, default);
        var casePage = new Uri($"{Host.BaseUrl}/cases/{id}");

        var refused = await Flows.StaffPostAsync($"/cases/{id}/retry", casePage, "Els Janssens");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"Een wissing voor dezelfde persoon (verzoek {erasure.Id}) verwijdert nu wat voor dit verzoek was voorbereid. Probeer dit verzoek opnieuw zodra die wissing heeft vastgelegd wat ze verwijderde, of is gestopt (mislukt of afgesloten)",
            WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(CaseStatus.Failed, (await Register().GetAsync(id, default))!.Status);

        // The erasure failed: it deletes nothing more, so its mark no longer holds the case back.
        await Register().ApplyAsync(erasure.Id, x => x.Fail(DateTimeOffset.UtcNow, "EraseEarlierCopies"), default);
        var retried = await Flows.StaffPostAsync($"/cases/{id}/retry", casePage, "Els Janssens");

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var stored = (await Register().GetAsync(id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);
        Assert.Empty(stored.CopiesBeingErasedBy);
    }

    [Fact]
    public async Task A_failed_case_staff_answered_themselves_is_closed_from_its_page_and_leaves_the_list_of_cases_owed_an_answer()
    {
        // A person the stores know, so that the approved correction waits on staff tasks.
        const string email = "an.peeters@example.be";
        var id = await Flows.SubmitAsync(email, type: "rectification", details: "Mijn functietitel is fout.");
        await Flows.ApproveAsync(id);
        // Approved, the case waits on its staff task; then a step fails for good (what MarkFailed records).
        var tasksLink = await Flows.TasksLinkAsync(id);
        var tasksPageBefore = await Flows.Http.GetStringAsync(tasksLink.PathAndQuery);
        await Register().ApplyAsync(id, x => x.Fail(DateTimeOffset.UtcNow, "ApplyActions"), default);
        var casePage = new Uri($"{Host.BaseUrl}/cases/{id}");
        var page = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync(casePage));
        var today = Deadlines.DueDateCalculator.Today(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = Deadlines.DueDateCalculator.Today(DateTimeOffset.UtcNow).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var toRequester = Host.Mailbox.All().Count(m => m.To.Mailboxes.Any(a => a.Address == email));

        Assert.Contains("action=\"/cases/" + id + "/answered-outside\"", page, StringComparison.Ordinal);
        Assert.Contains("Het verzoek wordt dan afgesloten als ‘beantwoord’", page, StringComparison.Ordinal);
        // Whom to tell of what staff corrected themselves (Art. 19): the data map's recipients of the stores that held her.
        var recipients = (await Register().GetAsync(id, default))!.RecipientsToTellWhenAnsweredOutside(TestDataMaps.Real)!;
        Assert.Contains("processors", recipients.Recipients.Select(r => r.Key));
        Assert.Contains("Ontvangers van de gegevens in de systemen waarin gegevens van de verzoeker werden gevonden of niet konden worden geteld, die u mogelijk op de hoogte moet brengen van wat u hebt gerectificeerd, gewist of beperkt (art. 19 AVG): ", page, StringComparison.Ordinal);
        Assert.Contains("de dienstverleners die onze administratie ondersteunen en onze bedrijfssystemen hosten", page, StringComparison.Ordinal);
        // Without how, with a day after today, or from a page without the failure it showed: nothing recorded.
        var noHow = await Flows.StaffPostAsync($"/cases/{id}/answered-outside", casePage, "Els Janssens", ("answered_on", today), ("how", " "));
        var future = await Flows.StaffPostAsync($"/cases/{id}/answered-outside", casePage, "Els Janssens", ("answered_on", tomorrow), ("how", "per brief"));
        var outdated = await Flows.StaffPostAsync($"/cases/{id}/answered-outside", casePage, "Els Janssens", ("answered_on", today), ("how", "per brief"), ("failed_at", "1"));
        Assert.Equal(HttpStatusCode.BadRequest, noHow.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("Geef de dag waarop het antwoord werd verstuurd", System.Net.WebUtility.HtmlDecode(await future.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, outdated.StatusCode);
        Assert.Equal(CaseStatus.Failed, (await Register().GetAsync(id, default))!.Status);

        var closed = await Flows.StaffPostAsync($"/cases/{id}/answered-outside", casePage, "Els Janssens", ("answered_on", today), ("how", "Antwoord per brief van de DPO, referentie 2026-117"));
        var again = await Flows.StaffPostAsync($"/cases/{id}/answered-outside", casePage, "Els Janssens", ("answered_on", today), ("how", "nog eens"));

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var shown = System.Net.WebUtility.HtmlDecode(await closed.Content.ReadAsStringAsync());
        Assert.Contains("Het antwoord is vastgelegd en het verzoek is afgesloten als ‘beantwoord’.", shown, StringComparison.Ordinal);
        Assert.Contains("Antwoord per brief van de DPO, referentie 2026-117 (vastgelegd door Els Janssens", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/cases/" + id + "/retry\"", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var stored = (await Register().GetAsync(id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Equal("Antwoord per brief van de DPO, referentie 2026-117", stored.AnsweredOutside!.How);
        using var status = await Flows.StatusAsync(id);
        Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
        // The requester's page says staff sent the answer themselves.
        var thanks = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=nl"));
        Assert.Contains("onze medewerkers stuurden u het antwoord zelf op", thanks, StringComparison.Ordinal);
        // The CSV says when the answer was sent, beside when staff recorded it (closed).
        var csvFields = (await Flows.Http.GetStringAsync($"/cases.csv?q={id}")).Split("\r\n").Single(l => l.StartsWith(id, StringComparison.Ordinal)).Split(',');
        Assert.Equal(("Completed", today), (csvFields[4], csvFields[13]));
        Assert.NotEmpty(csvFields[10]);
        // No longer listed with the cases owed an answer; the requester is sent nothing by the close.
        var owed = await Flows.Http.GetStringAsync($"/cases?state=open&q={id}");
        Assert.DoesNotContain($"<a href=\"/cases/{id}\">", owed, StringComparison.Ordinal);
        Assert.Equal(toRequester, Host.Mailbox.All().Count(m => m.To.Mailboxes.Any(a => a.Address == email)));
        // Its staff tasks are closed: the task page says why and offers no form; a form sent from the page opened before is refused.
        var tasksPage = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync(tasksLink.PathAndQuery));
        Assert.Contains("Dit verzoek werd afgesloten als buiten dit systeem beantwoord", tasksPage, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/tasks\"", tasksPage, StringComparison.Ordinal);
        var taskKey = System.Text.RegularExpressions.Regex.Match(tasksPageBefore, "name=\"task\" value=\"([^\"]+)\"").Groups[1].Value;
        var lateTask = await Flows.StaffPostFromPageAsync("/tasks", tasksPageBefore, tasksLink, "Piet Claes", ("task", taskKey), ("outcome", "done"));
        Assert.Equal(HttpStatusCode.Conflict, lateTask.StatusCode);
        Assert.True((await Register().GetAsync(id, default))!.Tasks.All(t => t.IsOpen));
        // The trail names who closed it and the day, never how (staff text about the requester).
        var events = await TestCases.AuditTrail(Azurite).ListAsync(id, default);
        var outside = Assert.Single(events, e => e.Action == "answered-outside");
        Assert.StartsWith("Els Janssens", outside.Actor, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Outcome.Contains("2026-117", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_task_done_on_a_failed_case_says_the_report_goes_only_once_the_case_is_retried()
    {
        // Approved, the case waits on its staff tasks; then a step fails for good (what MarkFailed records): the run
        // that waited on the tasks ended, so finishing them sends nothing until a colleague retries the case.
        var id = await Flows.SubmitAsync("an.peeters@example.be", type: "rectification", details: "Mijn functietitel is fout.");
        await Flows.ApproveAsync(id);
        var tasksLink = await Flows.TasksLinkAsync(id);
        await Register().ApplyAsync(id, x => x.Fail(DateTimeOffset.UtcNow, "ApplyActions"), default);

        var tasksPage = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync(tasksLink.PathAndQuery));
        Assert.Contains("mislukte een stap van dit verzoek, dus het is gestopt", tasksPage, StringComparison.Ordinal);
        Assert.Contains("de verzoeker krijgt het verslag pas zodra alle taken klaar zijn en het verzoek opnieuw is geprobeerd met ‘Verzoek opnieuw proberen’ op zijn pagina ‘Privacyverzoek " + id + "’", tasksPage, StringComparison.Ordinal);
        Assert.Contains("action=\"/tasks\"", tasksPage, StringComparison.Ordinal);

        var taskKey = System.Text.RegularExpressions.Regex.Match(tasksPage, "name=\"task\" value=\"([^\"]+)\"").Groups[1].Value;
        var done = await Flows.StaffPostAsync("/tasks", tasksLink, "Els Janssens", ("task", taskKey), ("outcome", "done"), ("note", "Functie aangepast."));

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var shown = System.Net.WebUtility.HtmlDecode(await done.Content.ReadAsStringAsync());
        Assert.Contains("Geregistreerd. Dit verzoek is gestopt: de verzoeker krijgt het verslag pas", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("Zodra alle taken klaar zijn, krijgt de verzoeker het verslag.", shown, StringComparison.Ordinal);
        Assert.NotNull((await Register().GetAsync(id, default))!.Tasks.Single(t => t.Key == taskKey).DoneAt);
    }

    [Fact]
    public async Task A_decision_on_a_case_that_was_closed_meanwhile_is_refused_with_a_page_that_says_so()
    {
        var id = await Flows.SubmitAsync(Fresh("gesloten"));
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        // A colleague has the decision page (and its form) open: a first send without a choice records nothing.
        Assert.Equal(HttpStatusCode.BadRequest, (await Flows.StaffPostAsync("/approvals", link, "Staff One")).StatusCode);
        // Meanwhile another colleague asked for more identification, the requester never sent it and the case expired;
        // then the colleague sends the form they had open.
        var now = DateTimeOffset.UtcNow;
        await Register().ApplyAsync(id, x => x.RequestIdentification("Staff Two", "Uw klantnummer.", now).Changed!.IdentificationMailSent(now).Changed!.Expire(now, TimeSpan.Zero, TimeSpan.Zero), default);

        var page = await Flows.Http.GetStringAsync(link);
        var response = await Flows.StaffPostAsync("/approvals", link, "Staff One", ("decision", "approve"), ("evidence", "verified-link"));

        Assert.Contains("Er kan geen beslissing meer worden vastgelegd: sinds", page, StringComparison.Ordinal);
        Assert.Contains("gesloten zonder antwoord (verlopen)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"decision\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Er kan geen beslissing meer worden vastgelegd", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await Register().GetAsync(id, default))!;
        Assert.Null(stored.Decision);
        Assert.Equal(CaseStatus.Expired, stored.Status);
    }

    [Fact]
    public async Task A_decision_from_a_page_opened_before_a_colleague_asked_for_more_identification_is_not_taken()
    {
        var id = await Flows.SubmitAsync(Fresh("twee.collegas"));
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        // Pieter opens the decision page from the mail; then Els asks the requester for more identification from the
        // decision page the case page links to (a link of its own).
        var pieterPage = await Flows.Http.GetStringAsync(link);
        var elsLink = new Uri(System.Net.WebUtility.HtmlDecode(DecisionLink().Match(await Flows.Http.GetStringAsync($"/cases/{id}")).Groups[1].Value));
        Assert.NotEqual(Mailbox.Token(link), Mailbox.Token(elsLink));
        var ask = await Flows.StaffPostAsync("/approvals", elsLink, "Els Janssens",
            ("decision", "request-identification"), ("reason", "Geef het nummer van een factuur die u van ons kreeg."));
        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        await Host.Mailbox.WaitForAsync("identification-request", id);

        // Pieter, who never saw that, rejects, refuses, approves or asks again from his page: none is taken, so the
        // requester is not told "send us more" and "refused" minutes apart, asked twice, nor has the identity passed
        // that Els found short.
        (string Key, string Value)[][] decisions =
        [
            [("decision", "reject"), ("reason", "Identiteit niet bevestigd.")],
            [("decision", "manifestly-unfounded-or-excessive"), ("reason", "Het derde identieke verzoek deze week.")],
            [("decision", "approve"), ("evidence", "known-details")],
            [("decision", "request-identification"), ("reason", "Een kopie van uw klantenkaart.")],
        ];
        foreach (var decision in decisions)
        {
            var stale = await Flows.StaffPostFromPageAsync("/approvals", pieterPage, link, "Pieter Claes", decision);
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            var answer = System.Net.WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync());
            Assert.Contains("Er is niets vastgelegd: de identiteitscontrole is verdergegaan sinds deze pagina werd geopend", answer, StringComparison.Ordinal);
            // The page as it stands now: Els's request, and the forms to decide from it.
            Assert.Contains("om meer identificatie gevraagd", answer, StringComparison.Ordinal);
            Assert.Contains("Els Janssens (no sign-in)", answer, StringComparison.Ordinal);
            Assert.Contains("value=\"reject\"", answer, StringComparison.Ordinal);
        }

        var stored = (await Register().GetAsync(id, default))!;
        Assert.Null(stored.Decision);
        Assert.Empty(stored.Approvals);
        Assert.Equal("Els Janssens (no sign-in)", stored.IdentificationRequestedBy);
        Assert.Equal("Geef het nummer van een factuur die u van ons kreeg.", stored.IdentificationRequest);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);

        // From the page as it stands now, Pieter's refusal is taken: the requester gets one request and one refusal.
        var fresh = await Flows.StaffPostAsync("/approvals", link, "Pieter Claes", ("decision", "reject"), ("reason", "Identiteit niet bevestigd."));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        await Host.Mailbox.WaitForAsync("rejection", id);
        Assert.Single(Host.Mailbox.Of("rejection", id));
        Assert.Single(Host.Mailbox.Of("identification-request", id));
    }

    [System.Text.RegularExpressions.GeneratedRegex("<a href=\"([^\"]*/approvals\\?token=[^\"]+)\">")]
    private static partial System.Text.RegularExpressions.Regex DecisionLink();

    [Fact]
    public async Task Staff_can_ask_for_more_identification_then_approve_on_that_evidence()
    {
        var email = Fresh("marie.lambert");
        var id = await Flows.SubmitAsync(email, language: "fr");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);

        var ask = await Flows.StaffPostAsync("/approvals", link, "Els Janssens",
            ("decision", "request-identification"), ("reason", "Geef het nummer van een factuur die u van ons kreeg."));
        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        var mail = await Host.Mailbox.WaitForAsync("identification-request", id);
        Assert.Equal(email, mail.To.Mailboxes.Single().Address);
        Assert.StartsWith($"Votre demande {id} relative à vos données personnelles", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Geef het nummer van een factuur", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("ne les copie ni ne les conserve", mail.TextBody, StringComparison.Ordinal);
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
            // What the requester must know, as the thank-you page says it: we wait for them, not for staff.
            Assert.Equal("awaiting-identification", status.RootElement.GetProperty("progress").GetString());
        }

        var approve = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "approve"), ("evidence", "additional-identification"));
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        await Host.Mailbox.WaitForAsync("export-ready", id);
    }

    [Fact]
    public async Task Opening_staff_pages_decides_nothing_and_a_form_from_elsewhere_is_refused()
    {
        var id = await Flows.SubmitAsync(Fresh("kijk.maar"));
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync(link.PathAndQuery)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync($"/cases/{id}")).StatusCode);
        }

        // A form posted without the page's antiforgery token (as another site would) decides nothing.
        using var other = new HttpClient { BaseAddress = new Uri(Host.BaseUrl) };
        var forged = await other.PostAsync("/approvals", Flows.Form(("token", Mailbox.Token(link)), ("decision", "approve"), ("evidence", "other"), ("staff_name", "Mallory")));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        await Task.Delay(1000);
        using var status = await Flows.StatusAsync(id);
        Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, status.RootElement.GetProperty("history").GetArrayLength() - 1);
    }

    [Fact]
    public async Task The_case_list_puts_overdue_cases_first_and_its_CSV_holds_no_personal_data()
    {
        var overdue = await WaitingCaseAsync(DateTimeOffset.UtcNow.AddDays(-45), Fresh("te.laat"));
        var fresh = await Flows.SubmitAsync(Fresh("op.tijd"));

        // Other tests' cases share the register: the list is looked at through its reference filter.
        var page = await Flows.Http.GetStringAsync($"/cases?q={overdue.Id}");
        var rows = page[page.IndexOf("<tbody>", StringComparison.Ordinal)..];
        Assert.Contains($"<tr class=\"overdue\"><td><a href=\"/cases/{overdue.Id}\">", rows, StringComparison.Ordinal);
        Assert.Contains("dagen TE LAAT", rows, StringComparison.Ordinal);
        // Company names, not wire values (issue 22).
        Assert.Contains("<td>Alleen Infomat België</td>", rows, StringComparison.Ordinal);

        var csv = await Flows.Http.GetAsync("/cases.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("reference,type,entity,channel,status,received,due_date,days_left,overdue,extended_months,closed,rights,refusal,answered_outside_on", lines[0]);
        var line = lines.Single(l => l.StartsWith(overdue.Id, StringComparison.Ordinal));
        Assert.True(Array.FindIndex(lines, l => l.StartsWith(overdue.Id, StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith(fresh, StringComparison.Ordinal)), "the overdue case comes first");
        Assert.Contains(",rectification,be,form,AwaitingStaffAction,", line, StringComparison.Ordinal);
        Assert.EndsWith(",yes,0,,rectification,,", line, StringComparison.Ordinal);
        // The moments in Brussels time with their offset, as the dates beside them (due_date) are Brussels days: a UTC
        // "closed" of 22:30 beside a due_date of that day hid an answer sent after midnight in Brussels (session 45's hunt).
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$", line.Split(',')[5]);
        Assert.DoesNotContain("@", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Test Person", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_filter_the_case_list_to_what_needs_attention_and_the_CSV_keeps_the_filter()
    {
        var overdue = await WaitingCaseAsync(DateTimeOffset.UtcNow.AddDays(-45), Fresh("filter.laat"));
        var fresh = await Flows.SubmitAsync(Fresh("filter.optijd"), type: "erasure", entity: "nl");

        var overdueList = await Flows.Http.GetStringAsync("/cases?state=overdue");
        Assert.Contains($"/cases/{overdue.Id}\"", overdueList, StringComparison.Ordinal);
        Assert.DoesNotContain($"/cases/{fresh}\"", overdueList, StringComparison.Ordinal);
        var rows = overdueList[overdueList.IndexOf("<tbody>", StringComparison.Ordinal)..overdueList.IndexOf("</tbody>", StringComparison.Ordinal)];
        Assert.DoesNotContain("<tr>", rows, StringComparison.Ordinal);
        Assert.Contains("<svg", overdueList, StringComparison.Ordinal);
        Assert.Contains("href=\"/cases?state=waiting-for-staff\"", overdueList, StringComparison.Ordinal);

        var erasuresNl = await Flows.Http.GetStringAsync("/cases?right=erasure&company=nl&channel=form&q=" + fresh[3..12].ToLowerInvariant());
        Assert.Contains($"/cases/{fresh}\"", erasuresNl, StringComparison.Ordinal);
        Assert.DoesNotContain($"/cases/{overdue.Id}\"", erasuresNl, StringComparison.Ordinal);
        Assert.Contains("<option value=\"erasure\" selected>", erasuresNl, StringComparison.Ordinal);

        var csv = await Flows.Http.GetStringAsync("/cases.csv?state=overdue");
        Assert.Contains(overdue.Id + ",", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh + ",", csv, StringComparison.Ordinal);
        Assert.All(csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.Contains(",yes,", l, StringComparison.Ordinal));

        using var unknown = await Flows.Http.GetAsync("/cases?state=late");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("‘state’", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknownCsv = await Flows.Http.GetAsync("/cases.csv?company=fr");
        Assert.Equal(HttpStatusCode.BadRequest, unknownCsv.StatusCode);
        Assert.Contains("company", await unknownCsv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_extension_moves_the_due_date_and_tells_the_requester_why_but_not_after_the_first_month()
    {
        var email = Fresh("sophie.martin");
        var id = await Flows.SubmitAsync(email, language: "fr");
        var before = (await Flows.StatusAsync(id)).RootElement.GetProperty("dueDate").GetString();
        var casePage = $"/cases/{id}";

        var extended = await Flows.StaffPostAsync($"{casePage}/extend", new Uri(Host.BaseUrl + casePage), "Els Janssens",
            ("months", "2"), ("reason", "Votre demande porte sur dix ans de facturation dans deux entités."));
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);

        var expected = DueDateCalculator.DueDate(DateTimeOffset.UtcNow, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), TestDataMaps.Real, 3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, (await Flows.StatusAsync(id)).RootElement.GetProperty("dueDate").GetString());
        Assert.NotEqual(before, expected);
        var notice = await Host.Mailbox.WaitForAsync("extension-notice", id);
        Assert.Equal(email, notice.To.Mailboxes.Single().Address);
        Assert.Contains("Votre demande porte sur dix ans de facturation", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("Autorité de protection des données", notice.TextBody, StringComparison.Ordinal);
        // Sent from a page that showed the extended date (no form is offered any more): the two months are used up.
        var again = await Flows.StaffPostAsync($"{casePage}/extend", new Uri(Host.BaseUrl + casePage), "Els Janssens", ("months", "1"), ("reason", "Encore."), ("due_date", expected));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("ten hoogste twee maanden extra", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Sent from a page opened within the first month, after it ended.
        var late = await WaitingCaseAsync(DateTimeOffset.UtcNow.AddDays(-40), Fresh("te.laat"));
        var refused = await Flows.StaffPostAsync($"/cases/{late.Id}/extend", new Uri($"{Host.BaseUrl}/cases/{late.Id}"), "Els Janssens", ("months", "1"), ("reason", "Te laat."),
            ("due_date", late.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Te laat om te verlengen", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Host.Mailbox.Of("extension-notice", late.Id));
    }

    [Fact]
    public async Task An_extension_sent_twice_from_the_same_page_moves_the_due_date_once_and_tells_the_requester_once()
    {
        var id = await Flows.SubmitAsync(Fresh("dubbel.klik"), language: "fr");
        var casePage = new Uri($"{Host.BaseUrl}/cases/{id}");
        var page = await Flows.Http.GetStringAsync(casePage);
        var shown = (await Register().GetAsync(id, default))!.DueDate;

        // A double click (or the same page in two tabs): the same form, one month each time.
        var first = await Flows.StaffPostFromPageAsync($"/cases/{id}/extend", page, casePage, "Els Janssens", ("months", "1"), ("reason", "Votre demande porte sur dix ans de facturation."));
        var second = await Flows.StaffPostFromPageAsync($"/cases/{id}/extend", page, casePage, "Els Janssens", ("months", "1"), ("reason", "Votre demande porte sur dix ans de facturation."));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var stored = (await Register().GetAsync(id, default))!;
        Assert.Equal(1, stored.ExtendedMonths);
        Assert.Equal(stored.ExtendedDueDate(0, TestDataMaps.Real), stored.DueDate);
        Assert.NotEqual(shown, stored.DueDate);
        // The refusal shows the case as it stands: the due date now, and nothing was extended by this click.
        var refused = System.Net.WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Contains("Er is niets verlengd", refused, StringComparison.Ordinal);
        Assert.Contains(Localization.Texts.Date(stored.DueDate, Language.Nl), refused, StringComparison.Ordinal);
        await Host.Mailbox.WaitForAsync("extension-notice", id);
        await Task.Delay(1000);
        Assert.Single(Host.Mailbox.Of("extension-notice", id));

        // A form that does not say which due date it showed (a page opened before this release) extends nothing either.
        var unsaid = await Flows.Http.PostAsync($"/cases/{id}/extend", Flows.Form(
            [.. Flows.StaffFormFields(await Flows.Http.GetStringAsync(casePage), casePage, "Els Janssens", "due_date"), ("months", "1"), ("reason", "Encore.")]));
        Assert.Equal(HttpStatusCode.Conflict, unsaid.StatusCode);
        Assert.Equal(1, (await Register().GetAsync(id, default))!.ExtendedMonths);
    }

    [Fact]
    public async Task The_daily_sweep_reminds_before_the_due_date_flags_overdue_cases_and_anonymises_old_closed_cases()
    {
        var today = DueDateCalculator.Today(DateTimeOffset.UtcNow);
        var soon = await WaitingCaseAsync(DateTimeOffset.UtcNow.AddDays(-28), Fresh("bijna.laat"), today.AddDays(2));
        var late = await WaitingCaseAsync(DateTimeOffset.UtcNow.AddDays(-40), Fresh("te.laat"), today.AddDays(-3));
        var oldEmail = Fresh("lang.geleden");
        var old = PrivacyCase.Received(new ValidRequest(RequestType.Access, oldEmail, "Oud Geval", "Oud BV", ControllerScope.Of("nl"), Language.Nl, "Inzage graag.", null),
            Channel.Form, DateTimeOffset.UtcNow.AddYears(-6), TestDataMaps.Real);
        old = (old with { EmailVerifiedAt = old.ReceivedAt, AnswerSentAt = old.ReceivedAt.AddDays(3) }).WithStatus(CaseStatus.Completed, old.ReceivedAt.AddDays(3));
        var register = Register();
        await register.CreateAsync(old, default);

        var reminder = await Host.Mailbox.WaitForAsync("reminder", soon.Id, TimeSpan.FromSeconds(20));
        Assert.Contains("(nog 2 dagen)", reminder.Subject, StringComparison.Ordinal);
        Assert.Contains($"{Host.BaseUrl}/cases/{soon.Id}", reminder.TextBody, StringComparison.Ordinal);
        // Two working days before, the escalation address is told too.
        var reminders = await WaitForCountAsync(() => Host.Mailbox.Of("reminder", soon.Id), 2);
        Assert.Contains(reminders, m => m.To.Mailboxes.Single().Address == "dpo@infomat.eu");
        var flags = await WaitForCountAsync(() => Host.Mailbox.Of("reminder", late.Id), 2);
        Assert.All(flags, m => Assert.StartsWith("TE LAAT", m.Subject, StringComparison.Ordinal));
        Assert.Contains(flags, m => m.To.Mailboxes.Single().Address == "dpo@infomat.eu");

        PrivacyCase? anonymised = null;
        for (var i = 0; i < 100 && anonymised?.IdentifiersErasedAt is null; i++)
        {
            anonymised = await register.GetAsync(old.Id, default);
            await Task.Delay(200);
        }

        Assert.NotNull(anonymised!.IdentifiersErasedAt);
        Assert.Equal(string.Empty, anonymised.Email);
        Assert.Equal(string.Empty, anonymised.Name);
        Assert.Null(anonymised.Company);
        Assert.Null(anonymised.Details);
        Assert.Equal(new KeyedHash(LocalHostProcess.PseudonymisationKey).Subject(oldEmail), anonymised.SubjectHash);
        Assert.Equal(CaseStatus.Completed, anonymised.Status);
        var (code, output) = await Host.RunCommandAsync("verify-audit", old.Id);
        Assert.True(code == 0, output);

        // Each reminder goes once to each mailbox, however often the sweep runs.
        await Task.Delay(5000);
        Assert.Equal(2, Host.Mailbox.Of("reminder", soon.Id).Count);
    }

    private static async Task<IReadOnlyList<T>> WaitForCountAsync<T>(Func<IReadOnlyList<T>> read, int count)
    {
        for (var i = 0; i < 100; i++)
        {
            if (read() is { } found && found.Count >= count)
            {
                return found;
            }

            await Task.Delay(200);
        }

        return read();
    }
}

/// <summary>
/// The staff pages with sign-in required, as in Azure: App Service Authentication passes the principal header and, with
/// its token store on, the ID token, which the host checks against a stand-in Entra ID (metadata and keys on a loopback
/// port, a locally generated key).
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed class StaffSignInTests(Azurite azurite) : LocalHostTests(azurite), IDisposable
{
    private const string ElsOid = "0c7e2b1a-5d0f-4f6e-9a43-3c2d8e1f7a01";
    private const string JanOid = "9b1d4e6f-2a3c-4b5d-8e7f-1a2b3c4d5e6f";

    private readonly StaffSignInAuthority authority = StaffSignInAuthority.Serve();

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult(authority.HostSettings);

    public void Dispose() => authority.Dispose();

    /// <summary>Signs the test's browser in as a colleague: the headers App Service Authentication would add.</summary>
    private void SignIn(string? idToken, string principal)
    {
        Flows.Http.DefaultRequestHeaders.Remove(StaffAccess.PrincipalHeader);
        Flows.Http.DefaultRequestHeaders.Remove(StaffSignIn.IdTokenHeader);
        Flows.Http.DefaultRequestHeaders.Add(StaffAccess.PrincipalHeader, principal);
        if (idToken is not null)
        {
            Flows.Http.DefaultRequestHeaders.Add(StaffSignIn.IdTokenHeader, idToken);
        }
    }

    [Fact]
    public async Task The_post_deployment_check_passes_when_staff_pages_need_sign_in_and_public_pages_do_not()
    {
        var (exit, output) = await Scripts.RunAsync("check-deployment.sh", "--no-mailbox", Host.BaseUrl);

        Assert.True(exit == 0, output);
        Assert.Contains("ok    /cases needs sign-in (401)", output, StringComparison.Ordinal);
        Assert.Contains("ok    /cases refuses a forged principal header (401)", output, StringComparison.Ordinal);
        Assert.Contains("ok    /privacy?lang=nl is public (200)", output, StringComparison.Ordinal);
        Assert.Contains("ok    the request form is served", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_principal_header_with_the_staff_role_opens_no_staff_page_and_decides_nothing()
    {
        // Issue 18 item 1: where App Service Authentication is off or does not cover a route, anyone can send this header.
        var id = await Flows.SubmitAsync($"forged.{Guid.NewGuid():N}@example.org");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        var forged = StaffSignInAuthority.Principal("els.janssens@infomat.eu", "Privacy.Staff");

        SignIn(null, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Flows.Http.GetAsync("/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Flows.Http.GetAsync($"/cases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Flows.Http.GetAsync(link.PathAndQuery)).StatusCode);
        SignIn(authority.Mint(ElsOid, "els.janssens@infomat.eu", ["Privacy.Staff"], signWithAnotherKey: true), forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Flows.Http.GetAsync("/cases")).StatusCode);

        // With a form taken from a real colleague's page, the forged sender still decides nothing.
        SignIn(authority.Staff(JanOid, "jan.peeters@infomat.eu"), forged);
        var page = await Flows.Http.GetStringAsync(link.PathAndQuery);
        var antiforgery = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        SignIn(authority.Mint(ElsOid, "els.janssens@infomat.eu", ["Privacy.Staff"], audience: "11111111-2222-3333-4444-555555555555"), forged);
        var decided = await Flows.Http.PostAsync("/approvals", Flows.Form(
            ("token", Mailbox.Token(link)), ("__RequestVerificationToken", antiforgery), ("decision", "approve"), ("evidence", "verified-link")));
        Assert.Equal(HttpStatusCode.Unauthorized, decided.StatusCode);
        using var status = await Flows.StatusAsync(id);
        Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Staff_pages_need_a_signed_in_colleague_with_the_staff_role_and_record_who_decided()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Flows.Http.GetAsync("/cases")).StatusCode);
        var id = await Flows.SubmitAsync($"sign.in.{Guid.NewGuid():N}@example.org");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);

        using (var visitor = new HttpRequestMessage(HttpMethod.Get, link.PathAndQuery))
        {
            visitor.Headers.Add(StaffAccess.PrincipalHeader, StaffSignInAuthority.Principal("visitor@infomat.eu", "Sales.Reader"));
            visitor.Headers.Add(StaffSignIn.IdTokenHeader, authority.Mint("3f4e5d6c-0000-4000-8000-000000000001", "visitor@infomat.eu", ["Sales.Reader"]));
            Assert.Equal(HttpStatusCode.Forbidden, (await Flows.Http.SendAsync(visitor)).StatusCode);
        }

        SignIn(authority.Staff(ElsOid, "els.janssens@infomat.eu"), StaffSignInAuthority.Principal("els.janssens@infomat.eu", "Privacy.Staff"));
        var page = await Flows.Http.GetStringAsync(link.PathAndQuery);
        Assert.DoesNotContain("name=\"staff_name\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("zonder aanmelding", page, StringComparison.Ordinal);
        var decided = await Flows.StaffPostAsync("/approvals", link, "ignored when signed in", ("decision", "approve"), ("evidence", "verified-link"));

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Contains("door els.janssens@infomat.eu", await decided.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync("/cases")).StatusCode);
    }

    [Fact]
    public async Task A_colleague_cannot_decide_on_a_request_made_from_the_address_they_sign_in_with()
    {
        // Els asks for her own data from her work address (with a plus-tag): she may not check her own identity.
        var els = $"els.{Guid.NewGuid():N}@infomat.eu";
        var id = await Flows.SubmitAsync(els.Replace("@", "+gdpr@", StringComparison.Ordinal));
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);

        SignIn(authority.Staff(ElsOid, els), StaffSignInAuthority.Principal(els, "Privacy.Staff"));
        foreach (var decision in new[] { ("decision", "approve"), ("decision", "reject") })
        {
            var own = await Flows.StaffPostAsync("/approvals", link, "-", decision, ("evidence", "verified-link"), ("reason", "Niet zeker."));
            Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
            Assert.Contains("Niemand beslist over zijn eigen verzoek", System.Net.WebUtility.HtmlDecode(await own.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        var c = await TestCases.Register(Azurite).GetAsync(id, default);
        Assert.Empty(c!.Approvals);
        Assert.Null(c.Decision);

        SignIn(authority.Staff(JanOid, "jan.peeters@infomat.eu"), StaffSignInAuthority.Principal("jan.peeters@infomat.eu", "Privacy.Staff"));
        var jan = await Flows.StaffPostAsync("/approvals", link, "-", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.OK, jan.StatusCode);
    }

    [Fact]
    public async Task A_colleague_cannot_weigh_an_objection_made_from_the_address_they_sign_in_with()
    {
        // Staff hunt of 7 December: the own-request rule covered identity decisions only; Els could uphold her own
        // objection (or review what her own access export releases) herself.
        var els = $"els.{Guid.NewGuid():N}@infomat.eu";
        var id = await Flows.SubmitAsync(els, entity: "be", type: "objection", objection: "other", details: "Ik maak bezwaar tegen het gebruik van mijn gegevens voor klantprofielen.");
        SignIn(authority.Staff(JanOid, "jan.peeters@infomat.eu"), StaffSignInAuthority.Principal("jan.peeters@infomat.eu", "Privacy.Staff"));
        await Flows.ApproveAsync(id);
        var tasks = await Flows.TasksLinkAsync(id);
        var janPage = await Flows.Http.GetStringAsync(tasks.PathAndQuery);

        SignIn(authority.Staff(ElsOid, els), StaffSignInAuthority.Principal(els, "Privacy.Staff"));
        // Not even the page: it would show what she wrote and the form.
        var ownPage = await Flows.Http.GetAsync(tasks.PathAndQuery);
        Assert.Equal(HttpStatusCode.Conflict, ownPage.StatusCode);
        Assert.DoesNotContain("action=\"/tasks\"", await ownPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Nor a form from a page a colleague opened.
        var own = await Flows.StaffPostFromPageAsync("/tasks", janPage, tasks, "-", ("task", "objection"), ("outcome", "uphold"));

        Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
        Assert.Contains("Niemand behandelt zijn eigen verzoek", System.Net.WebUtility.HtmlDecode(await own.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.All((await TestCases.Register(Azurite).GetAsync(id, default))!.Tasks, t => Assert.True(t.IsOpen));

        // Nor her case page's actions: here, extending her own deadline.
        var casePage = new Uri($"{Host.BaseUrl}/cases/{id}");
        var due = (await TestCases.Register(Azurite).GetAsync(id, default))!.DueDate;
        var extend = await Flows.StaffPostAsync($"/cases/{id}/extend", casePage, "-", ("months", "1"), ("reason", "Veel werk."));
        Assert.Equal(HttpStatusCode.Conflict, extend.StatusCode);
        Assert.Contains("Niemand behandelt zijn eigen verzoek", System.Net.WebUtility.HtmlDecode(await extend.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(due, (await TestCases.Register(Azurite).GetAsync(id, default))!.DueDate);

        SignIn(authority.Staff(JanOid, "jan.peeters@infomat.eu"), StaffSignInAuthority.Principal("jan.peeters@infomat.eu", "Privacy.Staff"));
        var jan = await Flows.StaffPostAsync("/tasks", tasks, "-", ("task", "objection"), ("outcome", "uphold"));
        Assert.Equal(HttpStatusCode.OK, jan.StatusCode);
    }

    [Fact]
    public async Task An_erasure_needs_two_object_ids_whatever_names_the_tokens_show()
    {
        // Issue 18 item 3: Els renamed is still Els; Jan showing the same name is still someone else.
        var id = await Flows.SubmitAsync($"two.oids.{Guid.NewGuid():N}@example.org", type: "erasure");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);

        SignIn(authority.Staff(ElsOid, "els.janssens@infomat.eu"), StaffSignInAuthority.Principal("els.janssens@infomat.eu", "Privacy.Staff"));
        var first = await Flows.StaffPostAsync("/approvals", link, "-", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Contains("data-approvals-missing=\"1\"", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        SignIn(authority.Staff(ElsOid, "els.peeters@infomat.eu"), StaffSignInAuthority.Principal("els.peeters@infomat.eu", "Privacy.Staff"));
        var again = await Flows.StaffPostAsync("/approvals", link, "-", ("decision", "approve"), ("evidence", "verified-link"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        SignIn(authority.Staff(JanOid, "els.janssens@infomat.eu"), StaffSignInAuthority.Principal("els.janssens@infomat.eu", "Privacy.Staff"));
        var second = await Flows.StaffPostAsync("/approvals", link, "-", ("decision", "approve"), ("evidence", "known-details"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.DoesNotContain("data-approvals-missing", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
