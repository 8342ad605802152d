using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities.StoreActions;

/// <summary>
/// For an erasure, after the stores acted: deletes the zip and the staged records of every earlier access or
/// portability case of the same person that is no longer being answered, or was flagged failed after approval
/// (the rule: <see cref="PrivacyCase.ReachedBy"/>; one still being answered keeps them, and the report says so), found in the case register by the address (or, for cases whose identifiers the
/// register already erased, by its keyed hash), and records which cases on the erasure, so the report says so. Each
/// earlier case records that its export was deleted, so its download link says the export is gone. While its copies
/// are being deleted, an earlier case refuses a staff retry (<see cref="PrivacyCase.BeginErasingCopies"/>), and one
/// retried since the list was read is left to its retry, which answers from the stores as this erasure left them
/// (decision 133). Safe to retry: deleting again finds nothing, and the
/// first record stands.
/// </summary>
public sealed class EraseEarlierCopies(ICaseRegister register, IStagingStorage staging, IExportStorage exports, KeyedHash hash, TimeProvider time, ILogger<EraseEarlierCopies> log)
    : TaskActivity<string, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        if (c.Type != RequestType.Erasure || c.Email.Length == 0)
        {
            return 0;
        }

        var subject = c.SubjectIn(hash);
        var at = time.GetUtcNow();
        var earlier = new List<string>();
        var kept = new List<string>();
        var again = new List<string>();
        var retried = new List<string>();
        var blobs = 0;
        await foreach (var other in register.ListAllAsync(CancellationToken.None))
        {
            var reach = other.ReachedBy(c, subject);
            if (reach == ErasureReach.KeptWhileAnswered)
            {
                kept.Add(other.Id);
            }

            if (reach is not (ErasureReach.Erased or ErasureReach.ErasedAnsweredAgain))
            {
                continue;
            }

            // Marked first, on the case as stored now: a staff retry is refused from here until the record below, and one
            // that came since the list was read is being answered again, from the stores as this erasure left them.
            var marked = await register.ApplyAsync(other.Id, x => x.BeginErasingCopies(c, subject), CancellationToken.None);
            if (marked.Refusal == CaseRefusal.WrongStatus)
            {
                // Retried since the list was read: its run collects again, from the stores as this erasure left them,
                // and answers from that, unless it still hands out a zip written before the retry (a link to it may
                // have gone): then it answers with the data collected before, as a case still being answered does.
                if (marked.Case.Retries.Count > other.Retries.Count)
                {
                    (marked.Case.AnswersWithZipFromBeforeRetry ? kept : retried).Add(other.Id);
                }

                continue;
            }

            blobs += await staging.DeleteCaseAsync(other.Id, CancellationToken.None);
            blobs += await exports.DeleteCaseAsync(other.Id, CancellationToken.None);
            await register.ApplyAsync(other.Id, x => x.CopiesErased(at, c.Id), CancellationToken.None);
            (marked.Case.ReachedBy(c, subject) == ErasureReach.Erased ? earlier : again).Add(other.Id);
        }

        earlier.Sort(StringComparer.Ordinal);
        kept.Sort(StringComparer.Ordinal);
        again.Sort(StringComparer.Ordinal);
        retried.Sort(StringComparer.Ordinal);
        var recorded = await register.ApplyAsync(c.Id, x => x.RecordEarlierCopiesErased(at, earlier, blobs, kept, again, retried), CancellationToken.None);
        log.EarlierCopiesErased(c.Id, earlier.Count + again.Count, blobs);
        return recorded.Case.EarlierCopiesErased is { } copies ? copies.CaseIds.Count + copies.AnsweredAgain.Count : earlier.Count + again.Count;
    }
}
