using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A zip written again for a case that already had one (review of 5 December): a failed access case retried after
/// staff withdrew its zip or an erasure deleted it, or after the storage's lifecycle rule removed it. The new zip is the
/// one handed out, and a write that breaks part-way is never taken for a finished zip.
/// </summary>
public sealed class ExportRebuildTests
{
    private const string Email = "an.peeters@example.be";

    /// <summary>
    /// Before: the retry wrote a new zip and mailed "your data is ready", and the link then answered that the export was
    /// withdrawn (or "deleted when we erased your data; no copy of it remains") while the new zip sat in storage.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_access_case_retried_after_its_zip_went_delivers_a_new_zip_its_link_opens(bool byErasure)
    {
        await using var h = await WorkflowHarness.StartAsync();
        var failed = await FailedWithZipWrittenAsync(h);
        var c = failed;
        var blob = failed.ExportBlobName!;
        Assert.True(h.Exports.Blobs.ContainsKey(blob));
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));

        // Staff withdraw the zip from the case page, or the same person's erasure deletes it; the blob goes.
        var now = DateTimeOffset.UtcNow;
        await h.Register.UpdateAsync(c.Id, x => (byErasure ? x.DeleteExport(now, ExportDeletionReason.Erasure, "PR-TEST-ERAS-0001") : x.RevokeExport("Els", now)).Changed!, default);
        h.Exports.Blobs.TryRemove(blob, out _);

        var retried = await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default);
        Assert.False(retried.Refused);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);

        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        var done = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Null(done.DownloadRefusal(5));
        Assert.True(h.Exports.Blobs.ContainsKey(done.ExportBlobName!));
        // The zip the person got is the one the hourly sweep deletes when its link ends.
        Assert.True(done.IsExportDueForDeletion(done.ExportExpiresAt!.Value));
    }

    /// <summary>
    /// Decision 133: a failed case whose zip was written but never linked is retried by staff, and its run collects again
    /// from the stores as they are now (here the person's records erased meanwhile). Before: the retry handed out the
    /// older zip, with the erased records, and deleted what it had just collected.
    /// </summary>
    [Fact]
    public async Task A_failed_access_case_retried_after_its_zip_was_written_answers_from_what_the_retry_collected()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await FailedWithZipWrittenAsync(h);
        var blob = c.ExportBlobName!;
        Assert.Contains("Brouwerij Peeters NV", await ZipTextAsync(h.Exports.Blobs[blob]), StringComparison.Ordinal);

        h.Stores.Data["be/crm"] = new();
        var retried = await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default);
        Assert.False(retried.Refused);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);

        var done = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Single(done.ReplacedExports);
        Assert.DoesNotContain("Brouwerij Peeters NV", await ZipTextAsync(h.Exports.Blobs[done.ExportBlobName!]), StringComparison.Ordinal);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        Assert.Null(done.DownloadRefusal(5));
    }

    /// <summary>An access case whose download-link mail cannot go (four tries): it fails with its zip written, never linked.</summary>
    private static async Task<PrivacyCase> FailedWithZipWrittenAsync(WorkflowHarness h)
    {
        h.Stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An", ["company"] = "Brouwerij Peeters NV" }] };
        var c = await h.NewCaseAsync(RequestType.Access, Email, ControllerScope.Of("be"));
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        h.Mail.FailNext(4);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"failed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        return (await h.Register.GetAsync(c.Id, default))!;
    }

    /// <summary>Every file of a zip, as text.</summary>
    internal static async Task<string> ZipTextAsync(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var text = new System.Text.StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(await entry.OpenAsync());
            text.Append(await reader.ReadToEndAsync());
        }

        return text.ToString();
    }

    /// <summary>
    /// Before: a rebuild (the case already named its zip) broke part-way; the blob store commits what was written, and
    /// the retry took that blob for the finished zip, handed it out with records missing, and deleted the staged records.
    /// </summary>
    [Fact]
    public async Task A_rebuild_that_breaks_part_way_is_written_again_whole_on_its_retry()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var received = PrivacyCase.Received(new ValidRequest(RequestType.Access, Email, "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow, h.Map);
        // A zip written once and removed since (the lifecycle rule, a withdrawal): the case still names it.
        var c = received with { ExportBlobName = BuildExport.BlobNameFor(received.Id) };
        await h.Register.CreateAsync(c, default);
        const int Records = 2_001;
        await h.Staging.WriteAsync(c.Id, "be/crm", Contacts(Records), default);

        var staging = new BreaksOnce(h.Staging, after: 1_000);
        var build = new BuildExport(h.Register, staging, h.Exports, h.Stores, h.Map, TimeProvider.System, h.Hash, NullLogger<BuildExport>.Instance);
        var input = new BuildExportInput(c.Id, [new CollectResult("be/crm", new Dictionary<string, int> { ["contacts"] = Records })]);

        await Assert.ThrowsAsync<IOException>(() => build.RunAsync(new TestActivityContext(nameof(BuildExport), c.Id), input));
        var again = await build.RunAsync(new TestActivityContext(nameof(BuildExport), c.Id), input);

        using var zip = new ZipArchive(new MemoryStream(h.Exports.Blobs[again.BlobName]), ZipArchiveMode.Read);
        await using var part = await zip.GetEntry("be/crm.json")!.OpenAsync();
        using var json = await JsonDocument.ParseAsync(part);
        var rows = json.RootElement.GetProperty("tables").EnumerateArray().Sum(t => t.GetProperty("records").GetArrayLength());
        Assert.Equal(Records, rows);
        Assert.Equal(again.BlobName, (await h.Register.GetAsync(c.Id, default))!.ExportBlobName);
    }

    /// <summary>
    /// Staff withdraw the zip after it was written but before its link went (the link step between its tries): the
    /// requester was mailed "your data is ready" with a link that answered "withdrawn" (review of 5 December). Now the
    /// case fails with nothing sent, and a staff retry writes a new zip and sends its link.
    /// </summary>
    [Fact]
    public async Task A_zip_withdrawn_before_its_link_went_sends_no_link_and_a_retry_delivers_a_new_one()
    {
        var withdrawOnce = 0;
        WorkflowHarness? harness = null;
        await using var h = harness = await WorkflowHarness.StartAsync(activities: (name, real) => name == nameof(BuildExport)
            ? new ThenWithdrawn(real, async caseId =>
            {
                if (Interlocked.Exchange(ref withdrawOnce, 1) == 0)
                {
                    await harness!.Register.UpdateAsync(caseId, x => x.RevokeExport("Els", DateTimeOffset.UtcNow).Changed!, default);
                    await harness.Exports.DeleteCaseAsync(caseId, default);
                }
            })
            : real);
        h.Stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Access, Email, ControllerScope.Of("be"));
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);

        Assert.Equal("\"failed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));

        Assert.False((await h.Workflow.RetryAsync(h.Client, c.Id, "Els", default)).Refused);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        var done = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Null(done.DownloadRefusal(5));
        Assert.True(h.Exports.Blobs.ContainsKey(done.ExportBlobName!));
    }

    /// <summary>The real step, then <paramref name="after"/> with the case id (what happens between two steps).</summary>
    private sealed class ThenWithdrawn(ITaskActivity real, Func<string, Task> after) : ITaskActivity
    {
        public Type InputType => real.InputType;

        public Type OutputType => real.OutputType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var result = await real.RunAsync(context, input);
            await after(context.InstanceId);
            return result;
        }
    }

    private static async IAsyncEnumerable<StoreRecord> Contacts(int count)
    {
        await Task.Yield();
        for (var i = 0; i < count; i++)
        {
            yield return new StoreRecord("contacts", new JsonObject { ["id"] = i, ["first_name"] = "An" });
        }
    }

    /// <summary>Staging whose first read to get that far breaks after <paramref name="after"/> records (a storage fault mid-stream).</summary>
    private sealed class BreaksOnce(IStagingStorage inner, int after) : IStagingStorage
    {
        private int broken;

        public Task<int> WriteAsync(string caseId, string storeKey, IAsyncEnumerable<StoreRecord> records, CancellationToken cancellationToken) =>
            inner.WriteAsync(caseId, storeKey, records, cancellationToken);

        public async IAsyncEnumerable<StoreRecord> ReadAsync(string caseId, string storeKey, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var n = 0;
            await foreach (var record in inner.ReadAsync(caseId, storeKey, cancellationToken))
            {
                if (n++ == after && Interlocked.Exchange(ref broken, 1) == 0)
                {
                    throw new IOException("The staging storage went away mid-read.");
                }

                yield return record;
            }
        }

        public Task<int> DeleteCaseAsync(string caseId, CancellationToken cancellationToken) => inner.DeleteCaseAsync(caseId, cancellationToken);

        public IAsyncEnumerable<string> ListCasesAsync(CancellationToken cancellationToken) => inner.ListCasesAsync(cancellationToken);
    }
}
