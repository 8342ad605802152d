using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

// The copies a case makes of the person's data (the records staged for the zip, the zip itself) and when they go: the
// staged records as soon as the zip is written, the zip when its link ends, both at once when the same person has their
// data erased (issue 16, item 3).
public sealed partial record PrivacyCase
{
    /// <summary>The zip was deleted (its link ended, staff withdrew it, or the person's data were erased): when and why.</summary>
    public ExportDeletion? ExportDeleted { get; init; }

    /// <summary>For an erasure: the person's earlier cases whose copies (zip and staged records) it deleted.</summary>
    public EarlierCopiesErased? EarlierCopiesErased { get; init; }

    /// <summary>
    /// True while records staged for the case may still be read: an access or portability case whose zip is not written
    /// yet and that still needs work (a failed case collects again when staff retry it).
    /// </summary>
    public bool NeedsStaging => MakesCopies && ExportBlobName is null && NeedsWork;

    /// <summary>
    /// The person this case is about, as the keyed hash of their address (<see cref="Stores.KeyedHash.Subject"/>): from
    /// the address while the register holds it, else the hash kept when the address was erased; null when it has
    /// neither. The one place a case's subject is derived (the audit trail, the lift's look-up, the erasure's reach).
    /// </summary>
    public string? SubjectIn(Stores.KeyedHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Email.Length > 0 ? hash.Subject(EmailAddresses.Normalise(Email)) : SubjectHash;
    }

    /// <summary>
    /// True when this case is about the person with address <paramref name="email"/> (whose keyed hash is
    /// <paramref name="subjectHash"/>): the same address, or, once the register erased the address, the same keyed hash.
    /// </summary>
    public bool IsAbout(string email, string? subjectHash)
    {
        ArgumentNullException.ThrowIfNull(email);
        return Email.Length > 0
            ? EmailAddresses.Normalise(Email) == EmailAddresses.Normalise(email)
            : SubjectHash is not null && string.Equals(SubjectHash, subjectHash, StringComparison.Ordinal);
    }

    /// <summary>True when the case made copies of the person's data (an export) that an erasure must reach.</summary>
    public bool MakesCopies => Type is RequestType.Access or RequestType.Portability;

    /// <summary>
    /// What an erasure of the same person (<paramref name="erasure"/>, whose subject's keyed hash is
    /// <paramref name="subjectHash"/>) does with this case's copies. The one place the rule is decided. Only copies of a
    /// company the erasure was asked of: an answer another company alone gave holds none of the data erased (a zip of
    /// both companies' data holds some, and goes whole).
    /// </summary>
    public ErasureReach ReachedBy(PrivacyCase erasure, string? subjectHash)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        if (Id == erasure.Id || !MakesCopies || ReceivedAt > erasure.ReceivedAt || !IsAbout(erasure.Email, subjectHash)
            || !Entity.Codes.Intersect(erasure.Entity.Codes, StringComparer.Ordinal).Any())
        {
            return ErasureReach.None;
        }

