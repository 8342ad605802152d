using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

/// <summary>
/// One request and everything that happened to it: the record of the case register, the source of truth.
/// It holds personal data (email, name, details), so it lives only in the register, never in durable history or logs.
/// </summary>
public sealed partial record PrivacyCase
{
    public required string Id { get; init; }
    /// <summary>The case's main right: it decides the plan and is the wire <c>type</c>.</summary>
    public required RequestType Type { get; init; }

    /// <summary>
    /// Rights the case answers in full beside <see cref="Type"/> (decision 42): portability beside access (the export has
    /// both parts), an objection beside an erasure (the report answers it; to direct marketing, the address is suppressed).
    /// </summary>
    public IReadOnlyList<RequestType> AlsoRights { get; init; } = [];

    /// <summary>Every right the case answers, the main one first.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<RequestType> Rights => [Type, .. AlsoRights];

    /// <summary>For mail: why intake read these rights (the classifier's and the bundling rule's reason; no personal data).</summary>
    public string? IntakeReason { get; init; }
    public required string Email { get; init; }
    public required string Name { get; init; }
    public string? Company { get; init; }
    public required ControllerScope Entity { get; init; }
    public required Language Language { get; init; }
    public string? Details { get; init; }

    /// <summary>For mail: the DMARC verdict the receiving tenant recorded (a pass counts as a verified address).</summary>
    public Intake.DmarcVerdict? SenderAuthentication { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>When a run of the acknowledgement step started sending it and has not yet recorded it (<see cref="ClaimAcknowledgement"/>).</summary>
    public DateTimeOffset? AcknowledgementClaimedAt { get; init; }

    /// <summary>When a run of the approval step started sending staff the approval request and has not yet recorded it (<see cref="ClaimApprovalRequest"/>).</summary>
    public DateTimeOffset? ApprovalRequestClaimedAt { get; init; }

    /// <summary>When a run of the tasks step started mailing staff the task link and has not yet recorded it (<see cref="ClaimTasksMail"/>).</summary>
    public DateTimeOffset? TasksMailClaimedAt { get; init; }

    /// <summary>For a withdrawal of consent: marketing consent only (an unsubscribe mail); null: every consent.</summary>
    public ConsentScope? Consent { get; init; }

    /// <summary>For objections: what the person objects to.</summary>
    public ObjectionScope? Objection { get; init; }
    public required Channel Channel { get; init; }
    public required CaseStatus Status { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateOnly DueDate { get; init; }
    public DateTimeOffset? VerificationMailSentAt { get; init; }

    /// <summary>
    /// When the verification links before the current one went: a case held up by a failed step before its address was
    /// confirmed gets a new link when staff retry it (<see cref="Retry"/>), and the requester's time runs from that.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> EarlierVerificationMails { get; init; } = [];

    /// <summary>How many of <see cref="VerificationResends"/> were of the earlier links: the current link has its own <see cref="MaxVerificationResends"/>.</summary>
    public int ResendsBeforeCurrentLink { get; init; }
    public DateTimeOffset? EmailVerifiedAt { get; init; }

    /// <summary>How often the requester had the verification link sent again.</summary>
    public int VerificationResends { get; init; }

    /// <summary>When a link asked for again could not be sent (taken back from <see cref="VerificationResends"/>).</summary>
    public IReadOnlyList<DateTimeOffset> VerificationResendsNotSent { get; init; } = [];

    /// <summary>
    /// When the mail service refused the verification link's recipient for good, which closed the case
    /// (<see cref="VerificationMailRefused"/>); null when it never did.
    /// </summary>
    public DateTimeOffset? VerificationMailRefusedAt { get; init; }

    /// <summary>
    /// The refusal in <see cref="VerificationMailRefusedAt"/> came after the link went: the mail service reported it as
    /// bounced (<see cref="VerificationMailBounced(DateTimeOffset)"/>), not refused when it was sent.
    /// </summary>
    public bool VerificationLinkBounced { get; init; }

    /// <summary>
    /// Requester mail the mail service took and then reported undeliverable, other than a link whose address was at
    /// fault (that closes the case, <see cref="VerificationLinkBounced"/>): the first report of each kind
    /// (<see cref="MailBounced"/>; decision 148).
    /// </summary>
    public IReadOnlyList<BouncedMail> BouncedMails { get; init; } = [];

    public DateTimeOffset? ApprovalMailSentAt { get; init; }

    /// <summary>When a run of a step started sending the requester's answer and has not yet recorded it (<see cref="ClaimAnswer"/>).</summary>
    public DateTimeOffset? AnswerClaimedAt { get; init; }
    public IdentityDecision? Decision { get; init; }
    public string? ExportBlobName { get; init; }

    /// <summary>When the zip recorded in <see cref="ExportBlobName"/> was written (null for zips recorded before this was kept).</summary>
    public DateTimeOffset? ExportWrittenAt { get; init; }

    /// <summary>How many staff retries the case had when its zip was written (null for a zip recorded before this was kept).</summary>
    public int? ExportWrittenAfterRetries { get; init; }

    /// <summary>When the requester downloaded the export (each one audited; limited by <c>Privacy:Export:MaxDownloads</c>).</summary>
    public IReadOnlyList<DateTimeOffset> Downloads { get; init; } = [];

    /// <summary>Staff withdrew the export (the blob is deleted, the link stops working): when and by whom.</summary>
    public DateTimeOffset? ExportRevokedAt { get; init; }

    public string? ExportRevokedBy { get; init; }
    public DateTimeOffset? ExportExpiresAt { get; init; }
    public DateTimeOffset? AnswerSentAt { get; init; }
    public IReadOnlyList<StatusChange> History { get; init; } = [];

    /// <summary>Work staff must do before the answer (rectification per store, an objection to weigh).</summary>
    public IReadOnlyList<StaffTask> Tasks { get; init; } = [];

    public DateTimeOffset? TasksMailSentAt { get; init; }

    /// <summary>What the stores hold for the address when approval was asked: records per store key (counts only).</summary>
    public IReadOnlyDictionary<string, int>? Holdings { get; init; }

    /// <summary>How many different staff members must approve the identity (two for erasure, by default).</summary>
    public int ApprovalsRequired { get; init; } = 1;

    /// <summary>The approvals given so far; the decision is final when there are <see cref="ApprovalsRequired"/>.</summary>
    public IReadOnlyList<IdentityApproval> Approvals { get; init; } = [];

    /// <summary>
    /// Approvals given before a colleague asked the requester for more identification (<see cref="RequestIdentification"/>),
    /// oldest first, each with who asked and when: they rested on what that colleague found short, so they no longer count
    /// towards the decision; kept for the case page and the audit trail.
    /// </summary>
    public IReadOnlyList<IdentityApproval> SetAsideApprovals { get; init; } = [];

    /// <summary>
    /// The round of approvals now being given: 0 until approvals were first set aside, then one more than the last round
    /// set aside (each approval keeps its round, so the audit trail keys each apart).
    /// </summary>
    public int ApprovalRound => SetAsideApprovals.Count == 0 ? 0 : SetAsideApprovals.Max(a => a.Round) + 1;

    /// <summary>The requests for more identification made before the one on the case now, oldest first (who and when; the words are the current one's only).</summary>
    public IReadOnlyList<IdentificationAsk> EarlierIdentificationRequests { get; init; } = [];

    /// <summary>Extensions of the deadline (Art. 12(3)), each with its reason.</summary>
    public IReadOnlyList<DeadlineExtension> Extensions { get; init; } = [];

    /// <summary>Reminders already sent (approval, due date), by key, so each goes once.</summary>
    public IReadOnlyList<SentReminder> Reminders { get; init; } = [];

    /// <summary>When staff asked the requester for more identification, and what for (the text stays in the register).</summary>
    public DateTimeOffset? IdentificationRequestedAt { get; init; }

    public string? IdentificationRequest { get; init; }

    public string? IdentificationRequestedBy { get; init; }

    /// <summary>When the mail asking for more identification went out (the requester's time runs from then).</summary>
    public DateTimeOffset? IdentificationMailSentAt { get; init; }

    /// <summary>
    /// True when the address counts as confirmed by the mail's DMARC pass alone: a mail with a pass, confirmed as it
    /// arrived (<see cref="Received"/>); one confirmed later was confirmed with the link.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ConfirmedByDmarcPass =>
        Channel == Requests.Channel.Email && SenderAuthentication == Intake.DmarcVerdict.Pass && EmailVerifiedAt is { } at && at == ReceivedAt;

    /// <summary>When a request for more identification was taken back because its mail could not be sent.</summary>
    public IReadOnlyList<DateTimeOffset> IdentificationRequestsNotSent { get; init; } = [];

    /// <summary>When the requester last replied to the request for more identification (staff are told; the case waits for them).</summary>
    public DateTimeOffset? IdentificationAnsweredAt { get; init; }

    /// <summary>
    /// Each reply to the request for more identification: when it came and how many attachments it had (null: not
    /// counted, the mail was too large to read). Its text and attachments stay in the mailbox (decision 57).
    /// </summary>
    public IReadOnlyList<IdentificationReply> IdentificationReplies { get; init; } = [];

    /// <summary>
    /// When mail from the requester's address that may answer the request for more identification went to staff in
    /// triage rather than to this case (<see cref="IdentificationMailInTriage"/>; decision 152).
    /// </summary>
    public IReadOnlyList<DateTimeOffset> IdentificationMailsInTriage { get; init; } = [];

    /// <summary>Staff recorded that they checked the identification sent (in the mailbox): who and when.</summary>
    public IReadOnlyList<IdentificationCheck> IdentificationChecks { get; init; } = [];

    /// <summary>Staff lift the restriction this case put in place (Art. 18(3)): the notice first, then the stores.</summary>
    public RestrictionLift? RestrictionLift { get; init; }

    /// <summary>
    /// The notice that the restriction will be lifted is being sent (claimed in the register before the mail goes, so a
    /// second click or a colleague's does not send it again); null when no send is under way.
    /// </summary>
    public RestrictionLiftClaim? RestrictionLiftClaim { get; init; }

    /// <summary>When a notice that the restriction will be lifted could not be sent (its claim taken back, nothing lifted).</summary>
    public IReadOnlyList<DateTimeOffset> RestrictionLiftNoticesNotSent { get; init; } = [];

    /// <summary>When the requester replied to one of our mails about the case (routed here, not read as a new request).</summary>
    public IReadOnlyList<DateTimeOffset> RequesterReplies { get; init; } = [];

    /// <summary>When the reconciler started the case's orchestration again because it had stopped (failed, or replaced by a release).</summary>
    public IReadOnlyList<DateTimeOffset> Restarts { get; init; } = [];

    /// <summary>The step that failed last (an orchestration step's name, or <c>Orchestration</c> when it kept stopping); shown to staff.</summary>
    public string? FailedStep { get; init; }

    /// <summary>Staff retries of a failed case: when and by whom.</summary>
    public IReadOnlyList<StaffRetry> Retries { get; init; } = [];

    /// <summary>
    /// What the audit keys of a step that runs again after each staff retry end with: nothing for the first run (the keys
    /// they always had), <c>.retry{n}</c> for the run after the n-th retry. So the trail, which keeps one event per key,
    /// records what each run did (a store action's remaining count, a collect's records), and a step retried within one
    /// run appends nothing twice.
    /// </summary>
    public string RunSuffix => Retries.Count == 0 ? string.Empty : ".retry" + Retries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A failed case staff answered outside this system and closed (<see cref="CloseAnsweredOutside"/>); null otherwise.</summary>
    public AnswerOutside? AnsweredOutside { get; init; }

    /// <summary>After the retention period the identifiers are erased; the keyed hash of the address stays.</summary>
    public DateTimeOffset? IdentifiersErasedAt { get; init; }

    public string? SubjectHash { get; init; }

    /// <summary>For a rejected case: on which ground it was refused (the detail of the status, DESIGN §4); null otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RefusalGround? RejectedAs =>
        Status != CaseStatus.Rejected ? null : DecidedRefusalGround ?? RefusalGround.IdentityNotConfirmed;

    /// <summary>The ground of the refusal staff decided, sent or not (the status a failed case closes with names it); null without one.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RefusalGround? DecidedRefusalGround =>
        Decision is not { IsRefusal: true } d ? null
        : d.Outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive ? RefusalGround.ManifestlyUnfoundedOrExcessive
        : RefusalGround.IdentityNotConfirmed;

    /// <summary>When the case reached a finished status.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset? ClosedAt => Status.IsFinished() && History.Count > 0 ? History[^1].At : null;

    /// <summary>The last extension of the deadline that stands (one taken back because its notice did not go does not), or null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DeadlineExtension? StandingExtension => Extensions.LastOrDefault(e => e.WithdrawnAt is null);

    /// <summary>The due date before any extension (one month from receipt).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateOnly FirstDueDate => Extensions.Count == 0 ? DueDate : Extensions[0].PreviousDueDate;

    /// <summary>
    /// A new case for a request just received. It waits for the address to be confirmed, unless the channel already
    /// proved it (a mail whose DMARC verdict is a pass), in which case it goes straight to staff approval.
    /// </summary>
    public static PrivacyCase Received(ValidRequest request, Channel channel, DateTimeOffset receivedAt, Stores.DataMap map, Intake.DmarcVerdict? senderAuthentication = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A DMARC pass confirms the address unless what would be applied at once needs the link (ImmediateRights).
        var verified = senderAuthentication == Intake.DmarcVerdict.Pass
            && ImmediateRights.DomainPassSuffices([request.Type, .. request.AlsoRights], request.Objection, request.Consent);
        var status = verified ? CaseStatus.AwaitingIdentityApproval : CaseStatus.AwaitingEmailVerification;
        return new PrivacyCase
        {
            Id = CaseIds.New(),
            Type = request.Type,
            AlsoRights = request.AlsoRights,
            Email = request.Email,
            Name = request.Name,
            Company = request.Company,
            Entity = request.Entity,
            Language = request.Language,
            Details = request.Details,
            Objection = request.Objection,
            Consent = request.Consent,
            Channel = channel,
            SenderAuthentication = senderAuthentication,
            EmailVerifiedAt = verified ? receivedAt : null,
            Status = status,
            ReceivedAt = receivedAt,
            DueDate = Deadlines.DueDateCalculator.DueDate(receivedAt, request.Entity, map),
            History = [new StatusChange(status, receivedAt)],
        };
    }
}

/// <summary>
/// One staff approval of the requester's identity: who, when, on which evidence (never a document), and for evidence
/// <see cref="OtherEvidence"/> the staff member's note on it (staff text about the requester: it stays in the register).
/// <paramref name="By"/> is the name pages and reports show, <paramref name="ById"/> the staff member's stable id (the
/// Entra object id; the typed name without sign-in; absent on approvals recorded before ids were kept).
/// </summary>
public sealed record IdentityApproval(int Stage, string By, DateTimeOffset At, string Evidence, string? Note = null, string? ById = null)
{
    /// <summary>The round it was given in (<see cref="PrivacyCase.ApprovalRound"/>).</summary>
    public int Round { get; init; }

    /// <summary>When a colleague's request for more identification set it aside (<see cref="PrivacyCase.SetAsideApprovals"/>), or null.</summary>
    public DateTimeOffset? SetAsideAt { get; init; }

    /// <summary>Who asked for that identification.</summary>
    public string? SetAsideBy { get; init; }

    /// <summary>The evidence that is none of the listed ones: it needs a note saying what it was.</summary>
    public const string OtherEvidence = "other";

    /// <summary>The evidence staff may give for an approval (never a document), on the decision page and the card alike.</summary>
    public static readonly IReadOnlyList<string> EvidenceKinds = ["verified-link", "dmarc-pass", "known-details", "additional-identification", OtherEvidence];

    /// <summary>
    /// The evidence the pipeline itself established for the case (the address confirmed with our link, or a DMARC pass
    /// on the mail), offered first so a standard case is one click; null when it established none.
    /// </summary>
    public static string? Established(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        // A mail whose DMARC pass stood in for the link (no link was sent) is confirmed by the pass, never "with the link we
        // sent"; one that was sent the link all the same (an erasure: the pass does not suffice) was confirmed by the link.
        return c.ConfirmedByDmarcPass ? "dmarc-pass"
            : c.EmailVerifiedAt is not null ? "verified-link"
            : c.SenderAuthentication == Intake.DmarcVerdict.Pass ? "dmarc-pass"
            : null;
    }

    /// <summary>
    /// Whether this approval was given by the staff member <paramref name="byId"/> (shown as <paramref name="by"/>): the
    /// ids are compared, never the names, which can change or be shared. An approval recorded before ids were kept has
    /// only its name, which then stands for the id, and matches the new approver's id or name.
    /// </summary>
    public bool IsBy(string by, string? byId) =>
        ById is null ? By == (byId ?? by) || By == by : ById == (byId ?? by);

    /// <summary>Why an approval on <paramref name="evidence"/> with <paramref name="note"/> may not be recorded, or null when it may.</summary>
    public static CaseRefusal? EvidenceRefusal(string evidence, string? note) =>
        evidence == OtherEvidence && string.IsNullOrWhiteSpace(note) ? CaseRefusal.EvidenceNoteRequired : null;
}

/// <summary>
/// A deadline extension: from which date to which, why, by whom. <paramref name="WithdrawnAt"/> when it was taken back
/// because its notice could not be sent (Art. 12(3): the requester must be told of an extension, with the reasons); a
/// withdrawn extension no longer counts and stays on record.
/// </summary>
public sealed record DeadlineExtension(int Months, DateOnly PreviousDueDate, DateOnly NewDueDate, string Reason, string By, DateTimeOffset At, DateTimeOffset? WithdrawnAt = null)
{
    /// <summary>True while the extension counts (not taken back).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool InForce => WithdrawnAt is null;
}

public sealed record SentReminder(string Key, DateTimeOffset At);

/// <summary>One status change, as shown on the status endpoint.</summary>
public sealed record StatusChange(CaseStatus Status, DateTimeOffset At);

/// <summary>What staff decided about the requester's identity or the request. The reason stays in the register.</summary>
public sealed record IdentityDecision(DecisionOutcome Outcome, DateTimeOffset DecidedAt, string DecidedBy, string? Reason)
{
    /// <summary>True when staff refused the request (identity not confirmed, or manifestly unfounded or excessive): nothing is carried out.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRefusal => Outcome is DecisionOutcome.Reject or DecisionOutcome.ManifestlyUnfoundedOrExcessive;
}

/// <summary>
/// The ground of a refusal (DESIGN §4: <c>Rejected</c> is a reasoned refusal, the identity not confirmed or the request
/// manifestly unfounded or excessive). Wire values: <c>identity-not-confirmed</c>, <c>manifestly-unfounded-or-excessive</c>.
/// </summary>
public enum RefusalGround
{
    IdentityNotConfirmed,
    ManifestlyUnfoundedOrExcessive,
}

public static class RefusalGrounds
{
    public static string ToWire(this RefusalGround ground) => ground switch
    {
        RefusalGround.ManifestlyUnfoundedOrExcessive => "manifestly-unfounded-or-excessive",
        _ => "identity-not-confirmed",
    };
}

public enum DecisionOutcome
{
    Approve,

    /// <summary>Refused: the identity is not confirmed (Art. 12(2), 12(6)).</summary>
    Reject,
    RequestIdentification,

    /// <summary>Refused: the request is manifestly unfounded or excessive (Art. 12(5)); staff give the reasons.</summary>
    ManifestlyUnfoundedOrExcessive,
}

public enum StaffTaskKind
{
    /// <summary>Correct the person's data in one store as requested (Art. 16).</summary>
    Rectify,

    /// <summary>Weigh an objection to processing other than direct marketing (Art. 21(1)).</summary>
    ReviewObjection,
}

public enum StaffTaskOutcome
{
    /// <summary>The correction is made.</summary>
    Done,

    /// <summary>The objection is upheld: the processing stops (the records are restricted).</summary>
    Upheld,

    /// <summary>
    /// Refused with the reasons given in the note: an objection, for compelling legitimate grounds; a correction, when
    /// staff find the data accurate or the correction unfounded (Art. 16, 12(4)).
    /// </summary>
    Refused,

    /// <summary>
    /// A correction task whose store holds nothing the correction is about (the person is there, the data asked about
    /// are not, or are already as asked): nothing changed there, nothing refused (review of 5 December).
    /// </summary>
    NothingToCorrect,
}

/// <summary>
/// One piece of staff work on a case. <see cref="Key"/> is stable (the store key, or <c>objection</c>); the note is
/// what staff tell the requester and stays in the register.
/// </summary>
public sealed record StaffTask(string Key, StaffTaskKind Kind, string? StoreKey, int Records)
{
    public DateTimeOffset? DoneAt { get; init; }
    public string? DoneBy { get; init; }
    public StaffTaskOutcome? Outcome { get; init; }
    public string? Note { get; init; }

    public bool IsOpen => DoneAt is null;
}

/// <summary>A request for more identification made earlier on the case: when, and by whom (null: recorded without a name).</summary>
public sealed record IdentificationAsk(DateTimeOffset At, string? By);

/// <summary>A reply with more identification: when it came and how many attachments it had (null: not counted). No content.</summary>
public sealed record IdentificationReply(DateTimeOffset At, int? Attachments);

/// <summary>A staff member checked the identification the requester sent, in the mailbox.</summary>
public sealed record IdentificationCheck(string By, DateTimeOffset At);

/// <summary>Who started sending the notice that the restriction will be lifted, and when.</summary>
public sealed record RestrictionLiftClaim(string By, DateTimeOffset At);

/// <summary>
/// Staff lift a restriction (Art. 18(3)): who, why (the requester reads it), when the requester was told; then when the
/// records were marked no longer restricted, and how many per store.
/// </summary>
public sealed record RestrictionLift(string By, string Reason, DateTimeOffset NoticeSentAt)
{
    public DateTimeOffset? LiftedAt { get; init; }

    /// <summary>
    /// The other restriction requests of the same person that still held records restricted when the notice went, each
    /// with the companies whose stores it keeps (<see cref="PrivacyCase.LiftKeptBy"/>): the notice said the records
    /// there stay restricted under it, and this lift left those stores unchanged. Null for a whole lift.
    /// </summary>
    public IReadOnlyList<KeptUnder>? Kept { get; init; }

    public IReadOnlyDictionary<string, int>? Records { get; init; }
}

/// <summary>
/// Another restriction request of the same person that keeps a lift from changing some stores (decision 128): its
/// reference, and the companies (controller codes) of the lifting case whose stores it keeps restricted.
/// </summary>
public sealed record KeptUnder(string By, IReadOnlyList<string> Entities);

/// <summary>A staff member resumed a failed case from the case page.</summary>
public sealed record StaffRetry(string By, DateTimeOffset At);

/// <summary>
/// Staff answered a failed case outside this system (a mail or letter of their own) and recorded it: who recorded it and
/// when, the day the requester was answered, and how (staff text about the requester: kept in the register, shown on the
/// case page, never in the audit trail, erased with the identifiers).
/// </summary>
public sealed record AnswerOutside(string By, DateTimeOffset RecordedAt, DateOnly AnsweredOn, string How);

/// <summary>A requester mail the mail service reported undeliverable (<see cref="PrivacyCase.BouncedMails"/>).</summary>
/// <param name="Kind">What the mail was.</param>
/// <param name="ReportedAt">When the report was taken.</param>
/// <param name="Why">The service's own class for it (e.g. <c>bounce/Content</c>): no personal data.</param>
public sealed record BouncedMail(Mail.MailKind Kind, DateTimeOffset ReportedAt, string Why)
{
    /// <summary>Which sending of its kind the report named (<see cref="PrivacyCase.SendingOf"/>); null for reports without one (before it was sent, or other kinds).</summary>
    public string? Sending { get; init; }
}
