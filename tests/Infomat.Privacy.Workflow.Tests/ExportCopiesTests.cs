using System.Text.Json.Nodes;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Issue 16, item 3: the copies an access request makes of the person's data do not outlive their use. The staged
/// records go as soon as the zip is written; an erasure deletes the zip and staged records of the same person's
/// earlier cases, and its report says so; the old download link then says the export is gone.
/// </summary>
public sealed class ExportCopiesTests
{
    private const string Email = "an.peeters@example.be";

    private static void Holds(WorkflowHarness h, string email = Email)
    {
        h.Stores.Data["be/crm"] = new() { [email] = [new JsonObject { ["first_name"] = "An", ["company"] = "Brouwerij Peeters NV" }] };
        h.Stores.Data["nl/crm"] = new() { [email] = [new JsonObject { ["first_name"] = "An", ["company"] = "Peeters Logistiek BV" }] };
    }

    private static async Task<PrivacyCase> CompletedAccessAsync(WorkflowHarness h, int mailsBefore = 0)
    {
        var c = await h.NewCaseAsync(RequestType.Access, Email);
        await h.WaitForMailAsync(MailKind.Verification, mailsBefore + 1);
        await h.VerifyAsync(c.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest, mailsBefore + 1);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        await h.CompletionAsync(c.Id);
        return (await h.Register.GetAsync(c.Id, default))!;
    }

    [Fact]
    public async Task The_staged_records_are_deleted_once_the_zip_is_written_and_a_retried_build_still_succeeds()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var access = await CompletedAccessAsync(h);

        Assert.Equal(CaseStatus.Completed, access.Status);
        Assert.DoesNotContain(h.Staging.Names, n => n.StartsWith(access.Id + "/", StringComparison.Ordinal));
        Assert.True(h.Exports.Blobs.ContainsKey(access.ExportBlobName!));

