using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Infomat.Privacy.Http.Approval;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Configuration;

using MimeKit;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 20: staff decide inside Outlook. The approval mail carries an Adaptive Card whose actions post to
/// <c>/api/approvals/card</c>; the host (sign-in required, as in Azure) checks Outlook's token against a stand-in Entra ID
/// (locally generated key) and the card's own token, then takes the decision by the page's rules. The test plays
/// Outlook: it reads the card from the mail, fills the inputs into the action's body as Outlook does, and posts it
/// with the token in <c>Action-Authorization</c> (the card sets the action's Authorization header empty).
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed partial class ApprovalCardTests(Azurite azurite) : LocalHostTests(azurite), IDisposable
{
    private const string ElsOid = "0c7e2b1a-5d0f-4f6e-9a43-3c2d8e1f7a01";
    private const string JanOid = "9b1d4e6f-2a3c-4b5d-8e7f-1a2b3c4d5e6f";

    private readonly StaffSignInAuthority authority = StaffSignInAuthority.Serve();

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult(authority.CardHostSettings);

    public void Dispose() => authority.Dispose();

    [Fact]
    public async Task A_link_verified_access_request_is_approved_with_one_click_on_the_card_and_the_card_then_shows_the_decision()
    {
        var id = await Flows.SubmitAsync($"card.one.{Guid.NewGuid():N}@example.org", type: "access");
        await Flows.VerifyAsync(id);
        var mail = await Host.Mailbox.WaitForAsync("approval-request", id);
        var card = CardOf(mail);

        // What staff see before clicking: the request, its due date, the stores' counts, the evidence chosen already.
        Assert.Equal("1.4", card["version"]!.GetValue<string>());
        Assert.Equal("0f6b2a4c-1d3e-4f5a-8b7c-9d0e1f2a3b4c", card["originator"]!.GetValue<string>());
        var text = card.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.Contains("Infomat België", text, StringComparison.Ordinal);
        Assert.Equal("verified-link", Input(card, "evidence")!["value"]!.GetValue<string>());
        // The text and the link stay for clients without cards.
        Assert.Contains("/approvals?token=", mail.TextBody, StringComparison.Ordinal);

        var answer = await ClickAsync(card, "approve", authority.Action(ElsOid, "els.janssens@infomat.eu"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("true", answer.Headers.GetValues("CARD-UPDATE-IN-BODY").Single());
        var updated = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject();
        Assert.Contains("Beslissing bewaard: goedgekeurd", Flat(updated), StringComparison.Ordinal);
        Assert.Contains("els.janssens@infomat.eu", Flat(updated), StringComparison.Ordinal);
        Assert.Empty(HttpActions(updated));
        // The case goes on to collect and answer: the requester gets the export.
        await Host.Mailbox.WaitForAsync("export-ready", id, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_card_post_naming_a_decision_the_card_does_not_offer_is_refused_and_decides_nothing()
    {
        // Session 45's hunt: the card endpoint passed any action on, so a post naming the refusal as manifestly unfounded
        // or excessive (Art. 12(5): on the decision page only, with its reasons, decision 75) was taken from a card.
        var id = await Flows.SubmitAsync($"card.other.{Guid.NewGuid():N}@example.org", type: "access");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));

        var answer = await ClickAsync(card, "reject", authority.Action(ElsOid, "els.janssens@infomat.eu"), reason: "Te veel verzoeken.",
            alterBody: b => b.Replace("\"action\":\"reject\"", "\"action\":\"manifestly-unfounded-or-excessive\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("AwaitingIdentityApproval", (await Flows.StatusAsync(id)).RootElement.GetProperty("status").GetString());
    }

    public enum BadToken
    {
        None,
        OtherIssuer,
        OtherAudience,
        NotFromActionableMessages,
        Expired,
        Unsigned,
        OtherKey,
        NotStaff,
        StaffSignInIdToken,
    }

    [Fact]
    public async Task An_action_without_outlooks_token_for_a_staff_member_is_refused_with_401_and_changes_nothing()
    {
        var id = await Flows.SubmitAsync($"card.bad.{Guid.NewGuid():N}@example.org", type: "access");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));
        var otherIssuer = authority.Authority.Replace("/v2.0", "-other/v2.0", StringComparison.Ordinal);

        foreach (var bad in Enum.GetValues<BadToken>())
        {
            var token = bad switch
            {
                BadToken.None => null,
                BadToken.OtherIssuer => authority.Action(ElsOid, "els@infomat.eu", issuer: otherIssuer),
                BadToken.OtherAudience => authority.Action(ElsOid, "els@infomat.eu", audience: "https://api.elsewhere.example"),
                BadToken.NotFromActionableMessages => authority.Action(ElsOid, "els@infomat.eu", azp: "11111111-2222-3333-4444-555555555555"),
                BadToken.Expired => authority.Action(ElsOid, "els@infomat.eu", expires: DateTime.UtcNow.AddMinutes(-30)),
                BadToken.Unsigned => authority.Action(ElsOid, "els@infomat.eu", unsigned: true),
                BadToken.OtherKey => authority.Action(ElsOid, "els@infomat.eu", signWithAnotherKey: true),
                BadToken.NotStaff => authority.Action(ElsOid, "els@infomat.eu", roles: ["Sales.Reader"]),
                // A staff sign-in token (right tenant, staff role) is not Outlook's: it was not issued to the Actionable Messages service.
                _ => authority.Staff(ElsOid, "els@infomat.eu"),
            };
            var answer = await ClickAsync(card, "approve", token);
            Assert.True(answer.StatusCode == HttpStatusCode.Unauthorized, $"{bad}: {answer.StatusCode}");
        }

        // A good Outlook token with the card's token altered (another case, or forged) decides nothing either.
        var forged = await ClickAsync(card, "approve", authority.Action(ElsOid, "els@infomat.eu"), url => url[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        using var status = await Flows.StatusAsync(id);
        Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
        var events = await TestCases.Register(Azurite).GetAsync(id, default);
        Assert.Null(events!.Decision);
        Assert.Empty(events.Approvals);
        // Tokens Microsoft signed for the tenant that still may not decide are in the case's trail; forged ones are only
        // logged (whoever holds a card must not be able to fill a case's trail).
        var refusals = (await AuditAsync(id)).Where(e => e.Action == "approval-card-refused").Select(e => e.Outcome).Order().ToList();
        Assert.Equal(["bearer-not-from-actionable-messages", "bearer-not-from-actionable-messages", "not-staff"], refusals);

        // What Outlook shows a person goes in a header, which carries ASCII only: accents are dropped, not percent-encoded.
        Assert.Equal("Cette action n'a pas ete acceptee", ApprovalCardEndpoints.Ascii("Cette action n\u2019a pas été acceptée"));
    }

    [Fact]
    public async Task An_erasure_needs_two_colleagues_on_the_card_and_a_late_click_only_shows_where_the_decision_stands()
    {
        var id = await Flows.SubmitAsync($"card.two.{Guid.NewGuid():N}@example.org", type: "erasure");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));
        Assert.Contains("2 verschillende collega's", Flat(card), StringComparison.Ordinal);

        var first = await ClickAsync(card, "approve", authority.Action(ElsOid, "els.janssens@infomat.eu"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var afterFirst = JsonNode.Parse(await first.Content.ReadAsStringAsync())!.AsObject();
        Assert.Contains("Goedgekeurd door els.janssens@infomat.eu", Flat(afterFirst), StringComparison.Ordinal);
        Assert.Contains("Wacht op goedkeuring 2 van 2: een andere collega moet die geven.", Flat(afterFirst), StringComparison.Ordinal);
        Assert.NotEmpty(HttpActions(afterFirst));

        // Els again, shown under another name: the same object id, so not a second approver. Nothing recorded.
        var again = await ClickAsync(card, "approve", authority.Action(ElsOid, "els.peeters@infomat.eu"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("U hebt dit verzoek al goedgekeurd", Flat(JsonNode.Parse(await again.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
        Assert.Single((await TestCases.Register(Azurite).GetAsync(id, default))!.Approvals);

        // Jan opens the mail: Outlook asks for the card as it stands (one approval given) and he approves from that.
        var janCard = JsonNode.Parse(await (await ClickAsync(card, "refresh", authority.Action(JanOid, "jan.peeters@infomat.eu"), autoInvoke: true)).Content.ReadAsStringAsync())!.AsObject();
        var second = await ClickAsync(janCard, "approve", authority.Action(JanOid, "jan.peeters@infomat.eu"), evidence: "known-details");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("Beslissing bewaard: goedgekeurd", Flat(JsonNode.Parse(await second.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);

        // A colleague who still has the old card open rejects: the first decision stands, the card shows it.
        var late = await ClickAsync(card, "reject", authority.Action("5e6f7a8b-0000-4000-8000-00000000000c", "an@infomat.eu"), reason: "Niet zeker.");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        var lateCard = JsonNode.Parse(await late.Content.ReadAsStringAsync())!.AsObject();
        Assert.Contains("al beslist: goedgekeurd", Flat(lateCard), StringComparison.Ordinal);
        Assert.Empty(HttpActions(lateCard));
        var c = await TestCases.Register(Azurite).GetAsync(id, default);
        Assert.Equal(Cases.DecisionOutcome.Approve, c!.Decision!.Outcome);
        Assert.Equal(2, c.Approvals.Count);

        // Opening the mail later (Outlook's refresh) shows the same state, and changes nothing.
        var refreshed = await ClickAsync(card, "refresh", authority.Action(JanOid, "jan.peeters@infomat.eu"), autoInvoke: true);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Empty(HttpActions(JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!.AsObject()));
    }

    [Fact]
    public async Task A_colleague_cannot_decide_on_the_card_of_a_request_made_from_the_address_they_sign_in_with()
    {
        // Els works in privacy and asks, from her work address, for the erasure of her own data: nobody checks their own identity.
        var els = $"els.{Guid.NewGuid():N}@infomat.eu";
        var id = await Flows.SubmitAsync(els.ToUpperInvariant(), type: "erasure");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));

        foreach (var (action, reason) in new[] { ("approve", ""), ("reject", "Niet zeker."), ("request-identification", "Een kopie van uw badge.") })
        {
            var own = await ClickAsync(card, action, authority.Action(ElsOid, els), reason: reason);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Contains("Niemand beslist over zijn eigen verzoek", Flat(JsonNode.Parse(await own.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
        }

        var c = await TestCases.Register(Azurite).GetAsync(id, default);
        Assert.Empty(c!.Approvals);
        Assert.Null(c.Decision);
        Assert.Null(c.IdentificationRequestedAt);
        // In the case's trail by her staff id, without her address.
        var refused = (await AuditAsync(id)).Where(e => e.Action == "identity-decision-refused").ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, e => Assert.Equal((ElsOid, "own-request"), (e.Actor, e.Outcome)));
        Assert.DoesNotContain(await AuditAsync(id), e => (e.Actor + e.Outcome + e.Subject).Contains(els, StringComparison.OrdinalIgnoreCase));

        // Jan, a colleague, can.
        var jan = await ClickAsync(card, "approve", authority.Action(JanOid, "jan.peeters@infomat.eu"));
        Assert.Contains("Goedgekeurd door jan.peeters@infomat.eu", Flat(JsonNode.Parse(await jan.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_from_a_card_that_showed_an_earlier_count_is_not_taken_as_the_second_one()
    {
        var id = await Flows.SubmitAsync($"card.stale.{Guid.NewGuid():N}@example.org", type: "erasure");
        await Flows.VerifyAsync(id);
        // Els and Jan both have the card as mailed: nobody has approved yet (0 of 2).
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));
        var els = authority.Action(ElsOid, "els.janssens@infomat.eu");
        var jan = authority.Action(JanOid, "jan.peeters@infomat.eu");

        // A card from before this release: its approve action does not say what it showed. Nothing is recorded.
        var old = card.DeepClone().AsObject();
        foreach (var action in HttpActions(old))
        {
            action["body"] = BasisField().Replace(action["body"]!.GetValue<string>(), string.Empty);
        }

        var unsaid = await ClickAsync(old, "approve", els);
        Assert.Equal(HttpStatusCode.OK, unsaid.StatusCode);
        Assert.Contains("Er is niets bewaard: de identiteitscontrole is verdergegaan", Flat(JsonNode.Parse(await unsaid.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
        Assert.Empty((await TestCases.Register(Azurite).GetAsync(id, default))!.Approvals);

        Assert.Equal(HttpStatusCode.OK, (await ClickAsync(card, "approve", els)).StatusCode);
        // Jan clicks on the card as it was mailed, believing a second check would follow: not the final decision.
        var stale = await ClickAsync(card, "approve", jan, evidence: "known-details");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var staleCard = JsonNode.Parse(await stale.Content.ReadAsStringAsync())!.AsObject();
        Assert.Contains("goedkeuring is niet bewaard", Flat(staleCard), StringComparison.Ordinal);
        Assert.Contains("Wacht op goedkeuring 2 van 2", Flat(staleCard), StringComparison.Ordinal);
        var stored = (await TestCases.Register(Azurite).GetAsync(id, default))!;
        Assert.Null(stored.Decision);
        Assert.Single(stored.Approvals);

        // The card now shows where the decision stands; Jan's approval from it is the second one, and it decides.
        var second = await ClickAsync(staleCard, "approve", jan, evidence: "known-details");
        Assert.Contains("Beslissing bewaard: goedgekeurd", Flat(JsonNode.Parse(await second.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
        Assert.Equal(2, (await TestCases.Register(Azurite).GetAsync(id, default))!.Approvals.Count);
    }

    [GeneratedRegex(",\"basis\":\"[0-9.]+\"")]
    private static partial Regex BasisField();

    [Fact]
    public async Task A_replayed_identification_request_is_refused_and_the_requester_is_asked_once()
    {
        var id = await Flows.SubmitAsync($"card.ask.{Guid.NewGuid():N}@example.org", type: "access");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));
        var token = authority.Action(ElsOid, "els@infomat.eu");

        var asked = await ClickAsync(card, "request-identification", token, reason: "Uw klantnummer, alstublieft.");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("om meer identificatie gevraagd", Flat(JsonNode.Parse(await asked.Content.ReadAsStringAsync())!.AsObject()), StringComparison.Ordinal);
        await Host.Mailbox.WaitForAsync("identification-request", id);

        var replayed = await ClickAsync(card, "request-identification", token, reason: "Uw klantnummer, alstublieft.");
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        await Task.Delay(1000);
        Assert.Single(Host.Mailbox.Of("identification-request", id));
        Assert.Contains(await AuditAsync(id), e => e.Action == "approval-card-refused" && e.Outcome == "card-action-used");
    }

    [Fact]
    public async Task A_rejection_from_a_card_mailed_before_a_colleague_asked_for_more_identification_is_not_taken()
    {
        var id = await Flows.SubmitAsync($"card.late.{Guid.NewGuid():N}@example.org", type: "access");
        await Flows.VerifyAsync(id);
        var card = CardOf(await Host.Mailbox.WaitForAsync("approval-request", id));
        // Els asks the requester for more identification from her card; Jan still has the card as mailed, not refreshed.
        var ask = await ClickAsync(card, "request-identification", authority.Action(ElsOid, "els.janssens@infomat.eu"), reason: "Uw klantnummer, alstublieft.");
        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        await Host.Mailbox.WaitForAsync("identification-request", id);

        var rejected = await ClickAsync(card, "reject", authority.Action(JanOid, "jan.peeters@infomat.eu"), reason: "Niet zeker.");
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var now = Flat(JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!.AsObject());
        Assert.Contains("Er is niets bewaard: de identiteitscontrole is verdergegaan", now, StringComparison.Ordinal);
        // The card as it stands now: Els's request for more identification, and the decisions taken from it.
        Assert.Contains("om meer identificatie gevraagd", now, StringComparison.Ordinal);
        var stored = (await TestCases.Register(Azurite).GetAsync(id, default))!;
        Assert.Null(stored.Decision);
        Assert.Equal(Cases.CaseStatus.AwaitingIdentityApproval, stored.Status);
        await Task.Delay(1000);
        Assert.Empty(Host.Mailbox.Of("rejection", id));
    }

    private async Task<IReadOnlyList<Audit.AuditEvent>> AuditAsync(string id)
    {
        var clients = new Adapters.Storage.StorageClients(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = Azurite.ConnectionString }).Build());
        var hash = new Privacy.Stores.KeyedHash(LocalHostProcess.PseudonymisationKey);
        var trail = new Adapters.Storage.TableAuditTrail(clients, new Audit.AuditChain(hash.DeriveKey("audit-chain")), TimeProvider.System);
        return await trail.ListAsync(id, default);
    }

    /// <summary>The card in the mail's HTML, as Outlook finds it.</summary>
    public static JsonObject CardOf(MimeMessage mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var match = CardScript().Match(mail.HtmlBody ?? string.Empty);
        Assert.True(match.Success, "The approval mail carries no card.");
        return JsonNode.Parse(match.Groups[1].Value)!.AsObject();
    }

    /// <summary>Clicks the action that posts <paramref name="action"/>: fills its inputs into the body as Outlook does and posts it.</summary>
    private async Task<HttpResponseMessage> ClickAsync(
        JsonObject card, string action, string? bearer, Func<string, string>? alterUrl = null, string? evidence = null, string reason = "", bool autoInvoke = false, Func<string, string>? alterBody = null)
    {
        var http = autoInvoke ? card["autoInvokeAction"]!.AsObject() : HttpActions(card).Single(a => a["body"]!.GetValue<string>().Contains($"\"action\":\"{action}\"", StringComparison.Ordinal));
        var body = http["body"]!.GetValue<string>()
            .Replace("{{evidence.value}}", evidence ?? Input(card, "evidence")?["value"]?.GetValue<string>() ?? string.Empty, StringComparison.Ordinal)
            .Replace("{{note.value}}", string.Empty, StringComparison.Ordinal)
            .Replace("{{reason.value}}", reason, StringComparison.Ordinal)
            .Replace("{{needed.value}}", reason, StringComparison.Ordinal);
        body = (alterBody ?? (x => x))(body);
        var url = http["url"]!.GetValue<string>();
        Assert.StartsWith(Host.BaseUrl + "/api/approvals/card?token=", url, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, (alterUrl ?? (u => u))(url)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        // The card sets the action's Authorization header empty, so Outlook puts its token here.
        Assert.Contains(http["headers"]!.AsArray(), h => h!["name"]!.GetValue<string>() == "Authorization" && h["value"]!.GetValue<string>().Length == 0);
        if (bearer is not null)
        {
            request.Headers.Add(ApprovalCardEndpoints.ActionAuthorizationHeader, "Bearer " + bearer);
        }

        using var client = new HttpClient();
        return await client.SendAsync(request);
    }

    /// <summary>Every Action.Http of the card, in its actions and in the cards its ShowCard actions open.</summary>
    public static IReadOnlyList<JsonObject> HttpActions(JsonObject card) =>
        [.. (card["actions"]?.AsArray() ?? []).Select(a => a!.AsObject()).SelectMany(a => a["type"]!.GetValue<string>() switch
        {
            "Action.Http" => [a],
            "Action.ShowCard" => HttpActions(a["card"]!.AsObject()),
            _ => Array.Empty<JsonObject>(),
        })];

    private static JsonObject? Input(JsonObject card, string id) =>
        card["body"]!.AsArray().Select(b => b!.AsObject()).FirstOrDefault(b => b["id"]?.GetValue<string>() == id);

    /// <summary>All the card's text, unescaped, to look for what a person reads.</summary>
    private static string Flat(JsonObject card) =>
        card.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [GeneratedRegex("<script type=\"application/adaptivecard\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex CardScript();
}
