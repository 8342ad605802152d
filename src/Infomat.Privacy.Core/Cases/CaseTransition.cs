namespace Infomat.Privacy.Cases;

/// <summary>
/// Why a transition of a case was refused. The names of the extension refusals are also the keys of their texts
/// (<c>Texts.resx</c>), so a page can say the reason in the staff language.
/// </summary>
public enum CaseRefusal
{
    /// <summary>The step is already recorded: nothing to do (a retry, a second click).</summary>
    AlreadyDone,

    /// <summary>The case is finished (completed, rejected, expired, failed).</summary>
    Finished,

    /// <summary>The case is not in the status this step starts from.</summary>
    WrongStatus,

    /// <summary>The address is already confirmed.</summary>
    AlreadyVerified,

    /// <summary>The identity decision is already final: the first final decision stands.</summary>
    AlreadyDecided,

    /// <summary>This staff member already approved: a second approval must come from someone else.</summary>
    SameApprover,

    /// <summary>Another approval was recorded meanwhile (the page showed an older count).</summary>
    ApprovalOutOfTurn,

    /// <summary>The case has no staff task with that key.</summary>
    UnknownTask,

    /// <summary>The task was done already.</summary>
    TaskDone,

    /// <summary>The outcome does not fit the task (a correction cannot be upheld, an objection cannot be "done").</summary>
    WrongTaskOutcome,

    /// <summary>A refusal (of an objection, of a correction, a lift of a restriction) needs its reasons.</summary>
    ReasonRequired,

    /// <summary>The case has no export.</summary>
    NoExport,

    /// <summary>Staff withdrew the export.</summary>
    ExportRevoked,

    /// <summary>The system deleted the export: its link ended, or the person's data were erased since.</summary>
    ExportDeleted,

    /// <summary>Every allowed download was taken.</summary>
    DownloadsUsedUp,

    /// <summary>The time to confirm the address is over.</summary>
    VerificationTimedOut,

    /// <summary>The verification link was sent again as often as allowed.</summary>
    ResendsUsedUp,

    /// <summary>The first verification link has not gone yet (it follows the answer, decision 86): a second would race it.</summary>
    LinkNotSentYet,

    /// <summary>This use of a single-use link was spent (recorded with the step it took).</summary>
    LinkUsed,

    /// <summary>More than two further months in all (Art. 12(3)).</summary>
    ExtensionTooLong,

    /// <summary>The first month is over: an extension must be decided and notified within it (Art. 12(3)).</summary>
    ExtensionTooLate,

    /// <summary>The case is closed: there is no deadline left to extend.</summary>
    ExtensionClosed,

    /// <summary>The due date changed meanwhile (another extension was recorded first).</summary>
    ExtensionConflict,

    /// <summary>The case is not closed long enough to erase the requester's identifiers, or they are erased already.</summary>
    NotDueForErasure,

    /// <summary>Nobody asked the requester for more identification.</summary>
    NotAsked,

    /// <summary>The case is not failed: there is nothing to retry.</summary>
    NotFailed,

    /// <summary>The day given is before the request was received or after today.</summary>
    DateOutOfRange,

    /// <summary>The answer the case was due is not known yet: its address is not confirmed, or its identity not decided.</summary>
    NotDecided,

    /// <summary>The case changed since the page was opened (a colleague acted on it): the page's action no longer fits.</summary>
    PageOutdated,

    /// <summary>The time the requester has to respond is not over yet.</summary>
    StillWaiting,

    /// <summary>The case waits on staff: staff not acting never ends a case (Art. 12(3)).</summary>
    StaffMustDecide,

    /// <summary>The requester's time to answer is over, but the mail they were to answer was reported undelivered: not their silence.</summary>
    MailNotDelivered,

    /// <summary>The orchestration was started again as often as allowed without the case moving on.</summary>
    RestartsUsedUp,

    /// <summary>The case recorded as many of the requester's replies as it keeps (<see cref="PrivacyCase.MaxRecordedReplies"/>).</summary>
    TooMany,

    /// <summary>Evidence "other" needs a note saying what it was.</summary>
    EvidenceNoteRequired,

    /// <summary>The case put no restriction in place (it is not a completed restriction request): there is nothing to lift.</summary>
    NothingRestricted,

    /// <summary>The same step is being taken now (its mail is being sent): taking it a second time would repeat the mail.</summary>
    UnderWay,

