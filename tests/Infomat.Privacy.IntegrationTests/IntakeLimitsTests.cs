using System.Net;
using System.Net.Http.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>What keeps bots and floods from turning the form into a mail cannon.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IntakeLimitsTests(Azurite azurite)
{
    [Fact]
    public async Task The_third_request_for_one_address_within_the_window_gets_429_with_retry_after_and_nothing_is_stored()
    {
        await using var host = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Intake__PerAddressLimit"] = "2" });
        await host.StartAsync();
        using var flows = new Flows(host);
        // A fresh address: hosts share the test Azurite and resume each other's unfinished cases, so mails to the
        // demo addresses may come from other tests.
        var address = $"limit.{Guid.NewGuid():N}@example.nl";
        await flows.SubmitAsync(email: address);
        // (Another right, and the address written otherwise: it counts as the same address.)
        await flows.SubmitAsync(email: address.ToUpperInvariant() + " ", type: "erasure");

        var third = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = address, name = "Jan", language = "nl" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);

        var form = await flows.PostFormAsync(("type", "access"), ("email", address), ("name", "Jan"), ("language", "fr"));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("Réessayez dans", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another address is not held back, and only the two accepted requests were mailed.
        await flows.SubmitAsync(email: "other." + address);
        int Verifications() => host.Mailbox.All().Count(m => m.Headers["X-Infomat-Kind"] == "verification" && m.To.Mailboxes.Single().Address.Equals(address, StringComparison.OrdinalIgnoreCase));
        for (var i = 0; i < 100 && Verifications() < 2; i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(1000);
        Assert.Equal(2, Verifications());
    }

    /// <summary>
    /// The client limit keeps a flood off the register: a request over it is refused before anything is written for it.
    /// (Until decision 84 the intake also searched the register for an open case asking the same; that search once
    /// started beside the limit check, and every refused request cost a query. The intake no longer searches.)
    /// </summary>
    [Fact]
    public async Task A_client_over_its_limit_is_refused_before_the_register_is_touched_for_it()
    {
        await using var host = new InProcessHost(azurite) { Settings = new() { ["Privacy:Intake:PerClientLimit"] = "2" } };
        await host.StartAsync();
        using var flows = new Flows(host);
        // Inserts into the case register and its searches by requester (the orchestrations of accepted cases only read
        // and update their own rows).
        var inserts = 0;
        var searches = 0;
        host.TableFaults.FailWhen(r =>
        {
            if (r.Method == Azure.Core.RequestMethod.Post && r.Uri.Path.EndsWith("/PrivacyCases", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref inserts);
            }

            if (r.Method == Azure.Core.RequestMethod.Get && r.Uri.Path.Contains("/PrivacyCases()", StringComparison.Ordinal)
                && Uri.UnescapeDataString(r.Uri.Query).Contains("Requester eq", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref searches);
            }

            return false;
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var response = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = $"flood.{i}.{Guid.NewGuid():N}@example.be", name = "An", language = "en" });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, Volatile.Read(ref inserts));
        Assert.Equal(0, Volatile.Read(ref searches));
    }

    [Fact]
    public async Task A_form_with_the_hidden_field_filled_is_refused_and_starts_nothing()
    {
        await using var host = new LocalHostProcess(azurite);
        await host.StartAsync();
        using var flows = new Flows(host);

        var page = await flows.Http.GetStringAsync("/privacy?lang=en");
        Assert.Contains("name=\"contact_url_2\"", page, StringComparison.Ordinal);
        var address = $"bot.{Guid.NewGuid():N}@example.be";
        var response = await flows.PostFormAsync(
            ("type", "erasure"), ("email", address), ("name", "An"), ("language", "en"), ("contact_url_2", "http://spam.example"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A field meant to stay empty was filled in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(2000);
        Assert.DoesNotContain(host.Mailbox.All(), m => m.To.Mailboxes.Any(x => x.Address == address));
    }
}

/// <summary>A requester who did not get the verification mail can have it sent again from the thank-you page.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ResendVerificationTests(Azurite azurite)
{
    [Fact]
    public async Task The_link_can_be_sent_again_three_times_to_the_same_address_and_the_new_link_works()
    {
        await using var host = new LocalHostProcess(azurite);
        await host.StartAsync();
        using var flows = new Flows(host);
        var address = $"resend.{Guid.NewGuid():N}@example.be";
        var id = await flows.SubmitAsync(email: address, language: "en");
        await host.Mailbox.WaitForAsync("verification", id);

        // The link is recorded just after it went (it follows the answer, decision 86): the page offers it again from
        // then on, as a person reloading it sees.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!(await flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=en")).Contains("Send the link again", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, "the thank-you page did not offer the link again within 30 s of its mail");
            await Task.Delay(100);
        }

        Assert.Single(host.Mailbox.Of("verification", id));

        for (var i = 1; i <= 3; i++)
        {
            var resent = await flows.Http.PostAsync("/privacy/resend", Flows.Form(("request", id), ("lang", "en")));
            Assert.Equal(HttpStatusCode.SeeOther, resent.StatusCode);
            Assert.Contains("resent=1", resent.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await flows.Http.PostAsync("/privacy/resend", Flows.Form(("request", id), ("lang", "en")))).StatusCode);
        Assert.DoesNotContain("Send the link again", await flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=en"), StringComparison.Ordinal);
        var mails = host.Mailbox.Of("verification", id);
        Assert.Equal(4, mails.Count);
        Assert.All(mails, m => Assert.Equal(address, m.To.Mailboxes.Single().Address));

        // The latest link confirms the address; after that nothing more is sent.
        var latest = Mailbox.Link(mails[^1], host.BaseUrl + "/verify?token=");
        Assert.Equal(HttpStatusCode.OK, (await flows.PostTokenAsync("/verify", latest)).StatusCode);
        await host.Mailbox.WaitForAsync("acknowledgement", id);
        Assert.Equal(HttpStatusCode.NotFound, (await flows.Http.PostAsync("/privacy/resend", Flows.Form(("request", "PR-0000-0000-0000"), ("lang", "en")))).StatusCode);
    }
}
