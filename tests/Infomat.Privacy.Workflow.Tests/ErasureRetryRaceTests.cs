using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.StoreActions;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Decision 133: an erasure deletes the copies an earlier failed access case of the same person prepared
/// (<see cref="EraseEarlierCopies"/>) while a colleague retries that case. The register must never say a zip is deleted
/// while it is still in storage, nor a retry's fresh answer be deleted under it. The colleague's step is injected at
/// the exact point where it bites: right after the erasure's deletes, and right after the erasure read the list.
/// </summary>
public sealed class ErasureRetryRaceTests
{
    private const string Email = "an.peeters@example.be";

    private static readonly DateTimeOffset Now = new(2033, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Now);
    private readonly InMemoryRegister register = new();
    private readonly KeyedHash hash = new(RandomNumberGenerator.GetBytes(32));
    private readonly InMemoryStaging staging = new();
    private readonly InMemoryExports exports = new();

    private static PrivacyCase Received(RequestType type, DateTimeOffset at) =>
        PrivacyCase.Received(new ValidRequest(type, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, at, TestDataMaps.Real)
            with { EmailVerifiedAt = at };

    /// <summary>An access case that collected and wrote its zip, then failed delivering it; and the same person's later erasure, its stores done.</summary>
    private async Task<(PrivacyCase Access, PrivacyCase Erasure, string Blob)> FailedAccessAndErasureAsync()
    {
        var access = Received(RequestType.Access, Now.AddDays(-3));
        var blob = BuildExport.BlobNameFor(access.Id);
        access = (access with { ExportBlobName = blob, ExportWrittenAt = Now.AddDays(-2) })
            .WithStatus(CaseStatus.InProgress, Now.AddDays(-2)).Fail(Now.AddDays(-1), "DeliverExport").Changed!;
        await register.CreateAsync(access, default);
        exports.Blobs[blob] = [1, 2, 3];
        await staging.WriteAsync(access.Id, "be/crm", One(), default);

        var erasure = Received(RequestType.Erasure, Now.AddHours(-1)).WithStatus(CaseStatus.InProgress, Now.AddMinutes(-30));
        await register.CreateAsync(erasure, default);
        return (access, erasure, blob);
    }

    private static async IAsyncEnumerable<StoreRecord> One()
    {
        await Task.Yield();
        yield return new StoreRecord("contacts", new JsonObject { ["first_name"] = "An" });
    }

    /// <summary>
    /// A colleague retries the failed case; when the register lets them, its new run collects again and writes the zip
    /// (what <see cref="BuildExport"/> does: the old zip's record first, then the zip, then its record), unless the zip
    /// recorded stands (<see cref="PrivacyCase.RecordedZipStands"/>: a link to it may have gone).
    /// </summary>
    private async Task<CaseUpdate> RetryAndRebuildAsync(string caseId, string blob)
    {
        var retried = await register.ApplyAsync(caseId, x => x.Retry("Els Janssens", Now), default);
        if (!retried.Refused && !retried.Case.RecordedZipStands)
        {
            await staging.WriteAsync(caseId, "be/crm", One(), default);
            Assert.False((await register.ApplyAsync(caseId, x => x.ReplaceExport(Now), default)).Refused);
            await exports.WriteAsync(blob, await exports.GetVersionAsync(blob, default), (s, ct) => s.WriteAsync(new byte[] { 9, 9, 9 }, ct).AsTask(), default);
            await register.ApplyAsync(caseId, x => x.ExportWritten(blob, Now), default);
        }

        return retried;
    }

    private Task<int> EraseAsync(ICaseRegister through, IExportStorage storage, string erasureId) =>
        new EraseEarlierCopies(through, staging, storage, hash, clock, NullLogger<EraseEarlierCopies>.Instance)
            .RunAsync(new TestActivityContext(nameof(EraseEarlierCopies), erasureId), erasureId);

    /// <summary>What the register says of the zip is what storage holds: recorded deleted, it is gone; recorded live, it is there.</summary>
    private void AssertRecordIsTrue(PrivacyCase stored, string blob)
    {
        if (stored.ExportDeleted is not null)
        {
            Assert.False(exports.Blobs.ContainsKey(blob), "the register says the zip was deleted, yet it is still in storage: nothing would delete it now");
        }

        if (stored.LiveExport is not null)
        {
            Assert.True(exports.Blobs.ContainsKey(blob), "the register hands out a zip that is not in storage");
        }
    }

    [Fact]
    public async Task A_retry_while_the_erasure_deletes_the_cases_copies_is_refused_and_allowed_once_the_deletion_is_recorded()
    {
        var (access, erasure, blob) = await FailedAccessAndErasureAsync();
        CaseUpdate? during = null;
        var hooked = new HookedExports(exports) { AfterDeleteCase = async () => during = await RetryAndRebuildAsync(access.Id, blob) };

        await EraseAsync(register, hooked, erasure.Id);

        Assert.True(hooked.Hooked, "the colleague's retry must have landed between the erasure's deletes and its record");
        Assert.Equal(CaseRefusal.CopiesBeingErased, during?.Refusal);
        var stored = (await register.GetAsync(access.Id, default))!;
        AssertRecordIsTrue(stored, blob);
        Assert.Equal(ExportDeletionReason.Erasure, stored.ExportDeleted?.Reason);
        Assert.Equal(CaseRefusal.ExportDeleted, stored.DownloadRefusal(5));
        Assert.Empty(staging.Names);
        Assert.Equal([access.Id], (await register.GetAsync(erasure.Id, default))!.EarlierCopiesErased?.AnsweredAgain);

        // Once the erasure recorded what it deleted, the retry goes ahead, collects again and its zip is the one handed out.
        var after = await RetryAndRebuildAsync(access.Id, blob);
        Assert.False(after.Refused);
        stored = (await register.GetAsync(access.Id, default))!;
        Assert.Equal(blob, stored.LiveExport);
        AssertRecordIsTrue(stored, blob);
    }

    [Fact]
    public async Task A_case_retried_after_the_erasure_read_the_list_keeps_what_its_retry_prepares_and_the_report_says_it_is_answered_again()
    {
        var (access, erasure, blob) = await FailedAccessAndErasureAsync();
        // The retry lands right after the erasure read the case (as failed) from the list: its new run collects again, from
        // the stores as the erasure left them (they acted before this step), so what it prepares is its answer.
        var retried = new RetryAfterRead(register, access.Id, () => RetryAndRebuildAsync(access.Id, blob), inList: true);

        await EraseAsync(retried, exports, erasure.Id);

        Assert.True(retried.Interleaved, "the colleague's retry must have landed after the erasure read the list");
        var stored = (await register.GetAsync(access.Id, default))!;
        Assert.Equal(blob, stored.LiveExport);
        Assert.Equal([9, 9, 9], exports.Blobs[blob]);
        AssertRecordIsTrue(stored, blob);
        Assert.Single(staging.Names);
        var stored2 = (await register.GetAsync(erasure.Id, default))!;
        var copies = stored2.EarlierCopiesErased!;
        Assert.Equal([access.Id], copies.RetriedMeanwhile);
        Assert.Empty(copies.AnsweredAgain);
        Assert.Empty(copies.KeptWhileAnswered);
        Assert.Equal(0, copies.Blobs);
        // The report tells the person that request is answered again from their data as after this erasure, not that
        // its copies were deleted nor that it keeps the data collected before.
        var report = PrivacyMails.ActionReport(stored2, TestDataMaps.Real, []).TextBody;
        Assert.Contains($"die onze medewerkers tijdens deze wissing opnieuw in behandeling namen ({access.Id}), wordt het antwoord opnieuw voorbereid, met uw gegevens zoals ze na deze wissing zijn", report, StringComparison.Ordinal);
        Assert.DoesNotContain("is wat voor het antwoord was voorbereid gewist", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_case_retried_after_the_erasure_read_the_list_whose_link_may_have_gone_keeps_that_zip_and_the_report_says_so()
    {
        var (access, erasure, blob) = await FailedAccessAndErasureAsync();
        // Its link mail was claimed before it failed (it may have reached the requester): that zip is the answer and stands.
        await register.UpdateAsync(access.Id, c => c with { AnswerClaimedAt = Now.AddDays(-1) }, default);
        var retried = new RetryAfterRead(register, access.Id, () => RetryAndRebuildAsync(access.Id, blob), inList: true);

        await EraseAsync(retried, exports, erasure.Id);

        Assert.True(retried.Interleaved);
        Assert.Equal([1, 2, 3], exports.Blobs[blob]);
        var copies = (await register.GetAsync(erasure.Id, default))!.EarlierCopiesErased!;
        Assert.Equal([access.Id], copies.KeptWhileAnswered);
        Assert.Empty(copies.RetriedMeanwhile);
        var report = PrivacyMails.ActionReport((await register.GetAsync(erasure.Id, default))!, TestDataMaps.Real, []).TextBody;
        Assert.DoesNotContain("met uw gegevens zoals ze na deze wissing zijn", report, StringComparison.Ordinal);
    }
}
