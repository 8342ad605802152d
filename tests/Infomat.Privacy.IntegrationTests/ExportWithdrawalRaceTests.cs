using System.Net;

using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Decision 130 through the staff page: a withdrawal deletes only the zip it withdrew. A colleague's step lands at the
/// very storage request where a race would bite (<see cref="StorageFaults.StepAround"/> on the withdrawal's delete):
/// a retry writing the zip again, or the blob marked delivered by a delivery step that claimed the case before the
/// withdrawal. The sweep's own races are in
/// the workflow tests (<c>RetentionSweepTests</c>); these drive the endpoint's second attempt, its message and its record.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ExportWithdrawalRaceTests(Azurite azurite) : IAsyncLifetime
{
    private readonly InProcessHost host = new(azurite);
    private Flows flows = null!;

    private ICaseRegister Register => host.Services.GetRequiredService<ICaseRegister>();

    private IExportStorage Exports => host.Services.GetRequiredService<IExportStorage>();

    public async Task InitializeAsync()
    {
        await host.StartAsync();
        flows = new Flows(host);
    }

    public async Task DisposeAsync()
    {
        flows.Dispose();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task A_withdrawal_whose_zip_a_colleagues_retry_writes_again_meanwhile_deletes_nothing_and_says_the_new_zip_is_not_withdrawn()
    {
        var (id, blob) = await FailedWithZipAsync();
        host.ExportFaults.StepAround(DeleteOf(blob), before: () => RetryAsync(id, blob));

        var answer = await WithdrawAsync(id);

        host.ExportFaults.AssertStepped();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await answer.Content.ReadAsStringAsync();
        Assert.Contains(Html(Texts.Get("ExportRewrittenMeanwhile", Language.Nl)), page, StringComparison.Ordinal);
        // Not "left to the sweep": the new zip is not withdrawn, nothing will delete it.
        Assert.DoesNotContain(Html(Texts.Get("ExportRevokeDeleteFailed", Language.Nl)), page, StringComparison.Ordinal);
        // The new zip is the requester's answer: there, recorded live, not withdrawn, not deleted.
        Assert.Equal(NewZip.Length, await Exports.GetSizeAsync(blob, default));
        var stored = (await Register.GetAsync(id, default))!;
        Assert.Equal(blob, stored.LiveExport);
        Assert.Null(stored.ExportRevokedAt);
        Assert.Null(stored.ExportDeleted);
    }

    [Fact]
    public async Task A_withdrawn_zip_marked_delivered_between_its_version_read_and_its_delete_is_deleted_at_the_second_attempt()
    {
        var (id, blob) = await FailedWithZipAsync();
        // The delivery step, which claimed the case before the withdrawal, marks the blob delivered as its link goes out: the
        // blob's version changes and the first delete is refused.
        host.ExportFaults.StepAround(DeleteOf(blob), before: () => Exports.MarkDeliveredAsync(blob, DateTimeOffset.UtcNow, default));

        var answer = await WithdrawAsync(id);

        host.ExportFaults.AssertStepped();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await answer.Content.ReadAsStringAsync();
        Assert.Contains("ingetrokken en verwijderd door Els Janssens", page, StringComparison.Ordinal);
        Assert.DoesNotContain(Html(Texts.Get("ExportRevokeDeleteFailed", Language.Nl)), page, StringComparison.Ordinal);
        Assert.DoesNotContain(Html(Texts.Get("ExportRewrittenMeanwhile", Language.Nl)), page, StringComparison.Ordinal);
        Assert.Null(await Exports.GetSizeAsync(blob, default));
        Assert.Equal(ExportDeletionReason.Withdrawn, (await Register.GetAsync(id, default))!.ExportDeleted?.Reason);
    }

    [Fact]
    public async Task A_zip_written_again_and_withdrawn_by_a_colleague_right_after_the_delete_is_not_recorded_as_deleted_and_the_sweep_deletes_it()
    {
        var (id, blob) = await FailedWithZipAsync();
        // The old zip is deleted; before the withdrawal records that, a retry writes the zip again and a colleague withdraws
        // the new one (their own delete still to come). Recording "deleted" now would leave the new zip in storage for good.
        host.ExportFaults.StepAround(DeleteOf(blob), after: async () =>
        {
            await RetryAsync(id, blob);
            Assert.False((await Register.ApplyAsync(id, x => x.RevokeExport("Jan Peeters (no sign-in)", DateTimeOffset.UtcNow), default)).Refused);
        });

        var answer = await WithdrawAsync(id);

        host.ExportFaults.AssertStepped();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // The page does not call the zip now recorded (the new one, still in storage) deleted, and says the sweep deletes it.
        var page = await answer.Content.ReadAsStringAsync();
        Assert.DoesNotContain("ingetrokken en verwijderd", page, StringComparison.Ordinal);
        Assert.Contains("nog niet uit de opslag verwijderd", page, StringComparison.Ordinal);
        Assert.Equal(NewZip.Length, await Exports.GetSizeAsync(blob, default));
        Assert.Null((await Register.GetAsync(id, default))!.ExportDeleted);

        // The next sweep deletes the new zip and records it.
        Assert.True((await host.Services.GetRequiredService<Http.Cases.RetentionSweep>().RunAsync(default)).ExportsDeleted >= 1);
        Assert.Null(await Exports.GetSizeAsync(blob, default));
        Assert.Equal(ExportDeletionReason.Withdrawn, (await Register.GetAsync(id, default))!.ExportDeleted?.Reason);
    }

    [Fact]
    public async Task The_case_page_of_a_failed_case_whose_zip_staff_withdrew_warns_that_a_retry_writes_it_again_and_mails_a_link()
    {
        // Decision 140: before it, a colleague retrying saw only that steps done are not done again.
        var (id, _) = await FailedWithZipAsync();
        var before = await flows.Http.GetStringAsync($"/cases/{id}");
        Assert.Contains($"action=\"/cases/{id}/retry\"", before, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"warning\"", before, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await WithdrawAsync(id)).StatusCode);
        var page = System.Net.WebUtility.HtmlDecode(await flows.Http.GetStringAsync($"/cases/{id}"));

        var warning = page[page.IndexOf("class=\"warning\"", StringComparison.Ordinal)..];
        Assert.Contains("Medewerkers trokken het downloadbestand van dit verzoek in op", warning, StringComparison.Ordinal);
        Assert.Contains("(Els Janssens", warning, StringComparison.Ordinal);
        Assert.Contains("maakt daarmee een nieuw downloadbestand en mailt de verzoeker een link ernaartoe", warning, StringComparison.Ordinal);
        Assert.True(warning.IndexOf("</p>", StringComparison.Ordinal) < warning.IndexOf($"action=\"/cases/{id}/retry\"", StringComparison.Ordinal));
        Assert.Contains("tenzij een link naar het bestand dat al gemaakt is de verzoeker kan hebben bereikt", page, StringComparison.Ordinal);

        // The retry form of the page opened before the withdrawal (no warning on it) is refused: the colleague reads the
        // page again first (session 45's hunt: it wrote the withdrawn zip again and mailed its link).
        var stale = await flows.StaffPostFromPageAsync($"/cases/{id}/retry", before, new Uri($"{host.BaseUrl}/cases/{id}"), "Piet Peeters");
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains(Html(Texts.Get("CaseRetryPageOutdated", Language.Nl)), await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(CaseStatus.Failed, (await Register.GetAsync(id, default))!.Status);
    }

    private static readonly byte[] NewZip = [9, 9, 9, 9, 9];

    /// <summary>A text as the page writes it (HTML-encoded as the pages encode).</summary>
    private static string Html(string text) => HtmlText.Encode(text);

    /// <summary>The withdrawal's conditional delete of the zip (not the retry's writes, which are PUTs).</summary>
    private static Func<Azure.Core.Request, bool> DeleteOf(string blob) => r =>
        r.Method == Azure.Core.RequestMethod.Delete && Uri.UnescapeDataString(r.Uri.Path).EndsWith("/" + blob, StringComparison.Ordinal);

    /// <summary>Staff press "withdraw" on the case page.</summary>
    private Task<HttpResponseMessage> WithdrawAsync(string id) =>
        flows.StaffPostAsync($"/cases/{id}/revoke-export", new Uri($"{host.BaseUrl}/cases/{id}"), "Els Janssens");

    /// <summary>A failed access case whose zip was written (its delivery failed): a colleague may retry it or withdraw its zip.</summary>
    private async Task<(string Id, string Blob)> FailedWithZipAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var request = new ValidRequest(RequestType.Access, $"race.{Guid.NewGuid():N}@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null);
        var failed = PrivacyCase.Received(request, Channel.Form, now.AddDays(-3), TestDataMaps.Real);
        failed = (failed with { EmailVerifiedAt = failed.ReceivedAt, ExportBlobName = Workflow.Activities.Export.BuildExport.BlobNameFor(failed.Id), ExportWrittenAt = now.AddDays(-1) })
            .WithStatus(CaseStatus.InProgress, now.AddDays(-2)).Fail(now.AddHours(-2), "DeliverExport").Changed!;
        await Register.CreateAsync(failed, default);
        await Exports.WriteAsync(failed.ExportBlobName!, null, (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), default);
        return (failed.Id, failed.ExportBlobName!);
    }

    /// <summary>A colleague's retry of the failed case: the old zip's record moved, the zip written again, its write recorded.</summary>
    private async Task RetryAsync(string id, string blob)
    {
        Assert.False((await Register.ApplyAsync(id, x => x.Retry("Jan Peeters (no sign-in)", DateTimeOffset.UtcNow), default)).Refused);
        Assert.False((await Register.ApplyAsync(id, x => x.ReplaceExport(DateTimeOffset.UtcNow), default)).Refused);
        await Exports.WriteAsync(blob, await Exports.GetVersionAsync(blob, default), (s, ct) => s.WriteAsync(NewZip, ct).AsTask(), default);
        await Register.ApplyAsync(id, x => x.ExportWritten(blob, DateTimeOffset.UtcNow), default);
    }
}
