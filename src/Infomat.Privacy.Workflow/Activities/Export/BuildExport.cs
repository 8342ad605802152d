using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities.Export;

/// <summary>
/// Streams the zip for the case into the exports container, then deletes the records staged for it: the zip is the only
/// copy left. A retry after the zip was written (its reply lost) returns that zip and deletes what is still staged; a
/// zip recorded before but withdrawn, deleted or gone since, written before the review of its free text that now
/// stands (<see cref="PrivacyCase.ExportPredatesReview"/>), or before a staff retry that collected again
/// (<see cref="PrivacyCase.ExportPredatesRetry"/>), is replaced (<see cref="PrivacyCase.ReplaceExport"/>). Two runs at
/// once (the step delivered twice) never leave a zip in storage the register calls gone, nor one written from what the
/// other read over the zip handed out (decision 135).
/// </summary>
public sealed class BuildExport(
    ICaseRegister register, IStagingStorage staging, IExportStorage exports, IEntityStoreCatalog stores, DataMap dataMap, TimeProvider time, KeyedHash hash, ILogger<BuildExport> log,
    Microsoft.Extensions.Options.IOptions<Configuration.PrivacyOptions>? options = null)
    : TaskActivity<BuildExportInput, ExportResult>
{
    public static string BlobNameFor(string caseId) => $"{caseId}/infomat-export-{caseId}.zip";

    public override async Task<ExportResult> RunAsync(TaskActivityContext context, BuildExportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var blobName = BlobNameFor(input.CaseId);
        // The zip's version before the case is read: this run's zip is committed only over it, so a zip written since (by
        // a staff retry's run, or by this step's other run when it is delivered twice) is never written over with what
        // this run read (decision 135).
        var before = await exports.GetVersionAsync(blobName, CancellationToken.None);
        var c = await register.RequireAsync(input.CaseId);
        if (await HandedOutAsync(c, blobName) is { } built)
        {
            return built;
        }

        if (c.ExportBlobName is not null)
        {
            // Written before and withdrawn, deleted or gone since (a failed case retried), or written before the review
            // that now stands: its record goes before the new write, so a write that breaks part-way is written again
            // by the retry, never handed out.
            var replaced = await register.ApplyAsync(c.Id, x => x.ReplaceExport(time.GetUtcNow()), CancellationToken.None);
            if (replaced.Refused)
            {
                // The answer went with that zip (it is never replaced), or this run is no longer the case's: flagged failed
                // since, or an erasure is deleting its copies (ids only in the message).
                throw new InvalidOperationException($"Case {c.Id}: its recorded zip is not written again by this run ({replaced.Refusal}).");
            }

            c = replaced.Case;
        }

        var manifest = new Infomat.Privacy.Export.ExportManifest(
            c.Id,
            c.Language,
            c.Email,
            time.GetUtcNow(),
            dataMap,
            dataMap.ControllersOf(c.Entity),
            input.Parts.Select(p => new Infomat.Privacy.Export.StorePart(dataMap.Store(p.StoreKey), p.TableCounts) { Suppressed = p.Suppressed }).ToList(),
            c.Rights.Contains(RequestType.Portability),
            AccessToo: c.Rights.Contains(RequestType.Access))
        {
            // What staff withheld in the review of the free text (Art. 15(4)); none when there was no review.
            Withheld = c.Withheld,
            LinkLifetime = options?.Value.Export.LinkLifetime,
        };

        var read = await Infomat.Privacy.Export.StagedParts.PrefetchAsync(
            [.. input.Parts.Select(p => (p.StoreKey, p.TableCounts.Values.Sum()))], key => staging.ReadAsync(c.Id, key, CancellationToken.None), CancellationToken.None);
        // The zip replaces any earlier one only once whole: a second run of this step, delivered while the first's zip
        // is already out, never empties it, and a write that breaks (its staged part deleted by the first) leaves it.
        // The free text written is fingerprinted on the way: a zip of free text staff did not review (staged records
        // rewritten after the review by a collect delivered twice) is never committed (Art. 15(4), decision 117).
        var reviewed = c;
        var version = await exports.WriteAsync(blobName, before, async (output, ct) =>
        {
            var seen = new Infomat.Privacy.Export.Fingerprint(Review.OpenExportReview.FingerprintKey(hash));
            await Infomat.Privacy.Export.ExportPackageWriter.WriteAsync(
                output, manifest, s => Infomat.Privacy.Export.FreeTextReview.ObserveAsync(s, read(s.Key), seen, ct), ct,
                (store, table, fileName, token) => stores.Find(store.Key).OpenFileAsync(table, fileName, c.Email, token));
            if (reviewed.ExportBuildRefusal(seen.Values, seen.Value) is { } refusal)
            {
                throw new InvalidOperationException($"Case {reviewed.Id}: its staged free text is not what staff reviewed ({refusal}); no zip is built, and a retry of the case reviews it again.");
            }
        }, CancellationToken.None);
        if (version is null)
        {
            // Another run wrote, changed or deleted the zip since its version was read: nothing is written. When that was
            // this step's other run and its zip is the one handed out, it is this step's answer too.
            return await HandedOutAsync(await register.RequireAsync(c.Id), blobName)
                ?? throw new InvalidOperationException($"Case {c.Id}: its zip was written, changed or deleted by another run while this one wrote it; nothing is written, and a retry of this step judges the case as it stands.");
        }

        var size = await exports.GetSizeAsync(blobName, CancellationToken.None) ?? 0;
        var recorded = await register.ApplyAsync(c.Id, x => x.ExportWritten(blobName, time.GetUtcNow(), reviewed), CancellationToken.None);
        if (recorded.Refused && !recorded.Case.HandsOut(blobName, time.GetUtcNow()))
        {
            // Another run of this step (delivered twice) recorded its zip first, and it was withdrawn, deleted or replaced
            // since, or is being deleted: this run's zip, committed after its deletion, would stay in storage under a
            // record that says it is gone. Deleted at the version written, so a zip written since is left (decision 135).
            var gone = await exports.DeleteAsync(blobName, version, CancellationToken.None);
            log.DuplicateExportDeleted(c.Id, gone);
            throw new InvalidOperationException($"Case {c.Id}: another run of this step recorded its zip first, no longer handed out; this run's zip is {(gone ? "deleted" : "written over since and left")}.");
        }

        // Recorded now, or by another run of this step whose zip this one wrote over: committed over the version that run
        // wrote, so from the same staged records and review. Either way the zip handed out.
        log.ExportWritten(c.Id, size);
        await DeleteStagedAsync(c.Id);
        return new ExportResult(blobName, size);
    }

    /// <summary>The zip <paramref name="c"/> hands out (<see cref="PrivacyCase.HandsOut"/>) when it is in storage, its staged records deleted; else null.</summary>
    private async Task<ExportResult?> HandedOutAsync(PrivacyCase c, string blobName)
    {
        if (!c.HandsOut(blobName, time.GetUtcNow()) || await exports.GetSizeAsync(blobName, CancellationToken.None) is not { } size)
        {
            return null;
        }

        await DeleteStagedAsync(c.Id);
        return new ExportResult(blobName, size);
    }

    private async Task DeleteStagedAsync(string caseId)
    {
        var deleted = await staging.DeleteCaseAsync(caseId, CancellationToken.None);
        log.StagingDeleted(caseId, deleted);
    }
}

public sealed record BuildExportInput(string CaseId, IReadOnlyList<CollectResult> Parts);

public sealed record ExportResult(string BlobName, long Bytes);
