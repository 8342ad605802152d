using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities.StoreActions;

/// <summary>
/// Carries out the case's action in one store. The store records it under the case id in the same transaction, so a
/// retry returns the first outcome and changes nothing more (the records still matching counted again). Audited once
/// per run of the case (<see cref="PrivacyCase.RunSuffix"/>): a staff retry's run is audited with what it found then.
/// Returns counts and dates only.
/// </summary>
public sealed class ApplyInStore(ICaseRegister register, IEntityStoreCatalog stores, IAuditTrail audit, KeyedHash hash, TimeProvider time, ILogger<ApplyInStore> log)
    : TaskActivity<ApplyInput, StoreOutcome>
{
    public override async Task<StoreOutcome> RunAsync(TaskActivityContext context, ApplyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        var outcome = await stores.Find(input.StoreKey).ApplyAsync(new StoreActionRequest(c.Id, input.Action, c.Email, time.GetUtcNow()) { KeepsHeldRecords = c.KeepsHeldRecords }, CancellationToken.None);
        log.Applied(c.Id, input.Action.ToString(), input.StoreKey, outcome.Matched);
        var t = outcome.Tables;
        // A store that did the action for this case before answers with what it did then, counting again only what still
        // matches: such a run is audited as that, not as a second deletion, with the counts the store recorded then (the
        // earlier run's own event may never have been written: its append failed, or the host died before it).
        var counts = $"matched={outcome.Matched} deleted={t.Sum(x => x.Deleted)} anonymised={t.Sum(x => x.Anonymised)} " +
                     $"restricted={t.Sum(x => x.Restricted)} updated={t.Sum(x => x.Updated)} retained={t.Sum(x => x.Retained)}";
        var done = outcome.RecordedEarlier
            ? $"{input.StoreKey} {input.Action.ToString().ToLowerInvariant()} done earlier for this case ({counts}), nothing more done now"
            : $"{input.StoreKey} {input.Action.ToString().ToLowerInvariant()} {counts}";
        await audit.AppendAsync(new AuditEntry(c.Id, $"store.{input.Action}.{input.StoreKey}" + c.RunSuffix, AuditActions.StoreAction, AuditEvent.System,
            $"{done} remaining={t.Sum(x => x.RemainingAfter)}", c.SubjectIn(hash)), CancellationToken.None);
        return outcome;
    }
}

/// <summary>One store action of a case.</summary>
public sealed record ApplyInput(string CaseId, string StoreKey, StoreAction Action);
