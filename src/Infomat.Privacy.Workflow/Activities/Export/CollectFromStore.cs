using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities.Export;

/// <summary>Collects one store's records for the person into blob staging; returns the count only.</summary>
public sealed class CollectFromStore(ICaseRegister register, IEntityStoreCatalog stores, IStagingStorage staging, IAuditTrail audit, KeyedHash hash, ILogger<CollectFromStore> log)
    : TaskActivity<CollectInput, CollectResult>
{
    public override async Task<CollectResult> RunAsync(TaskActivityContext context, CollectInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        var store = stores.Find(input.StoreKey);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var scope = c.Type == RequestType.Portability ? CollectScope.ProvidedBySubject : CollectScope.All;
        var count = await staging.WriteAsync(c.Id, input.StoreKey, Counted(store.CollectAsync(c.Email, scope, CancellationToken.None), counts), CancellationToken.None);
        log.Staged(c.Id, count, input.StoreKey);
        // The suppression list's code is the person's data too (pseudonymised), so an access answer names it; not
        // portable (nothing the person provided).
        var suppressed = scope == CollectScope.All && await store.IsSuppressedAsync(c.Email, CancellationToken.None);
        // Once per run of the case: a staff retry collects again, and what it collected then is what its answer holds.
        await audit.AppendAsync(new AuditEntry(c.Id, $"collect.{input.StoreKey}" + c.RunSuffix, AuditActions.StoreCollect, AuditEvent.System,
            $"{input.StoreKey} records={count}", c.SubjectIn(hash)), CancellationToken.None);
        return new CollectResult(input.StoreKey, counts, suppressed);
    }

    private static async IAsyncEnumerable<StoreRecord> Counted(IAsyncEnumerable<StoreRecord> records, Dictionary<string, int> counts)
    {
        await foreach (var record in records)
        {
            counts[record.Table] = counts.GetValueOrDefault(record.Table) + 1;
            yield return record;
        }
    }
}

public sealed record CollectInput(string CaseId, string StoreKey);

/// <summary>
/// How many records a store holds for the person, per table (counts only), and whether its suppression list holds the
/// person's code (<paramref name="Suppressed"/>; false in a result recorded before it was asked).
/// </summary>
public sealed record CollectResult(string StoreKey, IReadOnlyDictionary<string, int> TableCounts, bool Suppressed = false);
