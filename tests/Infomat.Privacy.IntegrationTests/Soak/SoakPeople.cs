using System.Net;
using System.Text.RegularExpressions;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests.Soak;

/// <summary>What happened to one planned request on the people's side (submissions, clicks, decisions).</summary>
public sealed class SoakTrack(SoakRequest request)
{
    public SoakRequest Request { get; } = request;

    /// <summary>Case ids the host answered a submission with (the form's 303).</summary>
    public HashSet<string> AnsweredIds { get; } = [];

    /// <summary>The host said it took the request (a 303 for the form; the mail was dropped into the inbox).</summary>
    public bool Accepted { get; set; }

    /// <summary>The latest moment the request can have been received (after the accepting answer; the mail's delivery time).</summary>
    public DateTimeOffset? ReceivedBy { get; set; }

    public int Submissions { get; set; }

    public int ServerErrors { get; set; }

    /// <summary>Cases whose requester was told the address is confirmed (200), or got an error and then "link already used".</summary>
    public HashSet<string> Confirmed { get; } = [];

    public HashSet<string> ConfirmedTooLate { get; } = [];

    /// <summary>Cases whose identity decision staff saw go through.</summary>
    public HashSet<string> Decided { get; } = [];

    /// <summary>Cases whose tasks staff all saw done.</summary>
    public HashSet<string> TasksDone { get; } = [];

    public int GaveUp { get; set; }

    /// <summary>What the requester's confirmation got, per case (status, errors before it, when), for the report.</summary>
    public Dictionary<string, string> ConfirmNotes { get; } = [];

    public readonly Lock Gate = new();
}

