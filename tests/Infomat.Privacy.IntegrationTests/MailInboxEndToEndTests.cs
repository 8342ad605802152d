using System.IO.Compression;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>Mail to info@infomat.eu, dropped as .eml files into the local host's inbox folder, as a new user would try it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailInboxEndToEndTests(Azurite azurite) : LocalHostTests(azurite)
{
    /// <summary>
    /// Drops a corpus mail into the inbox, sent from a fresh address: the hosts of all tests share one Azurite and
    /// resume each other's unfinished cases, so mail to the corpus's own addresses may come from other tests.
    /// </summary>
    private string Drop(string corpusFile, string? asName = null, string? from = null)
    {
        var (text, sender) = CorpusMail.FromNewSender(corpusFile, from);
        var temp = Path.Combine(Host.InboxDirectory, "." + (asName ?? corpusFile));
        File.WriteAllText(temp, text);
        File.Move(temp, Path.Combine(Host.InboxDirectory, asName ?? corpusFile));
        return sender;
    }

    private async Task HandledAsync(string name)
    {
        var target = Path.Combine(Host.InboxDirectory, "handled", name);
        for (var i = 0; i < 100 && !File.Exists(target); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(target), $"{name} was not moved to handled/");
    }

    [Fact]
    public async Task An_authenticated_mail_becomes_a_case_in_its_language_that_runs_to_the_export()
    {
        // Sent as jan.devries (held in the NL stores); other tests' cases may mail him too, so the case is found by
        // the mail's own words in the approval request.
        Drop("access-en.eml", from: "jan.devries@example.nl");
        MimeKit.MimeMessage? approval = null;
        for (var i = 0; i < 300 && approval is null; i++)
        {
            approval = Host.Mailbox.All().FirstOrDefault(m => m.Headers["X-Infomat-Kind"] == "approval-request"
                && (m.TextBody ?? string.Empty).Contains("Under the GDPR I would like a copy of my personal data", StringComparison.Ordinal));
            await Task.Delay(100);
        }

        Assert.NotNull(approval);
        var id = approval.Headers["X-Infomat-Request-Id"]!;
        Assert.Contains("DMARC", approval.TextBody, StringComparison.Ordinal);
        var ack = Assert.Single(Host.Mailbox.Of("acknowledgement", id));
        Assert.StartsWith("We received your privacy request PR-", ack.Subject, StringComparison.Ordinal);
        Assert.Empty(Host.Mailbox.Of("verification", id));

        await Flows.DecideAsync(id, "approve");
        var redirect = await Flows.PostTokenAsync("/download", await Flows.DownloadLinkAsync(id));
        using var blob = new HttpClient();
        using var zip = new ZipArchive(new MemoryStream(await blob.GetByteArrayAsync(redirect.Headers.Location!)));
        Assert.Contains("nl/crm.json", zip.Entries.Select(e => e.FullName));
        await HandledAsync("access-en.eml");
    }

    [Fact]
    public async Task A_letter_asking_for_access_and_portability_is_one_case_with_both_rights_and_a_reply_to_its_mail_reaches_it()
    {
        var sender = Drop("access-portability-en.eml");
        var ack = await Host.Mailbox.WaitForToAsync("acknowledgement", sender);
        var id = ack.Headers["X-Infomat-Request-Id"]!;
        using (var status = await Flows.StatusAsync(id))
        {
            Assert.Equal("access", status.RootElement.GetProperty("type").GetString());
            Assert.Equal(["access", "portability"], status.RootElement.GetProperty("rights").EnumerateArray().Select(r => r.GetString()));
        }

        // The reply keeps none of our subject or text: only its In-Reply-To names our acknowledgement. (A reply that makes
        // a new request, "please also delete my data", becomes a case of its own: MailIntakeFaultTests.)
        Assert.Contains(id, ack.MessageId, StringComparison.Ordinal);
        var reply = $"From: Sophie Turner <{sender}>\r\nTo: info@infomat.eu\r\nSubject: question\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n"
            + $"In-Reply-To: <{ack.MessageId}>\r\nAuthentication-Results: spf=pass; dkim=pass; dmarc=pass header.from=example.org\r\n\r\nWhich files will I receive, and in which format?\r\n";
        await File.WriteAllTextAsync(Path.Combine(Host.InboxDirectory, ".reply.eml"), reply);
        File.Move(Path.Combine(Host.InboxDirectory, ".reply.eml"), Path.Combine(Host.InboxDirectory, "reply.eml"));
        await HandledAsync("reply.eml");

        var told = Assert.Single(Host.Mailbox.Of("staff-task", id));
        Assert.Contains(id, told.Subject, StringComparison.Ordinal);
        // It quotes our acknowledgement's tagged Message-ID: staff are not told to doubt its sender.
        Assert.DoesNotContain("DMARC", told.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Host.Mailbox.All(), m => m.Headers["X-Infomat-Kind"] == "acknowledgement" && m.To.Mailboxes.Any(x => x.Address == sender) && m.Headers["X-Infomat-Request-Id"] != id);

        // Staff and the requester see both rights, not only the first: in the case list, its CSV and on the download page.
        // The list is looked up by reference, as staff do: it is paged, and other tests' cases share this register.
        var list = await Flows.Http.GetStringAsync($"/cases?q={id}");
        var row = System.Net.WebUtility.HtmlDecode(list[list.IndexOf($"<a href=\"/cases/{id}\">", StringComparison.Ordinal)..]);
        Assert.True(row.StartsWith($"<a href=\"/cases/{id}\">{id}</a></td><td>Inzage + Overdraagbaarheid</td>", StringComparison.Ordinal), row[..Math.Min(200, row.Length)]);
        var csv = await Flows.Http.GetStringAsync("/cases.csv");
        Assert.Contains($"{id},access,", csv, StringComparison.Ordinal);
        Assert.Contains(",access+portability,,\r\n", csv[csv.IndexOf(id, StringComparison.Ordinal)..], StringComparison.Ordinal);
        await Flows.DecideAsync(id, "approve");
        var page = await Flows.Http.GetStringAsync(await Flows.DownloadLinkAsync(id));
        Assert.Contains("data.json", page, StringComparison.Ordinal);
        Assert.Contains("another service", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_that_fails_DMARC_is_not_trusted_and_gets_a_verification_link_first()
    {
        var sender = Drop("spoofed-access-nl.eml");

        var verification = await Host.Mailbox.WaitForToAsync("verification", sender);
        Assert.Contains("Bevestig", verification.Subject, StringComparison.OrdinalIgnoreCase);
        var id = verification.Headers["X-Infomat-Request-Id"]!;
        Assert.Empty(Host.Mailbox.Of("acknowledgement", id));
        Assert.Empty(Host.Mailbox.Of("approval-request", id));
    }

    [Fact]
    public async Task The_same_message_twice_and_automatic_mail_start_nothing_more()
    {
        var sender = Drop("restriction-nl.eml");
        await Host.Mailbox.WaitForToAsync("acknowledgement", sender);
        Drop("restriction-nl.eml", "copy-of-restriction-nl.eml", sender);
        var autoReply = Drop("autoreply-nl.eml");
        var business = Drop("business-invoice-nl.eml");
        await HandledAsync("copy-of-restriction-nl.eml");
        await HandledAsync("autoreply-nl.eml");
        await HandledAsync("business-invoice-nl.eml");

        var mails = Host.Mailbox.All();
        Assert.Single(mails, m => m.Headers["X-Infomat-Kind"] == "acknowledgement" && m.To.Mailboxes.Any(x => x.Address == sender));
        Assert.DoesNotContain(mails, m => m.To.Mailboxes.Any(x => x.Address == autoReply || x.Address == business));
    }

    [Fact]
    public async Task An_unclear_mail_goes_to_staff_for_triage_and_a_broken_file_is_set_aside()
    {
        var sender = Drop("triage-unclear-fr.eml");
        await File.WriteAllTextAsync(Path.Combine(Host.InboxDirectory, "broken.eml"), "this is not a mail");

        MimeKit.MimeMessage? triage = null;
        for (var i = 0; i < 300 && triage is null; i++)
        {
            triage = Host.Mailbox.All().FirstOrDefault(m => m.Headers["X-Infomat-Kind"] == "staff-task" && (m.TextBody ?? string.Empty).Contains(sender, StringComparison.Ordinal));
            await Task.Delay(100);
        }

        Assert.NotNull(triage);
        Assert.Equal("privacy-staff@infomat.eu", triage.To.Mailboxes.Single().Address);
        Assert.Contains("RGPD", triage.Subject, StringComparison.Ordinal);
        Assert.Contains(sender, triage.TextBody, StringComparison.Ordinal);
        for (var i = 0; i < 50 && !File.Exists(Path.Combine(Host.InboxDirectory, "refused", "broken.eml")); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(Path.Combine(Host.InboxDirectory, "refused", "broken.eml")));
    }

    [Fact]
    public async Task Staff_make_a_triaged_mail_a_case_that_is_received_and_due_from_the_day_the_mail_arrived_once_however_often_they_press()
    {
        // The mail reached the inbox nine days ago (the file's time); staff look at it today.
        var delivered = DateTime.UtcNow.AddDays(-9);
        var text = File.ReadAllText(Path.Combine(CorpusMail.Folder, "triage-unclear-fr.eml"));
        var original = System.Text.RegularExpressions.Regex.Match(text, @"^From: .*<([^>]+)>", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value;
        var sender = $"{original.Split('@')[0]}.{Guid.NewGuid():N}@example.org";
        var temp = Path.Combine(Host.InboxDirectory, ".late-triage.eml");
        // A message of its own (the corpus mail's Message-ID is handled once per register, and other tests drop it too).
        File.WriteAllText(temp, text.Replace(original, sender, StringComparison.Ordinal).Replace("<triage-unclear-fr.35@corpus.example>", $"<{Guid.NewGuid():N}@late.example>", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(temp, delivered);
        File.Move(temp, Path.Combine(Host.InboxDirectory, "late-triage.eml"));

        MimeKit.MimeMessage? triage = null;
        for (var i = 0; i < 300 && triage is null; i++)
        {
            triage = Host.Mailbox.All().FirstOrDefault(m => m.Headers["X-Infomat-Kind"] == "staff-task" && (m.TextBody ?? string.Empty).Contains(sender, StringComparison.Ordinal));
            await Task.Delay(100);
        }

        Assert.NotNull(triage);
        var link = Mailbox.Link(triage, Host.BaseUrl + "/triage?token=");
        var page = await Flows.Http.GetStringAsync(link);
        Assert.Contains(sender, page, StringComparison.Ordinal);

        // Decision 155: a colleague first marks it as not a privacy request (no more reminders about it); the page says who,
        // and it can still be made a case.
        Assert.Contains("value=\"not-a-request\"", page, StringComparison.Ordinal);
        var marked = await Flows.StaffPostAsync("/triage", link, "Jan Peeters", ("action", "not-a-request"));
        var markedPage = await marked.Content.ReadAsStringAsync();
        Assert.True(marked.StatusCode == System.Net.HttpStatusCode.OK, markedPage);
        Assert.Contains("Jan Peeters", markedPage, StringComparison.Ordinal);
        var after = await Flows.Http.GetStringAsync(link);
        Assert.Contains("Jan Peeters", after, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"not-a-request\"", after, StringComparison.Ordinal);

        var first = await Flows.StaffPostAsync("/triage", link, "Els Janssens", ("type", "access"), ("entity", "both"));
        var firstPage = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == System.Net.HttpStatusCode.OK, firstPage);
        var id = System.Text.RegularExpressions.Regex.Match(firstPage, @"PR-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}").Value;
        Assert.NotEmpty(id);
        var second = await Flows.StaffPostAsync("/triage", link, "Pieter Claes", ("type", "erasure"), ("entity", "both"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains(id, await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var madePage = await Flows.Http.GetStringAsync(link);
        Assert.Contains(id, madePage, StringComparison.Ordinal);
        // The page offers a case for another right the same mail asks for (a form of its own, nothing chosen).
        Assert.Contains("name=\"another\" value=\"1\"", madePage, StringComparison.Ordinal);
        Assert.DoesNotContain(" checked", madePage, StringComparison.Ordinal);

        using var status = await Flows.StatusAsync(id);
        var receivedAt = status.RootElement.GetProperty("receivedAt").GetDateTimeOffset();
        Assert.True(Math.Abs((receivedAt.UtcDateTime - delivered).TotalSeconds) < 2, $"received {receivedAt:O}, delivered {delivered:O}");
        Assert.Equal("access", status.RootElement.GetProperty("type").GetString());
        var due = DateOnly.Parse(status.RootElement.GetProperty("dueDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(due < DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(1)), $"due {due}: runs from the day staff pressed, not from the mail");
        // It runs as any mail case: the sender gets the acknowledgement (DMARC pass) or the verification link.
        MimeKit.MimeMessage? next = null;
        for (var i = 0; i < 300 && next is null; i++)
        {
            next = Host.Mailbox.All().FirstOrDefault(m => m.Headers["X-Infomat-Request-Id"] == id && m.Headers["X-Infomat-Kind"] is "acknowledgement" or "verification");
            await Task.Delay(100);
        }

        Assert.NotNull(next);
        Assert.Equal(sender, next.To.Mailboxes.Single().Address);
        Assert.Single((await Flows.Http.GetStringAsync("/cases.csv")).Split('\n'), l => l.Contains(id, StringComparison.Ordinal));
    }
}
