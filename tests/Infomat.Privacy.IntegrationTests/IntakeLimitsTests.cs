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
        await flows.SubmitAsync(email: "jan.devries@example.nl");
        await flows.SubmitAsync(email: "JAN.deVries@example.nl ");

        var third = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = "jan.devries@example.nl", name = "Jan", language = "nl" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);

        var form = await flows.Http.PostAsync("/api/requests", Flows.Form(("type", "access"), ("email", "jan.devries@example.nl"), ("name", "Jan"), ("language", "fr")));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("Réessayez dans", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another address is not held back, and only the two accepted requests were mailed.
        await flows.SubmitAsync(email: "an.peeters@example.be");
        await Task.Delay(1500);
        Assert.Equal(2, host.Mailbox.All().Count(m => m.Headers["X-Infomat-Kind"] == "verification" && m.To.Mailboxes.Single().Address.Contains("devries", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task A_form_with_the_hidden_field_filled_is_refused_and_starts_nothing()
    {
        await using var host = new LocalHostProcess(azurite);
        await host.StartAsync();
        using var flows = new Flows(host);

        var page = await flows.Http.GetStringAsync("/privacy?lang=en");
        Assert.Contains("name=\"contact_url_2\"", page, StringComparison.Ordinal);
        var response = await flows.Http.PostAsync("/api/requests", Flows.Form(
            ("type", "erasure"), ("email", "an.peeters@example.be"), ("name", "An"), ("language", "en"), ("contact_url_2", "http://spam.example")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A field meant to stay empty was filled in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(1500);
        Assert.Empty(host.Mailbox.All());
    }
}
