using System.Net;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// A link token opens a case: whoever reads a log must not be able to confirm an address, decide an identity or fetch
/// an export. The local host runs with every ASP.NET Core category at Debug (also for the console provider by name, the
/// way an operator turns on request logging), and a request goes through verify, approve and download, each link
/// opened (GET) and used (POST); no token of those links may appear anywhere in what the host wrote.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TokenLoggingTests(Azurite azurite) : LocalHostTests(azurite)
{
    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Debug",
        ["Logging__Console__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Debug",
    });

    [Fact]
    public async Task No_link_token_reaches_the_host_log_through_verify_approve_and_download()
    {
        var id = await Flows.SubmitAsync(email: "an.peeters@example.be", entity: "be", language: "en");

        var verify = Mailbox.Link(await Host.Mailbox.WaitForAsync("verification", id), Host.BaseUrl + "/verify?token=");
        Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync(verify.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Flows.PostTokenAsync("/verify", verify)).StatusCode);

        var approval = await Flows.ApprovalLinkAsync(id);
        await Flows.DecideAsync(id, "approve");

        var download = await Flows.DownloadLinkAsync(id);
        Assert.Equal(HttpStatusCode.OK, (await Flows.Http.GetAsync(download.PathAndQuery)).StatusCode);
        var redirect = await Flows.PostTokenAsync("/download", download);
        Assert.Equal(HttpStatusCode.SeeOther, redirect.StatusCode);

        // The console logger writes from a queue: give it a moment to drain.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var logs = string.Join("\n", Host.Output);
        Assert.Contains(id, logs, StringComparison.Ordinal);
        foreach (var link in new[] { verify, approval, download })
        {
            var token = Mailbox.Token(link);
            Assert.False(logs.Contains(token, StringComparison.Ordinal), $"The host log holds the token of {link.AbsolutePath}:\n" + string.Join("\n", Host.Output.Where(l => l.Contains(token, StringComparison.Ordinal)).Take(3)));
            // Nor its signature alone (a line cut or re-encoded around the dots).
            Assert.DoesNotContain(token.Split('.')[^1], logs, StringComparison.Ordinal);
        }

        // The short-lived blob link behind the download button is a bearer secret too.
        var sasSignature = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query)["sig"]!;
        Assert.DoesNotContain(sasSignature, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(sasSignature), logs, StringComparison.Ordinal);
    }
}