    /// <summary>The export's free text is not what staff reviewed (Art. 15(4)): no zip is built from it.</summary>
    NotReviewed,

    /// <summary>
    /// The identity check moved on since the page or card was made (a colleague approved or asked the requester for more
    /// identification, or the requester replied), or it did not say what it showed (<see cref="PrivacyCase.DecisionBasis"/>).
    /// </summary>
    DecisionBasisChanged,

    /// <summary>
    /// Another case of the same person restricted the records this lift would free for good (an objection upheld): the
    /// stores mark a record restricted, not by which case, so this lift would end that one too
    /// (<see cref="PrivacyCase.LiftBlockedBy"/>).
    /// </summary>
    RestrictedByAnotherCase,

    /// <summary>
    /// An erasure of the same person is deleting what this failed case prepared (<see cref="PrivacyCase.CopiesBeingErasedBy"/>):
    /// a retry now would collect and write while those deletes run. It may retry once the erasure recorded what it
    /// deleted, or stopped (<see cref="PrivacyCase.ErasureStopped"/>).
    /// </summary>
    CopiesBeingErased,

    /// <summary>
    /// The step belongs to a run of the case from before a staff retry (its queue message ran again after the retry
    /// started a new run): what it would record is no longer the case's.
    /// </summary>
    RunSuperseded,

    /// <summary>
    /// A staff retry sent from a page that did not show what a retry now does (a colleague withdrew the download file
    /// since: the retry would write it again and mail its link, <see cref="PrivacyCase.RetryBasis"/>).
    /// </summary>
    RetryPageOutdated,
}

/// <summary>
/// The result of a transition: the case as it becomes, or the reason the step is refused (and the case stays as it
/// was). A refusal is an expected answer, not an error: the caller shows it or, for a retried step, moves on.
/// </summary>
public readonly record struct CaseTransition
{
    private CaseTransition(PrivacyCase? changed, CaseRefusal? refusal)
    {
        Changed = changed;
        Refusal = refusal;
    }

    /// <summary>The case after the step; null when refused.</summary>
    public PrivacyCase? Changed { get; }

    /// <summary>Why the step was refused; null when it was taken.</summary>
    public CaseRefusal? Refusal { get; }

    public bool Refused => Refusal is not null;

    // Internal: only the case's own transitions build one, so no caller can hand the register a change of its own.
    internal static CaseTransition To(PrivacyCase changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        return new(changed, null);
    }

    internal static CaseTransition Refuse(CaseRefusal refusal) => new(null, refusal);
}

/// <summary>A transition applied to the stored case: the case as stored afterwards, and the refusal if there was one.</summary>
public sealed record CaseUpdate(PrivacyCase Case, CaseRefusal? Refusal)
{
    public bool Refused => Refusal is not null;
}

/// <summary>The one way code outside the register changes a stored case: load, take a named transition, save.</summary>
public static class CaseRegisterTransitions
{
    /// <summary>
    /// The case whose answer answers <paramref name="c"/> (<see cref="PrivacyCase.JoinedCaseId"/>), for its retention
    /// (<see cref="PrivacyCase.RetentionStartBeside"/>); null when it joined none, or that case is gone.
    /// </summary>
    public static async Task<PrivacyCase?> AnsweringCaseAsync(this ICaseRegister register, PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(c);
        return c.JoinedCaseId is { } joined ? await register.GetAsync(joined, cancellationToken) : null;
    }

    /// <summary>
    /// Takes <paramref name="transition"/> on the stored case under optimistic concurrency: on a conflicting write the
    /// transition is taken again on the newer case, so its guard always judges the state it changes.
    /// </summary>
    public static async Task<CaseUpdate> ApplyAsync(this ICaseRegister register, string caseId, Func<PrivacyCase, CaseTransition> transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(transition);
        CaseRefusal? refusal = null;
        var stored = await register.UpdateAsync(caseId, c =>
        {
            var t = transition(c);
            refusal = t.Refusal;
            return t.Changed;
        }, cancellationToken);
        return new CaseUpdate(stored, refusal);
    }

    /// <summary>The case, or an exception naming only its id when it is not in the register.</summary>
    public static async Task<PrivacyCase> RequireAsync(this ICaseRegister register, string caseId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(register);
        return await register.GetAsync(caseId, cancellationToken) ?? throw new InvalidOperationException($"Case {caseId} is not in the register.");
    }
}
