using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The whole flow on the local host (its own process), Azurite and the demo stores, driven over HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EndToEndTests(Azurite azurite) : LocalHostTests(azurite)
{
    [Fact]
    public async Task Access_request_runs_from_submission_to_a_downloaded_zip_with_both_entities_data()
    {
        var id = await Flows.SubmitAsync(language: "fr");
        await Flows.VerifyAsync(id);
        await Flows.DecideAsync(id, "approve");
        var link = await Flows.DownloadLinkAsync(id);

        var page = await Flows.Http.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Télécharger le fichier zip", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var redirect = await Flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.SeeOther, redirect.StatusCode);
        var sas = redirect.Headers.Location!;
        Assert.Contains("sp=r", sas.Query, StringComparison.Ordinal);
        Assert.Contains("sr=b", sas.Query, StringComparison.Ordinal);

        using var blobClient = new HttpClient();
        var zipBytes = await blobClient.GetByteArrayAsync(sas);
        using var zip = new ZipArchive(new MemoryStream(zipBytes));
        Assert.Equal(["summary.html", "be/crm.json", "be/portal.json", "nl/crm.json"], zip.Entries.Select(e => e.FullName).Where(n => !n.EndsWith(".csv", StringComparison.Ordinal)));
        // The same records as CSV, one file per table, in each store's folder.
        var csvFolders = zip.Entries.Select(e => e.FullName).Where(n => n.EndsWith(".csv", StringComparison.Ordinal)).Select(n => n[..n.LastIndexOf('/')]).Distinct();
        Assert.Equal(["be/crm", "be/portal", "nl/crm"], csvFolders);
        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        var html = await summary.ReadToEndAsync();
        Assert.Contains("lang=\"fr\"", html, StringComparison.Ordinal);
        Assert.Contains("BE0460190566", html, StringComparison.Ordinal);
        using var nl = JsonDocument.Parse(zip.GetEntry("nl/crm.json")!.Open());
        var contacts = nl.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "contacts");
        Assert.Contains(contacts.GetProperty("records").EnumerateArray(), r => r.GetProperty("company").GetString() == "Peeters Logistiek BV");

        using var status = await Flows.StatusOnceAsync(id, "Completed");
        Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
        // An Peeters has a note and a helpdesk ticket: the export waited for staff to review the free text (Art. 15(4)).
        Assert.Equal(["AwaitingEmailVerification", "AwaitingIdentityApproval", "InProgress", "AwaitingStaffAction", "InProgress", "Completed"],
            status.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));

        // Issue 17 item 11: every mail to the requester links the privacy notice of this system, in their language (Art. 13).
        var toRequester = new[] { "verification", "acknowledgement", "export-ready" }.Select(kind => Host.Mailbox.Of(kind, id).Single()).ToList();
        Assert.All(toRequester, m => Assert.Contains($"(art. 13 RGPD) : {Host.BaseUrl}/privacy/notice?lang=fr", m.TextBody, StringComparison.Ordinal));
        Assert.All(toRequester, m => Assert.Contains($"{Host.BaseUrl}/privacy/notice?lang=fr", m.HtmlBody, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nl", "art. 11.7a Telecommunicatiewet")]
    [InlineData("fr", "art. 10/2 de la loi du 30 juillet 2018")]
    [InlineData("en", "Art. 5(3) of Directive 2002/58/EC")]
    public async Task The_privacy_notice_names_the_one_cookie_the_form_sets_and_why_it_needs_no_consent(string lang, string statute)
    {
        using var form = await Flows.Http.GetAsync($"/privacy?lang={lang}");
        var cookies = form.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)]).Distinct().ToList() : [];
        var cookie = Assert.Single(cookies);

        var notice = await Flows.Http.GetStringAsync($"/privacy/notice?lang={lang}");
        Assert.Contains(cookie, notice, StringComparison.Ordinal);
        Assert.Contains(statute, notice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "art. 79 AVG", "binnen zes weken na ontvangst van dat antwoord", "als onze maildienst meldt dat de e-mail waarmee we u vragen uw adres te bevestigen")]
    [InlineData("fr", "art. 79 RGPD", "dans les six semaines suivant la réception de sa réponse", "si notre service de messagerie signale que l'e-mail vous demandant de confirmer votre adresse")]
    [InlineData("en", "Art. 79 GDPR", "within six weeks of receiving its answer", "when our mail service reports that the mail asking you to confirm your address cannot be delivered")]
    public async Task The_form_names_the_courts_and_the_notice_every_way_a_request_closes_without_staff(string lang, string courts, string sixWeeks, string refused)
    {
        // Review of 7 December: DESIGN puts the right to go to court (Art. 79; NL six weeks) on the form, which named the
        // complaint authorities only; the notice said a request closes without staff only when its address is not
        // confirmed or the identification not sent, yet a refused address closes it too.
        var form = System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy?lang={lang}"));
        Assert.Contains(courts, form, StringComparison.Ordinal);
        Assert.Contains(sixWeeks, form, StringComparison.Ordinal);
        Assert.Contains(refused, System.Net.WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy/notice?lang={lang}")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_held_nowhere_gets_a_zip_confirming_nothing_is_held()
    {
        var id = await Flows.SubmitAsync(email: "nobody@example.org", language: "en");
        await Flows.VerifyAsync(id);
        await Flows.DecideAsync(id, "approve");
        var redirect = await Flows.PostTokenAsync("/download", await Flows.DownloadLinkAsync(id));

        using var blobClient = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blobClient.GetByteArrayAsync(redirect.Headers.Location!)));
        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        Assert.Contains("We confirm that, when we searched them for this answer, the systems of Infomat België and Infomat Nederland held no personal data about this address, apart from the data of your requests to us (this one is described below).", await summary.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_status_and_the_logs_carry_no_personal_data()
    {
        var id = await Flows.SubmitAsync(email: "sophie.dubois@example.be", entity: "be");
        await Flows.VerifyAsync(id);
        await Flows.DecideAsync(id, "approve");
        await Flows.DownloadLinkAsync(id);

        var status = await Flows.Http.GetStringAsync($"/api/requests/{id}");
        Assert.DoesNotContain("sophie", status, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Peeters", status, StringComparison.Ordinal);
        var logs = string.Join("\n", Host.Output);
        Assert.Contains(id, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("sophie", logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Dubois", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_request_ends_with_a_rejection_mail_naming_the_complaint_authority()
    {
        var id = await Flows.SubmitAsync(language: "nl");
        await Flows.VerifyAsync(id);
        await Flows.DecideAsync(id, "reject", "Het adres hoort niet bij de betrokkene.");

        var mail = await Host.Mailbox.WaitForAsync("rejection", id);
        Assert.Contains("Het adres hoort niet bij de betrokkene.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Gegevensbeschermingsautoriteit", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("beroep doen op de rechter (art. 79 AVG)", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"(art. 13 AVG): {Host.BaseUrl}/privacy/notice?lang=nl", mail.TextBody, StringComparison.Ordinal);
        await WaitForStatusAsync(id, "Rejected");
        Assert.Empty(Host.Mailbox.Of("export-ready", id));
    }

    [Fact]
    public async Task Invalid_input_is_a_problem_naming_each_field_and_nothing_is_stored()
    {
        var cases = new Azure.Data.Tables.TableClient(Azurite.ConnectionString, "PrivacyCases");
        var casesBefore = cases.Query<Azure.Data.Tables.TableEntity>().Count();
        var response = await Flows.Http.PostAsync("/api/requests", new StringContent("""{"type":"everything","email":"nope","language":"de"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["email", "language", "name", "type"], fields);

        var tooLarge = await Flows.Http.PostAsync("/api/requests", new StringContent("{\"details\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType!.MediaType);

        var notJson = await Flows.Http.PostAsync("/api/requests", new StringContent("type=access", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);

        Assert.Equal(casesBefore, cases.Query<Azure.Data.Tables.TableEntity>().Count());
    }

    [Fact]
    public async Task The_form_shows_errors_next_to_the_fields_and_keeps_what_was_typed()
    {
        var response = await Flows.PostFormAsync(("type", "access"), ("email", "an.peeters@"), ("name", "An"), ("language", "fr"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"email-error\"", html, StringComparison.Ordinal);
        Assert.Contains("Indiquez une adresse e-mail", html, StringComparison.Ordinal);
        Assert.Contains("value=\"an.peeters@\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_is_answered_with_303_to_a_thank_you_page_with_the_due_date()
    {
        await Flows.CloseOpenCasesAsync("jan.devries@example.nl", "access");
        var response = await Flows.PostFormAsync(("type", "access"), ("email", "jan.devries@example.nl"), ("name", "Jan de Vries"), ("entity", "nl"), ("language", "nl"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var thanks = await Flows.Http.GetStringAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Kijk in uw mailbox", thanks, StringComparison.Ordinal);
        Assert.Matches(@"PR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", thanks);
    }

    [Fact]
    public async Task Tampered_tokens_are_refused_and_a_used_link_decides_nothing_twice()
    {
        var id = await Flows.SubmitAsync();
        var verification = Mailbox.Link(await Host.Mailbox.WaitForAsync("verification", id), Host.BaseUrl + "/verify?token=");
        var token = Mailbox.Token(verification);
        var tampered = token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA");
        Assert.Equal(HttpStatusCode.Forbidden, (await Flows.Http.GetAsync("/verify?token=" + Uri.EscapeDataString(tampered))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Flows.Http.PostAsync("/verify", Flows.Form(("token", tampered)))).StatusCode);

        // A verification token does not open the approval page.
        Assert.Equal(HttpStatusCode.Forbidden, (await Flows.Http.GetAsync("/approvals?token=" + Uri.EscapeDataString(token))).StatusCode);

        // GET only shows a page: the case is still waiting for verification afterwards.
        Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync(verification.PathAndQuery)).StatusCode);
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingEmailVerification", status.RootElement.GetProperty("status").GetString());
        }

        await Flows.VerifyAsync(id);
        var again = await Flows.PostTokenAsync("/verify", verification);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var usedPage = await again.Content.ReadAsStringAsync();
        Assert.Contains("Deze link is al gebruikt", usedPage, StringComparison.Ordinal);

        // Its "follow the status" link is the requester's own page in her language, not the JSON API (English wire values).
        var follow = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(usedPage, "<a href=\"([^\"]+)\">Volg de status van uw verzoek</a>").Groups[1].Value);
        Assert.Equal($"/privacy/thanks?request={id}&lang=nl", follow);
        var statusPage = await Flows.Http.GetAsync(follow);
        Assert.Equal(HttpStatusCode.OK, statusPage.StatusCode);
        Assert.Equal("text/html", statusPage.Content.Headers.ContentType?.MediaType);
        var statusText = await statusPage.Content.ReadAsStringAsync();
        Assert.Contains(id, statusText, StringComparison.Ordinal);
        Assert.Contains("lang=\"nl\"", statusText, StringComparison.Ordinal);

        var approval = await Flows.ApprovalLinkAsync(id);
        Assert.Equal(HttpStatusCode.OK, (await Flows.StaffPostAsync("/approvals", approval, "Staff One", ("decision", "approve"), ("evidence", "verified-link"))).StatusCode);
        var second = await Flows.StaffPostAsync("/approvals", approval, "Staff Two", ("decision", "reject"), ("reason", "changed my mind"));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var secondPage = await second.Content.ReadAsStringAsync();
        Assert.Contains("goedgekeurd", secondPage, StringComparison.Ordinal);
        Assert.Contains("door Staff One (no sign-in)", secondPage, StringComparison.Ordinal);
        await Flows.DownloadLinkAsync(id);
        Assert.Empty(Host.Mailbox.Of("rejection", id));
    }

    [Fact]
    public async Task A_rejection_without_a_reason_is_refused_and_decides_nothing()
    {
        var id = await Flows.SubmitAsync();
        await Flows.VerifyAsync(id);
        var approval = await Flows.ApprovalLinkAsync(id);

        var response = await Flows.StaffPostAsync("/approvals", approval, "Staff One", ("decision", "reject"), ("reason", "  "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("of wijs af met een reden voor de verzoeker", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
        }

        // The link still works for the real decision.
        Assert.Equal(HttpStatusCode.OK, (await Flows.StaffPostAsync("/approvals", approval, "Staff One", ("decision", "approve"), ("evidence", "verified-link"))).StatusCode);
        await Flows.DownloadLinkAsync(id);
    }

    [Fact]
    public async Task An_unknown_request_is_404_and_its_page_says_what_may_be_the_cause_and_whom_to_write_to()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Flows.Http.GetAsync("/api/requests/PR-0000-0000-0000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Flows.Http.GetAsync("/api/requests/' or 1=1")).StatusCode);

        // A reference mistyped, or one whose record was removed after its retention period: not "it never existed".
        using var page = await Flows.Http.GetAsync("/privacy/thanks?request=PR-0000-0000-0000&lang=nl");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var text = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("Er staat geen verzoek met deze referentie geregistreerd", text, StringComparison.Ordinal);
        Assert.Contains("na de bewaartermijn", text, StringComparison.Ordinal);
        Assert.Contains("info@infomat.eu", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nl", "Uw privacyrechten bij Infomat")]
    [InlineData("fr", "Vos droits sur vos données chez Infomat")]
    [InlineData("en", "Your privacy rights at Infomat")]
    public async Task The_form_speaks_the_language_asked_for(string lang, string title)
    {
        var html = await Flows.Http.GetStringAsync("/privacy?lang=" + lang);
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
        Assert.Contains(title, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        // Every right with its one-line explanation, tied to its radio button for screen readers.
        Assert.Equal(7, System.Text.RegularExpressions.Regex.Matches(html, "aria-describedby=\"type-[a-z-]+-hint\"").Count);
        Assert.Equal(7, System.Text.RegularExpressions.Regex.Matches(html, "<span class=\"hint\" id=\"type-[a-z-]+-hint\">[^<]{20,}</span>").Count);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/privacy");
        request.Headers.AcceptLanguage.ParseAdd(lang + "-BE");
        var negotiated = await (await Flows.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains($"<html lang=\"{lang}\">", negotiated, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 17 item 11: the form links the privacy notice of this system (Art. 13), and the notice says in the person's
    /// language who is responsible, what is kept, why and on what basis, who sees it, that no program alone decides, how
    /// long each record is kept (every rule of SystemRetention) and the person's rights over it.
    /// </summary>
    [Theory]
    [InlineData("nl", "art. 13 AVG", "art. 6, lid 1, c), AVG", "art. 22 AVG")]
    [InlineData("fr", "art. 13 RGPD", "art. 6, par. 1, c), RGPD", "art. 22 RGPD")]
    [InlineData("en", "Art. 13 GDPR", "Art. 6(1)(c) GDPR", "Art. 22 GDPR")]
    public async Task The_form_links_the_privacy_notice_which_says_what_is_kept_why_who_sees_it_and_how_long(string lang, string art13, string basis, string art22)
    {
        var form = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync("/privacy?lang=" + lang));
        Assert.Contains($"href=\"/privacy/notice?lang={lang}\"", form, StringComparison.Ordinal);

        using var response = await Flows.Http.GetAsync($"/privacy/notice?lang={lang}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var notice = WebUtility.HtmlDecode(html);
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
        Assert.Contains(art13, notice, StringComparison.Ordinal);
        Assert.Contains(basis, notice, StringComparison.Ordinal);
        Assert.Contains(art22, notice, StringComparison.Ordinal);
        Assert.Contains("Infomat België (BE0460190566)", notice, StringComparison.Ordinal);
        Assert.Contains("info@infomat.eu", notice, StringComparison.Ordinal);
        // Who processes the request's data for us, and the transfer outside the EEA with its safeguard (the data map's privacyRequests).
        Assert.Contains("Twilio SendGrid", notice, StringComparison.Ordinal);
        Assert.Contains("Microsoft", notice, StringComparison.Ordinal);
        Assert.Contains("Data Privacy Framework", notice, StringComparison.Ordinal);
        Assert.True(Infomat.Privacy.Requests.Languages.TryParse(lang, out var language));
        foreach (var rule in Infomat.Privacy.Retention.SystemRetention.Rules)
        {
            Assert.Contains(rule.Describe(language, TimeSpan.FromDays(7)), notice, StringComparison.Ordinal);
        }

        Assert.Equal(8, System.Text.RegularExpressions.Regex.Matches(html, "<section aria-labelledby=\"notice-[a-z-]+\"><h2 id=").Count);
    }

    private async Task WaitForStatusAsync(string id, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        string? last = null;
        while (DateTime.UtcNow < until)
        {
            using var status = await Flows.StatusAsync(id);
            last = status.RootElement.GetProperty("status").GetString();
            if (last == expected)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Status stayed {last}, expected {expected}");
    }
}
