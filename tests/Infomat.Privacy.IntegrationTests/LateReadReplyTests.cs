using System.Net;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// A reply with the identification staff asked for that reached the inbox in time is on time, however late the intake
/// reads it (a backlog, the mail service or storage down): the case does not expire while such mail is unread, and the
/// reply read afterwards puts the case back before staff.
/// </summary>
[Collection(SecondAzuriteCollection.Name)]
public sealed class LateReadReplyTests(Azurite azurite) : LocalHostTests(azurite)
{
    /// <summary>The requester's time to answer: short, so the test can pass it.</summary>
    private static readonly TimeSpan ReplyTime = TimeSpan.FromSeconds(8);

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Privacy__Approval__Timeout"] = ReplyTime.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Privacy__Approval__UnreadMailRecheck"] = "00:00:01",
    });

    [Fact]
    public async Task A_reply_that_reached_the_inbox_before_the_end_but_is_read_after_it_keeps_the_case_open_for_staff()
    {
        var email = $"late.reply.{Guid.NewGuid():N}@example.org";
        var id = await Flows.SubmitAsync(email, language: "fr");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        Assert.Equal(HttpStatusCode.OK, (await Flows.StaffPostAsync("/approvals", link, "Els Janssens",
            ("decision", "request-identification"), ("reason", "Le numéro d'une facture reçue de nous."))).StatusCode);
        var asked = await Host.Mailbox.WaitForAsync("identification-request", id);

        // The reply reaches the inbox at once, but the intake cannot read it yet (a file still being written waits, as a
        // mail does while the mail service is down).
        var reply = $"From: Marc Leroy <{email}>\r\nTo: info@infomat.eu\r\nSubject: Re: {asked.Subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n"
            + $"In-Reply-To: <{asked.MessageId}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFacture FA-2026-0042.\r\n";
        var waiting = Path.Combine(Host.InboxDirectory, ".late-reply.eml");
        await File.WriteAllTextAsync(waiting, reply);
        var arrived = File.GetLastWriteTimeUtc(waiting);

        // Well past the requester's end: the case has not expired, and nobody was told it did.
        await Task.Delay(ReplyTime + TimeSpan.FromSeconds(6));
        Assert.Equal("AwaitingIdentityApproval", (await Flows.StatusAsync(id)).RootElement.GetProperty("status").GetString());
        Assert.Empty(Host.Mailbox.Of("rejection", id));

        // Handling it failed (what the watcher does when the intake throws, e.g. storage down): it sits in failed/ and
        // still counts as unread.
        var failed = Path.Combine(Host.InboxDirectory, "failed", "late-reply.eml");
        Directory.CreateDirectory(Path.GetDirectoryName(failed)!);
        File.Move(waiting, failed);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("AwaitingIdentityApproval", (await Flows.StatusAsync(id)).RootElement.GetProperty("status").GetString());
        Assert.Empty(Host.Mailbox.Of("rejection", id));

        // Moved back once the cause is fixed, the intake reads it (the file keeps the time it arrived): recorded as the
        // reply, staff are told.
        File.Move(failed, Path.Combine(Host.InboxDirectory, "late-reply.eml"));
        Assert.Equal(arrived, File.GetLastWriteTimeUtc(Path.Combine(Host.InboxDirectory, "late-reply.eml")));
        await Host.Mailbox.WaitForAsync("staff-task", id);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("AwaitingIdentityApproval", (await Flows.StatusAsync(id)).RootElement.GetProperty("status").GetString());
        Assert.Empty(Host.Mailbox.Of("rejection", id));
        var page = WebUtility.HtmlDecode(await Flows.Http.GetStringAsync($"/cases/{id}"));
        Assert.Contains("Identificatie gestuurd door de verzoeker", page, StringComparison.Ordinal);
    }
}
