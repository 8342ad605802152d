using System.Net;
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
    });

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
