using System.Text.Json;
using System.Text.Json.Nodes;

using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// A WireMock.Net stand-in for the Graph endpoints the mailbox intake uses (subscriptions, a message, its MIME content,
/// its categories, the inbox delta query), on 127.0.0.1. The app talks to it with the real Graph SDK.
/// </summary>
public sealed class FakeGraph : IDisposable
{
    public const string Mailbox = "info@infomat.eu";
    private const string Json = "application/json";

    private static readonly Guid SubscriptionList = Guid.Parse("0f6f2b8e-0000-4000-8000-000000000001");
    private static readonly Guid DeltaChanges = Guid.Parse("0f6f2b8e-0000-4000-8000-000000000002");
    private static readonly Guid DeltaNothingNew = Guid.Parse("0f6f2b8e-0000-4000-8000-000000000003");

    private readonly WireMockServer server;

    public FakeGraph()
    {
        server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{Repo.FreePort()}"] });
        // No subscription yet, unless a test says otherwise.
        Subscriptions();
        server.Given(Request.Create().UsingPost().WithPath("/v1.0/subscriptions"))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", Json).WithBody(
                req => SubscriptionJson("sub-created", DateTimeOffset.UtcNow.AddDays(3), JsonNode.Parse(req.Body!)!["notificationUrl"]!.GetValue<string>())));
        server.Given(Request.Create().UsingPatch().WithPath(new RegexMatcher(@"^/v1\.0/subscriptions/[^/]+$")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", Json).WithBody(req => req.Body ?? "{}"));
        server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(@"^/v1\.0/subscriptions/[^/]+/reauthorize$")))
            .RespondWith(Response.Create().WithStatusCode(204));
        server.Given(Request.Create().UsingPatch().WithPath(new RegexMatcher(@"^/v1\.0/users/[^/]+/messages/[^/]+$")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", Json).WithBody("{}"));
        server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(@"^/v1\.0/users/[^/]+/sendMail$")))
            .RespondWith(Response.Create().WithStatusCode(202));
        // A recipient Exchange refuses, as it answers: 400 with the address in its message.
        server.Given(Request.Create().UsingPost().WithPath(new RegexMatcher(@"^/v1\.0/users/[^/]+/sendMail$")).WithBody(new RegexMatcher(RefusedRecipient)))
            .AtPriority(-1)
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", Json)
                .WithBody($$$"""{"error":{"code":"ErrorInvalidRecipients","message":"At least one recipient is not valid., Recipient '{{{RefusedRecipient}}}' is not resolved."}}"""));
        // An empty inbox delta, until a test gives one.
        Delta([], "t0");
    }

    /// <summary>A recipient sendMail refuses (400 ErrorInvalidRecipients).</summary>
    public const string RefusedRecipient = "no-such-mailbox@infomat.eu";

    /// <summary>The base URL with the version, for <c>Mail:Graph:BaseUrl</c>.</summary>
    public string BaseUrl => server.Url + "/v1.0";

    /// <summary>The subscriptions <c>GET /subscriptions</c> lists.</summary>
    public void Subscriptions(params (string Id, DateTimeOffset ExpiresAt, string NotificationUrl)[] subscriptions) =>
        server.Given(Request.Create().UsingGet().WithPath("/v1.0/subscriptions")).WithGuid(SubscriptionList)
            .RespondWith(Response.Create().WithHeader("Content-Type", Json).WithBody(
                "{\"value\":[" + string.Join(",", subscriptions.Select(s => SubscriptionJson(s.Id, s.ExpiresAt, s.NotificationUrl))) + "]}"));

    /// <summary>A message in the inbox: its id, its MIME text, and how Graph answers for its content.</summary>
    public void Message(string id, string mime, TimeSpan? delay = null, int failuresFirst = 0)
    {
        var internetMessageId = System.Text.RegularExpressions.Regex.Match(mime, @"^Message-ID:\s*(<[^>]+>)", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.IgnoreCase).Groups[1].Value;
        server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher($@"^/v1\.0/users/[^/]+/messages/{id}$")))
            .RespondWith(Response.Create().WithHeader("Content-Type", Json).WithBody(
                JsonSerializer.Serialize(new { id, internetMessageId, categories = Array.Empty<string>() })));
        var content = Request.Create().UsingGet().WithPath(new RegexMatcher($@"^/v1\.0/users/[^/]+/messages/{id}/\$value$"));
        var ok = Response.Create().WithHeader("Content-Type", "text/plain").WithBody(mime);
        if (delay is { } d)
        {
            ok = ok.WithDelay(d);
        }

        if (failuresFirst == 0)
        {
            server.Given(content).RespondWith(ok);
            return;
        }

        // Graph busy at first: 503 with Retry-After, then the content.
        var scenario = "content-" + id;
        for (var i = 0; i < failuresFirst; i++)
        {
            var step = server.Given(content).InScenario(scenario);
            step = i == 0 ? step : step.WhenStateIs($"failed-{i}");
            step.WillSetStateTo($"failed-{i + 1}").RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "1"));
        }

        server.Given(content).InScenario(scenario).WhenStateIs($"failed-{failuresFirst}").RespondWith(ok);
    }

    /// <summary>
    /// The inbox delta: a call lists <paramref name="ids"/> with a delta link carrying <paramref name="token"/>; a call
    /// with that token lists nothing new.
    /// </summary>
    public void Delta(string[] ids, string token)
    {
        var deltaLink = $"{BaseUrl}/users/{Uri.EscapeDataString(Mailbox)}/mailFolders/inbox/messages/delta()?$deltatoken={token}";
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["value"] = ids.Select(id => new { id }).ToArray(),
            ["@odata.deltaLink"] = deltaLink,
        });
        server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(@"^/v1\.0/users/[^/]+/mailFolders/inbox/messages/delta\(\)$"))).WithGuid(DeltaChanges)
            .AtPriority(10)
            .RespondWith(Response.Create().WithHeader("Content-Type", Json).WithBody(body));
        server.Given(Request.Create().UsingGet().WithPath(new RegexMatcher(@"^/v1\.0/users/[^/]+/mailFolders/inbox/messages/delta\(\)$")).WithParam("$deltatoken", token)).WithGuid(DeltaNothingNew)
            .AtPriority(-1)
            .RespondWith(Response.Create().WithHeader("Content-Type", Json).WithBody(
                JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = Array.Empty<object>(), ["@odata.deltaLink"] = deltaLink + "-next" })));
    }

    /// <summary>Every request Graph received that matches.</summary>
    public IReadOnlyList<ILogEntry> Requests(string method, string pathPattern) =>
        server.LogEntries.Where(e => e.RequestMessage.Method == method && System.Text.RegularExpressions.Regex.IsMatch(e.RequestMessage.Path, pathPattern)).ToList();

    /// <summary>The categories PATCHed onto a message, last first.</summary>
    public IReadOnlyList<string[]> CategoriesSetOn(string messageId) =>
        Requests("PATCH", $@"/messages/{messageId}$").Reverse()
            .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!["categories"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray())
            .ToList();

    /// <summary>The mails sent through sendMail, as Graph received them (JSON).</summary>
    public IReadOnlyList<JsonNode> SentMail() =>
        Requests("POST", "/sendMail$").Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).Select(b => (b["message"] ?? b["Message"])!).ToList();

    public async Task<IReadOnlyList<ILogEntry>> WaitForAsync(string method, string pathPattern, int count = 1, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Requests(method, pathPattern) is var found && found.Count < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Graph saw {found.Count} of {count} {method} {pathPattern}; it saw: " +
                    string.Join(", ", server.LogEntries.Select(e => e.RequestMessage.Method + " " + e.RequestMessage.Path)));
            }

            await Task.Delay(100);
        }

        return Requests(method, pathPattern);
    }

    public void Dispose() => server.Stop();

    private string SubscriptionJson(string id, DateTimeOffset expiresAt, string notificationUrl) => JsonSerializer.Serialize(new
    {
        id,
        resource = $"users/{Mailbox}/mailFolders('inbox')/messages",
        changeType = "created",
        notificationUrl,
        expirationDateTime = expiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    });
}
