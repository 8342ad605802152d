using System.IO.Compression;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Workflow.Orchestration;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The rights of others (Art. 15(4)), through the real orchestration: free text waits for staff, who withhold what names others.</summary>
public sealed class ExportReviewWorkflowTests
{
    private const string Email = "an.peeters@example.be";

    private static JsonObject Note(int id, string note) => new() { ["_table"] = "activity_notes", ["id"] = id, ["email"] = Email, ["note"] = note };

    [Fact]
    public async Task An_access_export_with_notes_waits_for_staff_and_a_withheld_note_reads_as_the_marker_in_json_csv_and_summary()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new()
        {
            [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, Note(7, "Jan Janssens of Brouwerij X complained about An."), Note(8, "Called An back about the order.")],
        };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.ApproveAsync(c.Id);

        await h.WaitForMailAsync(MailKind.StaffTask);
        var review = Assert.Single(h.Mail.Of(MailKind.StaffTask));
        Assert.Contains("/review?token=", review.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Janssens", review.TextBody + review.Subject, StringComparison.Ordinal);
        await Task.Delay(500);
        var waiting = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingStaffAction, waiting.Status);
        Assert.Equal(2, waiting.Review!.Values);
        Assert.Empty(h.Exports.Blobs);
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));

        // What the review page does: record, then signal.
        await h.Register.UpdateAsync(c.Id, x => x.CompleteExportReview([new WithheldValue("be/crm", "activity_notes", "7", "note")], "tester", DateTimeOffset.UtcNow).Changed!, default);
        await h.Client.RaiseEventAsync(c.Id, CaseEvents.ExportReviewed);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        using var zip = new ZipArchive(new MemoryStream(h.Exports.Blobs[stored.ExportBlobName!]));
        string Read(string name)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }

        const string marker = "[achtergehouden om de rechten van anderen te beschermen, art. 15, lid 4, AVG]";
        var json = Read("be/crm.json");
        var csv = Read("be/crm/activity_notes.csv");
        var summary = System.Net.WebUtility.HtmlDecode(Read("summary.html"));
        Assert.Contains(marker, json, StringComparison.Ordinal);
        Assert.Contains(marker, csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Janssens", json + csv + summary, StringComparison.Ordinal);
        Assert.Contains("Called An back about the order.", json, StringComparison.Ordinal);
        Assert.Contains("Called An back about the order.", csv, StringComparison.Ordinal);
        Assert.Contains("We hebben 1 waarde(n) vrije tekst", summary, StringComparison.Ordinal);
        Assert.Contains("art. 15, lid 4, AVG", summary, StringComparison.Ordinal);

        // Durable history and the audit trail: ids and counts only.
        var payloads = string.Join("|", done.SerializedInput, done.SerializedOutput, done.SerializedCustomStatus);
        Assert.DoesNotContain("Janssens", payloads, StringComparison.Ordinal);
        // (The harness's register is not the audited one: the events the register would append are derived here.)
        var events = Infomat.Privacy.Audit.CaseAudit.Entries(stored, new Infomat.Privacy.Stores.KeyedHash(new byte[32]));
        Assert.Contains(events, e => e.Action == "export-reviewed" && e.Outcome == "withheld=1 columns=be/crm.activity_notes.note");
        Assert.All(events, e => Assert.DoesNotContain("Janssens", e.Outcome + e.Actor, StringComparison.Ordinal));
        Assert.DoesNotContain("Janssens", System.Text.Json.JsonSerializer.Serialize(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_export_retried_after_its_review_waits_for_a_new_review_when_its_free_text_changed()
    {
        // Review of 5 December: a retry collects again, and the review already recorded let new free text out unseen.
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new()
        {
            [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, Note(7, "Jan Janssens of Brouwerij X complained about An.")],
        };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.ApproveAsync(c.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);

        // Reviewed (note 7 withheld); the download mail cannot go (four tries): the case fails with its zip written.
        h.Mail.FailNext(4);
        await h.Register.UpdateAsync(c.Id, x => x.CompleteExportReview([new WithheldValue("be/crm", "activity_notes", "7", "note")], "tester", DateTimeOffset.UtcNow).Changed!, default);
        await h.Client.RaiseEventAsync(c.Id, CaseEvents.ExportReviewed);
        Assert.Equal("\"failed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);

        // Staff withdraw that zip; meanwhile a colleague wrote a note naming another customer. Staff retry.
        var failed = (await h.Register.GetAsync(c.Id, default))!;
        await h.Register.UpdateAsync(c.Id, x => x.RevokeExport("Els", DateTimeOffset.UtcNow).Changed!, default);
        h.Exports.Blobs.TryRemove(failed.ExportBlobName!, out _);
        h.Stores.Data["be/crm"][Email].Add(Note(9, "Piet Pieters of Y asked us not to tell An about his complaint."));
        Assert.False((await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default)).Refused);

        // The export waits for staff again: a second review mail, nothing to the requester, no zip.
        await h.WaitForMailAsync(MailKind.StaffTask, 2);
        await Task.Delay(500);
        var again = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingStaffAction, again.Status);
        Assert.Equal(2, again.Review!.Values);
        Assert.Null(again.Review.DoneAt);
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));
        Assert.DoesNotContain(h.Exports.Blobs.Keys, k => k.StartsWith(c.Id, StringComparison.Ordinal));

        // Staff withhold both; the export goes with neither note's text.
        await h.Register.UpdateAsync(c.Id, x => x.CompleteExportReview(
            [new WithheldValue("be/crm", "activity_notes", "7", "note"), new WithheldValue("be/crm", "activity_notes", "9", "note")], "tester", DateTimeOffset.UtcNow).Changed!, default);
        await h.Client.RaiseEventAsync(c.Id, CaseEvents.ExportReviewed);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        var done = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        using var archive = new ZipArchive(new MemoryStream(h.Exports.Blobs[done.ExportBlobName!]));
        using var json = new StreamReader(archive.GetEntry("be/crm.json")!.Open());
        var text = await json.ReadToEndAsync();
        Assert.DoesNotContain("Janssens", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Pieters", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_restarted_while_the_review_is_open_has_staff_review_what_it_collected_again_and_the_export_goes()
    {
        // Review of 7 December: a restart (a release, the reconciler) while staff had not yet reviewed collected again,
        // and a note had been written meanwhile. The open review kept the first collect's fingerprint; staff reviewed
        // the values the page showed (the new ones) and the build refused them as unreviewed: the case failed.
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new()
        {
            [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, Note(7, "Jan Janssens of Brouwerij X complained about An.")],
        };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.ApproveAsync(c.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);

        h.Stores.Data["be/crm"][Email].Add(Note(9, "Piet Pieters of Y asked us not to tell An about his complaint."));
        await h.Client.TerminateInstanceAsync(c.Id);
        await h.CompletionAsync(c.Id);
        await h.Client.PurgeInstanceAsync(c.Id);
        await h.Client.ScheduleNewOrchestrationInstanceAsync(nameof(PrivacyRequestOrchestrator), c.Id, new Microsoft.DurableTask.StartOrchestrationOptions(c.Id));
        var until = DateTime.UtcNow.AddSeconds(30);
        PrivacyCase waiting;
        while ((waiting = (await h.Register.GetAsync(c.Id, default))!).Review!.Values != 2)
        {
            Assert.True(DateTime.UtcNow < until, "the open review was not brought to what was collected again");
            await Task.Delay(100);
        }

        // No second review mail: the link staff have shows the values as staged now.
        Assert.Single(h.Mail.Of(MailKind.StaffTask));
        // What the review page does: record what the page showed, then signal.
        await h.Register.UpdateAsync(c.Id, x => x.CompleteExportReviewAsShown(waiting.ExportReviewBasis,
            [new WithheldValue("be/crm", "activity_notes", "7", "note"), new WithheldValue("be/crm", "activity_notes", "9", "note")], "tester", DateTimeOffset.UtcNow).Changed!, default);
        await h.Client.RaiseEventAsync(c.Id, CaseEvents.ExportReviewed);

        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        var done = (await h.Register.GetAsync(c.Id, default))!;
        using var archive = new ZipArchive(new MemoryStream(h.Exports.Blobs[done.ExportBlobName!]));
        using var json = new StreamReader(archive.GetEntry("be/crm.json")!.Open());
        var text = await json.ReadToEndAsync();
        Assert.DoesNotContain("Janssens", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Pieters", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staged_free_text_rewritten_after_the_review_is_never_zipped()
    {
        // A collect delivered twice commits its staged file after staff reviewed the first (decision 117): the zip's build
        // sees free text the review did not cover and writes nothing.
        await using var h = await WorkflowHarness.StartAsync();
        var received = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null), Channel.Form, DateTimeOffset.UtcNow, h.Map);
        await h.Register.CreateAsync(received with { EmailVerifiedAt = DateTimeOffset.UtcNow, Status = CaseStatus.InProgress }, default);
        await h.Staging.WriteAsync(received.Id, "be/crm", One(new Stores.StoreRecord("activity_notes", Note(7, "Called An back about the order."))), default);
        var step = ReviewStep(h);
        Assert.True((await step.RunAsync(new TestActivityContext("OpenExportReview", received.Id), new Activities.Review.OpenExportReviewInput(received.Id, ["be/crm"]))).Waiting);
        await h.Register.UpdateAsync(received.Id, x => x.CompleteExportReview([], "tester", DateTimeOffset.UtcNow).Changed!, default);

        await h.Staging.WriteAsync(received.Id, "be/crm", One(
            new Stores.StoreRecord("activity_notes", Note(7, "Called An back about the order.")),
            new Stores.StoreRecord("activity_notes", Note(9, "Piet Pieters of Y asked us not to tell An about his complaint."))), default);
        var build = new Activities.Export.BuildExport(h.Register, h.Staging, h.Exports, h.Stores, h.Map, TimeProvider.System, h.Hash,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Activities.Export.BuildExport>.Instance);
        var input = new Activities.Export.BuildExportInput(received.Id, [new Activities.Export.CollectResult("be/crm", new Dictionary<string, int> { ["activity_notes"] = 2 })]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => build.RunAsync(new TestActivityContext("BuildExport", received.Id), input));

        Assert.DoesNotContain("Pieters", refused.Message, StringComparison.Ordinal);
        Assert.Empty(h.Exports.Blobs);
        Assert.Null((await h.Register.GetAsync(received.Id, default))!.ExportBlobName);
    }

    [Fact]
    public async Task An_approval_recorded_before_the_approval_request_was_is_still_reviewed_before_any_export()
    {
        // The approval mails went out, the host died before it recorded that (the case still reads as awaiting its
        // address), and a colleague approved from the mail meanwhile. The free text must still wait for staff (Art. 15(4)).
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new()
        {
            [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, Note(7, "Jan Janssens of Brouwerij X complained about An.")],
        };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.Register.UpdateAsync(c.Id, x => x with { Status = CaseStatus.AwaitingEmailVerification, ApprovalMailSentAt = null }, default);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);

        await h.WaitForMailAsync(MailKind.StaffTask);
        await Task.Delay(500);
        var waiting = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingStaffAction, waiting.Status);
        Assert.True(waiting.AwaitsExportReview);
        Assert.Empty(h.Exports.Blobs);
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));
    }

    [Fact]
    public async Task A_review_that_cannot_be_opened_fails_the_step_rather_than_let_the_export_go_unreviewed()
    {
        // Whatever left the case outside InProgress, free text found means no export until staff reviewed it.
        await using var h = await WorkflowHarness.StartAsync();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow, h.Map)
            with { Status = CaseStatus.AwaitingIdentityApproval };
        await h.Register.CreateAsync(c, default);
        await h.Staging.WriteAsync(c.Id, "be/crm", One(new Stores.StoreRecord("activity_notes", Note(7, "Jan Janssens of Brouwerij X complained about An."))), default);
        var step = ReviewStep(h);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => step.RunAsync(new TestActivityContext("OpenExportReview", c.Id), new Activities.Review.OpenExportReviewInput(c.Id, ["be/crm"])));

        Assert.DoesNotContain("Janssens", failed.Message, StringComparison.Ordinal);
        Assert.Null((await h.Register.GetAsync(c.Id, default))!.Review);
    }

    /// <summary>The step that opens the review, as the harness's activities are built.</summary>
    private static Activities.Review.OpenExportReview ReviewStep(WorkflowHarness h) =>
        new(h.Register, h.Staging, h.Map, h.Mail, new Tokens.LinkTokenService(new byte[32], TimeProvider.System),
            Microsoft.Extensions.Options.Options.Create(h.Options), TimeProvider.System, h.Hash, Microsoft.Extensions.Logging.Abstractions.NullLogger<Activities.Review.OpenExportReview>.Instance);

    private static async IAsyncEnumerable<Stores.StoreRecord> One(params Stores.StoreRecord[] records)
    {
        await Task.Yield();
        foreach (var record in records)
        {
            yield return record;
        }
    }

    [Fact]
    public async Task An_access_export_without_free_text_goes_out_without_waiting_for_staff()
    {
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.ApproveAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Null(stored.Review);
        Assert.DoesNotContain(CaseStatus.AwaitingStaffAction, stored.History.Select(x => x.Status));
        Assert.Empty(h.Mail.Of(MailKind.StaffTask));
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
    }
}
