using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Infomat.Privacy.IntegrationTests.Infrastructure;

using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Requester mail through SendGrid (the real SDK) against a WireMock.Net stand-in of its API.</summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed partial class SendGridTests(Azurite azurite) : LocalHostTests(azurite), IDisposable
{
    private readonly WireMockServer sendGrid = StartSendGrid();

    private static WireMockServer StartSendGrid()
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{Repo.FreePort()}"] });
        // Accepts everything (other tests' cases may be resumed by this host and mail through it too)...
        server.Given(Request.Create().UsingPost().WithPath("/v3/mail/send")).AtPriority(100).RespondWith(Response.Create().WithStatusCode(202));
        return server;
    }

    /// <summary>...except that for this address SendGrid is busy at first: two 500s, then it accepts.</summary>
    private void BusyFor(string email)
    {
        var send = Request.Create().UsingPost().WithPath("/v3/mail/send").WithBody(new WireMock.Matchers.WildcardMatcher("*" + email + "*"));
        sendGrid.Given(send).AtPriority(1).InScenario("busy").WillSetStateTo("once").RespondWith(Response.Create().WithStatusCode(500));
        sendGrid.Given(send).AtPriority(1).InScenario("busy").WhenStateIs("once").WillSetStateTo("ok").RespondWith(Response.Create().WithStatusCode(500));
        sendGrid.Given(send).AtPriority(1).InScenario("busy").WhenStateIs("ok").RespondWith(Response.Create().WithStatusCode(202));
    }

    /// <summary>...and this address SendGrid will not take (its answer for an invalid recipient), nor a malformed-looking body for the other.</summary>
    private void RefusesRecipient(string email) =>
        sendGrid.Given(Request.Create().UsingPost().WithPath("/v3/mail/send").WithBody(new WireMock.Matchers.WildcardMatcher("*" + email + "*"))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json")
                .WithBody("""{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email","help":null}]}"""));

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Mail__SendGrid__ApiKey"] = "SG.test-key-not-a-secret",
        ["Mail__SendGrid__Host"] = sendGrid.Url!,
        ["Mail__SendGrid__EventWebhookPublicKey"] = Convert.ToBase64String(EventKey.ExportSubjectPublicKeyInfo()),
    });

    /// <summary>SendGrid's Event Webhook signing key, as the account's mail settings would hold it (its public half configured above).</summary>
    private static readonly ECDsa EventKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Posts <paramref name="events"/> to the mail service reports route, signed as SendGrid signs them (by <paramref name="key"/>; none: unsigned).</summary>
    private async Task<HttpStatusCode> ReportAsync(string events, ECDsa? key, DateTimeOffset? signedAt = null)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/mail/events") { Content = new StringContent(events, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var signature = key.SignData(Encoding.UTF8.GetBytes(timestamp + events), HashAlgorithmName.SHA256, DSASignatureFormatRfc3279);
            post.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(signature));
            post.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        }

        using var answer = await Flows.Http.SendAsync(post);
        return answer.StatusCode;
    }

    private const DSASignatureFormat DSASignatureFormatRfc3279 = DSASignatureFormat.Rfc3279DerSequence;

    /// <summary>One SendGrid event about the mail of <paramref name="caseId"/>, with the custom arguments this system's mail carries.</summary>
    private static string Event(string caseId, string kind, string type, string extra = "") =>
        $$"""{"email":"someone@example.org","timestamp":1796000000,"event":"{{type}}","sg_event_id":"{{Guid.NewGuid():N}}","infomat_case":"{{caseId}}","infomat_kind":"{{kind}}"{{extra}}}""";

    private async Task<string> ProgressAsync(string id)
    {
        using var status = await Flows.StatusAsync(id);
        return status.RootElement.GetProperty("progress").GetString()!;
    }

    public void Dispose() => sendGrid.Stop();

    private IReadOnlyList<JsonNode> Accepted() => sendGrid.LogEntries
        .Where(e => e.RequestMessage.Path == "/v3/mail/send" && e.ResponseMessage.StatusCode is 202)
        .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();

    private async Task<JsonNode> WaitForMailAsync(string kind, string to)
    {
        for (var i = 0; i < 300; i++)
        {
            if (Accepted().FirstOrDefault(m => m["headers"]?["X-Infomat-Kind"]?.GetValue<string>() == kind
                && m["personalizations"]![0]!["to"]![0]!["email"]!.GetValue<string>() == to) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No '{kind}' mail to {to} reached SendGrid.");
    }

    private static string Text(JsonNode mail) =>
        mail["content"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "text/plain")!["value"]!.GetValue<string>();

    [Fact]
    public async Task An_address_SendGrid_will_not_take_closes_the_request_as_its_address_refused_and_the_page_says_so()
    {
        // Decision 141: before, the link was retried as an outage, the case flagged failed and the page said "a fault on
        // our side"; nobody could then close it.
        var email = $"refused.{Guid.NewGuid():N}@example.org";
        RefusesRecipient(email);
        var id = await Flows.SubmitAsync(email, language: "en");

        using var status = await Flows.StatusOnceAsync(id, "Expired");
        Assert.Equal("address-refused-by-mail-service", status.RootElement.GetProperty("progress").GetString());
        var page = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=en"));
        Assert.Contains("our mail service refused the address you gave", page, StringComparison.Ordinal);
        Assert.DoesNotContain("fault on our side", page, StringComparison.Ordinal);
        Assert.DoesNotContain(email, page, StringComparison.OrdinalIgnoreCase);
        // Tried by the intake (and by the run's first step only when the intake's try outlasted its patience), not retried as an outage.
        Assert.InRange(sendGrid.LogEntries.Count(e => e.RequestMessage.Body?.Contains(email, StringComparison.Ordinal) == true), 1, 2);
    }

    [Fact]
    public async Task A_link_SendGrid_took_and_then_reported_as_bounced_closes_the_request_and_the_pages_say_the_link_did_not_arrive()
    {
        // Decision 148: SendGrid takes nearly every address and reports the bounce later. Before, the case waited for a
        // link that never arrived until its deadline, and the requester's page kept asking them to open it.
        var email = $"bounced.{Guid.NewGuid():N}@example.org";
        var id = await Flows.SubmitAsync(email, language: "en");
        var verification = await WaitForMailAsync("verification", email);
        var tags = verification["personalizations"]![0]!["custom_args"]!;
        Assert.Equal(id, tags["infomat_case"]!.GetValue<string>());
        Assert.Equal("verification", tags["infomat_kind"]!.GetValue<string>());
        // Which sending it is, so a late report is matched to this link, not to one sent after it.
        Assert.Equal("v0", tags["infomat_sending"]!.GetValue<string>());
        for (var i = 0; i < 100 && await ProgressAsync(id) != "awaiting-address-confirmation"; i++)
        {
            await Task.Delay(100);
        }

        var bounce = $"[{Event(id, "verification", "bounce", ""","type":"bounce","bounce_classification":"Invalid Address","status":"5.1.1","reason":"550 5.1.1 no such user" """)}]";
        // Not SendGrid's: unsigned, signed by another key, or signed two days ago. None changes the case.
        Assert.Equal(HttpStatusCode.Unauthorized, await ReportAsync(bounce, key: null));
        using (var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await ReportAsync(bounce, stranger));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ReportAsync(bounce, EventKey, DateTimeOffset.UtcNow.AddDays(-2)));
        // SendGrid's, but not the address's fault: blocked, refused for our reputation, delivered, dropped for an
        // unsubscribe. The link did not arrive (the case page says so), but the address stays the requester's to confirm.
        Assert.Equal(HttpStatusCode.OK, await ReportAsync(
            $"[{Event(id, "verification", "bounce", ""","type":"blocked" """)},{Event(id, "verification", "bounce", ""","type":"bounce","bounce_classification":"Reputation" """)},"
            + $"{Event(id, "verification", "delivered")},{Event(id, "verification", "dropped", ""","reason":"Unsubscribed Address" """)}]",
            EventKey));
        Assert.Equal("awaiting-address-confirmation", await ProgressAsync(id));

        Assert.Equal(HttpStatusCode.OK, await ReportAsync(bounce, EventKey));
        using var status = await Flows.StatusOnceAsync(id, "Expired");
        Assert.Equal("address-refused-by-mail-service", status.RootElement.GetProperty("progress").GetString());
        var page = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=en"));
        Assert.Contains("our mail service reported that the link could not be delivered to that address", page, StringComparison.Ordinal);
        Assert.Contains("closed without being acted on (GDPR Art. 12(6))", page, StringComparison.Ordinal);
        Assert.DoesNotContain("open the link", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(email, page, StringComparison.OrdinalIgnoreCase);

        // The link itself, if it did reach someone after all (or a staff retry's new one did): the request is closed, so no
        // "confirm" button and no "already used" (review of 7 December: GET asked to confirm, POST said "already used").
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(Text(verification), @"https?://\S+/verify\?token=\S+").Value);
        var confirmPage = await Flows.Http.GetAsync(link.PathAndQuery);
        var confirmText = WebUtility.HtmlDecode(await confirmPage.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Gone, confirmPage.StatusCode);
        Assert.Contains($"Request {id} is closed, so there is nothing left to confirm with this link.", confirmText, StringComparison.Ordinal);
        var confirmPost = await Flows.PostTokenAsync("/verify", link);
        Assert.Equal(HttpStatusCode.Gone, confirmPost.StatusCode);
        Assert.DoesNotContain("already used", WebUtility.HtmlDecode(await confirmPost.Content.ReadAsStringAsync()), StringComparison.OrdinalIgnoreCase);
        // Staff pages are in Dutch here.
        var casePage = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/cases/{id}"));
        Assert.Contains("Onze maildienst nam de link om het adres van de verzoeker te bevestigen aan en meldde daarna op", casePage, StringComparison.Ordinal);
        Assert.DoesNotContain("weigerde het adres van de verzoeker definitief", casePage, StringComparison.Ordinal);

        // The same report again (SendGrid posts again when it is not answered in time) changes nothing more.
        Assert.Equal(HttpStatusCode.OK, await ReportAsync(bounce, EventKey));
        using var again = await Flows.StatusAsync(id);
        Assert.Equal("Expired", again.RootElement.GetProperty("status").GetString());

        // No notice went to the address that bounced (the case closed without one).
        await Task.Delay(1000);
        Assert.Single(Accepted(), m => m["personalizations"]![0]!["to"]![0]!["email"]!.GetValue<string>() == email);
    }

    [Fact]
    public async Task A_bounce_of_later_mail_leaves_the_case_as_it_is_and_a_bounce_for_an_address_already_confirmed_closes_nothing()
    {
        var email = $"confirmed.{Guid.NewGuid():N}@example.org";
        var id = await Flows.SubmitAsync(email, language: "nl");
        var link = new Uri(VerifyLink().Match(Text(await WaitForMailAsync("verification", email))).Value);
        Assert.Equal(HttpStatusCode.OK, (await Flows.PostTokenAsync("/verify", link)).StatusCode);
        await WaitForMailAsync("acknowledgement", email);

        // A late report of the link (it did arrive: the address was confirmed through it) and a bounce of the
        // acknowledgement: taken (200), and the case goes on; the acknowledgement's bounce is for ops (logged, counted).
        Assert.Equal(HttpStatusCode.OK, await ReportAsync(
            $"[{Event(id, "verification", "bounce", ""","bounce_classification":"Invalid Address" """)},{Event(id, "acknowledgement", "bounce", ""","bounce_classification":"Invalid Address" """)}]", EventKey));
        Assert.Equal("under-way", await ProgressAsync(id));
        // The acknowledgement's bounce is on the case page (in Dutch here), once, also when SendGrid posts it again.
        Assert.Equal(HttpStatusCode.OK, await ReportAsync($"[{Event(id, "acknowledgement", "bounce", ""","bounce_classification":"Invalid Address" """)}]", EventKey));
        var casePage = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/cases/{id}"));
        Assert.Single(Regex.Matches(casePage, "Onze maildienst meldde op [^<]* dat een mail aan de verzoeker niet kon worden bezorgd: de ontvangstbevestiging van het verzoek \\(reden volgens de dienst: bounce/Invalid Address\\)"));
        Assert.DoesNotContain("Onze maildienst nam de link", casePage, StringComparison.Ordinal);
        // A report of a case this register does not have (another deployment sharing the account) is taken and ignored.
        Assert.Equal(HttpStatusCode.OK, await ReportAsync($"[{Event("PR-0000-0000-0000", "verification", "dropped", ""","reason":"Invalid" """)}]", EventKey));
        // Not the service's report at all; one past the size taken, refused before its signature is even looked at.
        Assert.Equal(HttpStatusCode.BadRequest, await ReportAsync("""{"event":"bounce"}""", EventKey));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await ReportAsync("[" + new string(' ', Privacy.Http.MailEvents.MailEventEndpoints.MaxBodyBytes) + "]", EventKey));
    }

    [Fact]
    public async Task Requester_mail_goes_through_SendGrid_with_both_parts_untracked_links_and_survives_a_busy_SendGrid()
    {
        var email = $"sophie.{Guid.NewGuid():N}@example.org";
        BusyFor(email);
        var id = await Flows.SubmitAsync(email, language: "fr");

        var verification = await WaitForMailAsync("verification", email);
        Assert.Equal("info@infomat.eu", verification["from"]!["email"]!.GetValue<string>());
        Assert.Equal(id, verification["headers"]!["X-Infomat-Request-Id"]!.GetValue<string>());
        Assert.StartsWith("Confirmez", verification["subject"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["text/plain", "text/html"], verification["content"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()));
        Assert.False(verification["tracking_settings"]!["click_tracking"]!["enable"]!.GetValue<bool>());
        // Answers the person asked for: not dropped for an earlier spam report or a marketing unsubscribe (bounces still are).
        Assert.True(verification["mail_settings"]!["bypass_spam_management"]!["enable"]!.GetValue<bool>());
        Assert.True(verification["mail_settings"]!["bypass_unsubscribe_management"]!["enable"]!.GetValue<bool>());
        Assert.Null(verification["mail_settings"]!["bypass_list_management"]);
        Assert.Null(verification["mail_settings"]!["bypass_bounce_management"]);
        Assert.False(verification["tracking_settings"]!["open_tracking"]!["enable"]!.GetValue<bool>());
        // SendGrid answered 500 twice: the step was retried until it was accepted, once.
        var attempts = sendGrid.LogEntries.Where(e => e.RequestMessage.Path == "/v3/mail/send" && e.RequestMessage.Body!.Contains(email, StringComparison.Ordinal)
            && e.RequestMessage.Body.Contains("\"verification\"", StringComparison.Ordinal)).ToList();
        Assert.Equal([500, 500, 202], attempts.Select(e => Convert.ToInt32(e.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture)));

        // The link in the mail works as sent: the requester confirms, staff (pickup folder here) approve.
        var link = new Uri(VerifyLink().Match(Text(verification)).Value);
        Assert.Equal(HttpStatusCode.OK, (await Flows.PostTokenAsync("/verify", link)).StatusCode);
        var ack = await WaitForMailAsync("acknowledgement", email);
        Assert.Contains(id, Text(ack), StringComparison.Ordinal);
        await Flows.DecideAsync(id, "approve");
        var ready = await WaitForMailAsync("export-ready", email);
        Assert.Contains($"{Host.BaseUrl}/download?token=", Text(ready), StringComparison.Ordinal);
        Assert.DoesNotContain(Host.Mailbox.All(), m => m.To.Mailboxes.Any(x => x.Address == email));
        Assert.Single(Host.Mailbox.Of("approval-request", id));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/verify\?token=[A-Za-z0-9._%-]+")]
    private static partial Regex VerifyLink();
}
