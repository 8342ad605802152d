using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The info@infomat.eu mailbox through Microsoft Graph: the local host (as it runs in production, with the queue between
/// the notification endpoint and the handling) talks with the real Graph SDK to a WireMock.Net stand-in of Graph.
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed partial class GraphMailboxTests(Azurite azurite) : LocalHostTests(azurite), IDisposable
{
    private readonly string clientState = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33));
    private readonly FakeGraph graph = new();

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Mail__Graph__Mailbox"] = FakeGraph.Mailbox,
        ["Mail__Graph__BaseUrl"] = graph.BaseUrl,
        ["Mail__Graph__ClientState"] = clientState,
        // Hosts of other tests share the test Azurite: this one gets its own queue.
        ["Mail__Graph__Queue"] = "mail-" + Guid.NewGuid().ToString("N")[..20],
        ["Mail__Graph__PollInterval"] = "00:00:00.200",
        ["Mail__Graph__SweepInterval"] = "00:00:02",
    }.Concat(authority.CardHostSettings).ToDictionary());

    /// <summary>Staff sign in with Entra ID and approval cards are on (issue 20): the approval request through Graph must carry its card.</summary>
    private readonly StaffSignInAuthority authority = StaffSignInAuthority.Serve();

    public void Dispose()
    {
        graph.Dispose();
        authority.Dispose();
    }

    [Fact]
    public async Task The_validation_handshake_echoes_the_token_as_plain_text()
    {
        using var response = await Flows.Http.PostAsync(
            new Uri($"{Host.BaseUrl}/api/mail/notifications?validationToken={Uri.EscapeDataString("Validation: token <42> & more")}"), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Validation: token <42> & more", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task On_start_the_host_creates_the_inbox_subscription_with_its_secret_and_both_notification_urls()
    {
        var created = Assert.Single(await graph.WaitForAsync("POST", "^/v1.0/subscriptions$"));
        var body = JsonNode.Parse(created.RequestMessage.Body!)!;
        Assert.Equal("created", body["changeType"]!.GetValue<string>());
        Assert.Equal($"users/{FakeGraph.Mailbox}/mailFolders('inbox')/messages", body["resource"]!.GetValue<string>());
        Assert.Equal(clientState, body["clientState"]!.GetValue<string>());
        var url = GraphIntake.NotificationUrlFor(new Uri(Host.BaseUrl), clientState).AbsoluteUri;
        Assert.StartsWith($"{Host.BaseUrl}/api/mail/notifications?clientStateId=", url, StringComparison.Ordinal);
        Assert.DoesNotContain(clientState, url, StringComparison.Ordinal);
        Assert.Equal(url, body["notificationUrl"]!.GetValue<string>());
        Assert.Equal(url, body["lifecycleNotificationUrl"]!.GetValue<string>());
        var expires = body["expirationDateTime"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(3).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(3).AddMinutes(1));
    }

    [Fact]
    public async Task A_notification_with_the_wrong_client_state_is_refused_and_nothing_is_read()
    {
        var (id, _) = Message("access-en.eml");

        using var response = await NotifyAsync(Notification(id, "not-the-secret-" + clientState[15..]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        await Task.Delay(1500);
        Assert.Empty(graph.Requests("GET", $"/messages/{id}"));
    }

    [Fact]
    public async Task A_notified_mail_becomes_one_case_however_often_it_is_notified_and_gets_its_category_and_reference()
    {
        var (id, sender) = Message("access-en.eml");

        // Graph may deliver the same notification more than once, and the sweep finds the message too.
        using (var first = await NotifyAsync(Notification(id, clientState), Notification(id, clientState)))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        var ack = await Host.Mailbox.WaitForToAsync("acknowledgement", sender);
        var caseId = ack.Headers["X-Infomat-Request-Id"]!;
        using (var again = await NotifyAsync(Notification(id, clientState)))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        // Staff mail goes out through Graph sendMail from the shared mailbox.
        await graph.WaitForAsync("POST", "/sendMail$");
        await graph.WaitForAsync("GET", $"/messages/{id}$", count: 3);
        await graph.WaitForAsync("PATCH", $"/messages/{id}$");
        await Task.Delay(1000);

        Assert.Equal(["Infomat privacy", caseId], graph.CategoriesSetOn(id)[0]);
        Assert.Single(graph.Requests("GET", $@"/messages/{id}/\$value$"));
        Assert.Single(Host.Mailbox.All(), m => m.Headers["X-Infomat-Kind"] == "acknowledgement" && m.To.Mailboxes.Any(x => x.Address == sender));
        var sent = graph.SentMail();
        for (var waited = 0; waited < 60 && !sent.Any(m => m.ToJsonString().Contains("approval-request", StringComparison.Ordinal)); waited++)
        {
            // The approval request follows the acknowledgement; on a busy machine it may not have gone yet.
            await Task.Delay(500);
            sent = graph.SentMail();
        }

        var approval = Assert.Single(sent, m => m.ToJsonString().Contains(caseId, StringComparison.Ordinal) && m.ToJsonString().Contains("approval-request", StringComparison.Ordinal));
        // No copy in the shared mailbox's Sent Items: it would keep the requester's details beyond the register's retention.
        // (The SDK writes the request body's own properties capitalised, as it writes Message.)
        Assert.NotEmpty(graph.Requests("POST", "/sendMail$"));
        Assert.All(graph.Requests("POST", "/sendMail$"), r => Assert.False(System.Text.Json.Nodes.JsonNode.Parse(r.RequestMessage.Body!)!["SaveToSentItems"]!.GetValue<bool>()));
        Assert.Equal("privacy-staff@infomat.eu", approval["toRecipients"]![0]!["emailAddress"]!["address"]!.GetValue<string>());
        Assert.Contains(approval["internetMessageHeaders"]!.AsArray(), h => h!["name"]!.GetValue<string>() == "X-Infomat-Kind" && h["value"]!.GetValue<string>() == "approval-request");
        Assert.StartsWith("Identiteitscontrole nodig", approval["subject"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("/approvals?token=", approval["body"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        // The card rides in the HTML body Graph sends from the shared mailbox (Outlook renders it; other clients show the text).
        Assert.Equal("html", approval["body"]!["contentType"]!.GetValue<string>(), ignoreCase: true);
        var card = System.Text.Json.Nodes.JsonNode.Parse(System.Text.RegularExpressions.Regex.Match(approval["body"]!["content"]!.GetValue<string>(),
            "<script type=\"application/adaptivecard\\+json\">(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value)!;
        Assert.Equal("0f6b2a4c-1d3e-4f5a-8b7c-9d0e1f2a3b4c", card["originator"]!.GetValue<string>());
        Assert.StartsWith(Host.BaseUrl + "/api/approvals/card?token=", card["autoInvokeAction"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(Host.Mailbox.Of("approval-request", caseId));
        var status = JsonDocument.Parse(await Flows.Http.GetStringAsync(new Uri($"{Host.BaseUrl}/api/requests/{caseId}"))).RootElement;
        Assert.Equal("AwaitingIdentityApproval", status.GetProperty("status").GetString());
        Assert.DoesNotContain(Host.Output, line => line.Contains(sender, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_burst_of_notifications_is_answered_at_once_while_a_slow_and_busy_Graph_still_delivers_every_mail()
    {
        var messages = Enumerable.Range(0, 10).Select(i => Message("spoofed-access-nl.eml",
            delay: i % 3 == 0 ? TimeSpan.FromSeconds(2) : null, failuresFirst: i == 1 ? 2 : 0)).ToList();

        var clock = Stopwatch.StartNew();
        using var response = await NotifyAsync(messages.Select(m => Notification(m.Id, clientState)).ToArray());
        clock.Stop();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // Graph gives a notification endpoint 3 seconds; the handling (2 s per slow message here) happens afterwards.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the endpoint took {clock.Elapsed.TotalMilliseconds:F0} ms");
        foreach (var (_, sender) in messages)
        {
            // DMARC failed: not trusted, so each sender is asked to confirm the address.
            await Host.Mailbox.WaitForToAsync("verification", sender, TimeSpan.FromSeconds(60));
        }

        Assert.Equal(3, graph.Requests("GET", $@"/messages/{messages[1].Id}/\$value$").Count);
    }

    [Fact]
    public async Task Lifecycle_notifications_reauthorize_recreate_and_sweep()
    {
        await graph.WaitForAsync("POST", "^/v1.0/subscriptions$");
        var (missedId, sender) = Message("access-fr.eml");
        graph.Delta([missedId], "t1");

        using var response = await NotifyAsync(
            Lifecycle("reauthorizationRequired", clientState), Lifecycle("subscriptionRemoved", clientState), Lifecycle("missed", clientState));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await graph.WaitForAsync("POST", $"^/v1.0/subscriptions/{SubscriptionId}/reauthorize$");
        await graph.WaitForAsync("POST", "^/v1.0/subscriptions$", count: 2);
        // The missed mail is found by the delta query and handled; the next sweep goes on from the delta link.
        var ack = await Host.Mailbox.WaitForToAsync("acknowledgement", sender);
        Assert.StartsWith("Nous avons bien reçu", ack.Subject, StringComparison.Ordinal);
        await graph.WaitForAsync("GET", "/delta\\(\\)$", count: 3, timeout: TimeSpan.FromSeconds(20));
        Assert.Contains(graph.Requests("GET", "/delta\\(\\)$"), e => e.RequestMessage.Query!.TryGetValue("$deltatoken", out var t) && t.Contains("t1"));
    }

    [Fact]
    public async Task The_sweep_finds_a_mail_whose_notification_never_came()
    {
        var (id, sender) = Message("restriction-nl.eml");
        graph.Delta([id], "t2");

        var ack = await Host.Mailbox.WaitForToAsync("acknowledgement", sender, TimeSpan.FromSeconds(30));
        // The mail is categorised after its acknowledgement went (one run in five looked in between).
        await graph.WaitForAsync("PATCH", $"/messages/{id}$");

        Assert.Equal(["Infomat privacy", ack.Headers["X-Infomat-Request-Id"]!], graph.CategoriesSetOn(id)[0]);
        var firstSweep = graph.Requests("GET", "/delta\\(\\)$")[0];
        Assert.StartsWith("receivedDateTime ge ", firstSweep.RequestMessage.Query!["$filter"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_notifications_get_a_problem_naming_what_is_expected()
    {
        using var content = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var response = await Flows.Http.PostAsync(new Uri($"{Host.BaseUrl}/api/mail/notifications"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'value'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private const string SubscriptionId = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";

    /// <summary>Puts a corpus mail in the fake mailbox, from a fresh sender and with a fresh Message-ID (hosts share one register).</summary>
    private (string Id, string Sender) Message(string corpusFile, TimeSpan? delay = null, int failuresFirst = 0)
    {
        var (text, sender) = CorpusMail.FromNewSender(corpusFile);
        var id = "AAMk" + Guid.NewGuid().ToString("N");
        text = MessageIdHeader().Replace(text, $"Message-ID: <{Guid.NewGuid():N}@test.example>");
        graph.Message(id, text, delay, failuresFirst);
        return (id, sender);
    }

    private static JsonObject Notification(string messageId, string state) => new()
    {
        ["subscriptionId"] = SubscriptionId,
        ["clientState"] = state,
        ["changeType"] = "created",
        ["resource"] = $"Users/00000000-0000-0000-0000-000000000001/Messages/{messageId}",
        ["subscriptionExpirationDateTime"] = "2026-11-29T10:00:00.0000000+00:00",
        ["tenantId"] = "00000000-0000-0000-0000-0000000000aa",
        ["resourceData"] = new JsonObject
        {
            ["@odata.type"] = "#Microsoft.Graph.Message",
            ["@odata.id"] = $"Users/00000000-0000-0000-0000-000000000001/Messages/{messageId}",
            ["id"] = messageId,
        },
    };

    private static JsonObject Lifecycle(string lifecycleEvent, string state) => new()
    {
        ["subscriptionId"] = SubscriptionId,
        ["clientState"] = state,
        ["lifecycleEvent"] = lifecycleEvent,
        ["resource"] = "users/info@infomat.eu/mailFolders('inbox')/messages",
        ["subscriptionExpirationDateTime"] = "2026-11-29T10:00:00.0000000+00:00",
    };

    private async Task<HttpResponseMessage> NotifyAsync(params JsonObject[] notifications)
    {
        var body = new JsonObject { ["value"] = new JsonArray(notifications.Select(n => (JsonNode)n.DeepClone()).ToArray()) };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await Flows.Http.PostAsync(new Uri($"{Host.BaseUrl}/api/mail/notifications"), content);
    }

    [GeneratedRegex(@"^Message-ID: .*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdHeader();
}

/// <summary>The subscription rules on their own, against the Graph stand-in.</summary>
public sealed class GraphSubscriptionTests : IDisposable
{
    private const string NotificationUrl = "https://privacy.infomat.example/api/mail/notifications";
    private readonly FakeGraph graph = new();
    private readonly GraphMailbox mailbox;

    public GraphSubscriptionTests() => mailbox = new GraphMailbox(Options.Create(new GraphMailOptions
    {
        Mailbox = FakeGraph.Mailbox,
        BaseUrl = new Uri(graph.BaseUrl),
        ClientState = new string('s', 40),
        SubscriptionLifetime = TimeSpan.FromDays(3),
        RenewBefore = TimeSpan.FromDays(2),
    }));

    public void Dispose() => graph.Dispose();

    [Fact]
    public async Task A_subscription_with_more_than_RenewBefore_left_is_left_alone()
    {
        var now = DateTimeOffset.UtcNow;
        graph.Subscriptions(("s-1", now.AddDays(2.5), NotificationUrl));

        var state = await mailbox.EnsureSubscriptionAsync(new Uri(NotificationUrl), now, default);

        Assert.Equal(SubscriptionChange.Unchanged, state.Change);
        Assert.Empty(graph.Requests("PATCH", "/subscriptions/"));
        Assert.Empty(graph.Requests("POST", "/subscriptions"));
    }

    [Fact]
    public async Task A_subscription_close_to_expiry_is_renewed_for_the_full_lifetime()
    {
        var now = DateTimeOffset.UtcNow;
        graph.Subscriptions(("s-1", now.AddHours(30), NotificationUrl));

        var state = await mailbox.EnsureSubscriptionAsync(new Uri(NotificationUrl), now, default);

        Assert.Equal(SubscriptionChange.Renewed, state.Change);
        var patch = Assert.Single(graph.Requests("PATCH", "^/v1.0/subscriptions/s-1$"));
        var expires = JsonNode.Parse(patch.RequestMessage.Body!)!["expirationDateTime"]!.GetValue<DateTimeOffset>();
        Assert.Equal(now.AddDays(3).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.Empty(graph.Requests("POST", "/subscriptions"));
    }

    [Fact]
    public async Task After_the_clientState_is_rotated_a_new_subscription_carries_the_new_secret()
    {
        var now = DateTimeOffset.UtcNow;
        var site = new Uri("https://privacy.infomat.example/");
        var before = GraphIntake.NotificationUrlFor(site, new string('o', 40));
        var after = GraphIntake.NotificationUrlFor(site, new string('s', 40));
        Assert.Equal(after, GraphIntake.NotificationUrlFor(site, new string('s', 40)));
        Assert.NotEqual(before, after);
        graph.Subscriptions(("with-old-secret", now.AddDays(2.5), before.AbsoluteUri));

        var state = await mailbox.EnsureSubscriptionAsync(after, now, default);

        Assert.Equal(SubscriptionChange.Created, state.Change);
        var created = JsonNode.Parse(Assert.Single(graph.Requests("POST", "^/v1.0/subscriptions$")).RequestMessage.Body!)!;
        Assert.Equal(new string('s', 40), created["clientState"]!.GetValue<string>());
        Assert.Equal(after.AbsoluteUri, created["notificationUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_apps_subscription_does_not_count_and_a_new_one_is_created()
    {
        var now = DateTimeOffset.UtcNow;
        graph.Subscriptions(("other", now.AddDays(3), "https://elsewhere.example/hook"));

        var state = await mailbox.EnsureSubscriptionAsync(new Uri(NotificationUrl), now, default);

        Assert.Equal(SubscriptionChange.Created, state.Change);
        Assert.Single(graph.Requests("POST", "^/v1.0/subscriptions$"));
        Assert.Empty(graph.Requests("PATCH", "/subscriptions/"));
    }
}

/// <summary>Staff mail through Graph's sendMail when Exchange refuses a recipient, and the local pickup folder's equivalent.</summary>
public sealed class MailRefusalTests : IDisposable
{
    private readonly FakeGraph graph = new();

    public void Dispose() => graph.Dispose();

    private static Infomat.Privacy.Mail.OutgoingMail To(string to) =>
        new(Infomat.Privacy.Mail.MailKind.StaffTask, Infomat.Privacy.Mail.Audience.Staff, "PR-TEST", to, "Subject", "Body", "<p>Body</p>");

    [Fact]
    public async Task A_recipient_Graph_refuses_is_a_refusal_for_good_naming_the_code_not_the_address()
    {
        var mailbox = new GraphMailbox(Options.Create(new GraphMailOptions { Mailbox = FakeGraph.Mailbox, BaseUrl = new Uri(graph.BaseUrl), ClientState = new string('s', 40) }));

        var refused = await Assert.ThrowsAsync<Infomat.Privacy.Mail.MailRefusedException>(() => mailbox.SendAsync(To(FakeGraph.RefusedRecipient), default));
        await mailbox.SendAsync(To("privacy-staff@infomat.eu"), default);

        Assert.Equal("Graph 400 ErrorInvalidRecipients", refused.Answer);
        Assert.DoesNotContain("no-such-mailbox", refused.ToString(), StringComparison.Ordinal);
        Assert.Single(graph.Requests("POST", "/sendMail$"), r => r.ResponseMessage.StatusCode is 202);
    }

    [Theory]
    [InlineData("privacy-staff@infomat.eu; backup-staff@infomat.eu")]
    [InlineData("privacy-staff@infomat.eu,backup-staff@infomat.eu")]
    [InlineData("not an address")]
    public async Task The_pickup_folder_refuses_anything_but_one_address_for_good(string to)
    {
        var folder = Directory.CreateTempSubdirectory("pickup-").FullName;
        var sender = new Infomat.Privacy.Adapters.Mail.PickupDirectoryMailSender(
            Options.Create(new Infomat.Privacy.Adapters.Mail.MailOptions { PickupDirectory = folder }), TimeProvider.System, new Infomat.Privacy.Stores.KeyedHash(new byte[32]));

        await Assert.ThrowsAsync<Infomat.Privacy.Mail.MailRefusedException>(() => sender.SendAsync(To(to), default));
        await sender.SendAsync(To("privacy-staff@infomat.eu"), default);

        Assert.Single(Directory.GetFiles(folder, "*.eml"));
    }
}
