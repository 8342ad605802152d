namespace Infomat.Privacy.Cases;

/// <summary>Where a request stands, as its requester is told on the thank-you page: each stage has its own sentence.</summary>
public enum RequestProgress
{
    /// <summary>The verification link went out; the address is not confirmed yet.</summary>
    AwaitingAddressConfirmation,

    /// <summary>The address is not confirmed and its link has not gone yet (the mail service was slow; the orchestration's first step sends it).</summary>
    AddressLinkComing,

    /// <summary>
    /// Flagged <c>Failed</c> before the address was confirmed (a step that still failed after its retries, e.g. the mail
    /// service down throughout): staff take it up again from the list of open cases. A link that went still confirms
    /// the address meanwhile (<see cref="PrivacyCase.StillOpen"/>); the page does not ask for it, as one may not
    /// have gone.
    /// </summary>
    HeldUpBeforeAddressConfirmed,

    /// <summary>
    /// Closed without being acted on because the mail service refused the address given for good: no link to confirm it
    /// could go (<see cref="PrivacyCase.VerificationMailRefused"/>, Art. 12(6)), or the link it took was reported as not
    /// delivered (<see cref="PrivacyCase.VerificationMailBounced"/>, decision 148). The requester is asked to check the address.
    /// </summary>
    AddressRefusedByMailService,

    /// <summary>Staff asked the requester for more identification (Art. 12(6)) and wait for the answer.</summary>
    AwaitingIdentification,

    /// <summary>Past the address: identity, the stores, staff or a retry after a failure; the requester is still owed the answer.</summary>
    UnderWay,

    /// <summary>Carried out or refused: the answer (Art. 12(3)–(4) GDPR) went to the requester's address.</summary>
    Answered,

    /// <summary>Closed without being acted on: the address was not confirmed in time (Art. 12(6)).</summary>
    ClosedAddressNotConfirmed,

    /// <summary>Closed: the identification staff asked for did not come in time (Art. 12(6)).</summary>
    ClosedIdentityNotConfirmed,

    /// <summary>Carried out or refused, and answered by staff outside this system (a mail or letter of their own), on the day they recorded.</summary>
    AnsweredOutside,

    /// <summary>Its address confirmed, the request was added to an earlier open request of the same address asking the same (decision 84).</summary>
    JoinedEarlierRequest,
}

/// <summary>Wire values of <see cref="RequestProgress"/> (the status JSON's <c>progress</c>): the name in kebab case.</summary>
public static class RequestProgresses
{
    /// <summary><c>AwaitingIdentification</c> → <c>awaiting-identification</c>.</summary>
    public static string ToWire(this RequestProgress progress) =>
        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(progress.ToString());
}

public sealed partial record PrivacyCase
{
    /// <summary>
    /// Whether the rest of the request, beside the rights applied at once, may not be or was not carried out: the
    /// identification asked for is awaited or never came, or staff refused the request (identity, Art. 12(5)). What the
    /// requester reads then says that what was applied at once stands (the mails, the status page).
    /// </summary>
    public bool RestMayNotBeCarriedOut =>
        Progress is RequestProgress.AwaitingIdentification or RequestProgress.ClosedIdentityNotConfirmed || StatusNamedWhenClosed == CaseStatus.Rejected;

    /// <summary>
    /// Closed without being acted on (the address not confirmed, the identification not sent) and its Art. 12(4) notice,
    /// which gives the reasons and the remedies, has not gone (it failed, or waits for its step): the requester's page
    /// names the remedies meanwhile.
    /// </summary>
    public bool ClosedUntold =>
        Progress is RequestProgress.ClosedAddressNotConfirmed or RequestProgress.ClosedIdentityNotConfirmed && AnswerSentAt is null && AnsweredOutside is null;

    /// <summary>
    /// The mail service's report that the answer (the export's link, the report of what was done, the refusal, or the
    /// notice of a request closed without being acted on) did not reach the requester's address; null when none came
    /// or the case was not answered by mail.
    /// </summary>
    public BouncedMail? AnswerBounce =>
        Progress is RequestProgress.Answered or RequestProgress.ClosedAddressNotConfirmed or RequestProgress.ClosedIdentityNotConfirmed
            // Of the answer as last sent: a report from before a retry sent it again is about the earlier sending.
            ? BouncedMails.FirstOrDefault(b => b.Kind is Mail.MailKind.ExportReady or Mail.MailKind.ActionReport or Mail.MailKind.Rejection
                && b.ReportedAt >= (AnswerSentAt ?? DateTimeOffset.MinValue))
            : null;

    /// <summary>
    /// What the requester is told about this case (<see cref="RequestProgress"/>). A failed case is where it was before
    /// it failed: staff retry it from there (an expired case whose notice could not go is still closed); one that failed
    /// before its address was confirmed is held up (nothing sends or resends its link until staff take it up again).
    /// </summary>
    public RequestProgress Progress => (Status == CaseStatus.Failed ? StatusBeforeFailure : Status) switch
    {
        CaseStatus.AwaitingEmailVerification when EmailVerifiedAt is null && Status == CaseStatus.Failed => RequestProgress.HeldUpBeforeAddressConfirmed,
        // Confirmed, the status moves on at the next step (the approval request): the link is no longer what it waits for.
        CaseStatus.AwaitingEmailVerification when EmailVerifiedAt is null =>
            VerificationMailSentAt is null ? RequestProgress.AddressLinkComing : RequestProgress.AwaitingAddressConfirmation,
        CaseStatus.Completed or CaseStatus.Rejected when AnsweredOutside is not null => RequestProgress.AnsweredOutside,
        CaseStatus.Completed or CaseStatus.Rejected => RequestProgress.Answered,
        CaseStatus.Joined => RequestProgress.JoinedEarlierRequest,
        CaseStatus.Expired when ClosedAsAddressRefused => RequestProgress.AddressRefusedByMailService,
        CaseStatus.Expired when EmailVerifiedAt is null => RequestProgress.ClosedAddressNotConfirmed,
        CaseStatus.Expired => RequestProgress.ClosedIdentityNotConfirmed,
        _ when AwaitsIdentification && Decision is null => RequestProgress.AwaitingIdentification,
        _ => RequestProgress.UnderWay,
    };
}