        return Status switch
        {
            // Nothing collected yet: no copy to reach (what it collects later comes from the stores as the erasure left them).
            CaseStatus.AwaitingEmailVerification or CaseStatus.AwaitingIdentityApproval => ErasureReach.None,
            // Still being answered (collected, in review or being built): its staged records are the answer it owes (Art.
            // 15); deleted, its review and build could never finish. They go once its zip is written, the zip when its
            // link ends.
            CaseStatus.InProgress or CaseStatus.AwaitingStaffAction => ErasureReach.KeptWhileAnswered,
            // Refused, expired or joined before any collect (each ends before approval): no copy ever existed, and the
            // report must not say one was deleted.
            CaseStatus.Rejected or CaseStatus.Expired or CaseStatus.Joined => ErasureReach.None,
            // Failed before approval: as above. Failed after (it may have collected, or built its zip): whatever it
            // prepared goes now, and a staff retry collects again, from the stores as the erasure left them (the report
            // says it is still to be answered).
            CaseStatus.Failed => StatusBeforeFailure is CaseStatus.InProgress or CaseStatus.AwaitingStaffAction ? ErasureReach.ErasedAnsweredAgain : ErasureReach.None,
            // Answered with a zip: it and any staged records go. Answered by staff outside this system with no zip
            // written, or with one whose link never went (withdrawn at the close, decision 118), nor went to any zip it
            // replaced: the requester never had a file or a link to be told of.
            CaseStatus.Completed when (ExportBlobName is null || (ExportExpiresAt is null && AnswerClaimedAt is null)) && ReplacedExports.All(r => r.NeverLinked == true) => ErasureReach.None,
            _ => ErasureReach.Erased,
        };
    }

    /// <summary>The zips written for the case before its current one, and what became of each (oldest first).</summary>
    public IReadOnlyList<ReplacedExport> ReplacedExports { get; init; } = [];

    /// <summary>
    /// The zip recorded for the case when it is the one to hand out: recorded only once written whole, and neither
    /// withdrawn by staff nor deleted since. Null otherwise.
    /// </summary>
    public string? LiveExport => ExportRevokedAt is null && ExportDeleted is null ? ExportBlobName : null;

    /// <summary>
    /// The case's zip is written again before its answer went: a failed case retried after staff withdrew its zip, an
    /// erasure deleted it, or the storage's lifecycle rule removed it. The record of the old zip goes first (kept in
    /// <see cref="ReplacedExports"/>, with its download count), so a write that breaks part-way is never taken for a
    /// finished zip, and the new zip, once recorded, is the one the link opens, with every download left. Refused while the
    /// case is flagged failed or an erasure is deleting its copies (<see cref="CopiesBeingErasedBy"/>): only a run of a
    /// case being answered writes its zip again (a run still going when the case failed would otherwise move a record the
    /// erasure is about to mark deleted, decision 135).
    /// </summary>
    public CaseTransition ReplaceExport(DateTimeOffset at) =>
        ExportBlobName is null ? Refuse(CaseRefusal.NoExport)
        : !NeedsAnswer ? Refuse(CaseRefusal.AlreadyDone)
        : Status == CaseStatus.Failed || CopiesBeingErasedBy.Count > 0 ? Refuse(CaseRefusal.WrongStatus)
        : To(this with
        {
            ReplacedExports = [.. ReplacedExports, new ReplacedExport(at, ExportRevokedAt, ExportRevokedBy, ExportDeleted) { Downloads = Downloads, NeverLinked = ExportExpiresAt is null && AnswerClaimedAt is null && AnswerMayHaveGoneAt is null }],
            Downloads = [],
            ExportBlobName = null,
            ExportWrittenAt = null,
            ExportRevokedAt = null,
            ExportRevokedBy = null,
            ExportDeleted = null,
            ExportExpiresAt = null,
        });

    /// <summary>
    /// Why the zip is to be deleted at <paramref name="now"/>, or null while it stays (or its deletion is recorded): staff
    /// withdrew it, at once (the withdrawal's own delete may have failed, a storage 503, and nothing else would take it
    /// away before the case is removed years later), or its download link ended. The one rule the withdrawal and the
    /// retention sweep follow (decision 108).
    /// </summary>
    public ExportDeletionReason? ExportDeletionDue(DateTimeOffset now) =>
        ExportBlobName is null || ExportDeleted is not null ? null
        : ExportRevokedAt is not null ? ExportDeletionReason.Withdrawn
        : ExportExpiresAt is { } ends && now >= ends ? ExportDeletionReason.LinkEnded
        : null;

    /// <summary>
    /// True when <paramref name="reread"/>, this case read again later, still records the zip this one records: none was
    /// written again in between (a staff retry moves the old zip's record first, <see cref="ReplaceExport"/>, and writes
    /// the new zip under the same name). A version of the blob read between the two reads is then this zip's, and a
    /// delete made on that version can only take this zip, never one written again (decision 130).
    /// </summary>
    public bool RecordsSameExportAs(PrivacyCase reread)
    {
        ArgumentNullException.ThrowIfNull(reread);
        return ExportBlobName is not null && reread.Id == Id && reread.ExportBlobName == ExportBlobName && reread.ReplacedExports.Count == ReplacedExports.Count;
    }

    /// <summary>True when the zip is still there and is due to go (<see cref="ExportDeletionDue"/>): the retention sweep deletes it.</summary>
    public bool IsExportDueForDeletion(DateTimeOffset now) => ExportDeletionDue(now) is not null;

    /// <summary>
    /// The zip due for deletion (<see cref="ExportDeletionDue"/>) that <paramref name="found"/> recorded was deleted,
    /// recorded with its reason after the delete; refused when none is due (recorded already) or the zip recorded now is
    /// not the one deleted (<see cref="RecordsSameExportAs"/>: a retry wrote it again since, and a colleague may have
    /// withdrawn that one too, whose blob is still there).
    /// </summary>
    public CaseTransition RecordExportDeleted(DateTimeOffset at, PrivacyCase found)
    {
        ArgumentNullException.ThrowIfNull(found);
        return ExportDeleted is not null ? Refuse(CaseRefusal.AlreadyDone)
            : !found.RecordsSameExportAs(this) ? Refuse(CaseRefusal.NoExport)
            : ExportDeletionDue(at) is { } reason ? DeleteExport(at, reason)
            : Refuse(CaseRefusal.NoExport);
    }

    /// <summary>
    /// The erasures (their case ids) deleting this case's copies now: each added before its deletes
    /// (<see cref="BeginErasingCopies"/>) and taken off as it records what it deleted (<see cref="CopiesErased"/>).
    /// Meanwhile a staff retry is refused (<see cref="Retry"/>): the retry's collect and zip would otherwise be deleted
    /// part-way by those deletes, or recorded as deleted while still in storage (decision 133).
    /// </summary>
    public IReadOnlyList<string> CopiesBeingErasedBy { get; init; } = [];

    /// <summary>
    /// <paramref name="erasure"/> (whose subject's keyed hash is <paramref name="subjectHash"/>) is about to delete this
    /// case's copies: judged on the case as stored now, so a case a colleague retried since the erasure listed it (being
    /// answered again) is refused (<see cref="CaseRefusal.WrongStatus"/>) and keeps what its retry prepares
    /// (<see cref="EarlierCopiesErased.RetriedMeanwhile"/>). Taken again by a retried step, it changes nothing and the deletes go ahead
    /// (<see cref="CaseRefusal.AlreadyDone"/>).
    /// </summary>
    public CaseTransition BeginErasingCopies(PrivacyCase erasure, string? subjectHash)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        return ReachedBy(erasure, subjectHash) is not (ErasureReach.Erased or ErasureReach.ErasedAnsweredAgain) ? Refuse(CaseRefusal.WrongStatus)
            : CopiesBeingErasedBy.Contains(erasure.Id, StringComparer.Ordinal) ? Refuse(CaseRefusal.AlreadyDone)
            : To(this with { CopiesBeingErasedBy = [.. CopiesBeingErasedBy, erasure.Id] });
    }

    /// <summary>
    /// The erasure <paramref name="erasureCaseId"/>, which marked this case (<see cref="BeginErasingCopies"/>), deleted its
    /// copies: its zip, if one is recorded, is recorded deleted (the download page says so), and its mark is taken off.
    /// Refused without its mark (recorded already, or a staff retry went ahead once it had stopped, and whatever that
    /// retry wrote since is not what it deleted).
    /// </summary>
    public CaseTransition CopiesErased(DateTimeOffset at, string erasureCaseId) =>
        !CopiesBeingErasedBy.Contains(erasureCaseId, StringComparer.Ordinal) ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with
        {
            ExportDeleted = ExportBlobName is not null && ExportDeleted is null ? new ExportDeletion(at, ExportDeletionReason.Erasure, erasureCaseId) : ExportDeleted,
            CopiesBeingErasedBy = [.. CopiesBeingErasedBy.Where(id => id != erasureCaseId)],
        });

    /// <summary>The zip is deleted (after this is stored the download page says so); once.</summary>
    public CaseTransition DeleteExport(DateTimeOffset at, ExportDeletionReason reason, string? erasureCaseId = null) =>
        ExportBlobName is null ? Refuse(CaseRefusal.NoExport)
        : ExportDeleted is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { ExportDeleted = new ExportDeletion(at, reason, erasureCaseId) });

    /// <summary>
    /// An erasure deleted the copies of the person's earlier cases <paramref name="caseIds"/> (<paramref name="blobs"/>
    /// blobs); recorded once, so a retried step keeps what the first run found and the report says it.
    /// </summary>
    public CaseTransition RecordEarlierCopiesErased(
        DateTimeOffset at, IReadOnlyList<string> caseIds, int blobs, IReadOnlyList<string>? keptWhileAnswered = null, IReadOnlyList<string>? answeredAgain = null,
        IReadOnlyList<string>? retriedMeanwhile = null) =>
        Type != RequestType.Erasure ? Refuse(CaseRefusal.WrongStatus)
        : EarlierCopiesErased is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with
        {
            EarlierCopiesErased = new EarlierCopiesErased(at, caseIds, blobs) { KeptWhileAnswered = keptWhileAnswered ?? [], AnsweredAgain = answeredAgain ?? [], RetriedMeanwhile = retriedMeanwhile ?? [] },
        });
}

