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

        // And once the orchestration waits for the confirmation: a kill in the middle of a step delays the case until the
        // step's queue message is visible again (five minutes, as in Azure; the step then runs again), which this test
        // does not wait for.
        var instances = new Azure.Data.Tables.TableClient(azurite.ConnectionString, host.TaskHub + "Instances");
        for (var i = 0; i < 100 && (await InstanceAsync(instances, id))?.GetString("CustomStatus") is null or "" or "null"; i++)
        {
            await Task.Delay(100);
        }

        // Stopped and started again: the orchestration and the register both survive (the register alone would do).
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
    public async Task A_case_waiting_for_approval_survives_a_kill_of_the_local_host_in_its_own_orchestration_and_is_reminded_on_time()
    {
        // An Azurite of its own: the restart's reconciliation then looks at this one open case only.
        var own = new Azurite();
        await own.InitializeAsync();
        try
        {
            await using var host = new LocalHostProcess(own, new Dictionary<string, string> { ["Privacy__Approval__ReminderAfter"] = "00:00:25" });
            await host.StartAsync();
            using var flows = new Flows(host);
            var id = await flows.SubmitAsync(email: "jan.devries@example.nl", entity: "nl");
            await flows.VerifyAsync(id);
            var asked = (await host.Mailbox.WaitForAsync("approval-request", id)).Date;
            var instances = new Azure.Data.Tables.TableClient(own.ConnectionString, host.TaskHub + "Instances");
            // Killed once the orchestration waits for the decision (a kill during an activity delays the case until the
            // activity's queue message becomes visible again: five minutes, as in Azure).
            var before = await InstanceAsync(instances, id);
            for (var i = 0; i < 100 && before?.GetString("CustomStatus") is null or "" or "null"; i++)
            {
                await Task.Delay(100);
                before = await InstanceAsync(instances, id);
            }


            // SIGKILL: no shutdown, no chance to save anything.
            await host.StopAsync();
            var linesBefore = host.Output.Count;
            await host.StartAsync();

            // The start-up reconciliation found the orchestration still there: nothing started again from the register.
            var reconciled = await WaitForLineAsync(host, linesBefore, "Reconciled ");
            Assert.Contains("Reconciled 1 open cases: 0 started, 0 restarted", reconciled, StringComparison.Ordinal);
            Assert.NotNull(before);
            var after = await InstanceAsync(instances, id);
            Assert.NotNull(after);
            Assert.Equal(before.GetString("ExecutionId"), after.GetString("ExecutionId"));
            Assert.Equal(before.GetDateTimeOffset("CreatedTime"), after.GetDateTimeOffset("CreatedTime"));
            Assert.Equal("Running", after.GetString("RuntimeStatus"));

            // Its timer, set before the kill, still fires when it was due: staff are reminded once, not before.
            var reminder = await host.Mailbox.WaitForAsync("reminder", id, TimeSpan.FromSeconds(60));
            Assert.True(reminder.Date >= asked.AddSeconds(24), $"reminded {(reminder.Date - asked).TotalSeconds:0} s after the approval request");
            Assert.Equal(before.GetString("ExecutionId"), (await InstanceAsync(instances, id))?.GetString("ExecutionId"));

            // And the case goes on from where it stood.
            await flows.DecideAsync(id, "approve");
            await flows.DownloadLinkAsync(id);
            Assert.Single(host.Mailbox.Of("verification", id));
            Assert.Single(host.Mailbox.Of("approval-request", id));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    /// <summary>The orchestration's row in the task hub's Instances table (none when the engine keeps no state there).</summary>
    private static async Task<Azure.Data.Tables.TableEntity?> InstanceAsync(Azure.Data.Tables.TableClient instances, string id)
    {
        try
        {
            return (await instances.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(id, string.Empty)) is { HasValue: true } row ? row.Value : null;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task<string> WaitForLineAsync(LocalHostProcess host, int skip, string text)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (host.Output.Skip(skip).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The host logged no \"{text}\" within 30 s after its restart.");
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
        var text = await page.Content.ReadAsStringAsync();
        Assert.Contains("This link has expired", text, StringComparison.Ordinal);
        // It asks for the reference: it gives it, and the way to the request's status (review of 7 December).
        Assert.Contains($"This link belongs to request {id}", text, StringComparison.Ordinal);
        Assert.Contains($"/privacy/thanks?request={id}", text, StringComparison.Ordinal);
        var post = await flows.PostTokenAsync("/download", link);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Null(post.Headers.Location);
    }
}
