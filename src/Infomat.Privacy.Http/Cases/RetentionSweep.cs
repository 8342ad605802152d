using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Retention;
using Infomat.Privacy.Storage;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Cases;

/// <summary>What one retention sweep removed (counts only); <see cref="Failed"/> items are tried again at the next run.</summary>
public sealed record RetentionResult(int ExportsDeleted, int StagingDeleted, int CasesRemoved, int MarkersDeleted, int Failed = 0, int CountersDeleted = 0);

/// <summary>
/// Enforces <see cref="SystemRetention"/> on the system's own records (issue 16, item 9; hourly): a zip whose download
/// link ended is deleted (the download page then says so), and so is a zip staff withdrew whose delete failed
/// (<see cref="PrivacyCase.ExportDeletionDue"/>, decision 108); records still staged for a case that no longer needs them
/// are deleted; a case closed longer than <c>Privacy:Staff:CaseRetention</c> (its identifiers erased a year before by
/// the case sweep) is removed with its audit trail, whose events a signed checkpoint replaces so the removal itself
/// can be verified (<c>verify-audit</c>); intake claims and handled-mail markers past their time are deleted, and so are
/// submission counters whose windows ended (<see cref="ISubmissionCounters"/>). Each item
/// is swept on its own: a failure is counted and logged by id, and the rest goes on; what a run could not delete is
/// counted for ops (<see cref="PrivacyMetrics.RetentionNotSwept"/>), alerted while it lasts.
/// </summary>
public sealed partial class RetentionSweep(
    ICaseRegister register, IRegisterCleanup cleanup, IStagingStorage staging, IExportStorage exports, IAuditTrail audit, AuditChain chain,
    IOptions<PrivacyOptions> options, TimeProvider time, PrivacyMetrics metrics, ILogger<RetentionSweep> log, ISubmissionCounters? limits = null)
{
    /// <summary>The reason a checkpoint gives for the events it replaces.</summary>
    public const string RetentionEnded = "retention ended";

    public async Task<RetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int exportsDeleted = 0, stagingDeleted = 0, removed = 0, markers = 0, failed = 0, counters = 0;
        try
        {
            return await SweepAsync();
        }
        finally
        {
            // Each run counts what it could not check or delete, also when a listing then stopped the run: ops are
            // alerted while personal data may outlive its retention.
            metrics.RetentionItemsNotSwept(failed, "failed");
        }

        async Task<RetentionResult> SweepAsync()
        {
            await foreach (var c in register.ListAllAsync(cancellationToken))
            {
                try
                {
                    // Only the zip found due: a retry of a failed case whose zip was withdrawn writes a new zip under the
                    // same name, and that one must not go, nor be recorded as gone (the transition refuses a zip other than
                    // the one deleted). A zip that changed meanwhile is tried again at the next run.
                    if (await DueExports.DeleteAsync(register, exports, c, now, cancellationToken) is (var found, true)
                        && !(await register.ApplyAsync(c.Id, x => x.RecordExportDeleted(now, found), cancellationToken)).Refused)
                    {
                        exportsDeleted++;
                    }

                    // A joined request is kept as long as the request that answered it (PrivacyCase.RetentionStartBeside); that
                    // case is looked up only for one due on its own.
                    if (c.IsDueForRemoval(now, options.Value.Staff.CaseRetention)
                        && c.IsDueForRemoval(now, options.Value.Staff.CaseRetention, await register.AnsweringCaseAsync(c, cancellationToken))
                        && await RemoveAsync(c, now, cancellationToken))
                    {
                        removed++;
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    ItemFailed(log, c.Id, ex.GetType().Name);
                }
            }

            await foreach (var caseId in staging.ListCasesAsync(cancellationToken))
            {
                try
                {
                    if (await register.GetAsync(caseId, cancellationToken) is not { } c || !c.NeedsStaging)
                    {
                        stagingDeleted += await staging.DeleteCaseAsync(caseId, cancellationToken) > 0 ? 1 : 0;
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    ItemFailed(log, caseId, ex.GetType().Name);
                }
            }

            await foreach (var marker in cleanup.ListMarkersAsync(cancellationToken))
            {
                if (now - marker.UsedAt <= marker.Keep)
                {
                    continue;
                }

                try
                {
                    await cleanup.DeleteMarkerAsync(marker, cancellationToken);
                    markers++;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    ItemFailed(log, marker.CaseId, ex.GetType().Name);
                }
            }

            if (limits is not null)
            {
                try
                {
                    // Submission counters whose windows ended (decision 63); a row its key wrote again meanwhile is kept (decision 89).
                    counters = await limits.DeleteEndedAsync(now, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    ItemFailed(log, "submission-limits", ex.GetType().Name);
                }
            }

            Swept(log, exportsDeleted, stagingDeleted, removed, markers, counters, failed);
            return new RetentionResult(exportsDeleted, stagingDeleted, removed, markers, failed, counters);
        }
    }

    /// <summary>
    /// The audit trail first (a signed checkpoint, then the events go), then any blob left, then the row: cut short, the
    /// row is still there and the next run finishes. A chain that does not verify is not cut: staff must see it.
    /// </summary>
    private async Task<bool> RemoveAsync(PrivacyCase c, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var earlier = await audit.CheckpointAsync(c.Id, cancellationToken);
        var events = await audit.ListAsync(c.Id, cancellationToken);
        if (chain.Checkpoint(c.Id, events, now, RetentionEnded, earlier) is not { } checkpoint)
        {
            ChainBroken(log, c.Id);
            metrics.RetentionItemsNotSwept(1, "audit-chain-broken");
            return false;
        }

        await audit.CutAsync(checkpoint, cancellationToken);
        await staging.DeleteCaseAsync(c.Id, cancellationToken);
        await exports.DeleteCaseAsync(c.Id, cancellationToken);
        await cleanup.DeleteCaseAsync(c.Id, cancellationToken);
        return true;
    }

    [LoggerMessage(163, LogLevel.Information, "Retention sweep: {Exports} exports deleted, staging of {Staging} cases deleted, {Cases} cases removed, {Markers} intake markers deleted, {Counters} ended submission counters deleted, {Failed} items not swept")]
    private static partial void Swept(ILogger logger, int exports, int staging, int cases, int markers, int counters, int failed);

    [LoggerMessage(121, LogLevel.Warning, "Retention sweep: {Id} could not be swept ({Error}); tried again at the next run")]
    private static partial void ItemFailed(ILogger logger, string id, string error);

    [LoggerMessage(122, LogLevel.Error, "Retention sweep: case {CaseId} is due for removal but its audit chain does not verify; kept for staff to look at")]
    private static partial void ChainBroken(ILogger logger, string caseId);
}