/// <summary>
/// The requesters and staff of the soak run, over HTTP as a person would: a person who meets an error page or a host
/// that does not answer tries again a little later (until <paramref name="patience"/> runs out); a page that says the
/// step is done (or the link is used, expired) ends the try.
/// </summary>
public sealed partial class SoakPeople(Func<string> baseUrl, TimeSpan patience)
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    private HttpClient NewClient() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl()), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Sends a request until the host answers with something other than an error of its own.</summary>
    public async Task<(HttpStatusCode Status, string Body, Uri? Location, int Errors)> TryAsync(Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var until = DateTime.UtcNow + patience;
        var errors = 0;
        while (true)
        {
            try
            {
                using var client = NewClient();
                using var response = await send(client);
                if ((int)response.StatusCode < 500)
                {
                    return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location, errors);
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            catch (InvalidOperationException)
            {
                // A staff page without its form (the host was restarted between the page and the post): open it again.
            }

            errors++;
            if (DateTime.UtcNow > until)
            {
                return (HttpStatusCode.ServiceUnavailable, string.Empty, null, errors);
            }

            await Task.Delay(Pause);
        }
    }

    /// <summary>
    /// Opens the request form and keeps its submission id: the posts of this page (a double click, the page sent again
    /// after an error) carry it, as a browser's do. Null when the form could not be opened (then every post opens its own).
    /// </summary>
    public async Task<string?> OpenFormAsync(string language)
    {
        var (status, page, _, _) = await TryAsync(c => c.GetAsync($"/privacy?lang={language}"));
        return status == HttpStatusCode.OK && SubmissionId().Match(page) is { Success: true } m ? m.Groups[1].Value : null;
    }

    /// <summary>The form, posted as a browser does (303 to the thank-you page, which names the request).</summary>
    public async Task<string?> SubmitFormAsync(SoakRequest r, SoakTrack track, string? submission)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(track);
        (string, string)[] fields =
        [
            ("type", r.Type), ("email", r.Email), ("name", r.Name), ("entity", r.Entity), ("language", r.Language),
            ("details", r.Type is "rectification" ? "Soak: my job title is now Finance director." : r.Objection == "other" ? "Soak: I object to the profiling for customer satisfaction surveys." : string.Empty),
            ("objection", r.Objection ?? string.Empty),
            .. submission is null ? Array.Empty<(string, string)>() : [("submission", submission)],
        ];
        var (status, _, location, errors) = await TryAsync(c => FormPostAsync(c, r.Language, fields));
        lock (track.Gate)
        {
            track.Submissions++;
            track.ServerErrors += errors;
            if (status == HttpStatusCode.SeeOther && location is not null && RequestOf().Match(location.OriginalString) is { Success: true } m)
            {
                track.Accepted = true;
                track.AnsweredIds.Add(m.Groups[1].Value);
                track.ReceivedBy = DateTimeOffset.UtcNow;
                return m.Groups[1].Value;
            }

            track.GaveUp++;
            return null;
        }
    }

    /// <summary>The requester confirms the address from the verification link.</summary>
    public async Task ConfirmAsync(string caseId, Uri link, SoakTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        var (status, _, _, errors) = await TryAsync(c => c.PostAsync("/verify", Flows.Form(("token", Mailbox.Token(link)))));
        lock (track.Gate)
        {
            track.ServerErrors += errors;
            track.ConfirmNotes[caseId] = $"confirm answered {(int)status} after {errors} error(s) at {DateTimeOffset.UtcNow:HH:mm:ss.f}Z";
            if (status == HttpStatusCode.OK || (status == HttpStatusCode.Conflict && errors > 0))
            {
                // A 409 after an error means the first try went through (or the link was spent by a failed step).
                track.Confirmed.Add(caseId);
            }
            else if (status == HttpStatusCode.Gone)
            {
                track.ConfirmedTooLate.Add(caseId);
            }
            else if (status != HttpStatusCode.Conflict)
            {
                track.GaveUp++;
            }
        }
    }

    /// <summary>Staff decide on the identity; an erasure gets a second, different colleague.</summary>
    public async Task DecideAsync(string caseId, Uri link, SoakTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        var reject = track.Request.Staff == StaffBehaviour.Reject;
        (string, string)[] decision = reject
            ? [("decision", "reject"), ("reason", "Soak: the identity could not be confirmed.")]
            : [("decision", "approve"), ("evidence", "verified-link")];
        string[] colleagues = ["Staff One", "Staff Two", "Staff Three"];
        foreach (var colleague in colleagues)
        {
            var (status, body, _, errors) = await TryAsync(c => StaffPostAsync(c, "/approvals", link, colleague, decision));
            lock (track.Gate)
            {
                track.ServerErrors += errors;
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    track.GaveUp++;
                    return;
                }

                if (status is HttpStatusCode.OK or HttpStatusCode.Conflict && !body.Contains("data-approvals-missing", StringComparison.Ordinal))
                {
                    track.Decided.Add(caseId);
                    return;
                }
            }
        }
    }

    /// <summary>Staff do every task of the case on the task page (a correction done; an objection upheld or refused).</summary>
    public async Task DoTasksAsync(string caseId, Uri link, SoakTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        var (_, page, _, pageErrors) = await TryAsync(c => c.GetAsync(link.PathAndQuery));
        var tasks = TaskKeys().Matches(page).Select(m => m.Groups[1].Value).Distinct().ToList();
        var allDone = true;
        foreach (var task in tasks)
        {
            (string, string)[] outcome = track.Request.Type == "rectification"
                ? [("task", task), ("outcome", "done"), ("note", "Soak: corrected.")]
                : [("task", task), ("outcome", track.Request.Index % 2 == 0 ? "uphold" : "refuse"), ("note", "Soak: weighed.")];
            var (status, _, _, errors) = await TryAsync(c => StaffPostAsync(c, "/tasks", link, "Staff One", outcome));
            lock (track.Gate)
            {
                track.ServerErrors += errors;
            }

            allDone &= status is HttpStatusCode.OK or HttpStatusCode.Conflict;
        }

        lock (track.Gate)
        {
            track.ServerErrors += pageErrors;
            if (allDone && tasks.Count > 0)
            {
                track.TasksDone.Add(caseId);
            }

            if (!allDone)
            {
                track.GaveUp++;
            }
        }
    }

    /// <summary>A colleague reviews the free text of an access export (Art. 15(4)), withholds nothing, and builds it.</summary>
    public async Task ReviewAsync(string caseId, Uri link, SoakTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        var (status, _, _, errors) = await TryAsync(c => StaffPostAsync(c, "/review", link, "Staff One", []));
        lock (track.Gate)
        {
            track.ServerErrors += errors;
            if (status is HttpStatusCode.OK or HttpStatusCode.Conflict)
            {
                track.TasksDone.Add(caseId);
            }
            else
            {
                track.GaveUp++;
            }
        }
    }

    /// <summary>A colleague presses Retry on a failed case's page.</summary>
    public async Task<bool> RetryAsync(string caseId)
    {
        var (status, _, _, _) = await TryAsync(c => StaffPostAsync(c, $"/cases/{caseId}/retry", new Uri($"{baseUrl()}/cases/{caseId}"), "Staff One", []));
        return status == HttpStatusCode.OK;
    }

    /// <summary>Opens the request form (antiforgery cookie and token), then posts it with the fields, as a browser does.</summary>
    private static async Task<HttpResponseMessage> FormPostAsync(HttpClient client, string language, (string Key, string Value)[] fields)
    {
        using var page = await client.GetAsync($"/privacy?lang={language}");
        if ((int)page.StatusCode >= 500)
        {
            return new HttpResponseMessage(page.StatusCode);
        }

        var found = AntiforgeryToken().Match(await page.Content.ReadAsStringAsync());
        return await client.PostAsync("/api/requests", Flows.Form([("__RequestVerificationToken", WebUtility.HtmlDecode(found.Groups[1].Value)), .. fields]));
    }

    /// <summary>Opens the staff page (antiforgery cookie and token), then posts its form with what it showed and the colleague's name.</summary>
    private static async Task<HttpResponseMessage> StaffPostAsync(HttpClient client, string path, Uri link, string staffName, (string Key, string Value)[] fields)
    {
        using var page = await client.GetAsync(link.PathAndQuery);
        if ((int)page.StatusCode >= 500)
        {
            return new HttpResponseMessage(page.StatusCode);
        }

        var html = await page.Content.ReadAsStringAsync();
        var found = AntiforgeryToken().Match(html);
        if (!found.Success)
        {
            // Nothing left to decide on this page (decided, or the link is spent): what the page says is the answer.
            return new HttpResponseMessage(page.StatusCode == HttpStatusCode.OK ? HttpStatusCode.Conflict : page.StatusCode) { Content = new StringContent(html) };
        }

        (string, string)[] token = link.Query.Contains("token=", StringComparison.Ordinal) ? [("token", Mailbox.Token(link))] : [];
        return await client.PostAsync(path, Flows.Form([.. token, ("__RequestVerificationToken", WebUtility.HtmlDecode(found.Groups[1].Value)), ("staff_name", staffName), .. Flows.ShownFields(html), .. fields]));
    }

    [GeneratedRegex("request=([A-Za-z0-9-]+)")]
    private static partial Regex RequestOf();

    [GeneratedRegex("name=\"submission\" value=\"([0-9a-f]{32})\"")]
    private static partial Regex SubmissionId();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("name=\"task\" value=\"([^\"]+)\"")]
    private static partial Regex TaskKeys();
}
