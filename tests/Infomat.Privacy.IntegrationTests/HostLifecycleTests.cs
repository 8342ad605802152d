using System.Net;
using System.Security.Cryptography;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

[Collection(AzuriteCollection.Name)]
public sealed class HostLifecycleTests(Azurite azurite)
{
    [Fact]
    public async Task Stopping_and_starting_the_local_host_loses_no_accepted_request()
    {
        var settings = new Dictionary<string, string> { ["Privacy__Tokens__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ["Privacy__Pseudonymisation__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ["Privacy__KeyRing__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        await using var host = new LocalHostProcess(azurite, settings);
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", entity: "nl");
        var verification = Mailbox.Link(await host.Mailbox.WaitForAsync("verification", id), host.BaseUrl + "/verify?token=");
        // The mail is written, then recorded in the register (at least once: a crash in between sends it again).
        // Stop only once it is recorded: from then on a restart must not mail again.
        var cases = new Azure.Data.Tables.TableClient(azurite.ConnectionString, "PrivacyCases");
        for (var i = 0; i < 100 && !(await cases.GetEntityAsync<Azure.Data.Tables.TableEntity>(id, "case")).Value.GetString("Data").Contains("\"verificationMailSentAt\":\"", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }


        // The in-process durable engine forgets everything on restart; the case register does not.
        await host.StopAsync();
        await host.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await flows.PostTokenAsync("/verify", verification)).StatusCode);
        await flows.DecideAsync(id, "approve");
        await flows.DownloadLinkAsync(id);
        using var status = await flows.StatusOnceAsync(id, "Completed");
        Assert.Equal("Completed", status.RootElement.GetProperty("status").GetString());
        Assert.Single(host.Mailbox.Of("verification", id));
    }

    [Fact]
    public async Task After_a_signing_key_rotation_links_already_mailed_still_work_until_the_previous_key_is_retired()
    {
        var oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var host = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Tokens__SigningKey"] = oldKey });
        await host.StartAsync();
        using var flows = new Flows(host);
        var first = await flows.SubmitAsync(email: "jan.devries@example.nl", entity: "nl");
        var second = await flows.SubmitAsync(email: "an.peeters@example.be", entity: "be");
        var firstLink = Mailbox.Link(await host.Mailbox.WaitForAsync("verification", first), host.BaseUrl + "/verify?token=");
        var secondLink = Mailbox.Link(await host.Mailbox.WaitForAsync("verification", second), host.BaseUrl + "/verify?token=");

        // Rotation: the new key signs, the previous one is still accepted.
        await host.StopAsync();
        host.Set("Privacy__Tokens__SigningKey", newKey + "," + oldKey);
        await host.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await flows.Http.GetAsync(firstLink.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flows.PostTokenAsync("/verify", firstLink)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await flows.Http.GetAsync(secondLink.PathAndQuery)).StatusCode);

        // Retirement: a link signed with the removed key is refused like a forged one.
        await host.StopAsync();
        host.Set("Privacy__Tokens__SigningKey", newKey);
        await host.StartAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await flows.Http.GetAsync(secondLink.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await flows.PostTokenAsync("/verify", secondLink)).StatusCode);
    }

    [Fact]
    public async Task After_the_link_lifetime_the_download_page_says_expired_and_no_link_to_the_blob_is_given()
    {
        await using var host = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Export__LinkLifetime"] = "00:00:04" });
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(language: "en");
        await flows.VerifyAsync(id);
        await flows.DecideAsync(id, "approve");
        var link = await flows.DownloadLinkAsync(id);
        Assert.Equal(HttpStatusCode.SeeOther, (await flows.PostTokenAsync("/download", link)).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(5));

        var page = await flows.Http.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("This link has expired", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var post = await flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Null(post.Headers.Location);
    }
}