/// <summary>Why the system deleted an export.</summary>
public enum ExportDeletionReason
{
    /// <summary>Its download link ended (<c>Privacy:Export:LinkLifetime</c>).</summary>
    LinkEnded,

    /// <summary>The person had their data erased (a later erasure case).</summary>
    Erasure,

    /// <summary>Staff withdrew it (<see cref="PrivacyCase.RevokeExport"/>): deleted by the withdrawal, or by the next sweep when that delete failed.</summary>
    Withdrawn,
}

/// <summary>
/// A zip of the case written again (<see cref="PrivacyCase.ReplaceExport"/>): when, what had become of the old one, and
/// when its downloads were started (the new zip's count starts afresh).
/// </summary>
public sealed record ReplacedExport(DateTimeOffset At, DateTimeOffset? RevokedAt, string? RevokedBy, ExportDeletion? Deleted)
{
    public IReadOnlyList<DateTimeOffset> Downloads { get; init; } = [];

    /// <summary>
    /// True when no link to that zip can have gone (written again before its link was sent or claimed, a retry's or a
    /// review's rewrite); null for one replaced before this was kept, taken as linked.
    /// </summary>
    public bool? NeverLinked { get; init; }
}

/// <summary>When and why the export was deleted; for an erasure, the erasure's case id.</summary>
public sealed record ExportDeletion(DateTimeOffset At, ExportDeletionReason Reason, string? ErasureCaseId);

