using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.StoreActions;

using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Review of 7 December: the audit trail keeps one event per key, and a store's action and collect were keyed per store
/// only. A staff retry ran them again and what they found then (a record synced back after an erasure, another count of
/// records collected) never reached the trail, while the report told the requester "this result is recorded in the
/// audit trail of your request".
/// </summary>
public sealed class StoreAuditTests
{
    private const string Email = "an.peeters@example.be";

    private readonly InMemoryRegister register = new();
    private readonly FakeStores stores = new();
    private readonly InMemoryAudit audit = new();
    private readonly KeyedHash hash = new(RandomNumberGenerator.GetBytes(32));

    private async Task<PrivacyCase> CaseAsync(RequestType type)
    {
        var c = PrivacyCase.Received(new ValidRequest(type, Email, "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.En, null, null),
            Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real);
        await register.CreateAsync(c, default);
        return c;
    }

    /// <summary>As a staff retry leaves the case: one more retry on record (what the step's audit keys count).</summary>
    private Task RetriedAsync(string caseId) =>
        register.UpdateAsync(caseId, x => x with { Retries = [.. x.Retries, new StaffRetry("Els", DateTimeOffset.UtcNow)] }, default);

    [Fact]
    public async Task An_erasure_run_again_after_a_staff_retry_is_audited_with_the_record_it_found_back()
    {
        var c = await CaseAsync(RequestType.Erasure);
        stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An" }] };
        var apply = new ApplyInStore(register, stores, audit, hash, TimeProvider.System, NullLogger<ApplyInStore>.Instance);
        var first = await apply.RunAsync(null!, new ApplyInput(c.Id, "be/crm", StoreAction.Erase));
        Assert.Equal(0, first.Tables.Sum(t => t.RemainingAfter));

        // The CRM's sync puts the contact back; the case failed at its report and a colleague retries it.
        stores.Data["be/crm"][Email].Add(new JsonObject { ["first_name"] = "An" });
        await RetriedAsync(c.Id);
        var again = await apply.RunAsync(null!, new ApplyInput(c.Id, "be/crm", StoreAction.Erase));
        // A step retried within the same run appends nothing more.
        await apply.RunAsync(null!, new ApplyInput(c.Id, "be/crm", StoreAction.Erase));

        Assert.Equal(1, again.Tables.Sum(t => t.RemainingAfter));
        var events = (await audit.ListAsync(c.Id, default)).Where(e => e.Action == AuditActions.StoreAction).Select(e => e.Outcome).ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal("be/crm erase matched=1 deleted=1 anonymised=0 restricted=0 updated=0 retained=0 remaining=0", events[0]);
        // The store did the erasure for this case before: the retry's event says so, not a second deletion.
        Assert.Equal("be/crm erase done earlier for this case (matched=1 deleted=1 anonymised=0 restricted=0 updated=0 retained=0), nothing more done now remaining=1", events[1]);
    }

    [Fact]
    public async Task An_erasure_whose_audit_append_failed_is_audited_with_its_counts_when_the_step_runs_again()
    {
        // The store erased and recorded it; the audit append failed (or the host died before it). The step's retry finds
        // the store's record: the trail's only event for the store must still say what the erasure did.
        var c = await CaseAsync(RequestType.Erasure);
        stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An" }] };
        var failing = new FailingStoreAudit(audit);
        var apply = new ApplyInStore(register, stores, failing, hash, TimeProvider.System, NullLogger<ApplyInStore>.Instance);
        await Assert.ThrowsAsync<InvalidOperationException>(() => apply.RunAsync(null!, new ApplyInput(c.Id, "be/crm", StoreAction.Erase)));

        await apply.RunAsync(null!, new ApplyInput(c.Id, "be/crm", StoreAction.Erase));

        var only = Assert.Single(await audit.ListAsync(c.Id, default), e => e.Action == AuditActions.StoreAction);
        Assert.Equal("be/crm erase done earlier for this case (matched=1 deleted=1 anonymised=0 restricted=0 updated=0 retained=0), nothing more done now remaining=0", only.Outcome);
    }

    /// <summary>An audit trail whose first append of a store's action fails, after the store did it.</summary>
    private sealed class FailingStoreAudit(IAuditTrail inner) : IAuditTrail
    {
        private int failed;

        public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
            entry.Key.StartsWith("store.", StringComparison.Ordinal) && Interlocked.Exchange(ref failed, 1) == 0
                ? throw new InvalidOperationException("audit table unavailable")
                : inner.AppendAsync(entry, cancellationToken);

        public Task AppendMissingAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => inner.AppendMissingAsync(entries, cancellationToken);

        public Task<IReadOnlyList<AuditEvent>> ListAsync(string caseId, CancellationToken cancellationToken) => inner.ListAsync(caseId, cancellationToken);

        public Task<IReadOnlyList<AuditHead>> HeadsAsync(string caseId, CancellationToken cancellationToken) => inner.HeadsAsync(caseId, cancellationToken);

        public Task<AuditCheckpoint?> CheckpointAsync(string caseId, CancellationToken cancellationToken) => inner.CheckpointAsync(caseId, cancellationToken);

        public Task CutAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken) => inner.CutAsync(checkpoint, cancellationToken);
    }

    [Fact]
    public async Task A_collect_run_again_after_a_staff_retry_is_audited_with_what_it_collected_then()
    {
        var c = await CaseAsync(RequestType.Access);
        stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An" }] };
        var collect = new CollectFromStore(register, stores, new InMemoryStaging(), audit, hash, NullLogger<CollectFromStore>.Instance);
        await collect.RunAsync(null!, new CollectInput(c.Id, "be/crm"));

        stores.Data["be/crm"][Email].Add(new JsonObject { ["first_name"] = "An", ["job_title"] = "CFO" });
        await RetriedAsync(c.Id);
        await collect.RunAsync(null!, new CollectInput(c.Id, "be/crm"));

        Assert.Equal(["be/crm records=1", "be/crm records=2"],
            (await audit.ListAsync(c.Id, default)).Where(e => e.Action == AuditActions.StoreCollect).Select(e => e.Outcome));
    }
}
