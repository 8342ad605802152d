using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Infomat.Privacy.Requests;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>What requesters and staff do over HTTP, step by step, following the links in their mails.</summary>
public sealed partial class Flows(ITestHost host) : IDisposable
{
    private string? lastAntiforgery;

    public HttpClient Http { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// A new request, as a person sends it. The register is shared by every host of a run and the demo addresses by
    /// every test, so a request identical to one an earlier test left open and confirmed would join that case when its
    /// address is confirmed (as it should for a person, decision 84); a test that wants a case of its own closes such
    /// leftovers first (<paramref name="fresh"/>).
    /// </summary>
    public async Task<string> SubmitAsync(
        string email = "an.peeters@example.be", string language = "nl", string entity = "both", string type = "access", string? details = null, string? objection = null, bool fresh = true)
    {
        if (fresh)
        {
            await CloseOpenCasesAsync(email, type);
        }

        var response = await Http.PostAsJsonAsync("/api/requests", new { type, email, name = "An Peeters", entity, language, details, objection });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("requestId").GetString()!;
    }

    /// <summary>
    /// Closes (as rejected) every open case of <paramref name="email"/> for <paramref name="type"/> that earlier tests left
    /// behind, so the next identical request goes its own way instead of joining theirs once confirmed.
    /// </summary>
    public async Task CloseOpenCasesAsync(string email, string type)
    {
        var register = new Adapters.Storage.TableCaseRegister(new Adapters.Storage.StorageClients(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = host.StorageConnectionString }).Build()));
        var address = EmailAddresses.Normalise(email);
        await foreach (var id in register.ListUnfinishedAsync(default))
        {
            if (await register.GetAsync(id, default) is { } open && open.Type.ToWire() == type && EmailAddresses.Normalise(open.Email) == address)
            {
                await register.UpdateAsync(id, x => x.WithStatus(Cases.CaseStatus.Rejected, DateTimeOffset.UtcNow) with { AnswerSentAt = DateTimeOffset.UtcNow }, default);
            }
        }
    }

    /// <summary>
    /// What a browser does with the request form: opens it (which sets the antiforgery cookie and gives the form's
    /// token and its submission id), then posts the fields with the page's hidden ones, as the page's own form would.
    /// </summary>
    public async Task<HttpResponseMessage> PostFormAsync(params (string Key, string Value)[] fields)
    {
        var language = fields.FirstOrDefault(f => f.Key == "language").Value ?? "en";
        return await PostPageAsync(await Http.GetStringAsync($"/privacy?lang={language}"), fields);
    }

    /// <summary>Posts the form of <paramref name="page"/> (the form page, or the page that came back with an error) with its hidden fields.</summary>
    public async Task<HttpResponseMessage> PostPageAsync(string page, params (string Key, string Value)[] fields) =>
        await Http.PostAsync("/api/requests", Form([.. HiddenFields(page), .. fields]));

    /// <summary>The antiforgery token and the submission id a request form page carries (both must be there).</summary>
    public static (string Key, string Value)[] HiddenFields(string page)
    {
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        var submission = System.Text.RegularExpressions.Regex.Match(page, "name=\"submission\" value=\"([0-9a-f]{32})\"");
        Assert.True(token.Success, "the request form carries no antiforgery token");
        Assert.True(submission.Success, "the request form carries no submission id");
        return [("__RequestVerificationToken", System.Net.WebUtility.HtmlDecode(token.Groups[1].Value)), ("submission", submission.Groups[1].Value)];
    }

    /// <summary>The ids of every case in the register whose requester is <paramref name="email"/>.</summary>
    public async Task<IReadOnlyList<string>> CasesOfAsync(string email)
    {
        var register = new Adapters.Storage.TableCaseRegister(new Adapters.Storage.StorageClients(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = host.StorageConnectionString }).Build()));
        var address = EmailAddresses.Normalise(email);
        var found = new List<string>();
        await foreach (var c in register.ListAllAsync(default))
        {
            if (EmailAddresses.Normalise(c.Email) == address)
            {
                found.Add(c.Id);
            }
        }

        return found;
    }

    /// <summary>The reference a form post's 303 to the thank-you page names.</summary>
    public static string RequestOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return RequestParameter().Match(response.Headers.Location!.OriginalString).Groups[1].Value;
    }

    /// <summary>The <c>requestId</c> of a JSON post's 202.</summary>
    public static async Task<string> IdOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("requestId").GetString()!;
    }

    [System.Text.RegularExpressions.GeneratedRegex("request=(PR-[0-9A-Z-]{14})")]
    private static partial System.Text.RegularExpressions.Regex RequestParameter();

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    public async Task<HttpResponseMessage> PostTokenAsync(string path, Uri link, params (string Key, string Value)[] extra) =>
        await Http.PostAsync(path, Form([("token", Mailbox.Token(link)), .. extra]));

    public async Task VerifyAsync(string requestId)
    {
        var mail = await host.Mailbox.WaitForAsync("verification", requestId);
        var response = await PostTokenAsync("/verify", Mailbox.Link(mail, host.BaseUrl + "/verify?token="));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<Uri> ApprovalLinkAsync(string requestId) =>
        Mailbox.Link(await host.Mailbox.WaitForAsync("approval-request", requestId), host.BaseUrl + "/approvals?token=");

    /// <summary>
    /// What a colleague does on a staff page: opens the link (which sets the antiforgery cookie and gives the form's
    /// token), then sends the form with their name (the local host has no sign-in).
    /// </summary>
    public async Task<HttpResponseMessage> StaffPostAsync(string path, Uri link, string staffName, params (string Key, string Value)[] fields) =>
        await StaffPostFromPageAsync(path, await Http.GetStringAsync(link), link, staffName, fields);

    /// <summary>
    /// What a colleague's browser sends from a staff <paramref name="page"/> they opened earlier (another tab, a page left
    /// open): the page's antiforgery token and what its forms say they showed (<see cref="ShownFields"/>), with their name
    /// and the fields they filled in (which win over the page's).
    /// </summary>
    public async Task<HttpResponseMessage> StaffPostFromPageAsync(string path, string page, Uri link, string staffName, params (string Key, string Value)[] fields)
    {
        var keys = fields.Select(f => f.Key).ToArray();
        return await Http.PostAsync(path, Form([.. StaffFormFields(page, link, staffName, keys), .. fields]));
    }

    /// <summary>
    /// The fields a staff <paramref name="page"/>'s form sends besides what the colleague fills in: the link's token, the
    /// antiforgery token, the name, and what the page showed, except the fields named in <paramref name="leaveOut"/>.
    /// </summary>
    public (string Key, string Value)[] StaffFormFields(string page, Uri link, string staffName, params string[] leaveOut)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(link);
        var found = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        // A page with nothing left to do has no form: the colleague re-sends the form of the page they had open.
        lastAntiforgery = found.Success ? System.Net.WebUtility.HtmlDecode(found.Groups[1].Value) : lastAntiforgery;
        (string, string)[] token = link.Query.Contains("token=", StringComparison.Ordinal) ? [("token", Mailbox.Token(link))] : [];
        return [.. token, ("__RequestVerificationToken", lastAntiforgery ?? string.Empty), ("staff_name", staffName), .. ShownFields(page).Where(s => !leaveOut.Contains(s.Key))];
    }

    /// <summary>
    /// The hidden fields by which a staff page's forms say what the page showed when it was opened (the approval count
    /// on the decision page, the due date on the case page), as a browser sends them with the form.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> ShownFields(string page) =>
        [.. ShownField().Matches(page).Select(m => (m.Groups[1].Value, System.Net.WebUtility.HtmlDecode(m.Groups[2].Value))).Distinct()];

    [System.Text.RegularExpressions.GeneratedRegex("<input type=\"hidden\" name=\"(decision_basis|due_date|failed_at|review_basis|retry_basis)\" value=\"([^\"]*)\">")]
    private static partial System.Text.RegularExpressions.Regex ShownField();

    /// <summary>Decides on the identity; an approval is given by as many different colleagues as the case needs (two for an erasure).</summary>
    public async Task DecideAsync(string requestId, string decision, string reason = "")
    {
        var link = await ApprovalLinkAsync(requestId);
        string[] colleagues = ["Staff One", "Staff Two", "Staff Three"];
        foreach (var colleague in colleagues)
        {
            var response = await StaffPostAsync("/approvals", link, colleague, ("decision", decision), ("reason", reason), ("evidence", "verified-link"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (!(await response.Content.ReadAsStringAsync()).Contains("data-approvals-missing", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>Verified and approved: the case goes on to its plan.</summary>
    public async Task ApproveAsync(string requestId)
    {
        await VerifyAsync(requestId);
        await DecideAsync(requestId, "approve");
    }

    public async Task<Uri> TasksLinkAsync(string requestId) =>
        Mailbox.Link(await host.Mailbox.WaitForAsync("staff-task", requestId), host.BaseUrl + "/tasks?token=");

    public async Task<Uri> DownloadLinkAsync(string requestId)
    {
        await ReviewIfAskedAsync(requestId);
        return Mailbox.Link(await host.Mailbox.WaitForAsync("export-ready", requestId), host.BaseUrl + "/download?token=");
    }

    /// <summary>
    /// When the export waits for staff to review its free text (Art. 15(4); a demo person with notes or tickets), a
    /// colleague withholds nothing and builds the export; otherwise nothing. Returns once the export is ready or reviewed.
    /// </summary>
    public async Task ReviewIfAskedAsync(string requestId)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && host.Mailbox.Of("export-ready", requestId).Count == 0)
        {
            if (host.Mailbox.Of("staff-task", requestId).FirstOrDefault(m => m.TextBody?.Contains("/review?token=", StringComparison.Ordinal) == true) is { } review)
            {
                var response = await StaffPostAsync("/review", Mailbox.Link(review, host.BaseUrl + "/review?token="), "Staff Reviewer");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"review: {response.StatusCode}");
                return;
            }

            await Task.Delay(200);
        }
    }

    public async Task<JsonDocument> StatusAsync(string requestId) =>
        JsonDocument.Parse(await Http.GetStringAsync($"/api/requests/{requestId}"));

    /// <summary>
    /// The status once it reads <paramref name="expected"/> (or as it stands after 15 s): the answer mail goes out first
    /// and the case is recorded as answered right after, so a test that saw the mail may still read the status before.
    /// </summary>
    public async Task<JsonDocument> StatusOnceAsync(string requestId, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var status = await StatusAsync(requestId);
            if (status.RootElement.GetProperty("status").GetString() == expected || DateTime.UtcNow > until)
            {
                return status;
            }

            status.Dispose();
            await Task.Delay(100);
        }
    }

    public void Dispose() => Http.Dispose();
}
