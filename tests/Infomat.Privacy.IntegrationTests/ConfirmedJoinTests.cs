using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Decision 84: whoever sends a request has not proven the address, so the answer tells them nothing about another
/// request. A request that asked what an open one asks used to join it at once and answer with that case's reference,
/// and so with its status, history and dates (<c>GET /api/requests/{id}</c>, the thank-you page) — to anyone who knew
/// the address and the right. Now it is a request of its own with its own link; once its address is confirmed, by
/// whoever holds the mailbox, it joins the request that was confirmed first, and the person is answered once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConfirmedJoinTests(Azurite azurite) : IAsyncLifetime
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
    public async Task The_same_request_sent_by_someone_else_is_told_nothing_of_the_open_one_and_joins_it_once_the_mailbox_confirms_it()
    {
        var email = NewAddress();
        var first = await Flows.IdOfAsync(await PostJsonAsync("access", email));
        await flows.VerifyAsync(first);
        await host.Mailbox.WaitForAsync("approval-request", first);

        // Someone who knows the address and the right sends the same request.
        var response = await PostJsonAsync("access", email);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadAsStringAsync();
        var second = await Flows.IdOfAsync(response);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(first, answer, StringComparison.Ordinal);
        using (var status = await flows.StatusAsync(second))
        {
            Assert.Equal("AwaitingEmailVerification", status.RootElement.GetProperty("status").GetString());
            Assert.Single(status.RootElement.GetProperty("history").EnumerateArray());
        }

        // The address is asked to confirm it, as any new request; whoever holds the mailbox confirms it.
        var link = Mailbox.Link(await host.Mailbox.WaitForAsync("verification", second), host.BaseUrl + "/verify?token=");
        var confirmed = await flows.PostTokenAsync("/verify", link);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var page = await confirmed.Content.ReadAsStringAsync();
        Assert.Contains($"Request {second} asks the same as your request {first} of ", page, StringComparison.Ordinal);
        Assert.Contains("GDPR Art. 12(3)", page, StringComparison.Ordinal);

        using (var status = await flows.StatusAsync(second))
        {
            Assert.Equal("Joined", status.RootElement.GetProperty("status").GetString());
            Assert.DoesNotContain(first, status.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        // Its reference, in whoever's hands, names no other request, nor its status or dates.
        var thanks = await flows.Http.GetStringAsync($"/privacy/thanks?request={second}&lang=en");
        Assert.Contains($"Request {second}: its email address has been confirmed, and the request was added to another one", thanks, StringComparison.Ordinal);
        Assert.DoesNotContain(first, thanks, StringComparison.Ordinal);

        // One case goes on: the first waits for staff; the joined one sends nothing more and asks staff nothing.
        using (var status = await flows.StatusAsync(first))
        {
            Assert.Equal("AwaitingIdentityApproval", status.RootElement.GetProperty("status").GetString());
        }

        // Its orchestration was stopped (termination is a queued message: looked at for up to 20 s).
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var instance = await durable.GetInstanceAsync(second);
        for (var until = DateTime.UtcNow.AddSeconds(20); instance?.RuntimeStatus == OrchestrationRuntimeStatus.Running && DateTime.UtcNow < until; instance = await durable.GetInstanceAsync(second))
        {
            await Task.Delay(200);
        }

        Assert.True(instance is null || instance.RuntimeStatus is OrchestrationRuntimeStatus.Terminated or OrchestrationRuntimeStatus.Completed, $"the joined request's orchestration is {instance?.RuntimeStatus}");
        Assert.Empty(host.Mailbox.Of("acknowledgement", second));
        Assert.Empty(host.Mailbox.Of("approval-request", second));
    }

    [Fact]
    public async Task The_form_sent_twice_from_two_pages_is_two_requests_until_the_later_is_confirmed_after_the_earlier()
    {
        var email = NewAddress();
        (string, string)[] fields = [("type", "erasure"), ("email", email), ("name", "An Peeters"), ("entity", "be"), ("language", "fr")];
        var first = Flows.RequestOf(await flows.PostFormAsync(fields));
        var sent = await flows.PostFormAsync(fields);
        var second = Flows.RequestOf(sent);
        Assert.NotEqual(first, second);
        var thanks = await flows.Http.GetStringAsync(sent.Headers.Location!.OriginalString);
        Assert.Contains($"Nous avons bien reçu votre demande (référence {second})", thanks, StringComparison.Ordinal);
        Assert.DoesNotContain(first, thanks, StringComparison.Ordinal);

        var firstConfirmed = await flows.PostTokenAsync("/verify", Mailbox.Link(await host.Mailbox.WaitForAsync("verification", first), host.BaseUrl + "/verify?token="));
        Assert.Contains($"La demande {first} est maintenant transmise", await firstConfirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var secondConfirmed = await flows.PostTokenAsync("/verify", Mailbox.Link(await host.Mailbox.WaitForAsync("verification", second), host.BaseUrl + "/verify?token="));
        Assert.Contains($"La demande {second} porte sur la même chose que votre demande {first} du ", await secondConfirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var secondStatus = await flows.StatusAsync(second);
        Assert.Equal("Joined", secondStatus.RootElement.GetProperty("status").GetString());
        await host.Mailbox.WaitForAsync("approval-request", first);
        var page = await flows.Http.GetStringAsync($"/privacy/thanks?request={second}&lang=fr");
        Assert.DoesNotContain(first, page, StringComparison.Ordinal);
        Assert.Empty(host.Mailbox.Of("approval-request", second));
    }

    private async Task<HttpResponseMessage> PostJsonAsync(string type, string email) =>
        await flows.Http.PostAsJsonAsync("/api/requests", new { type, email, name = "An Peeters", entity = "both", language = "en" });

    /// <summary>An address no other test uses (the register is shared by the test hosts of a run).</summary>
    private static string NewAddress() => $"join.{Guid.NewGuid():N}@example.be";
}
