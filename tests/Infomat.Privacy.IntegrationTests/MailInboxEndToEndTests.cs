using System.IO.Compression;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Mail to info@infomat.eu, dropped as .eml files into the local host's inbox folder, as a new user would try it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailInboxEndToEndTests(Azurite azurite) : IAsyncLifetime
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "MailCorpus");
    private LocalHostProcess host = null!;
    private Flows flows = null!;

    public async Task InitializeAsync()
    {
        host = new LocalHostProcess(azurite);
        await host.StartAsync();
        flows = new Flows(host);
    }

    public async Task DisposeAsync()
    {
        flows.Dispose();
        await host.DisposeAsync();
    }

    private void Drop(string corpusFile, string? asName = null) =>
        File.Copy(Path.Combine(Corpus, corpusFile), Path.Combine(host.InboxDirectory, asName ?? corpusFile));

    private async Task HandledAsync(string name)
    {
        var target = Path.Combine(host.InboxDirectory, "handled", name);
        for (var i = 0; i < 100 && !File.Exists(target); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(target), $"{name} was not moved to handled/");
    }

    [Fact]
    public async Task An_authenticated_mail_becomes_a_case_in_its_language_that_runs_to_the_export()
    {
        Drop("access-en.eml");

        var ack = await host.Mailbox.WaitForToAsync("acknowledgement", "jan.devries@example.nl");
        Assert.StartsWith("We received your privacy request PR-", ack.Subject, StringComparison.Ordinal);
        var id = ack.Headers["X-Infomat-Request-Id"]!;
        Assert.Empty(host.Mailbox.Of("verification", id));
        var approval = await host.Mailbox.WaitForAsync("approval-request", id);
        Assert.Contains("DMARC", approval.TextBody, StringComparison.Ordinal);
        Assert.Contains("Under the GDPR I would like a copy of my personal data", approval.TextBody, StringComparison.Ordinal);

        await flows.DecideAsync(id, "approve");
        var redirect = await flows.PostTokenAsync("/download", await flows.DownloadLinkAsync(id));
        using var blob = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blob.GetByteArrayAsync(redirect.Headers.Location!)));
        Assert.Contains("nl/crm.json", zip.Entries.Select(e => e.FullName));
        await HandledAsync("access-en.eml");
    }

    [Fact]
    public async Task A_mail_that_fails_DMARC_is_not_trusted_and_gets_a_verification_link_first()
    {
        Drop("spoofed-access-nl.eml");

        var verification = await host.Mailbox.WaitForToAsync("verification", "jan.devries@example.nl");
        Assert.Contains("Bevestig", verification.Subject, StringComparison.OrdinalIgnoreCase);
        var id = verification.Headers["X-Infomat-Request-Id"]!;
        Assert.Empty(host.Mailbox.Of("acknowledgement", id));
        Assert.Empty(host.Mailbox.Of("approval-request", id));
    }

    [Fact]
    public async Task The_same_message_twice_and_automatic_mail_start_nothing_more()
    {
        Drop("erasure-nl.eml");
        await host.Mailbox.WaitForToAsync("acknowledgement", "zoe.maes@example.be");
        Drop("erasure-nl.eml", "copy-of-erasure-nl.eml");
        Drop("autoreply-nl.eml");
        Drop("business-invoice-nl.eml");
        await HandledAsync("copy-of-erasure-nl.eml");
        await HandledAsync("autoreply-nl.eml");
        await HandledAsync("business-invoice-nl.eml");

        var mails = host.Mailbox.All();
        Assert.Single(mails, m => m.Headers["X-Infomat-Kind"] == "acknowledgement");
        Assert.DoesNotContain(mails, m => m.To.Mailboxes.Any(x => x.Address is "jef.maes@example.be" or "boekhouding@example.be"));
    }

    [Fact]
    public async Task An_unclear_mail_goes_to_staff_for_triage_and_a_broken_file_is_set_aside()
    {
        Drop("triage-unclear-fr.eml");
        await File.WriteAllTextAsync(Path.Combine(host.InboxDirectory, "broken.eml"), "this is not a mail");

        var triage = await host.Mailbox.WaitForToAsync("staff-task", "privacy-staff@infomat.eu");
        Assert.Contains("RGPD", triage.Subject, StringComparison.Ordinal);
        Assert.Contains("lea.bernard@example.be", triage.TextBody, StringComparison.Ordinal);
        for (var i = 0; i < 50 && !File.Exists(Path.Combine(host.InboxDirectory, "refused", "broken.eml")); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(Path.Combine(host.InboxDirectory, "refused", "broken.eml")));
    }
}