/// <summary>
/// What an erasure found and deleted of the person's earlier cases: their ids and how many blobs, and the earlier
/// cases still being answered whose copies it left to them (ids and counts only).
/// </summary>
public sealed record EarlierCopiesErased(DateTimeOffset At, IReadOnlyList<string> CaseIds, int Blobs)
{
    public IReadOnlyList<string> KeptWhileAnswered { get; init; } = [];

    /// <summary>Earlier cases flagged failed after approval: whatever they prepared deleted, their answer still owed (<see cref="ErasureReach.ErasedAnsweredAgain"/>).</summary>
    public IReadOnlyList<string> AnsweredAgain { get; init; } = [];

    /// <summary>
    /// Earlier cases flagged failed that staff retried after the erasure read them and before it marked them
    /// (<see cref="PrivacyCase.BeginErasingCopies"/>): left to their retry, which collects again from the stores as this
    /// erasure left them and writes its zip again from that (<see cref="PrivacyCase.ExportPredatesRetry"/>).
    /// </summary>
    public IReadOnlyList<string> RetriedMeanwhile { get; init; } = [];
}

/// <summary>What an erasure does with the copies of another case (<see cref="PrivacyCase.ReachedBy"/>).</summary>
public enum ErasureReach
{
    /// <summary>Not the person's, not earlier, no copies, or none made yet.</summary>
    None,

    /// <summary>Its zip and staged records are deleted.</summary>
    Erased,

    /// <summary>Still being answered: its copies stay until its zip is written (staged records) and its link ends (zip).</summary>
    KeptWhileAnswered,

    /// <summary>
    /// Flagged failed after approval, so still owed its answer: its zip and staged records, if any, are deleted, and a
    /// staff retry collects again from the stores as the erasure left them.
    /// </summary>
    ErasedAnsweredAgain,
}
