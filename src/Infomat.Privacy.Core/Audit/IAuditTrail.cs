namespace Infomat.Privacy.Audit;

/// <summary>
/// One step of a case, as the audit trail keeps it: when, what, who (<c>system</c> or the staff principal), the outcome
/// (ids, counts, decisions; never personal data) and the person only as a keyed hash. Each event carries the hash of the
/// one before and its own, so an edited, removed or inserted event breaks the chain from that point.
/// </summary>
public sealed record AuditEvent(
    string CaseId,
    int Sequence,
    DateTimeOffset At,
    string Action,
    string Actor,
    string Outcome,
    string? Subject,
    string PreviousHash,
    string Hash)
{
    /// <summary>The actor of steps the pipeline takes by itself.</summary>
    public const string System = "system";
}

/// <summary>
/// What the caller appends; the trail numbers and chains it, and timestamps it when no time is given. The key is
/// stable per step and case (e.g. <c>answer-sent</c>), so a retried step appends nothing twice.
/// </summary>
public sealed record AuditEntry(string CaseId, string Key, string Action, string Actor, string Outcome, string? Subject = null, DateTimeOffset? At = null);

/// <summary>The append-only audit trail of cases.</summary>
public interface IAuditTrail
{
    /// <summary>Appends the entry unless an event with its key exists for the case. Returns the event (new or earlier).</summary>
    Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Appends, in order, those of <paramref name="entries"/> (all of one case) whose key the case's trail lacks.</summary>
    Task AppendMissingAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    /// <summary>The case's events in order (those a checkpoint stands for are gone, or going).</summary>
    Task<IReadOnlyList<AuditEvent>> ListAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>
    /// Each event of the case as recorded outside the table when it was appended (an append-only blob): what
    /// <see cref="AuditChain.Verify"/> checks the table against, so a deleted tail shows. Empty for a case audited before.
    /// </summary>
    Task<IReadOnlyList<AuditHead>> HeadsAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The signed checkpoint standing for the case's removed events, or null when none were removed.</summary>
    Task<AuditCheckpoint?> CheckpointAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="checkpoint"/> (replacing an earlier one), then removes the events it stands for. Cut short,
    /// it is done again: the checkpoint is written first, so the trail never lacks events nothing signed for.
    /// </summary>
    Task CutAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken);
}
