using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// `Privacy:Staff:Address` listing two mailboxes, as README and deploy.md allow ("a@x;b@x"), through the local host's
/// real mail sender (MimeKit's pickup folder, which like SendGrid and Graph takes one address per recipient).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffMailboxesEndToEndTests(Azurite azurite) : LocalHostTests(azurite)
{
    private static readonly string[] Mailboxes = ["backup-staff@infomat.eu", "privacy-staff@infomat.eu"];

    protected override Task<IDictionary<string, string>> SettingsAsync() => Task.FromResult<IDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Privacy__Staff__Address"] = "privacy-staff@infomat.eu; backup-staff@infomat.eu",
    });

    private async Task<IReadOnlyList<MimeKit.MimeMessage>> BothAsync(Func<MimeKit.MimeMessage, bool> which)
    {
        IReadOnlyList<MimeKit.MimeMessage> found = [];
        for (var i = 0; i < 300 && found.Count < 2; i++)
        {
            await Task.Delay(100);
            found = Host.Mailbox.All().Where(which).ToList();
        }

        return found;
    }

    [Fact]
    public async Task A_mail_for_triage_and_an_approval_request_reach_each_staff_mailbox_as_a_mail_of_its_own()
    {
        // A mail of its own (the corpus mail's Message-ID is what marks a mail handled, and other tests drop this one).
        var (corpus, sender) = CorpusMail.FromNewSender("triage-unclear-fr.eml");
        var text = corpus.Replace("<triage-unclear-fr.35@corpus.example>", $"<{Guid.NewGuid():N}@corpus.example>", StringComparison.Ordinal);
        var temp = Path.Combine(Host.InboxDirectory, ".unclear.eml");
        await File.WriteAllTextAsync(temp, text);
        File.Move(temp, Path.Combine(Host.InboxDirectory, "unclear.eml"));
        var id = await Flows.SubmitAsync(email: "staff.mailboxes@example.be");
        await Flows.VerifyAsync(id);

        var triage = await BothAsync(m => m.Headers["X-Infomat-Kind"] == "staff-task" && (m.TextBody ?? string.Empty).Contains(sender, StringComparison.Ordinal));
        var approval = await BothAsync(m => m.Headers["X-Infomat-Kind"] == "approval-request" && m.Headers["X-Infomat-Request-Id"] == id);

        Assert.Equal(Mailboxes, triage.Select(m => m.To.Mailboxes.Single().Address).Order());
        Assert.Equal(Mailboxes, approval.Select(m => m.To.Mailboxes.Single().Address).Order());
        Assert.True(File.Exists(Path.Combine(Host.InboxDirectory, "handled", "unclear.eml")), "the mail was not handled");
    }
}
