using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Decision 135: the export step delivered twice (at-least-once), its two runs side by side. The second read the case
/// before the first recorded its zip and commits its own zip, under the same name, only after the first's was recorded
/// and perhaps withdrawn, deleted or replaced since. The register must never record a zip as gone while one is in
/// storage, nor a staff retry hand out the zip of the data collected before it. The first run (and what staff do after
/// it) is injected right before the second's zip is committed, its content already written.
/// </summary>
public sealed class DuplicateBuildTests
{
    private const string Email = "an.peeters@example.be";

    private static readonly DateTimeOffset Now = new(2033, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly InMemoryRegister register = new();
    private readonly InMemoryStaging staging = new();
    private readonly InMemoryExports exports = new();
    private readonly KeyedHash hash = new(RandomNumberGenerator.GetBytes(32));

    /// <summary>An approved access case of An, her CRM record staged (the collect done).</summary>
    private async Task<PrivacyCase> CollectedAsync(string firstName)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, Now.AddDays(-2), TestDataMaps.Real)
            with { EmailVerifiedAt = Now.AddDays(-2) };
        c = c.WithStatus(CaseStatus.InProgress, Now.AddDays(-1));
        await register.CreateAsync(c, default);
        await StageAsync(c.Id, firstName);
        return c;
    }

    private Task<int> StageAsync(string caseId, string firstName) => staging.WriteAsync(caseId, "be/crm", Contacts(firstName), default);

    private static async IAsyncEnumerable<StoreRecord> Contacts(string firstName)
    {
        await Task.Yield();
        yield return new StoreRecord("contacts", new JsonObject { ["first_name"] = firstName });
    }

    private Task<ExportResult> BuildAsync(Storage.IExportStorage through, string caseId) =>
        new BuildExport(register, staging, through, new FakeStores(), TestDataMaps.Real, TimeProvider.System, hash, NullLogger<BuildExport>.Instance)
            .RunAsync(new TestActivityContext(nameof(BuildExport), caseId), new BuildExportInput(caseId, [new CollectResult("be/crm", new Dictionary<string, int> { ["contacts"] = 1 })]));

    /// <summary>A colleague withdraws the zip from the case page: its version read, the case again, that version deleted, the deletion recorded.</summary>
    private async Task WithdrawAsync(string caseId)
    {
        var revoked = await register.ApplyAsync(caseId, x => x.RevokeExport("Els Janssens", Now), default);
        Assert.False(revoked.Refused);
        var version = await exports.GetVersionAsync(revoked.Case.ExportBlobName!, default);
        Assert.True(await exports.DeleteAsync(revoked.Case.ExportBlobName!, version!, default));
        Assert.False((await register.ApplyAsync(caseId, x => x.RecordExportDeleted(Now, revoked.Case), default)).Refused);
    }

    [Fact]
    public async Task A_second_run_committing_its_zip_after_staff_withdrew_the_first_runs_leaves_no_zip_in_storage()
    {
        var c = await CollectedAsync("An");
        var blob = BuildExport.BlobNameFor(c.Id);
        var second = new HookedExports(exports)
        {
            BeforeCommit = async () =>
            {
                await BuildAsync(exports, c.Id);
                await WithdrawAsync(c.Id);
            },
        };

        var failure = await Xunit.Record.ExceptionAsync(() => BuildAsync(second, c.Id));

        Assert.True(second.Hooked, "the first run and the withdrawal must have landed before the second run's zip was committed");
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(ExportDeletionReason.Withdrawn, stored.ExportDeleted?.Reason);
        Assert.False(exports.Blobs.ContainsKey(blob), "the register says the zip was withdrawn and deleted, yet a copy of An's data is in storage: nothing would delete it now");
        Assert.IsType<InvalidOperationException>(failure);
        Assert.DoesNotContain(Email, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_case_whose_zip_staff_withdrew_is_retried_into_a_new_zip_and_a_new_link_as_its_page_warns()
    {
        // Decision 140: the case page warns that a retry writes a withdrawn zip again and mails a link to it; this is what
        // the retry then does.
        var c = await CollectedAsync("An");
        var first = await BuildAsync(exports, c.Id);
        await register.ApplyAsync(c.Id, x => x.Fail(Now, "DeliverExport"), default);
        await WithdrawAsync(c.Id);
        Assert.True((await register.GetAsync(c.Id, default))!.RetryWritesWithdrawnExportAgain);

        Assert.False((await register.ApplyAsync(c.Id, x => x.Retry("Pieter Claes", Now.AddHours(1)), default)).Refused);
        await StageAsync(c.Id, "Anneke");
        var rebuilt = await BuildAsync(exports, c.Id);
        var mail = new RecordingMail();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now.AddHours(1));
        await new Activities.Closing.DeliverExport(register, mail, new Tokens.LinkTokenService(RandomNumberGenerator.GetBytes(32), clock), exports, TestDataMaps.Real,
            Microsoft.Extensions.Options.Options.Create(new Configuration.PrivacyOptions()), clock, NullLogger<Activities.Closing.DeliverExport>.Instance).RunAsync(null!, c.Id);

        Assert.Equal(first.BlobName, rebuilt.BlobName);
        Assert.Contains("\"Anneke\"", await ExportRebuildTests.ZipTextAsync(exports.Blobs[rebuilt.BlobName]), StringComparison.Ordinal);
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(rebuilt.BlobName, stored.LiveExport);
        Assert.NotNull(Assert.Single(stored.ReplacedExports).RevokedAt);
        Assert.Equal(Mail.MailKind.ExportReady, Assert.Single(mail.Sent).Kind);
        Assert.False(stored.RetryWritesWithdrawnExportAgain);
    }

    [Fact]
    public async Task A_run_still_writing_when_its_case_failed_and_was_retried_does_not_become_the_retrys_answer()
    {
        var c = await CollectedAsync("An");
        var blob = BuildExport.BlobNameFor(c.Id);
        var stale = new HookedExports(exports)
        {
            BeforeCommit = async () =>
            {
                // No zip recorded yet: the step's other tries failed and the case was flagged failed; a colleague retries
                // it and its new run collects again (An corrected her name meanwhile).
                await register.ApplyAsync(c.Id, x => x.Fail(Now, "BuildExport"), default);
                Assert.False((await register.ApplyAsync(c.Id, x => x.Retry("Els Janssens", Now.AddHours(1)), default)).Refused);
                await StageAsync(c.Id, "Anneke");
            },
        };

        await Xunit.Record.ExceptionAsync(() => BuildAsync(stale, c.Id));
        var retried = await BuildAsync(exports, c.Id);

        Assert.True(stale.Hooked);
        var answer = await ExportRebuildTests.ZipTextAsync(exports.Blobs[retried.BlobName]);
        Assert.Contains("\"Anneke\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("\"An\"", answer, StringComparison.Ordinal);
        Assert.Equal(blob, (await register.GetAsync(c.Id, default))!.LiveExport);
    }

    [Fact]
    public async Task A_second_run_committing_while_an_erasure_deletes_the_cases_copies_leaves_no_zip_once_the_erasure_recorded_them_deleted()
    {
        var c = await CollectedAsync("An");
        var blob = BuildExport.BlobNameFor(c.Id);
        var erasure = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, Now, TestDataMaps.Real)
            .WithStatus(CaseStatus.InProgress, Now);
        await register.CreateAsync(erasure, default);
        var second = new HookedExports(exports)
        {
            BeforeCommit = async () =>
            {
                // The first run records its zip and the link's mail fails; An's erasure then marks the case and deletes its
                // copies (what EraseEarlierCopies does), its record of them still to come.
                await BuildAsync(exports, c.Id);
                await register.ApplyAsync(c.Id, x => x.Fail(Now, "DeliverExport"), default);
                Assert.False((await register.ApplyAsync(c.Id, x => x.BeginErasingCopies(erasure, hash.Subject(EmailAddresses.Normalise(Email))), default)).Refused);
                await exports.DeleteCaseAsync(c.Id, default);
            },
        };

        await Xunit.Record.ExceptionAsync(() => BuildAsync(second, c.Id));
        Assert.False((await register.ApplyAsync(c.Id, x => x.CopiesErased(Now, erasure.Id), default)).Refused);

        Assert.True(second.Hooked);
        Assert.Equal(ExportDeletionReason.Erasure, (await register.GetAsync(c.Id, default))!.ExportDeleted?.Reason);
        Assert.False(exports.Blobs.ContainsKey(blob), "the register says An's erasure deleted the zip, yet a copy of her data is in storage");
    }

    /// <summary>A regression guard, not a failure of the old code: the plain duplicate must still answer with the zip handed out.</summary>
    [Fact]
    public async Task A_second_run_ending_after_the_first_recorded_its_zip_answers_with_that_zip()
    {
        var c = await CollectedAsync("An");
        var blob = BuildExport.BlobNameFor(c.Id);
        var second = new HookedExports(exports) { BeforeCommit = () => BuildAsync(exports, c.Id) };

        var result = await BuildAsync(second, c.Id);

        Assert.True(second.Hooked);
        Assert.Equal((blob, (long)exports.Blobs[blob].Length), (result.BlobName, result.Bytes));
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(blob, stored.LiveExport);
        Assert.Null(stored.DownloadRefusal(5));
        Assert.Contains("\"An\"", await ExportRebuildTests.ZipTextAsync(exports.Blobs[blob]), StringComparison.Ordinal);
        Assert.Empty(staging.Names);
    }

    [Fact]
    public async Task A_second_run_committing_while_a_staff_retry_writes_the_zip_again_does_not_become_the_retrys_answer()
    {
        var c = await CollectedAsync("An");
        var blob = BuildExport.BlobNameFor(c.Id);
        var second = new HookedExports(exports)
        {
            BeforeCommit = async () =>
            {
                // The first run records its zip; the link's mail then fails and a colleague retries the case. Its new run
                // collects again (An corrected her name meanwhile) and has moved the old zip's record, its own zip not
                // yet written.
                await BuildAsync(exports, c.Id);
                await register.ApplyAsync(c.Id, x => x.Fail(Now, "DeliverExport"), default);
                Assert.False((await register.ApplyAsync(c.Id, x => x.Retry("Els Janssens", Now.AddHours(1)), default)).Refused);
                await StageAsync(c.Id, "Anneke");
                Assert.False((await register.ApplyAsync(c.Id, x => x.ReplaceExport(Now.AddHours(1)), default)).Refused);
            },
        };

        await Xunit.Record.ExceptionAsync(() => BuildAsync(second, c.Id));
        var retried = await BuildAsync(exports, c.Id);

        Assert.True(second.Hooked);
        var answer = await ExportRebuildTests.ZipTextAsync(exports.Blobs[retried.BlobName]);
        Assert.Contains("\"Anneke\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("\"An\"", answer, StringComparison.Ordinal);
        Assert.Equal(blob, (await register.GetAsync(c.Id, default))!.LiveExport);
    }
}