        // The activity retried after the zip was written (its reply lost): it succeeds with the zip it wrote.
        var build = new BuildExport(h.Register, h.Staging, h.Exports, h.Stores, h.Map, TimeProvider.System, h.Hash, NullLogger<BuildExport>.Instance);
        var parts = new[] { new CollectResult("be/crm", new Dictionary<string, int> { ["contacts"] = 1 }), new CollectResult("nl/crm", new Dictionary<string, int> { ["contacts"] = 1 }) };
        var again = await build.RunAsync(new TestActivityContext(nameof(BuildExport), access.Id), new BuildExportInput(access.Id, parts));
        Assert.Equal(access.ExportBlobName, again.BlobName);
        Assert.True(again.Bytes > 0);
        Assert.True(h.Exports.Blobs.ContainsKey(access.ExportBlobName!));
    }

    [Fact]
    public async Task An_erasure_deletes_the_zip_and_staged_records_of_the_persons_earlier_cases_and_its_report_says_so()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var access = await CompletedAccessAsync(h);
        // Records an earlier build left staged (before staging was deleted with the build), and another person's export.
        await h.Staging.WriteAsync(access.Id, "be/crm", One(new StoreRecord("contacts", new JsonObject { ["first_name"] = "An" })), default);
        var other = PrivacyCase.Received(new ValidRequest(RequestType.Access, "zoe.maes@example.be", "Zoë Maes", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow, h.Map);
        await h.Register.CreateAsync(other with { ExportBlobName = BuildExport.BlobNameFor(other.Id) }, default);
        h.Exports.Blobs[BuildExport.BlobNameFor(other.Id)] = [1, 2, 3];

        var erasure = await h.NewCaseAsync(RequestType.Erasure, Email);
        await h.WaitForMailAsync(MailKind.Verification, 2);
        await h.VerifyAsync(erasure.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest, 2);
        await h.DecideAsync(erasure.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(erasure.Id)).SerializedOutput);

        Assert.DoesNotContain(h.Exports.Blobs.Keys, n => n.StartsWith(access.Id + "/", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Staging.Names, n => n.StartsWith(access.Id + "/", StringComparison.Ordinal));
        Assert.True(h.Exports.Blobs.ContainsKey(BuildExport.BlobNameFor(other.Id)), "another person's export must stay");

        var earlier = (await h.Register.GetAsync(access.Id, default))!;
        Assert.Equal(ExportDeletionReason.Erasure, earlier.ExportDeleted?.Reason);
        Assert.Equal(erasure.Id, earlier.ExportDeleted?.ErasureCaseId);
        Assert.Equal(CaseRefusal.ExportDeleted, earlier.DownloadRefusal(5));

        var stored = (await h.Register.GetAsync(erasure.Id, default))!;
        Assert.Equal([access.Id], stored.EarlierCopiesErased?.CaseIds);
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        Assert.Contains($"Van uw eerdere verzoeken ({access.Id}) zijn het downloadbestand en de gegevens die ervoor waren klaargezet verwijderd", report.TextBody, StringComparison.Ordinal);

        // What the audited register appends for both cases (ids and counts only).
        var anyKey = new KeyedHash(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Assert.Contains(CaseAudit.Entries(stored, anyKey), e => e.Action == "earlier-copies-erased" && e.Outcome == "cases=1 blobs=2");
        Assert.Contains(CaseAudit.Entries(earlier, anyKey), e => e.Action == "export-deleted" && e.Outcome == "erasure " + erasure.Id);
    }

    [Fact]
    public async Task An_erasure_report_names_no_deleted_copy_of_a_refused_request_and_says_a_failed_one_is_still_to_be_answered()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        // An earlier access request refused (identity not confirmed): nothing was ever collected for it.
        var refused = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow.AddDays(-3), h.Map);
        await h.Register.CreateAsync(refused with { Status = CaseStatus.Rejected, EmailVerifiedAt = refused.ReceivedAt, Decision = new IdentityDecision(DecisionOutcome.Reject, refused.ReceivedAt, "Els", "Niet bevestigd.") }, default);
        // Another, flagged failed after it collected: its staged records wait for a staff retry.
        var held = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow.AddDays(-2), h.Map);
        var collecting = held.WithStatus(CaseStatus.InProgress, held.ReceivedAt.AddHours(1)) with { EmailVerifiedAt = held.ReceivedAt };
        await h.Register.CreateAsync(collecting.Fail(held.ReceivedAt.AddHours(2), "BuildExport").Changed!, default);
        await h.Staging.WriteAsync(held.Id, "be/crm", One(new StoreRecord("contacts", new JsonObject { ["first_name"] = "An" })), default);

        var erasure = await h.NewCaseAsync(RequestType.Erasure, Email);
        await h.WaitForMailAsync(MailKind.Verification);
        await h.VerifyAsync(erasure.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        await h.DecideAsync(erasure.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(erasure.Id)).SerializedOutput);

        // The failed one's staged records are gone; the report says it is still to be answered, and names no file of the refused one.
        Assert.DoesNotContain(h.Staging.Names, n => n.StartsWith(held.Id + "/", StringComparison.Ordinal));
        var stored = (await h.Register.GetAsync(erasure.Id, default))!;
        Assert.Empty(stored.EarlierCopiesErased!.CaseIds);
        Assert.Equal([held.Id], stored.EarlierCopiesErased.AnsweredAgain);
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody;
        Assert.Contains($"Van uw eerdere verzoeken die door een storing bij ons zijn blijven steken ({held.Id}), is wat voor het antwoord was voorbereid gewist", report, StringComparison.Ordinal);
        Assert.Contains("die verzoeken worden nog beantwoord", report, StringComparison.Ordinal);
        Assert.DoesNotContain("zijn het downloadbestand en de gegevens die ervoor waren klaargezet verwijderd", report, StringComparison.Ordinal);
        Assert.DoesNotContain(refused.Id, report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_leaves_the_copies_of_an_access_request_still_being_answered_which_then_finishes_and_its_report_says_so()
    {
        // The access request waits for staff to review its free text (Art. 15(4)) when the same person's erasure runs.
        await using var h = await WorkflowHarness.StartAsync();
        h.Stores.Data["be/crm"] = new()
        {
            [Email] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, new JsonObject { ["_table"] = "activity_notes", ["id"] = 7, ["email"] = Email, ["note"] = "Called An back about the order." }],
        };
        var access = await h.NewCaseAsync(RequestType.Access, Email, ControllerScope.Of("be"));
        await h.ApproveAsync(access.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);

        var erasure = await h.NewCaseAsync(RequestType.Erasure, Email, ControllerScope.Of("be"));
        await h.WaitForMailAsync(MailKind.Verification, 2);
        await h.VerifyAsync(erasure.Id);
        await h.WaitForMailAsync(MailKind.ApprovalRequest, 2);
        await h.DecideAsync(erasure.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(erasure.Id)).SerializedOutput);

        // The review can still be done and the answer still goes out (before: its staged records were gone, the review
        // page answered "try again" for ever and the case waited with no timer).
        Assert.Contains(h.Staging.Names, n => n.StartsWith(access.Id + "/", StringComparison.Ordinal));
        await h.Register.UpdateAsync(access.Id, x => x.CompleteExportReview([], "tester", DateTimeOffset.UtcNow).Changed!, default);
        await h.Client.RaiseEventAsync(access.Id, Orchestration.CaseEvents.ExportReviewed);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(access.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));

        var stored = (await h.Register.GetAsync(erasure.Id, default))!;
        Assert.Empty(stored.EarlierCopiesErased!.CaseIds);
        Assert.Equal([access.Id], stored.EarlierCopiesErased.KeptWhileAnswered);
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody;
        Assert.Contains(Localization.Texts.Format("ReportEarlierCopiesKept", Language.Nl, access.Id), report, StringComparison.Ordinal);
        Assert.DoesNotContain("zijn het downloadbestand en de gegevens die ervoor waren klaargezet verwijderd", report, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<StoreRecord> One(StoreRecord record)
    {
        await Task.Yield();
        yield return record;
    }
}

/// <summary>An activity's context outside the engine (a test runs the activity as its retry would).</summary>
internal sealed class TestActivityContext(string name, string instanceId) : TaskActivityContext
{
    public override TaskName Name => name;

    public override string InstanceId => instanceId;
}
