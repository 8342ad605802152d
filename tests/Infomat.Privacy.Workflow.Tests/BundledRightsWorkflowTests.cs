using System.IO.Compression;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>A case that answers more than one right (decision 42), through the real orchestration: each right answered in full.</summary>
public sealed class BundledRightsWorkflowTests
{
    [Fact]
    public async Task Access_with_portability_is_one_export_with_every_column_and_the_portable_data_json_and_says_so()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new JsonObject { ["first_name"] = "An", ["company"] = "Brouwerij Peeters NV", ["notes"] = "met at fair" }] };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"), also: [RequestType.Portability]);
        await h.ApproveAsync(c.Id);

        await h.CompletionAsync(c.Id);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        using var zip = new ZipArchive(new MemoryStream(h.Exports.Blobs[stored.ExportBlobName!]));
        Assert.Contains("data.json", zip.Entries.Select(e => e.FullName));
        using (var csv = new StreamReader(zip.GetEntry("be/crm/contacts.csv")!.Open()))
        {
            // The access part: every column the record has, not only what the person provided.
            Assert.Contains("notes", await csv.ReadLineAsync(), StringComparison.Ordinal);
        }

        using (var data = new StreamReader(zip.GetEntry("data.json")!.Open()))
        {
            // The portable part (Art. 20): a CRM contact came from the employer and serves our legitimate interest, so
            // none of it is in data.json (it is in the access part above); staff notes are not the person's to carry either.
            var json = await data.ReadToEndAsync();
            Assert.DoesNotContain("\"first_name\"", json, StringComparison.Ordinal);
            Assert.DoesNotContain("notes", json, StringComparison.Ordinal);
            Assert.DoesNotContain("met at fair", json, StringComparison.Ordinal);
        }

        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        var html = await summary.ReadToEndAsync();
        Assert.Contains(HtmlText.Encode(Texts.Get("SummaryAccessAndPortability", Language.Nl)), html, StringComparison.Ordinal);
        Assert.Contains("Niet in data.json: Contactpersonen.", html, StringComparison.Ordinal);
        var mail = Assert.Single(h.Mail.Of(MailKind.ExportReady));
        Assert.Contains("art. 15 AVG) en overdraagbaarheid (art. 20 AVG)", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_with_an_objection_to_direct_marketing_suppresses_then_erases_and_the_report_answers_both()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"), objection: ObjectionScope.DirectMarketing, also: [RequestType.Objection]);
        await h.ApproveAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.CaseId == c.Id && a.Key.Action == StoreAction.ObjectToDirectMarketing));
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.CaseId == c.Id && a.Key.Action == StoreAction.Erase));
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        System.IO.File.WriteAllText("/tmp/report.txt", report.TextBody);
        Assert.Contains("We hebben 1 record over u gewist", report.TextBody, StringComparison.Ordinal);
        // Each store once, where it ended (erased), not also as "not affected" by the suppression before the erasure.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(report.TextBody, "— CRM:"));
        Assert.DoesNotContain("niet geraakt door dit verzoek", report.TextBody, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportAlsoObjectionMarketing", Language.Nl), report.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("peeters", done.SerializedInput + done.SerializedOutput + done.SerializedCustomStatus, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Erasure_with_an_objection_to_other_processing_erases_and_the_report_says_the_erasure_answers_the_objection()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"), objection: ObjectionScope.Other, also: [RequestType.Objection]);
        await h.ApproveAsync(c.Id);

        await h.CompletionAsync(c.Id);
        Assert.All(h.Stores.Applied.Keys, k => Assert.Equal(StoreAction.Erase, k.Action));
        Assert.Empty(h.Mail.Of(MailKind.StaffTask));
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        // Erased, nothing kept by law here: the paragraph says so, and names no date below.
        Assert.Contains(Texts.Get("ReportAlsoObjectionOtherErased", Language.Nl), report.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("tot de datum hieronder", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsubscribe_withdraws_marketing_consent_only_and_the_report_says_other_consent_stays()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.WithdrawConsent, entity: ControllerScope.Of("be"), consent: ConsentScope.Marketing);
        await h.WaitForMailAsync(MailKind.Verification);
        await h.VerifyAsync(c.Id);

        await h.CompletionAsync(c.Id);
        Assert.All(h.Stores.Applied.Keys, k => Assert.Equal(StoreAction.WithdrawMarketingConsent, k.Action));
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        Assert.Contains(Texts.Format("ReportIntroWithdrawMarketingConsent", Language.Nl, c.Id), report.TextBody, StringComparison.Ordinal);
    }
}
