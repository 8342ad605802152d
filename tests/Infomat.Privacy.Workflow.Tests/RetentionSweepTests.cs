using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Issue 16, items 3 and 9: every record the system keeps about a requester has an end, and the retention sweep keeps
/// it, with the clock moved past it: the zip when its link ends, staged records no case needs, the case and its audit
/// trail after their retention (a signed checkpoint keeps the removal verifiable), intake markers and claims.
/// </summary>
public sealed class RetentionSweepTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2033, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Now);
    private readonly InMemoryRegister inner = new();
    private readonly AuditChain chain = new(RandomNumberGenerator.GetBytes(32));
    private readonly KeyedHash hash = new(RandomNumberGenerator.GetBytes(32));
    private readonly InMemoryStaging staging = new();
    private readonly InMemoryExports exports = new();
    private readonly InMemoryAudit audit;
    private readonly ICaseRegister register;
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrivacyMetrics metrics;
    private readonly MeterListener listener = new();
    private readonly Dictionary<string, long> notSwept = [];

    public RetentionSweepTests()
    {
        audit = new InMemoryAudit(chain);
        register = new AuditedCaseRegister(inner, audit, hash);
        var meters = services.GetRequiredService<IMeterFactory>();
        metrics = new PrivacyMetrics(meters);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == PrivacyMetrics.RetentionNotSwept)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (notSwept)
            {
                var reason = (string)tags.ToArray().Single(t => t.Key == "reason").Value!;
                notSwept[reason] = notSwept.GetValueOrDefault(reason) + value;
            }
        });
        listener.Start();
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    private long NotSwept(string reason)
    {
        lock (notSwept)
        {
            return notSwept.GetValueOrDefault(reason);
        }
    }

    private RetentionSweep Sweep() => new(register, inner, staging, exports, audit, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance);

    private static PrivacyCase Closed(RequestType type, string email, DateTimeOffset closedAt)
    {
        var c = PrivacyCase.Received(new ValidRequest(type, email, "Test Person", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, closedAt.AddDays(-3), TestDataMaps.Real);
        return (c with { EmailVerifiedAt = c.ReceivedAt, AnswerSentAt = closedAt }).WithStatus(CaseStatus.Completed, closedAt);
    }

    private static async IAsyncEnumerable<StoreRecord> One()
    {
        await Task.Yield();
        yield return new StoreRecord("contacts", new JsonObject { ["first_name"] = "An" });
    }

    [Fact]
    public async Task A_zip_is_deleted_when_its_download_link_ends_and_the_case_then_refuses_the_download()
    {
        var ends = Now.AddMinutes(30);
        var access = Closed(RequestType.Access, "an.peeters@example.be", Now.AddDays(-7)) with { ExportBlobName = BuildExport.BlobNameFor("x"), ExportExpiresAt = ends };
        access = access with { ExportBlobName = BuildExport.BlobNameFor(access.Id) };
        await register.CreateAsync(access, default);
        exports.Blobs[access.ExportBlobName!] = [1, 2, 3];
        await staging.WriteAsync(access.Id, "be/crm", One(), default);

        var before = await Sweep().RunAsync(default);
        Assert.Equal(0, before.ExportsDeleted);
        Assert.True(exports.Blobs.ContainsKey(access.ExportBlobName!), "the zip must stay while its link works");
        Assert.Equal(1, before.StagingDeleted);
        Assert.Empty(staging.Names);

        clock.SetUtcNow(ends.AddMinutes(1));
        var after = await Sweep().RunAsync(default);
        Assert.Equal(1, after.ExportsDeleted);
        Assert.Empty(exports.Blobs);
        var stored = (await register.GetAsync(access.Id, default))!;
        Assert.Equal(ExportDeletionReason.LinkEnded, stored.ExportDeleted?.Reason);
        Assert.Equal(CaseRefusal.ExportDeleted, stored.DownloadRefusal(5));
        Assert.Contains(await audit.ListAsync(access.Id, default), e => e.Action == "export-deleted" && e.Outcome == "link ended");
        Assert.Equal(0, (await Sweep().RunAsync(default)).ExportsDeleted);
    }

    [Fact]
    public async Task A_withdrawn_zip_whose_delete_failed_is_deleted_by_the_next_sweep_once()
    {
        // Staff withdrew the zip (recorded), and the delete after it failed (a 503): the zip, the requester's data, is
        // still in storage, its link days from ending.
        var access = Closed(RequestType.Access, "an.peeters@example.be", Now.AddDays(-1));
        access = access with { ExportBlobName = BuildExport.BlobNameFor(access.Id), ExportExpiresAt = Now.AddDays(6) };
        await register.CreateAsync(access, default);
        await register.ApplyAsync(access.Id, x => x.RevokeExport("Els Janssens", Now.AddMinutes(-5)), default);
        exports.Blobs[access.ExportBlobName!] = [1, 2, 3];

        var swept = await Sweep().RunAsync(default);

        Assert.Equal(1, swept.ExportsDeleted);
        Assert.Empty(exports.Blobs);
        var stored = (await register.GetAsync(access.Id, default))!;
        Assert.Equal(ExportDeletionReason.Withdrawn, stored.ExportDeleted?.Reason);
        Assert.Equal(CaseRefusal.ExportRevoked, stored.DownloadRefusal(5));
        Assert.Contains(await audit.ListAsync(access.Id, default), e => e.Action == "export-deleted" && e.Outcome == "withdrawn");
        Assert.Equal(0, (await Sweep().RunAsync(default)).ExportsDeleted);
        Assert.Single(await audit.ListAsync(access.Id, default), e => e.Action == "export-deleted");
    }

    [Fact]
    public async Task A_zip_the_sweep_cannot_delete_is_counted_for_ops_at_each_run_until_a_run_deletes_it()
    {
        // The requester's data outlives what the notice says while storage refuses; before, only a warning in the log.
        var (failed, blob) = await FailedWithWithdrawnZipAsync();
        for (var run = 1; run <= 2; run++)
        {
            var refusing = new HookedExports(exports) { AfterVersion = () => throw new Azure.RequestFailedException(503, "Service unavailable") };
            var swept = await new RetentionSweep(register, inner, staging, refusing, audit, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance).RunAsync(default);

            Assert.Equal(1, swept.Failed);
            Assert.True(exports.Blobs.ContainsKey(blob));
            Assert.Equal(run, NotSwept("failed"));
        }

        // The next run deletes it and counts nothing more.
        Assert.Equal(1, (await Sweep().RunAsync(default)).ExportsDeleted);
        Assert.Empty(exports.Blobs);
        Assert.Equal(2, NotSwept("failed"));
        Assert.Equal(ExportDeletionReason.Withdrawn, (await register.GetAsync(failed.Id, default))!.ExportDeleted?.Reason);
    }

    [Fact]
    public async Task A_zip_a_staff_retry_writes_again_while_the_sweep_deletes_the_withdrawn_one_stays_and_its_link_works()
    {
        // A failed access case: staff withdrew its zip and the delete failed (a 503), so the sweep is to delete it. Right
        // after the sweep's re-read finds it still due, a colleague's retry writes the zip again under the same name and
        // mails its link (decision 101). The sweep must delete only the zip it found due, never the new one.
        var (failed, blob) = await FailedWithWithdrawnZipAsync();
        var retried = new RetryAfterRead(register, failed.Id, () => RetryAsync(failed.Id, blob));

        var swept = await new RetentionSweep(retried, inner, staging, exports, audit, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance).RunAsync(default);

        Assert.True(retried.Interleaved, "the retry must have run between the sweep's re-read and its delete");
        Assert.True(exports.Blobs.TryGetValue(blob, out var kept), "the zip the retry wrote again is the requester's answer: it must stay");
        Assert.Equal([9, 9, 9], kept);
        Assert.Equal(0, swept.ExportsDeleted);
        var stored = (await register.GetAsync(failed.Id, default))!;
        Assert.Equal(blob, stored.LiveExport);
        Assert.Null(stored.DownloadRefusal(5));
        Assert.DoesNotContain(await audit.ListAsync(failed.Id, default), e => e.Action == "export-deleted");

        // The next sweep leaves it too: it is neither withdrawn nor past its link.
        Assert.Equal(0, (await Sweep().RunAsync(default)).ExportsDeleted);
        Assert.True(exports.Blobs.ContainsKey(blob));
    }

    [Fact]
    public async Task A_zip_written_again_and_withdrawn_while_the_sweep_deletes_the_old_one_is_not_recorded_as_deleted_until_it_is()
    {
        // The sweep deletes the withdrawn zip; before it records that, a retry writes the zip again and a colleague
        // withdraws the new one too (its own delete still to come). The register must not say the new zip is deleted
        // while its blob is there: nothing would ever delete it then.
        var (failed, blob) = await FailedWithWithdrawnZipAsync();
        var hooked = new HookedExports(exports) { AfterDelete = () => RetryAndWithdrawAsync(failed.Id, blob) };

        var swept = await new RetentionSweep(register, inner, staging, hooked, audit, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance).RunAsync(default);

        Assert.True(hooked.Hooked, "the retry must have run between the sweep's delete and its record");
        Assert.Equal(0, swept.ExportsDeleted);
        Assert.Equal([9, 9, 9], exports.Blobs[blob]);
        var stored = (await register.GetAsync(failed.Id, default))!;
        Assert.Null(stored.ExportDeleted);
        Assert.Equal(CaseRefusal.ExportRevoked, stored.DownloadRefusal(5));

        // The next sweep deletes the new zip, and records it.
        Assert.Equal(1, (await Sweep().RunAsync(default)).ExportsDeleted);
        Assert.Empty(exports.Blobs);
        Assert.Equal(ExportDeletionReason.Withdrawn, (await register.GetAsync(failed.Id, default))!.ExportDeleted?.Reason);
    }

    [Fact]
    public async Task A_zip_gone_already_and_written_again_before_the_sweeps_reread_is_left_to_the_next_sweep()
    {
        // The withdrawn zip is gone from storage already (its version: none). Between that read and the sweep's re-read a
        // retry writes the zip again and a colleague withdraws the new one: due too, but not the zip the sweep read, so
        // this run neither deletes it nor records it deleted.
        var (failed, blob) = await FailedWithWithdrawnZipAsync();
        exports.Blobs.TryRemove(blob, out _);
        var hooked = new HookedExports(exports) { AfterVersion = () => RetryAndWithdrawAsync(failed.Id, blob) };

        var swept = await new RetentionSweep(register, inner, staging, hooked, audit, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance).RunAsync(default);

        Assert.True(hooked.Hooked, "the retry must have run between the sweep's version read and its re-read");
        Assert.Equal(0, swept.ExportsDeleted);
        Assert.Equal([9, 9, 9], exports.Blobs[blob]);
        Assert.Null((await register.GetAsync(failed.Id, default))!.ExportDeleted);

        Assert.Equal(1, (await Sweep().RunAsync(default)).ExportsDeleted);
        Assert.Empty(exports.Blobs);
        Assert.Equal(ExportDeletionReason.Withdrawn, (await register.GetAsync(failed.Id, default))!.ExportDeleted?.Reason);
    }

    /// <summary>A failed access case whose zip staff withdrew and whose delete failed (a 503): the sweep's to delete.</summary>
    private async Task<(PrivacyCase Case, string Blob)> FailedWithWithdrawnZipAsync()
    {
        var failed = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, Now.AddDays(-3), TestDataMaps.Real);
        failed = (failed with { EmailVerifiedAt = failed.ReceivedAt, ExportBlobName = BuildExport.BlobNameFor(failed.Id), ExportWrittenAt = Now.AddDays(-1) })
            .WithStatus(CaseStatus.InProgress, Now.AddDays(-2)).Fail(Now.AddHours(-2), "DeliverExport").Changed!;
        await register.CreateAsync(failed, default);
        await register.ApplyAsync(failed.Id, x => x.RevokeExport("Els Janssens", Now.AddMinutes(-5)), default);
        exports.Blobs[failed.ExportBlobName!] = [1, 2, 3];
        return (failed, failed.ExportBlobName!);
    }

    /// <summary>A staff retry, then what BuildExport does on it: the old zip's record goes first, then the new zip, then its record.</summary>
    private async Task RetryAsync(string caseId, string blob)
    {
        Assert.False((await register.ApplyAsync(caseId, x => x.Retry("Jan Peeters", Now), default)).Refused);
        Assert.False((await register.ApplyAsync(caseId, x => x.ReplaceExport(Now), default)).Refused);
        await exports.WriteAsync(blob, await exports.GetVersionAsync(blob, default), (s, ct) => s.WriteAsync(new byte[] { 9, 9, 9 }, ct).AsTask(), default);
        await register.ApplyAsync(caseId, x => x.ExportWritten(blob, Now), default);
    }

    /// <summary>A staff retry writes the zip again, then a colleague withdraws the new one, whose own delete has not run yet.</summary>
    private async Task RetryAndWithdrawAsync(string caseId, string blob)
    {
        await RetryAsync(caseId, blob);
        Assert.False((await register.ApplyAsync(caseId, x => x.RevokeExport("Jan Peeters", Now), default)).Refused);
    }

    [Fact]
    public async Task Staged_records_of_a_case_still_collecting_stay()
    {
        var open = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, Now, TestDataMaps.Real);
        await register.CreateAsync(open.WithStatus(CaseStatus.InProgress, Now), default);
        await staging.WriteAsync(open.Id, "be/crm", One(), default);

        Assert.Equal(0, (await Sweep().RunAsync(default)).StagingDeleted);
        Assert.Single(staging.Names);
    }

    [Fact]
    public async Task A_case_past_its_retention_is_removed_with_its_audit_trail_and_a_signed_checkpoint_keeps_the_removal_verifiable()
    {
        var old = Closed(RequestType.Erasure, "oud@example.be", Now - SystemRetention.Case - TimeSpan.FromDays(1));
        var younger = Closed(RequestType.Access, "jonger@example.be", Now - SystemRetention.Case + TimeSpan.FromDays(30));
        var failed = Closed(RequestType.Access, "mislukt@example.be", Now - SystemRetention.Case - TimeSpan.FromDays(1)).WithStatus(CaseStatus.Failed, Now - SystemRetention.Case - TimeSpan.FromDays(1));
        foreach (var c in new[] { old, younger, failed })
        {
            await register.CreateAsync(c, default);
            await register.ApplyAsync(c.Id, x => x.EraseIdentifiers(hash.Subject(EmailAddresses.Normalise(c.Email)), Now.AddYears(-1), SystemRetention.CaseIdentifiers), default);
        }

        var events = (await audit.ListAsync(old.Id, default)).Count;
        Assert.True(events >= 3);
        Assert.NotNull((await register.GetAsync(old.Id, default))!.IdentifiersErasedAt);

        var result = await Sweep().RunAsync(default);

        Assert.Equal(1, result.CasesRemoved);
        Assert.Null(await register.GetAsync(old.Id, default));
        Assert.Empty(await audit.ListAsync(old.Id, default));
        Assert.NotNull(await register.GetAsync(younger.Id, default));
        Assert.NotNull(await register.GetAsync(failed.Id, default));

        var checkpoint = await audit.CheckpointAsync(old.Id, default);
        Assert.NotNull(checkpoint);
        Assert.Equal(events, checkpoint!.Sequence);
        var verified = chain.Verify(old.Id, [], checkpoint);
        Assert.True(verified.Intact, verified.ToString());
        Assert.StartsWith($"intact: 0 events after a signed checkpoint (events 1-{events} removed 2033-03-01: retention ended)", verified.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("@", checkpoint.ToString(), StringComparison.Ordinal);

        // A checkpoint nobody with the key signed (or one edited to hide more events) does not verify.
        Assert.False(chain.Verify(old.Id, [], checkpoint with { Sequence = events + 5 }).Intact);
        Assert.False(new AuditChain(RandomNumberGenerator.GetBytes(32)).Verify(old.Id, [], checkpoint).Intact);
    }

    [Fact]
    public async Task A_joined_request_past_its_own_retention_stays_while_the_request_that_answered_it_is_younger()
    {
        // Session 45's hunt: a request that joined an open one was removed six years after it joined, while the answer
        // that answered it came later (our last step on it too).
        var answering = Closed(RequestType.Access, "jan@example.be", Now - SystemRetention.Case + TimeSpan.FromDays(60));
        var joinedAt = Now - SystemRetention.Case - TimeSpan.FromDays(1);
        var received = PrivacyCase.Received(new ValidRequest(RequestType.Access, "jan@example.be", "Jan", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, joinedAt.AddDays(-1), TestDataMaps.Real);
        var joined = (received with { EmailVerifiedAt = joinedAt, JoinedCaseId = answering.Id }).WithStatus(CaseStatus.Joined, joinedAt);
        foreach (var c in new[] { answering, joined })
        {
            await register.CreateAsync(c, default);
            await register.ApplyAsync(c.Id, x => x.EraseIdentifiers(hash.Subject(EmailAddresses.Normalise(c.Email)), Now, SystemRetention.CaseIdentifiers, answering), default);
        }

        Assert.NotNull((await register.GetAsync(joined.Id, default))!.IdentifiersErasedAt);
        Assert.NotNull((await register.GetAsync(answering.Id, default))!.IdentifiersErasedAt);

        Assert.Equal(0, (await Sweep().RunAsync(default)).CasesRemoved);
        Assert.NotNull(await register.GetAsync(joined.Id, default));

        // Once the answering request is past its retention too, both go.
        clock.Advance(TimeSpan.FromDays(61));
        Assert.Equal(2, (await Sweep().RunAsync(default)).CasesRemoved);
        Assert.Null(await register.GetAsync(joined.Id, default));
    }

    [Fact]
    public async Task A_case_past_its_retention_whose_audit_trail_does_not_verify_is_kept_and_counted_for_ops()
    {
        var old = Closed(RequestType.Erasure, "oud@example.be", Now - SystemRetention.Case - TimeSpan.FromDays(1));
        await register.CreateAsync(old, default);
        await register.ApplyAsync(old.Id, x => x.EraseIdentifiers(hash.Subject(EmailAddresses.Normalise(old.Email)), Now.AddYears(-1), SystemRetention.CaseIdentifiers), default);

        // One event's outcome edited after it was chained: the sweep must not cut such a trail, and someone must look.
        // Kept and counted at every run, so the alert goes on until someone deals with it.
        var tampered = new TamperedAudit(audit, old.Id);
        for (var run = 1; run <= 2; run++)
        {
            var result = await new RetentionSweep(register, inner, staging, exports, tampered, chain, Options.Create(new PrivacyOptions()), clock, metrics, NullLogger<RetentionSweep>.Instance).RunAsync(default);
            Assert.Equal(0, result.CasesRemoved);
            Assert.NotNull(await register.GetAsync(old.Id, default));
            Assert.Equal(run, NotSwept("audit-chain-broken"));
        }

        Assert.Equal(0, NotSwept("failed"));
    }

    /// <summary>The trail as stored, but with the first event of <paramref name="caseId"/> read back with another outcome.</summary>
    private sealed class TamperedAudit(InMemoryAudit inner, string caseId) : IAuditTrail
    {
        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => inner.AppendAsync(entry, cancellationToken);

        public Task AppendMissingAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => inner.AppendMissingAsync(entries, cancellationToken);

        public async Task<IReadOnlyList<AuditEvent>> ListAsync(string id, CancellationToken cancellationToken)
        {
            var events = await inner.ListAsync(id, cancellationToken);
            return id == caseId ? [events[0] with { Outcome = events[0].Outcome + " (edited)" }, .. events.Skip(1)] : events;
        }

        public Task<IReadOnlyList<AuditHead>> HeadsAsync(string id, CancellationToken cancellationToken) => inner.HeadsAsync(id, cancellationToken);

        public Task<AuditCheckpoint?> CheckpointAsync(string id, CancellationToken cancellationToken) => inner.CheckpointAsync(id, cancellationToken);

        public Task CutAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) => inner.CutAsync(checkpoint, cancellationToken);
    }

    [Fact]
    public async Task Registration_claims_and_handled_mail_markers_are_deleted_after_their_time()
    {
        async Task Marker(string id, TimeSpan age)
        {
            await inner.TryConsumeTokenAsync(id, "-", default);
            inner.MarkerTimes[id] = Now - age;
        }

        await Marker("open.old", TimeSpan.FromDays(2));
        await Marker("open.new", TimeSpan.FromHours(1));
        await Marker("mail.old", TimeSpan.FromDays(400));
        await Marker("mail.new", TimeSpan.FromDays(100));

        var result = await Sweep().RunAsync(default);

        Assert.Equal(2, result.MarkersDeleted);
        Assert.Null(await inner.UsedForAsync("open.old", default));
        Assert.Null(await inner.UsedForAsync("mail.old", default));
        Assert.NotNull(await inner.UsedForAsync("open.new", default));
        Assert.NotNull(await inner.UsedForAsync("mail.new", default));
    }
}
