using System.Globalization;

using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Cases;

// The case as a state machine. Every change of a stored case is one of these named transitions: each checks that the
// case is in a state the step may start from and returns the new case, or the reason it is refused. Nothing else
// writes Status (a test scans the sources for it); endpoints and activities load, call a transition, save, signal.
public sealed partial record PrivacyCase
{
    // ---- Requester verification ----

    /// <summary>
    /// True while the case is owed its verification link: not sent yet (a retried step, or the intake and then the
    /// orchestration, send it once), the address not confirmed (a mail whose sender is proven needs none), the case open.
    /// </summary>
    public bool NeedsVerificationMail => VerificationMailSentAt is null && EmailVerifiedAt is null && !Status.IsFinished();

    /// <summary>
    /// Whether a mail to the requester may greet them by the name they gave: only once our link confirmed the address.
    /// Until then the name is text of someone's choosing (issue 18 item 9); a DMARC pass confirms the address at receipt,
    /// but anyone who can send for a domain passes for every address at it, display name included.
    /// </summary>
    public bool GreetsByName => EmailVerifiedAt is not null && (VerificationMailSentAt is not null || EarlierVerificationMails.Count > 0);

    /// <summary>The verification link went out (the first time); refused when the case was not owed one.</summary>
    public CaseTransition VerificationMailSent(DateTimeOffset at) =>
        VerificationMailSentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : EmailVerifiedAt is not null ? Refuse(CaseRefusal.AlreadyVerified)
        : Status.IsFinished() ? Refuse(CaseRefusal.Finished)
        : To(this with { VerificationMailSentAt = at });

    /// <summary>
    /// The mail service refused the verification link for good (<c>MailRefusedException</c> for its recipient: the address
    /// the requester gave is not one it delivers to). No link can reach the requester, so the address cannot be confirmed:
    /// the case closes at once as not confirmed (<see cref="CaseStatus.Expired"/>, Art. 12(6)), with no notice (it would
    /// go to the same address), and its retention starts (decision 141); also after a staff retry whose earlier link went
    /// (the address the mail service took then it no longer takes: nothing more can reach the requester either). Refused
    /// when no link is owed (one went, the address is confirmed, the case is finished).
    /// </summary>
    public CaseTransition VerificationMailRefused(DateTimeOffset at) =>
        !NeedsVerificationMail ? Refuse(CaseRefusal.NotAsked)
        : To((this with { VerificationMailRefusedAt = at }).WithStatus(CaseStatus.Expired, at));

    /// <summary>
    /// The mail service took the verification link, then reported that the address does not take mail
    /// (<see cref="Mail.MailBounce.AddressAtFault"/>: the receiving server does not know it, or the service no longer
    /// sends to an address that bounced before or is not valid). The link never reached the requester, so the address
    /// cannot be confirmed: the case closes as <see cref="VerificationMailRefused"/> does (<see cref="CaseStatus.Expired"/>,
    /// Art. 12(6), no notice, retention starting), and says that the link could not be delivered. Refused when the
    /// address was confirmed (the link, or one sent again, did arrive), or the case no longer waits for it (finished or
    /// failed), or no link is recorded as sent yet (the report then changes nothing; the same address's next link is
    /// reported in turn). The report is not tied to one link: after a staff retry, a late report of the earlier link
    /// closes the case too, which is what the new link to the same address would meet.
    /// </summary>
    public CaseTransition VerificationMailBounced(DateTimeOffset at) =>
        VerificationMailSentAt is null || EmailVerifiedAt is not null || Status != CaseStatus.AwaitingEmailVerification ? Refuse(CaseRefusal.NotAsked)
        : To((this with { VerificationMailRefusedAt = at, VerificationLinkBounced = true }).WithStatus(CaseStatus.Expired, at));

    /// <summary>
    /// The mail service took a mail to the requester and then reported it undeliverable, for a reason that does not close
    /// the case (<see cref="VerificationMailBounced"/> does, for a link whose address was at fault): recorded, so the
    /// case page tells staff the requester did not get it and to reach them another way. Once per kind: a report posted
    /// again, or a second of the same kind, is refused and changes nothing. Taken whatever the case's status (an answer
    /// can bounce after the case closed); not for a link once the address was confirmed.
    /// </summary>
    /// <remarks>
    /// <paramref name="sending"/> is the sending the report names (<see cref="SendingOf"/>), when the mail carried one: a
    /// report of an earlier link or request is recorded as that one's (audited; <see cref="PreviousLinkBounced"/>), not as
    /// the one sent since. A report without one is matched by when it came, as before.
    /// </remarks>
    public CaseTransition MailBounced(Mail.MailKind kind, string why, DateTimeOffset at, string? sending = null) =>
        BouncedMails.Any(b => b.Kind == kind && (sending is not null && b.Sending is not null ? b.Sending == sending : sending is null && IsOfCurrentSending(b))) ? Refuse(CaseRefusal.AlreadyDone)
        // A link that bounced once the address was confirmed (a link sent again did arrive): nothing for staff to do.
        : kind == Mail.MailKind.Verification && EmailVerifiedAt is not null ? Refuse(CaseRefusal.AlreadyVerified)
        : To(this with { BouncedMails = [.. BouncedMails, new BouncedMail(kind, at, why) { Sending = sending }] });

    /// <summary>
    /// Which sending of <paramref name="kind"/> a mail sent now is: for the link, <c>v</c> and how many links went before
    /// it on a staff retry (a requester's "send again" resends the same link); for a request for identification, <c>i</c>
    /// and how many requests came before it; null for the other kinds (each goes once). The one rule the mail's tag and
    /// the matching of its reports share.
    /// </summary>
    public string? SendingOf(Mail.MailKind kind) => kind switch
    {
        Mail.MailKind.Verification => "v" + EarlierVerificationMails.Count.ToString(CultureInfo.InvariantCulture),
        Mail.MailKind.IdentificationRequest => "i" + EarlierIdentificationRequests.Count.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Whether <paramref name="b"/> reports the mail of its kind now in force: by the sending it names, else by when it came.</summary>
    private bool IsOfCurrentSending(BouncedMail b) =>
        b.Sending is { } named ? named == SendingOf(b.Kind) : b.ReportedAt >= (LastSent(b.Kind) ?? DateTimeOffset.MinValue);

    /// <summary>
    /// When the mail of <paramref name="kind"/> now in force went, for the mails a requester is sent again (the link after
    /// a staff retry, a second request for identification, the answer sent again on a retry); null for the others (each
    /// bounces once for the case).
    /// </summary>
    private DateTimeOffset? LastSent(Mail.MailKind kind) => kind switch
    {
        Mail.MailKind.Verification => VerificationMailSentAt,
        Mail.MailKind.IdentificationRequest => IdentificationMailSentAt,
        Mail.MailKind.ExportReady or Mail.MailKind.ActionReport or Mail.MailKind.Rejection => AnswerSentAt,
        _ => null,
    };

    /// <summary>When the mail service reported the link now waited for undelivered (after it went), or null.</summary>
    public DateTimeOffset? LinkBouncedAt => BouncedAfterSending(Mail.MailKind.Verification);

    /// <summary>When the mail service reported the request for identification now waited for undelivered (after it went), or null.</summary>
    public DateTimeOffset? IdentificationRequestBouncedAt => AwaitsIdentification ? BouncedAfterSending(Mail.MailKind.IdentificationRequest) : null;

    private DateTimeOffset? BouncedAfterSending(Mail.MailKind kind) =>
        LastSent(kind) is not null ? BouncedMails.Where(b => b.Kind == kind && IsOfCurrentSending(b)).Select(b => (DateTimeOffset?)b.ReportedAt).Max() : null;

    /// <summary>
    /// True when the link before the current one (staff sent a new one on a retry) was reported undelivered too: two links
    /// in a row did not reach the address (<see cref="Expire"/> then closes the case rather than hold it again).
    /// </summary>
    public bool PreviousLinkBounced =>
        EarlierVerificationMails.Count > 0 && VerificationMailSentAt is { } current
        && BouncedMails.Any(b => b.Kind == Mail.MailKind.Verification && (b.Sending is { } named
            ? named == "v" + (EarlierVerificationMails.Count - 1).ToString(CultureInfo.InvariantCulture)
            : b.ReportedAt >= EarlierVerificationMails[^1] && b.ReportedAt < current));

    /// <summary>The <see cref="FailedStep"/> of a case whose link's time ran out after the link was reported undelivered (<see cref="Expire"/>).</summary>
    public const string MailNotDeliveredStep = "MailNotDelivered";

    /// <summary>Closed because the mail service refused the address the requester gave (<see cref="VerificationMailRefused"/>) or reported the link as bounced (<see cref="VerificationMailBounced"/>).</summary>
    public bool ClosedAsAddressRefused => Status == CaseStatus.Expired && VerificationMailRefusedAt is not null && EmailVerifiedAt is null;

    /// <summary>How often a requester can have the verification link sent again (it goes to the same address only).</summary>
    public const int MaxVerificationResends = 3;

    /// <summary>
    /// Why the verification link may not be sent again now, or null when it may. The thank-you page offers it only
    /// when this is null, and <c>POST /privacy/resend</c> sends it only then: not before the first link went (it
    /// follows the answer, decision 86, and a second asked for meanwhile would only race it).
    /// </summary>
    public CaseRefusal? ResendRefusal(TimeSpan verificationTimeout, DateTimeOffset now) =>
        Status != CaseStatus.AwaitingEmailVerification ? CaseRefusal.WrongStatus
        : EmailVerifiedAt is not null ? CaseRefusal.AlreadyVerified
        : VerificationMailSentAt is null ? CaseRefusal.LinkNotSentYet
        : VerificationResends - ResendsBeforeCurrentLink >= MaxVerificationResends ? CaseRefusal.ResendsUsedUp
        : VerificationDeadline(verificationTimeout, now) <= now ? CaseRefusal.VerificationTimedOut
        : null;

    /// <summary>
    /// Until when the requester may confirm the address: <paramref name="verificationTimeout"/> from the verification
    /// mail (or from <paramref name="whenNotSent"/>, when it has not gone yet). Counted from the mail, not the receipt:
    /// a mail that went late because of our own outage does not shorten the requester's time.
    /// </summary>
    public DateTimeOffset VerificationDeadline(TimeSpan verificationTimeout, DateTimeOffset whenNotSent) =>
        (VerificationMailSentAt ?? whenNotSent) + verificationTimeout;

    /// <summary>The requester asked for the verification link again.</summary>
    public CaseTransition VerificationResent(TimeSpan verificationTimeout, DateTimeOffset now) =>
        ResendRefusal(verificationTimeout, now) is { } refusal ? Refuse(refusal) : To(this with { VerificationResends = VerificationResends + 1 });

    /// <summary>
    /// The link sent again could not be sent (the mail service refused): the send is not counted against the requester's
    /// <see cref="MaxVerificationResends"/>, and when is on record for the audit trail.
    /// </summary>
    public CaseTransition VerificationResendNotSent(DateTimeOffset at) =>
        VerificationResends == 0 ? Refuse(CaseRefusal.NotAsked)
        : To(this with { VerificationResends = VerificationResends - 1, VerificationResendsNotSent = [.. VerificationResendsNotSent, at] });

    /// <summary>
    /// True while the case is open, or was flagged failed while open: what the requester does for it counts (confirming
    /// the address, answering a request for identification) and staff may still extend its deadline. A failed case
    /// waits for staff to retry it, and the requester's time and the legal deadline run on meanwhile: what the requester
    /// did in between must be there when it resumes, or the retry would close it for an answer it ignored. Not a case
    /// that ended (an expired case whose notice failed).
    /// </summary>
    public bool StillOpen => !StatusNamedWhenClosed.IsFinished();

    /// <summary>The requester confirmed the address (the orchestration is signalled after this is stored).</summary>
    /// <remarks>
    /// Refused on a finished case: a confirmation racing the expiry must not mark an expired case confirmed. Taken on a
    /// case flagged failed while open (<see cref="StillOpen"/>): the retry resumes it confirmed.
    /// </remarks>
    public CaseTransition Verify(DateTimeOffset at) =>
        EmailVerifiedAt is not null ? Refuse(CaseRefusal.AlreadyVerified)
        : !StillOpen ? Refuse(CaseRefusal.Finished)
        : To(this with { EmailVerifiedAt = at });

    /// <summary>True while the requester has not been told the request is registered and staff have not decided yet.</summary>
    public bool NeedsAcknowledgement => AcknowledgedAt is null && Decision is null;

    /// <summary>The acknowledgement (reference and legal due date) went out.</summary>
    public CaseTransition Acknowledge(DateTimeOffset at) =>
        AcknowledgedAt is not null ? Refuse(CaseRefusal.AlreadyDone) : To(this with { AcknowledgedAt = at });

    /// <summary>
    /// A run of the acknowledgement step starts sending it: claimed before the mail goes, as the answer is
    /// (<see cref="ClaimAnswer"/>, decision 116), so a second run of the step does not acknowledge the request twice.
    /// </summary>
    public CaseTransition ClaimAcknowledgement(DateTimeOffset at) =>
        Claim(AcknowledgedAt, AcknowledgementClaimedAt, at, x => x with { AcknowledgementClaimedAt = at });

    /// <summary>The acknowledgement claimed at <paramref name="claimedAt"/> could not be sent: its claim is taken back.</summary>
    public CaseTransition AcknowledgementNotSent(DateTimeOffset claimedAt) =>
        AcknowledgedAt is not null || AcknowledgementClaimedAt != claimedAt ? Refuse(CaseRefusal.NotAsked)
        : To(this with { AcknowledgementClaimedAt = null });

    /// <summary>
    /// The one rule of a mail claimed before it is sent (decision 116): refused once sent, and while another run's claim
    /// is younger than <see cref="AnswerClaimHold"/>; otherwise <paramref name="claim"/> records this run's.
    /// </summary>
    private CaseTransition Claim(DateTimeOffset? sentAt, DateTimeOffset? claimedAt, DateTimeOffset at, Func<PrivacyCase, PrivacyCase> claim) =>
        sentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : claimedAt is { } claimed && at - claimed < AnswerClaimHold ? Refuse(CaseRefusal.UnderWay)
        : To(claim(this));

    // ---- Staff identity approval ----

    /// <summary>How many different staff members must approve the identity: two for an erasure when so configured.</summary>
    public static int ApprovalsRequiredFor(RequestType type, bool twoApproversForErasure) =>
        type == RequestType.Erasure && twoApproversForErasure ? 2 : 1;

    /// <summary>True until staff were asked for a decision (and none was made).</summary>
    public bool NeedsApprovalRequest => Decision is null && ApprovalMailSentAt is null;

    /// <summary>Records what the stores hold (counts per store) and how many approvers the case needs, before staff are asked.</summary>
    public CaseTransition PrepareApproval(IReadOnlyDictionary<string, int> holdings, bool twoApproversForErasure) =>
        Status.IsFinished() ? Refuse(CaseRefusal.Finished)
        : To(this with { Holdings = holdings, ApprovalsRequired = ApprovalsRequiredFor(Type, twoApproversForErasure) });

    /// <summary>
    /// A run of the approval step starts sending staff the approval request: claimed before the mail goes, as the
    /// requester's mails are (decision 116), so two overlapping runs of the step ask staff once.
    /// </summary>
    public CaseTransition ClaimApprovalRequest(DateTimeOffset at) =>
        Claim(ApprovalMailSentAt, ApprovalRequestClaimedAt, at, x => x with { ApprovalRequestClaimedAt = at });

    /// <summary>The approval request claimed at <paramref name="claimedAt"/> could not be sent: its claim is taken back.</summary>
    public CaseTransition ApprovalRequestNotSent(DateTimeOffset claimedAt) =>
        ApprovalMailSentAt is not null || ApprovalRequestClaimedAt != claimedAt ? Refuse(CaseRefusal.NotAsked)
        : To(this with { ApprovalRequestClaimedAt = null });

    /// <summary>
    /// Staff were asked for the identity decision: the case waits for it. Refused once recorded: a second run of the step
    /// (delivered twice) must not restart the wait. When staff decided before the mail was recorded, its time is kept
    /// (the audit shows the mail went) and the status stays where the decision put it, never back to waiting.
    /// </summary>
    public CaseTransition RequestApproval(DateTimeOffset at) =>
        Status.IsFinished() ? Refuse(CaseRefusal.Finished)
        : ApprovalMailSentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : Decision is not null ? To(this with { ApprovalMailSentAt = at })
        : To((this with { ApprovalMailSentAt = at }).WithStatus(CaseStatus.AwaitingIdentityApproval, at));

    /// <summary>
    /// When the wait for staff's identity decision started: the approval request, or the last request for more
    /// identification, or the requester's reply to it, or the report that the request did not reach them, or a mail from
    /// their address that went to triage (each starts the wait and its reminders again).
    /// </summary>
    public DateTimeOffset ApprovalWaitStart(DateTimeOffset whenNotAsked) =>
        new[] { ApprovalMailSentAt ?? whenNotAsked, IdentificationRequestedAt ?? DateTimeOffset.MinValue, IdentificationAnsweredAt ?? DateTimeOffset.MinValue, IdentificationRequestBouncedAt ?? DateTimeOffset.MinValue,
            IdentificationMailInTriageAt ?? DateTimeOffset.MinValue }.Max();

    /// <summary>
    /// Until when the requester may answer the last request for more identification before the case may expire
    /// (Art. 12(4)): <paramref name="timeout"/> after its mail went, or, before that is recorded, after the request (a
    /// moment no later, so the date the mail names is never past the real one). Null when nothing was asked.
    /// </summary>
    public DateTimeOffset? IdentificationReplyDue(TimeSpan timeout) =>
        IdentificationRequestedAt is not { } asked ? null
        : (IdentificationMailSentAt is { } sent && sent >= asked ? sent : asked) + timeout;

    /// <summary>How often a case past its identification end looks again while mail up to the end is unread, unless configured.</summary>
    public static readonly TimeSpan DefaultUnreadMailRecheck = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether a case waiting on the identification asked for may expire at <paramref name="now"/>: its end
    /// (<see cref="IdentificationReplyDue"/>) has passed, and every mail that reached the mailbox before the end has been
    /// read (<paramref name="mailReadThrough"/>, null when no mail can be waiting), so no reply sent in time is still
    /// unread. False when the case does not wait on the requester's identification.
    /// </summary>
    public bool MayExpireForIdentification(DateTimeOffset now, TimeSpan timeout, DateTimeOffset? mailReadThrough) =>
        WaitsOnRequesterForIdentification && IdentificationReplyDue(timeout)!.Value is var end && now >= end && (mailReadThrough ?? now) >= end;

    /// <summary>
    /// True when the case waits on the requester's identification (<see cref="AwaitsIdentification"/>), the request for
    /// it was not reported undelivered (<see cref="IdentificationRequestBouncedAt"/>: nobody can answer a request that did
    /// not reach them) and no mail from their address that may answer it went to triage since
    /// (<see cref="IdentificationMailInTriageAt"/>). Otherwise the case waits on staff (reminders from then on) and never
    /// expires for want of an answer.
    /// </summary>
    public bool WaitsOnRequesterForIdentification => AwaitsIdentification && IdentificationRequestBouncedAt is null && IdentificationMailInTriageAt is null;

    /// <summary>
    /// A mail from the requester's address, received at <paramref name="receivedAt"/> while the case waits for the
    /// identification asked for, went to staff in triage (the classifier could not tell what it is, or the address has
    /// several cases waiting): it may be the answer, so the case waits on staff from then (reminders from its arrival)
    /// and does not expire for want of one (<see cref="WaitsOnRequesterForIdentification"/>; decision 152). The same
    /// mail recorded again is refused as done; at most <see cref="MaxRecordedReplies"/> are kept.
    /// </summary>
    public CaseTransition IdentificationMailInTriage(DateTimeOffset receivedAt) =>
        // A case flagged failed while it waited takes it too (decision 106), as it takes the answer itself.
        !AwaitsIdentification || !StillOpen ? Refuse(CaseRefusal.NotAsked)
        : IdentificationMailsInTriage.Contains(receivedAt) ? Refuse(CaseRefusal.AlreadyDone)
        : IdentificationMailsInTriage.Count >= MaxRecordedReplies ? Refuse(CaseRefusal.TooMany)
        : To(this with { IdentificationMailsInTriage = [.. IdentificationMailsInTriage, receivedAt] });

    /// <summary>When the last mail that may answer the request for identification now waited for went to triage (<see cref="IdentificationMailInTriage"/>), or null.</summary>
    public DateTimeOffset? IdentificationMailInTriageAt =>
        AwaitsIdentification && IdentificationRequestedAt is { } asked
            ? IdentificationMailsInTriage.Where(t => t >= asked).Select(t => (DateTimeOffset?)t).Max()
            : null;

    /// <summary>True when staff asked the requester for more identification and no reply has been recorded since.</summary>
    public bool AwaitsIdentification =>
        IdentificationRequestedAt is { } asked && IdentificationMailSentAt is { } sent && sent >= asked
        && (IdentificationAnsweredAt is not { } answered || answered < asked);

    /// <summary>
    /// The one rule of the wait for the identity decision at <paramref name="now"/>. Waiting on staff: reminders after one
    /// and two <paramref name="reminderAfter"/> periods, an escalation when <paramref name="timeout"/> has passed, then an
    /// escalation every <paramref name="reminderAfter"/> until someone decides. Staff not deciding never closes the case
    /// (Art. 12(3): the duty to answer stays). Waiting on the requester (identification asked for): nothing is sent to
    /// staff, and when <paramref name="timeout"/> passes without a reply the case may expire (Art. 12(4) notice). Each
    /// reminder goes once (its key is recorded); after a long stop only the latest one due is sent.
    /// </summary>
    /// <remarks>
    /// <paramref name="mailReadThrough"/> is the moment before which every mail the mailbox received has been handled
    /// (<see cref="Intake.IMailIntakeProgress"/>), null when no mail can be waiting. A reply that reached the mailbox
    /// before the requester's end is on time however late it is read, so past the end the case waits, looking again
    /// every <paramref name="unreadMailRecheck"/> (<see cref="DefaultUnreadMailRecheck"/> when null), until the mail up to
    /// the end has been read (<see cref="MayExpireForIdentification"/>).
    /// </remarks>
    public ApprovalWaitStep ApprovalWaitAt(DateTimeOffset now, TimeSpan reminderAfter, TimeSpan timeout, DateTimeOffset? mailReadThrough = null, TimeSpan? unreadMailRecheck = null)
    {
        if (Decision is not null || Status.IsFinished())
        {
            return new ApprovalWaitStep(ApprovalWaitAction.Wait, null, null);
        }

        if (WaitsOnRequesterForIdentification)
        {
            var end = IdentificationReplyDue(timeout)!.Value;
            return now < end ? new ApprovalWaitStep(ApprovalWaitAction.Wait, null, end)
                : MayExpireForIdentification(now, timeout, mailReadThrough) ? new ApprovalWaitStep(ApprovalWaitAction.Expire, null, null)
                : new ApprovalWaitStep(ApprovalWaitAction.Wait, null, now + (unreadMailRecheck ?? DefaultUnreadMailRecheck));
        }

        var start = ApprovalWaitStart(now);
        var escalation = start + timeout;
        var suffix = ApprovalWaitSuffix();
        (DateTimeOffset At, string Key, bool Escalated)? due = null;
        DateTimeOffset next;
        if (now < escalation)
        {
            var reminders = new[] { start + reminderAfter, start + (2 * reminderAfter) }.Where(at => at < escalation).ToList();
            for (var i = 0; i < reminders.Count && reminders[i] <= now; i++)
            {
                due = (reminders[i], ApprovalReminderKey(i + 1), false);
            }

            next = reminders.FirstOrDefault(at => at > now, escalation);
        }
        else
        {
            // Escalation n (from 1) falls at the timeout plus (n - 1) reminder periods, for as long as nobody decides.
            var n = 1 + (int)Math.Min(int.MaxValue - 2, Math.Floor((now - escalation) / reminderAfter));
            due = (escalation + ((n - 1) * reminderAfter), "approval-escalation-" + n.ToString(CultureInfo.InvariantCulture) + suffix, true);
            next = escalation + (n * reminderAfter);
        }

        return due is { } d && Reminders.All(r => r.Key != d.Key)
            ? new ApprovalWaitStep(d.Escalated ? ApprovalWaitAction.Escalate : ApprovalWaitAction.Remind, d.Key, next)
            : new ApprovalWaitStep(ApprovalWaitAction.Wait, null, next);
    }

    /// <summary>The key under which approval reminder <paramref name="number"/> of the current wait is recorded (once).</summary>
    public string ApprovalReminderKey(int number) =>
        "approval-" + number.ToString(CultureInfo.InvariantCulture) + ApprovalWaitSuffix();

    /// <summary>Distinguishes the reminders of a wait started again (after a request for identification, or its reply).</summary>
    private string ApprovalWaitSuffix() =>
        IdentificationRequestedAt is null ? string.Empty
        : "." + ApprovalWaitStart(DateTimeOffset.MinValue).UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>
    /// True while staff can take the identity decision: they were asked for it (the approval request went), nothing final
    /// is decided and the case is open (also while the requester is asked for more identification: staff may decide
    /// meanwhile). What the case page offers the decision page for.
    /// </summary>
    public bool AwaitsIdentityDecision => ApprovalMailSentAt is not null && Decision is null && !Status.IsFinished();

    /// <summary>The number the next approval gets (1, then 2 for an erasure that needs two approvers).</summary>
    public int NextApprovalStage => Approvals.Count + 1;

    /// <summary>
    /// What a decision page or approval card shows of the identity check, as a value its forms and actions send back: the
    /// next approval's number, when the requester was last asked for more identification (ticks, 0 for never), and how
    /// many of their replies are recorded (the lines the page shows; at most <see cref="MaxRecordedReplies"/>, so a
    /// requester writing again and again cannot keep every open page out of date): <c>1.0.0</c> for a case nobody has
    /// looked at. A staff decision is taken only on the basis it was made on (<see cref="DecisionBasisRefusal"/>). Times
    /// and counts only: nothing of the person.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DecisionBasis => string.Join('.',
        NextApprovalStage.ToString(CultureInfo.InvariantCulture),
        (IdentificationRequestedAt?.UtcTicks ?? 0).ToString(CultureInfo.InvariantCulture),
        IdentificationReplies.Count.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Why a staff decision sent from a page or card that showed <paramref name="shown"/> (its <see cref="DecisionBasis"/>
    /// then; null when it sent none, a page or card from before it carried one) may not be taken now, or null when the
    /// case still stands as shown. An approval whose page showed an older count only is <see cref="CaseRefusal.ApprovalOutOfTurn"/>
    /// (a colleague approved meanwhile); anything else is <see cref="CaseRefusal.DecisionBasisChanged"/>: a colleague
    /// approved or asked the requester for more identification, or the requester replied, since the page was opened. The
    /// staff member did not see that, so a refusal would tell the requester "refused" right after "send us more", an
    /// approval would pass an identity a colleague found short, and a second request would ask twice.
    /// </summary>
    public CaseRefusal? DecisionBasisRefusal(string? shown, bool approval)
    {
        var now = DecisionBasis;
        if (string.Equals(shown, now, StringComparison.Ordinal))
        {
            return null;
        }

        // Only an earlier approval count, the rest as now: a colleague approved meanwhile, decision 103's refusal.
        var dot = now.IndexOf('.', StringComparison.Ordinal);
        var shownDot = shown?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        var onlyFewerApprovals = approval && shownDot > 0
            && int.TryParse(shown![..shownDot], NumberStyles.None, CultureInfo.InvariantCulture, out var shownStage) && shownStage < NextApprovalStage
            && string.Equals(shown[shownDot..], now[dot..], StringComparison.Ordinal);
        return onlyFewerApprovals ? CaseRefusal.ApprovalOutOfTurn : CaseRefusal.DecisionBasisChanged;
    }

    /// <summary>
    /// <paramref name="decide"/> (a refusal, or a request for more identification) taken from a page or card that showed
    /// <paramref name="shown"/>: refused as decided or closed first (the page then says by whom or since when), then when
    /// the identity check moved on since (<see cref="DecisionBasisRefusal"/>).
    /// </summary>
    public CaseTransition DecideAsShown(string? shown, Func<PrivacyCase, CaseTransition> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return Decision is not null ? Refuse(CaseRefusal.AlreadyDecided)
            : Status.IsFinished() ? Refuse(CaseRefusal.Finished)
            : DecisionBasisRefusal(shown, approval: false) is { } changed ? Refuse(changed)
            : decide(this);
    }

    /// <summary>
    /// Whether this request came from one of <paramref name="staffAddresses"/>, the addresses a staff member is signed in
    /// under: then they may take no decision on its identity (approve, reject, refuse, ask for more), a colleague must;
    /// nobody checks their own identity. Compared as the submission limit compares (<see cref="EmailAddresses.LimitKey"/>:
    /// case, Unicode form and a plus-tag do not make another mailbox). A request from an address the staff member is not
    /// signed in under (a private one) is not recognised here. False once the case's identifiers are erased.
    /// </summary>
    public bool IsRequestOf(IEnumerable<string> staffAddresses)
    {
        ArgumentNullException.ThrowIfNull(staffAddresses);
        if (string.IsNullOrWhiteSpace(Email))
        {
            return false;
        }

        var requester = EmailAddresses.LimitKey(Email);
        return staffAddresses.Any(a => !string.IsNullOrWhiteSpace(a) && string.Equals(EmailAddresses.LimitKey(a), requester, StringComparison.Ordinal));
    }

    /// <summary>
    /// Why the staff member <paramref name="byId"/> (shown as <paramref name="by"/>) may not approve now, or null when they
    /// may. "The same person" compares ids (<see cref="IdentityApproval.IsBy"/>), never the names shown: a name can
    /// change or be shared, the Entra object id cannot. Without an id the name is the id.
    /// </summary>
    public CaseRefusal? ApprovalRefusal(string by, string? byId = null) =>
        Decision is not null ? CaseRefusal.AlreadyDecided
        : Status.IsFinished() ? CaseRefusal.Finished
        : Approvals.Any(a => a.IsBy(by, byId)) ? CaseRefusal.SameApprover
        : null;

    /// <summary>
    /// One staff approval of the identity, on the evidence given. The decision is final when <see cref="ApprovalsRequired"/>
    /// different staff members approved; the same person cannot approve twice, and an approval given on a page that
    /// showed an older count (<paramref name="stage"/>) is refused. Evidence "other" needs <paramref name="note"/>,
    /// saying what it was (kept with the approval, trimmed). <paramref name="by"/> is the name shown,
    /// <paramref name="byId"/> the staff member's stable id (the Entra object id; the name when not given).
    /// </summary>
    public CaseTransition Approve(int stage, string by, DateTimeOffset at, string evidence, string? note = null, string? byId = null)
    {
        if (ApprovalRefusal(by, byId) is { } refusal)
        {
            return Refuse(refusal);
        }

        if (Approvals.Count != stage - 1)
        {
            return Refuse(CaseRefusal.ApprovalOutOfTurn);
        }

        if (IdentityApproval.EvidenceRefusal(evidence, note) is { } noNote)
        {
            return Refuse(noNote);
        }

        var kept = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        var approvals = (IReadOnlyList<IdentityApproval>)[.. Approvals, new IdentityApproval(stage, by, at, evidence, kept, byId) { Round = ApprovalRound }];
        return To(approvals.Count >= ApprovalsRequired
            ? this with { Approvals = approvals, Decision = new IdentityDecision(DecisionOutcome.Approve, at, by, null) }
            : this with { Approvals = approvals });
    }

    /// <summary>
    /// <see cref="Approve"/> given through a link (the decision page's, or the approval card's): each approval is a use of
    /// its own (<c>{link}.approve.{stage}</c>, <c>{link}.approve.r{round}.{stage}</c> after approvals were set aside), so one link serves every approver an erasure needs and a repeated post of
    /// one approval is not taken twice. <paramref name="shown"/> is the <see cref="DecisionBasis"/> the page or card was
    /// made on; when the case no longer stands so (a colleague approved, asked for more identification, or the requester
    /// replied since), or the page or card did not say (one opened before pages carried it), the approval is refused
    /// (<see cref="DecisionBasisRefusal"/>) before the link's use is looked at: the approver believed another check would
    /// follow, or did not know a colleague found the identity short, so theirs must not become the decision.
    /// </summary>
    public CaseTransition ApproveThroughLink(string linkId, string? shown, string by, DateTimeOffset at, string evidence, string? note = null, string? byId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkId);
        var stage = NextApprovalStage;
        return ApprovalRefusal(by, byId) is { } refusal ? Refuse(refusal)
            : DecisionBasisRefusal(shown, approval: true) is { } changed ? Refuse(changed)
            // A round after approvals were set aside (RequestIdentification) has uses of its own: the same link serves it.
            : ThroughLink(linkId + ".approve." + (ApprovalRound == 0 ? string.Empty : "r" + ApprovalRound.ToString(CultureInfo.InvariantCulture) + ".") + stage.ToString(CultureInfo.InvariantCulture),
                x => x.Approve(stage, by, at, evidence, note, byId));
    }

    /// <summary>Staff refuse the identity, with the reason the requester will read. The first final decision stands.</summary>
    public CaseTransition Reject(string by, string reason, DateTimeOffset at) => Refusal(DecisionOutcome.Reject, by, reason, at);

    /// <summary>
    /// Staff refuse to act on the request as manifestly unfounded or excessive (Art. 12(5)), with the reasons the requester
    /// will read (required: Infomat bears the burden of demonstrating that character). Taken like a rejection: final from
    /// one staff member, the first final decision stands; the case closes as <see cref="CaseStatus.Rejected"/> once the
    /// mail went out (<see cref="RejectionSent"/>), its ground <see cref="RefusalGround.ManifestlyUnfoundedOrExcessive"/>.
    /// </summary>
    public CaseTransition RefuseAsManifestlyUnfoundedOrExcessive(string by, string reasons, DateTimeOffset at) =>
        string.IsNullOrWhiteSpace(reasons) ? Refuse(CaseRefusal.ReasonRequired) : Refusal(DecisionOutcome.ManifestlyUnfoundedOrExcessive, by, reasons, at);

    private CaseTransition Refusal(DecisionOutcome outcome, string by, string reason, DateTimeOffset at) =>
        Decision is not null ? Refuse(CaseRefusal.AlreadyDecided)
        : Status.IsFinished() ? Refuse(CaseRefusal.Finished)
        : To(this with { Decision = new IdentityDecision(outcome, at, by, reason) });

    /// <summary>
    /// Staff ask the requester for more identification; the wait for a decision starts again from now. The approvals given
    /// so far are set aside (<see cref="SetAsideApprovals"/>): they rested on what this colleague finds short, so the
    /// approvals the decision needs are given again on what the requester sends (an approver may give theirs again). An
    /// earlier request stays on record (<see cref="EarlierIdentificationRequests"/>) for the audit trail.
    /// </summary>
    public CaseTransition RequestIdentification(string by, string request, DateTimeOffset at) =>
        Decision is not null ? Refuse(CaseRefusal.AlreadyDecided)
        : Status.IsFinished() ? Refuse(CaseRefusal.Finished)
        : To(this with
        {
            IdentificationRequestedAt = at,
            IdentificationRequest = request,
            IdentificationRequestedBy = by,
            EarlierIdentificationRequests = IdentificationRequestedAt is { } earlier ? [.. EarlierIdentificationRequests, new IdentificationAsk(earlier, IdentificationRequestedBy)] : EarlierIdentificationRequests,
            Approvals = [],
            SetAsideApprovals = [.. SetAsideApprovals, .. Approvals.Select(a => a with { SetAsideAt = at, SetAsideBy = by })],
        });

    /// <summary>
    /// The mail asking the requester for more identification could not be sent: the request made at
    /// <paramref name="askedAt"/> by <paramref name="askedBy"/> is taken back (the fields as they were in
    /// <paramref name="before"/>, the case it replaced) and the link's <paramref name="use"/> given back, so nothing reads
    /// as asked and staff can ask again; when, on record for the audit trail. Refused when the request stored is not that
    /// one (a colleague asked since: theirs stands), or its mail was recorded as sent.
    /// </summary>
    public CaseTransition IdentificationRequestNotSent(string use, PrivacyCase before, DateTimeOffset askedAt, string askedBy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(before);
        return IdentificationRequestedAt != askedAt || !string.Equals(IdentificationRequestedBy, askedBy, StringComparison.Ordinal) ? Refuse(CaseRefusal.NotAsked)
            : IdentificationMailSentAt >= IdentificationRequestedAt ? Refuse(CaseRefusal.AlreadyDone)
            : To(this with
            {
                IdentificationRequestedAt = before.IdentificationRequestedAt,
                IdentificationRequest = before.IdentificationRequest,
                IdentificationRequestedBy = before.IdentificationRequestedBy,
                EarlierIdentificationRequests = before.EarlierIdentificationRequests,
                // The approvals it set aside count again, unless a colleague approved since (on the case as it stood then).
                Approvals = Approvals.Count == 0 ? before.Approvals : Approvals,
                SetAsideApprovals = Approvals.Count == 0 ? before.SetAsideApprovals : SetAsideApprovals,
                LinkUses = [.. LinkUses.Where(u => !string.Equals(u, use, StringComparison.Ordinal))],
                IdentificationRequestsNotSent = [.. IdentificationRequestsNotSent, at],
            });
    }

    /// <summary>
    /// True when the request for more identification now on the case went out by mail (its sending recorded after it was
    /// asked). False while it is being sent, and when its mail and its taking back both failed: the requester was not
    /// asked, whatever the request's record says, and the decision page and card say so.
    /// </summary>
    public bool IdentificationRequestMailed =>
        IdentificationRequestedAt is { } asked && IdentificationMailSentAt is { } sent && sent >= asked;

    /// <summary>
    /// The mail asking the requester for more identification went out: from now the requester's time runs (a request
    /// whose mail failed leaves the case with staff, who are reminded, rather than waiting on a mail never sent).
    /// </summary>
    public CaseTransition IdentificationMailSent(DateTimeOffset at) =>
        IdentificationRequestedAt is null ? Refuse(CaseRefusal.NotAsked)
        : IdentificationMailSentAt >= IdentificationRequestedAt ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { IdentificationMailSentAt = at });

    /// <summary>
    /// The requester replied to the request for more identification: recorded, so staff are told and the case no longer
    /// waits on the requester. Refused when nothing was asked, or the case is decided or finished (not when it was
    /// flagged failed while open: <see cref="StillOpen"/>).
    /// </summary>
    /// <remarks>
    /// The reply is kept as its time and attachment count only (<paramref name="attachments"/>, null when not counted);
    /// the same reply recorded again (a retry) is not added twice. At most <see cref="MaxRecordedReplies"/> are kept.
    /// </remarks>
    public CaseTransition IdentificationAnswered(DateTimeOffset at, int? attachments = null) =>
        IdentificationRequestedAt is null ? Refuse(CaseRefusal.NotAsked)
        : Decision is not null ? Refuse(CaseRefusal.AlreadyDecided)
        : !StillOpen ? Refuse(CaseRefusal.Finished)
        : To(this with
        {
            // The latest reply counts: an earlier one read late (a backlog) does not set the time back before a later request.
            IdentificationAnsweredAt = IdentificationAnsweredAt is { } before && before > at ? before : at,
            IdentificationReplies = IdentificationReplies.Any(r => r.At == at) || IdentificationReplies.Count >= MaxRecordedReplies
                ? IdentificationReplies
                : [.. IdentificationReplies, new IdentificationReply(at, attachments)],
        });

    /// <summary>
    /// A staff member records that they checked the identification the requester sent (in the mailbox; nothing of it is
    /// stored here). Refused before any reply came, and when the latest reply is already recorded as checked.
    /// </summary>
    public CaseTransition IdentificationSeen(string by, DateTimeOffset at) =>
        IdentificationReplies.Count == 0 ? Refuse(CaseRefusal.NotAsked)
        : IdentificationChecks.Count > 0 && IdentificationChecks[^1].At >= IdentificationReplies[^1].At ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { IdentificationChecks = [.. IdentificationChecks, new IdentificationCheck(by, at)] });

    /// <summary>
    /// The requester replied to one of our mails about the case (issue 15): recorded on the case whatever its status, so
    /// staff read it there; the same mail recorded twice (a retry) is refused as done, and a case keeps at most
    /// <see cref="MaxRecordedReplies"/> (a requester or a mail loop writing without end cannot grow it without end).
    /// </summary>
    public CaseTransition ReplyReceived(DateTimeOffset at) =>
        RequesterReplies.Contains(at) ? Refuse(CaseRefusal.AlreadyDone)
        : RequesterReplies.Count >= MaxRecordedReplies ? Refuse(CaseRefusal.TooMany)
        : To(this with { RequesterReplies = [.. RequesterReplies, at] });

    /// <summary>How many of the requester's replies a case records; later ones stay in the mailbox under its category.</summary>
    public const int MaxRecordedReplies = 50;

    /// <summary>How long after staff were told of a reply further replies are filed without a mail of their own.</summary>
    public static readonly TimeSpan ReplyQuietPeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether staff are (or were) told of the recorded reply at <paramref name="at"/>: the first reply, and each reply
    /// that comes <see cref="ReplyQuietPeriod"/> or more after the last one staff were told of. Worked out from the
    /// recorded replies alone, so a retry of the same reply gets the same answer.
    /// </summary>
    public bool StaffToldOfReply(DateTimeOffset at)
    {
        DateTimeOffset? lastTold = null;
        foreach (var reply in RequesterReplies.Where(r => r <= at).Order())
        {
            var told = lastTold is not { } last || reply - last >= ReplyQuietPeriod;
            if (told)
            {
                lastTold = reply;
            }

            if (reply == at)
            {
                return told;
            }
        }

        return false;
    }

    /// <summary>The rejection mail went out: the case is closed as rejected.</summary>
    public CaseTransition RejectionSent(DateTimeOffset at) =>
        AnswerSentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To((this with { AnswerSentAt = at }).WithStatus(CaseStatus.Rejected, at));

    /// <summary>
    /// The identity is approved: work on the request starts. Also from a case still reading as awaiting its address: the
    /// approval request went out but its record was lost (a host killed after the mail), and staff approved from the
    /// mail; left there, the steps that need <see cref="CaseStatus.InProgress"/> (the review of others' free text,
    /// Art. 15(4)) were refused and skipped.
    /// </summary>
    public CaseTransition StartWork(DateTimeOffset at) =>
        Status == CaseStatus.AwaitingIdentityApproval
        || (Status == CaseStatus.AwaitingEmailVerification && Decision is { Outcome: DecisionOutcome.Approve } && EmailVerifiedAt is not null)
            ? To(WithStatus(CaseStatus.InProgress, at))
            : Refuse(CaseRefusal.WrongStatus);

    // ---- Staff tasks ----

    /// <summary>
    /// The staff work a case needs: the objection to weigh (one task), or a correction in each store that holds
    /// records of the person (none when no store does).
    /// </summary>
    public IReadOnlyList<StaffTask> PlanTasks(IEnumerable<(string Store, int Records)> holdings)
    {
        var counts = holdings.ToList();
        return Type == RequestType.Objection
            ? [new StaffTask("objection", StaffTaskKind.ReviewObjection, null, counts.Sum(x => x.Records))]
            : counts.Where(x => x.Records > 0).Select(x => new StaffTask(x.Store, StaffTaskKind.Rectify, x.Store, x.Records)).ToList();
    }

    /// <summary>True until the staff tasks were created and staff mailed about them.</summary>
    public bool NeedsTasks => Tasks.Count == 0 && TasksMailSentAt is null;

    /// <summary>True when tasks exist but staff were not mailed the link yet.</summary>
    public bool NeedsTasksMail => Tasks.Count > 0 && TasksMailSentAt is null;

    /// <summary>The staff tasks are created (once); while any is open the case awaits staff action.</summary>
    public CaseTransition OpenTasks(IReadOnlyList<StaffTask> tasks, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return Tasks.Count > 0 ? Refuse(CaseRefusal.AlreadyDone)
            : To((this with { Tasks = tasks }).WithStatus(tasks.Count > 0 ? CaseStatus.AwaitingStaffAction : Status, at));
    }

    /// <summary>
    /// A run of the tasks step starts mailing staff the link to the tasks: claimed before the mail goes (decision 116), so
    /// two overlapping runs of the step mail staff once.
    /// </summary>
    public CaseTransition ClaimTasksMail(DateTimeOffset at) =>
        Claim(TasksMailSentAt, TasksMailClaimedAt, at, x => x with { TasksMailClaimedAt = at });

    /// <summary>The task mail claimed at <paramref name="claimedAt"/> could not be sent: its claim is taken back.</summary>
    public CaseTransition TasksMailNotSent(DateTimeOffset claimedAt) =>
        TasksMailSentAt is not null || TasksMailClaimedAt != claimedAt ? Refuse(CaseRefusal.NotAsked)
        : To(this with { TasksMailClaimedAt = null });

    /// <summary>Staff were mailed the link to the tasks.</summary>
    public CaseTransition TasksMailSent(DateTimeOffset at) =>
        TasksMailSentAt is not null ? Refuse(CaseRefusal.AlreadyDone) : To(this with { TasksMailSentAt = at });

    /// <summary>Why task <paramref name="key"/> may not get <paramref name="outcome"/> now, or null when it may.</summary>
    public CaseRefusal? TaskRefusal(string key, StaffTaskOutcome outcome, string? note)
    {
        if (AnsweredOutside is not null)
        {
            // Staff answered the case themselves: what its tasks were for was done outside this system.
            return CaseRefusal.Finished;
        }

        var task = Tasks.FirstOrDefault(t => t.Key == key);
        if (task is null)
        {
            return CaseRefusal.UnknownTask;
        }

        var fits = task.Kind == StaffTaskKind.Rectify ? outcome is StaffTaskOutcome.Done or StaffTaskOutcome.Refused or StaffTaskOutcome.NothingToCorrect : outcome is StaffTaskOutcome.Upheld or StaffTaskOutcome.Refused;
        return !fits ? CaseRefusal.WrongTaskOutcome
            : outcome == StaffTaskOutcome.Refused && string.IsNullOrWhiteSpace(note) ? CaseRefusal.ReasonRequired
            : !task.IsOpen ? CaseRefusal.TaskDone
            : null;
    }

    /// <summary>Staff finished one task: a correction made, or the objection upheld or refused (with reasons).</summary>
    public CaseTransition CompleteTask(string key, StaffTaskOutcome outcome, string? note, string by, DateTimeOffset at) =>
        TaskRefusal(key, outcome, note) is { } refusal ? Refuse(refusal)
        : To(this with
        {
            Tasks = Tasks.Select(t => t.Key == key ? t with { DoneAt = at, DoneBy = by, Outcome = outcome, Note = string.IsNullOrEmpty(note) ? null : note } : t).ToList(),
        });

    /// <summary>How many staff tasks are still open.</summary>
    public int OpenTaskCount => Tasks.Count(t => t.IsOpen);

    /// <summary>
    /// True while the case waits on staff to finish its tasks (a correction in a store, an objection to weigh): the case
    /// page then offers a fresh link to them, so a colleague who never had the tasks mail, or whose link expired, can act
    /// (the mail is sent once and tasks have no reminders of their own; the case's due-date reminders lead to its page).
    /// </summary>
    public bool AwaitsStaffTasks => Status == CaseStatus.AwaitingStaffAction && OpenTaskCount > 0;

    /// <summary>
    /// True when staff may still record this case's tasks but its report goes only once a colleague retries it: a step
    /// failed for good, which ended the run that waited on the tasks (the retry's run reads what they recorded).
    /// </summary>
    public bool TasksWaitOnRetry => Status == CaseStatus.Failed && AnsweredOutside is null && Tasks.Count > 0;

    /// <summary>Every staff task is done: the case is back in progress.</summary>
    public CaseTransition ResumeAfterTasks(DateTimeOffset at) =>
        OpenTaskCount > 0 || Status != CaseStatus.AwaitingStaffAction ? Refuse(CaseRefusal.WrongStatus) : To(WithStatus(CaseStatus.InProgress, at));

    // ---- Export and answer ----

    /// <summary>
    /// The zip is written to the exports container under <paramref name="blobName"/>, at <paramref name="at"/>, by a run of
    /// the build that read the case as <paramref name="asRead"/> (the case itself when null). Refused
    /// (<see cref="CaseRefusal.AlreadyDone"/>) when a zip is recorded already, or another run moved a zip's record since
    /// <paramref name="asRead"/> (<see cref="ReplaceExport"/>): the same step delivered twice, whose other run recorded
    /// its zip first, perhaps withdrawn or deleted since, or a staff retry's build that writes again. Refused
    /// (<see cref="CaseRefusal.WrongStatus"/>) when the case is no longer being answered by the run that read it: flagged
    /// failed or finished since (an erasure may be deleting its copies), or retried by staff (the retry collects again,
    /// and what this run read predates it). A recorded zip is only ever replaced through <see cref="ReplaceExport"/>
    /// (decision 135).
    /// </summary>
    public CaseTransition ExportWritten(string blobName, DateTimeOffset? at = null, PrivacyCase? asRead = null)
    {
        var read = asRead ?? this;
        return ExportBlobName is not null || ReplacedExports.Count != read.ReplacedExports.Count ? Refuse(CaseRefusal.AlreadyDone)
            : Status.IsFinished() || Retries.Count != read.Retries.Count || CopiesBeingErasedBy.Count > 0 ? Refuse(CaseRefusal.WrongStatus)
            : To(this with { ExportBlobName = blobName, ExportWrittenAt = at, ExportWrittenAfterRetries = read.Retries.Count });
    }

    /// <summary>
    /// True when the case hands out the zip under <paramref name="blobName"/> as recorded at <paramref name="now"/>: live
    /// and standing (<see cref="RecordedZipStands"/>), not due for deletion (<see cref="ExportDeletionDue"/>: its link
    /// ended), and no erasure deleting the case's copies (<see cref="CopiesBeingErasedBy"/>). The build reuses that zip
    /// rather than write it again; a run whose record was refused (<see cref="ExportWritten"/>) leaves what it wrote only
    /// then, and otherwise deletes it, so no zip stays in storage that the register records as withdrawn, deleted or
    /// replaced, nor one the sweep or an erasure is deleting (decision 135).
    /// </summary>
    public bool HandsOut(string blobName, DateTimeOffset now) =>
        RecordedZipStands && LiveExport == blobName && ExportDeletionDue(now) is null && CopiesBeingErasedBy.Count == 0;

    /// <summary>
    /// Whether the zip recorded for the case was written before the review of its free text that now stands, and no link
    /// to it may have gone: a failed case retried collects again, and when what it collected is reviewed again (decision
    /// 117) the old zip holds neither the data nor the withholdings of that review. It is written again
    /// (<see cref="ReplaceExport"/>) rather than handed out. A zip whose link may have reached the requester stands (it
    /// is their answer). A zip recorded before its time was kept counts as older than any review after the first.
    /// </summary>
    public bool ExportPredatesReview =>
        ExportNeverLinked && Review is { DoneAt: { } reviewed }
        && (ExportWrittenAt is { } written ? written < reviewed : EarlierReviews.Count > 0);

    /// <summary>
    /// Whether the zip recorded for the case was written before the last staff retry, and no link to it may have gone: the
    /// retried run collected again (from the stores as they are now, after an erasure of the same person perhaps), so it
    /// is written again from that (<see cref="ReplaceExport"/>) rather than the older zip handed out (decision 133). A zip
    /// whose link may have reached the requester stands.
    /// </summary>
    public bool ExportPredatesRetry => ExportNeverLinked && ExportWrittenBeforeLastRetry;

    /// <summary>
    /// The case was retried by staff and still hands out a zip written before that retry (its link may have gone, so it
    /// stands, <see cref="RecordedZipStands"/>): its answer holds the data collected before the retry.
    /// </summary>
    public bool AnswersWithZipFromBeforeRetry => RecordedZipStands && ExportWrittenBeforeLastRetry;

    /// <summary>The recorded zip was written before the last staff retry: counted by retries, not by two hosts' clocks (by the clock for a zip recorded before the count was kept).</summary>
    private bool ExportWrittenBeforeLastRetry =>
        ExportBlobName is not null && Retries.Count > 0
        && (ExportWrittenAfterRetries is { } retries ? retries < Retries.Count : ExportWrittenAt is not { } written || written < Retries[^1].At);

    /// <summary>
    /// The zip recorded for the case is the one its run hands out, not written again: live (<see cref="LiveExport"/>),
    /// and neither older than the review that stands (<see cref="ExportPredatesReview"/>) nor than a staff retry that
    /// collected again (<see cref="ExportPredatesRetry"/>). The one rule the build and an erasure's report follow.
    /// </summary>
    public bool RecordedZipStands => LiveExport is not null && !ExportPredatesReview && !ExportPredatesRetry;

    /// <summary>True until the answer (export link, report or rejection) went out: it is sent once.</summary>
    public bool NeedsAnswer => AnswerSentAt is null;

    /// <summary>
    /// How long a claim on the requester's answer (<see cref="ClaimAnswer"/>) keeps another run of its step from sending
    /// it: past this, a send that has not reported back (its host stopped mid-send) no longer holds the answer up, so the
    /// step handed on after a stopped host sends without waiting long (decision 116). A send takes seconds; one still
    /// under way after a minute while another run of its step overlaps it is the one case two mails can still go.
    /// </summary>
    public static readonly TimeSpan AnswerClaimHold = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A run of a step starts sending the requester's answer (the export link, the report, the rejection or the expiry
    /// notice): claimed in the register before the mail goes, so a second run of the step (delivered twice, decision 116)
    /// is refused (<see cref="CaseRefusal.UnderWay"/>) while the claim holds, and once the answer is recorded
    /// (<see cref="CaseRefusal.AlreadyDone"/>), rather than mailing the requester again.
    /// </summary>
    public CaseTransition ClaimAnswer(DateTimeOffset at) =>
        // A claim taken over after its hold ran out was neither recorded nor taken back: its mail may have gone, and
        // that stays known when this claim is taken back (review of 5 December).
        Claim(AnswerSentAt, AnswerClaimedAt, at, x => x with { AnswerClaimedAt = at, AnswerMayHaveGoneAt = x.AnswerClaimedAt ?? x.AnswerMayHaveGoneAt });

    /// <summary>
    /// When a run claimed the answer and neither recorded it nor took its claim back before another run took over (its
    /// host stopped mid-send): that mail, a link among it, may have reached the requester. Never cleared by a later
    /// claim taken back.
    /// </summary>
    public DateTimeOffset? AnswerMayHaveGoneAt { get; init; }

    /// <summary>
    /// The answer claimed at <paramref name="claimedAt"/> could not be sent: the claim is taken back, so the step's retry
    /// sends it at once. Refused when that claim is no longer the case's (it ran out and another run claimed) or the answer
    /// is recorded.
    /// </summary>
    public CaseTransition AnswerNotSent(DateTimeOffset claimedAt) =>
        AnswerSentAt is not null || AnswerClaimedAt != claimedAt ? Refuse(CaseRefusal.NotAsked)
        : To(this with { AnswerClaimedAt = null });

    /// <summary>The answer (export link or report) went out: the case is completed.</summary>
    public CaseTransition Complete(DateTimeOffset at, DateTimeOffset? exportExpiresAt = null, bool? foundNothing = null, IEnumerable<string>? recipientsToTell = null)
    {
        if (AnswerSentAt is not null)
        {
            return Refuse(CaseRefusal.AlreadyDone);
        }

        var completed = (this with { AnswerSentAt = at, ExportExpiresAt = exportExpiresAt ?? ExportExpiresAt, FoundNothing = foundNothing ?? FoundNothing }).WithStatus(CaseStatus.Completed, at);
        // The recipients the report said we tell (Art. 19): their notices in the same write, so the case never stands
        // finished with that promise made and nobody asked to keep it.
        return To(recipientsToTell is null ? completed : completed.WithRecipientNotices(recipientsToTell, at) ?? completed);
    }

    /// <summary>Why the export may not be downloaded now (withdrawn, deleted, downloads used up, none), or null when it may.</summary>
    public CaseRefusal? DownloadRefusal(int maxDownloads) =>
        ExportRevokedAt is not null ? CaseRefusal.ExportRevoked
        : ExportDeleted is not null ? CaseRefusal.ExportDeleted
        : Downloads.Count >= maxDownloads ? CaseRefusal.DownloadsUsedUp
        : ExportBlobName is null ? CaseRefusal.NoExport
        : null;

    /// <summary>The requester downloads the export (each download recorded and audited; at most <paramref name="maxDownloads"/>).</summary>
    public CaseTransition RecordDownload(DateTimeOffset at, int maxDownloads) =>
        DownloadRefusal(maxDownloads) is { } refusal ? Refuse(refusal) : To(this with { Downloads = [.. Downloads, at] });

    /// <summary>Staff withdraw the export: the download page refuses from then on (the blob is deleted after this is stored).</summary>
    public CaseTransition RevokeExport(string by, DateTimeOffset at) =>
        ExportBlobName is null ? Refuse(CaseRefusal.NoExport)
        : ExportRevokedAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        // Deleted already (its link ended, or an erasure): nothing to withdraw, and the requester's page keeps saying why it went.
        : ExportDeleted is not null ? Refuse(CaseRefusal.NoExport)
        : To(this with { ExportRevokedAt = at, ExportRevokedBy = by });

    // ---- Deadline ----

    /// <summary>The further months of Art. 12(3): at most two in all.</summary>
    public const int MaxExtensionMonths = 2;

    /// <summary>How many further months the deadline was extended by so far.</summary>
    public int ExtendedMonths => Extensions.Where(e => e.InForce).Sum(e => e.Months);

    /// <summary>
    /// Why the deadline may not be extended by <paramref name="months"/> now, or null when it may (Art. 12(3): two further
    /// months in all, decided within the first month, measured from the first due date, on a case still open, also when
    /// flagged failed: a store down across the first due date must not cost the extension).
    /// </summary>
    public CaseRefusal? ExtensionRefusal(int months, DateTimeOffset now) =>
        months < 1 || ExtendedMonths + months > MaxExtensionMonths ? CaseRefusal.ExtensionTooLong
        : DueDateCalculator.Today(now) > FirstDueDate ? CaseRefusal.ExtensionTooLate
        : !StillOpen ? CaseRefusal.ExtensionClosed
        : null;

    /// <summary>
    /// True when the legal due date (as extended) was before the day of <paramref name="now"/> (Brussels): the answer is
    /// late, as the overdue flag counts it (<see cref="DueReminder"/>). What the requester is told then says so.
    /// </summary>
    public bool IsLateAt(DateTimeOffset now) => DueDateCalculator.DaysLeft(DueDate, now) < 0;

    /// <summary>The last day staff may still extend the deadline (the first due date), or null when no extension is possible now.</summary>
    public DateOnly? ExtendableUntil(DateTimeOffset now) => ExtensionRefusal(1, now) is null ? FirstDueDate : null;

    /// <summary>
    /// The due date after <paramref name="months"/> more months: the extension months in all counted from the end of the
    /// first month (Art. 12(3) "two further months"), each controller on its own calendar, the earliest of them.
    /// </summary>
    public DateOnly ExtendedDueDate(int months, DataMap map) => DueDateCalculator.DueDate(ReceivedAt, Entity, map, months: 1, furtherMonths: ExtendedMonths + months);

    /// <summary>The extensions staff may choose now (months, and the due date each gives); none when no extension is allowed.</summary>
    public IReadOnlyList<(int Months, DateOnly DueDate)> ExtensionOptions(DateTimeOffset now, DataMap map) =>
        Enumerable.Range(1, MaxExtensionMonths).Where(m => ExtensionRefusal(m, now) is null).Select(m => (m, ExtendedDueDate(m, map))).ToList();

    /// <summary>
    /// Extends the deadline, with the reason the requester will read. <paramref name="shownDueDate"/> is the due date the
    /// staff member's page showed when they chose the extension: when it is not the due date now (an extension was
    /// recorded since: a colleague's, another tab's, a second click), or the page did not say (null: one opened before
    /// pages carried it), this one is refused as <see cref="CaseRefusal.ExtensionConflict"/> rather than added to it.
    /// </summary>
    public CaseTransition Extend(int months, string reason, string by, DateTimeOffset now, DateOnly? shownDueDate, DataMap map)
    {
        if (DueDate != shownDueDate)
        {
            return Refuse(CaseRefusal.ExtensionConflict);
        }

        if (ExtensionRefusal(months, now) is { } refusal)
        {
            return Refuse(refusal);
        }

        var dueDate = ExtendedDueDate(months, map);
        return To(this with { DueDate = dueDate, Extensions = [.. Extensions, new DeadlineExtension(months, DueDate, dueDate, reason, by, now)] });
    }

    /// <summary>
    /// Takes back <paramref name="extension"/>, the last one recorded, because its notice could not be sent: an extension
    /// the requester is not told of does not hold (Art. 12(3)), so the due date goes back to what it was and staff may
    /// extend again. Refused when the case moved on since (another extension, or the due date changed).
    /// </summary>
    public CaseTransition WithdrawExtension(DeadlineExtension extension, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var index = Extensions.Count - 1;
        if (index < 0 || Extensions[index] != extension || DueDate != extension.NewDueDate)
        {
            return Refuse(CaseRefusal.ExtensionConflict);
        }

        return To(this with
        {
            DueDate = extension.PreviousDueDate,
            Extensions = [.. Extensions.Take(index), extension with { WithdrawnAt = at }],
        });
    }

    /// <summary>True while the requester is still owed an answer (see <see cref="CaseStatuses.IsUnanswered"/>).</summary>
    public bool IsUnanswered => Status.IsUnanswered();

    /// <summary>
    /// The reminder staff are due for this case's legal date at <paramref name="now"/>: a week before, two working days
    /// before (on the calendar of the controller whose date it is, so staff have two working days left), or overdue
    /// from the day after and again every week while it stays unanswered; keyed by the due date too, so after an
    /// extension they come again for the new date. Null when none is due (answered or closed case, nothing close, or
    /// already sent). <c>Escalate</c>: the reminder goes to the escalation address as well (the two-working-days one
    /// and every overdue flag): staff being away must not be what lets the legal date pass unnoticed, and the
    /// escalation comes while the deadline can still be met, or extended (within the first month, Art. 12(3)).
    /// </summary>
    public DueReminder? DueReminder(DateTimeOffset now, DataMap map)
    {
        if (!IsUnanswered)
        {
            return null;
        }

        // The rule is DueReminders'; a case records each reminder it got.
        return DueReminders.At(DueDate, now, DueCountry(map)) is { } due && Reminders.All(r => r.Key != due.Key) ? due : null;
    }

    /// <summary>
    /// The country of the controller whose own date is the case's due date (the earliest of the scope, after any
    /// extension): its working days are the ones staff have left.
    /// </summary>
    private string DueCountry(DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var dates = DueDateCalculator.DueDates(ReceivedAt, Entity, map, months: 1, furtherMonths: ExtendedMonths);
        var code = dates.FirstOrDefault(d => d.DueDate == DueDate).Controller ?? dates[0].Controller;
        return map.Controller(code).Country;
    }

    /// <summary>A reminder (approval or due date) went out; each key is recorded once.</summary>
    public CaseTransition RecordReminder(string key, DateTimeOffset at) =>
        Reminders.Any(r => r.Key == key) ? Refuse(CaseRefusal.AlreadyDone) : To(this with { Reminders = [.. Reminders, new SentReminder(key, at)] });

    // ---- Ending a case otherwise ----

    /// <summary>
    /// Why the case may not be closed as expired at <paramref name="now"/>, or null when it may. Only the requester not
    /// responding ends a case: the address never confirmed within <paramref name="verificationTimeout"/> of receipt, or the
    /// identification asked for not sent within <paramref name="identificationTimeout"/> (and no reply that reached the
    /// mailbox in time still unread: <see cref="MayExpireForIdentification"/>, with <paramref name="mailReadThrough"/>).
    /// Staff not deciding never does, and a recorded decision is carried out whatever the clock says.
    /// </summary>
    /// <remarks>
    /// Silence is not the requester's when the mail they were to answer did not reach them: a link the mail service
    /// reported undelivered (<see cref="LinkBouncedAt"/>) is <see cref="CaseRefusal.MailNotDelivered"/> once its time is
    /// over (<see cref="Expire"/> holds the case up for staff), and a request for identification so reported leaves the
    /// case with staff (<see cref="WaitsOnRequesterForIdentification"/>).
    /// </remarks>
    public CaseRefusal? ExpireRefusal(DateTimeOffset now, TimeSpan verificationTimeout, TimeSpan identificationTimeout, DateTimeOffset? mailReadThrough = null) =>
        Status.IsFinished() ? CaseRefusal.Finished
        : Decision is not null ? CaseRefusal.AlreadyDecided
        : EmailVerifiedAt is null ? (VerificationMailSentAt is { } sent && now >= sent + verificationTimeout ? (LinkBouncedAt is null ? null : CaseRefusal.MailNotDelivered) : CaseRefusal.StillWaiting)
        : WaitsOnRequesterForIdentification ? (MayExpireForIdentification(now, identificationTimeout, mailReadThrough) ? null : CaseRefusal.StillWaiting)
        : CaseRefusal.StaffMustDecide;

    /// <summary>
    /// The requester did not respond in time (see <see cref="ExpireRefusal"/>): closed as expired; the notice follows. A
    /// case whose link's time ran out after the link was reported undelivered is flagged <see cref="CaseStatus.Failed"/>
    /// instead (<see cref="MailNotDeliveredStep"/>): held up, its requester told so on their page, and a staff retry
    /// sends a new link whose time runs from then; when that link too was reported undelivered, the case closes as a link
    /// bounced for its address does (<see cref="VerificationMailBounced"/>): it cannot wait without end.
    /// </summary>
    public CaseTransition Expire(DateTimeOffset at, TimeSpan verificationTimeout, TimeSpan identificationTimeout, DateTimeOffset? mailReadThrough = null) =>
        ExpireRefusal(at, verificationTimeout, identificationTimeout, mailReadThrough) switch
        {
            null => To(WithStatus(CaseStatus.Expired, at)),
            // The link staff had sent again after one that did not arrive did not arrive either: two links in a row did
            // not reach the address, so the case closes as a link bounced for its address does (no notice can arrive).
            CaseRefusal.MailNotDelivered when PreviousLinkBounced && LinkBouncedAt is { } reported => VerificationMailBounced(reported),
            CaseRefusal.MailNotDelivered => Fail(at, MailNotDeliveredStep),
            var refusal => Refuse(refusal.Value),
        };

    /// <summary>True when the case expired and the requester was not yet told why (Art. 12(4)).</summary>
    public bool NeedsExpiryNotice => Status == CaseStatus.Expired && AnswerSentAt is null && AnsweredOutside is null && !ClosedAsAddressRefused;

    /// <summary>The Art. 12(4) notice of an expired case went out.</summary>
    public CaseTransition ExpiryNoticeSent(DateTimeOffset at) =>
        !NeedsExpiryNotice ? Refuse(CaseRefusal.AlreadyDone) : To(this with { AnswerSentAt = at });

    /// <summary>
    /// A step could not be done: the case is flagged for staff (nothing is sent to the requester). <paramref name="run"/>:
    /// the number of staff retries on record when the failing run read the case; a run from before a later retry is
    /// refused (its step ran again after the retry began a new run). Null: not known (a run from before this), not checked.
    /// </summary>
    /// <remarks>An expired case whose Art. 12(4) notice could not be sent is flagged too, so it is not closed with the requester untold.</remarks>
    public CaseTransition Fail(DateTimeOffset at, string? step = null, int? run = null) =>
        run is { } r && r != Retries.Count ? Refuse(CaseRefusal.RunSuperseded)
        : Status.IsFinished() && !NeedsExpiryNotice ? Refuse(CaseRefusal.Finished)
        : To((this with { FailedStep = step }).WithStatus(CaseStatus.Failed, at));

    /// <summary>
    /// A staff member resumes a failed case: it goes back to the status it had before it failed and its orchestration
    /// starts again from what the register records (steps already done, in the stores too, are not done twice). A case
    /// held up before its address was confirmed gets a new verification link (<see cref="NeedsVerificationMail"/>; the
    /// one sent is kept in <see cref="EarlierVerificationMails"/>): the requester's time to confirm runs from the new
    /// one, so a stop on our side, however long, never closes the case as "not confirmed in time", and the first
    /// link's token may have run out meanwhile. Refused while an erasure of the same person deletes what the case prepared
    /// (<see cref="CopiesBeingErasedBy"/>), unless each such erasure is among <paramref name="stoppedErasures"/>: failed,
    /// ended or removed from the register (<see cref="ErasureStopped"/>).
    /// </summary>
    /// <remarks>
    /// <paramref name="shownBasis"/>: the <see cref="RetryBasis"/> the staff member's page showed; another one now (a
    /// colleague withdrew the zip since, so the retry would write it again and mail its link, which that page did not
    /// warn of) is refused as <see cref="CaseRefusal.RetryPageOutdated"/>. Null: not checked (not a page's retry).
    /// </remarks>
    public CaseTransition Retry(string by, DateTimeOffset at, IReadOnlyCollection<string>? stoppedErasures = null, string? shownBasis = null)
    {
        if (Status != CaseStatus.Failed)
        {
            return Refuse(CaseRefusal.NotFailed);
        }

        // Only what the page could not have warned of: a retry that now writes a withdrawn zip again (not a page opened
        // before the field existed, nor one whose withdrawal a colleague's retry has since replaced).
        if (shownBasis is not null && RetryWritesWithdrawnExportAgain && shownBasis != RetryBasis)
        {
            return Refuse(CaseRefusal.RetryPageOutdated);
        }

        // An erasure's mark holds while that erasure still runs; one that failed, ended or is gone deletes nothing more
        // (a retry of it judges this case again, being answered by then, and leaves it).
        if (ErasuresHoldingRetry(stoppedErasures).Count > 0)
        {
            return Refuse(CaseRefusal.CopiesBeingErased);
        }

        var retried = this with { Retries = [.. Retries, new StaffRetry(by, at)], CopiesBeingErasedBy = [] };
        if (EmailVerifiedAt is null && StatusBeforeFailure == CaseStatus.AwaitingEmailVerification && VerificationMailSentAt is { } sent)
        {
            // The new link comes with its own resends (the count itself goes on: each resend keeps its audit key).
            retried = retried with { EarlierVerificationMails = [.. EarlierVerificationMails, sent], VerificationMailSentAt = null, ResendsBeforeCurrentLink = VerificationResends };
        }

        return To(retried.WithStatus(StatusBeforeFailure, at));
    }

    /// <summary>
    /// A staff retry of this failed case writes its download file again although staff withdrew it, and mails the
    /// requester a link to the new one: the answer has not gone, so the build does not hand out a withdrawn zip
    /// (<see cref="RecordedZipStands"/>) and writes it again (<see cref="ReplaceExport"/>). The case page warns before
    /// the retry (decision 140).
    /// </summary>
    public bool RetryWritesWithdrawnExportAgain => Status == CaseStatus.Failed && NeedsAnswer && ExportBlobName is not null && ExportRevokedAt is not null;

    /// <summary>
    /// What a retry of this failed case would do that its page must have shown (<see cref="Retry"/>): whether it writes a
    /// withdrawn download file again, and which withdrawal; the case page's retry form carries it.
    /// </summary>
    public string RetryBasis => RetryWritesWithdrawnExportAgain ? "withdrawn-" + ExportRevokedAt!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture) : "plain";

    /// <summary>
    /// The erasures whose marks hold a staff retry of this case (<see cref="Retry"/>): those marking it
    /// (<see cref="CopiesBeingErasedBy"/>) that are not among <paramref name="stoppedErasures"/>. The refusal page names
    /// these, not one that has stopped.
    /// </summary>
    public IReadOnlyList<string> ErasuresHoldingRetry(IReadOnlyCollection<string>? stoppedErasures) =>
        [.. CopiesBeingErasedBy.Where(id => stoppedErasures?.Contains(id) != true)];

    /// <summary>
    /// Whether the erasure that marked a case (<see cref="CopiesBeingErasedBy"/>), <paramref name="erasure"/> as stored now
    /// (null when the register no longer has it), deletes nothing more: it failed, ended, or is gone.
    /// </summary>
    public static bool ErasureStopped(PrivacyCase? erasure) => erasure is null || !erasure.NeedsWork;

    /// <summary>The longest text staff may give for how they answered a case outside this system.</summary>
    public const int MaxAnswerOutsideLength = 2000;

    /// <summary>
    /// Why staff may not close this case as answered outside this system, or null when they may: only a failed case
    /// (an open one is answered by the system), and only once the answer it was due is known: the address confirmed and
    /// staff decided on the identity (approved, or refused) or the case needs no identity decision (a withdrawal of
    /// consent, an objection to direct marketing: decision 49); or it expired and only its Art. 12(4) notice failed. A
    /// failed case not that far is retried first (the requester confirms, staff decide on the decision page).
    /// </summary>
    public CaseRefusal? AnswerOutsideRefusal =>
        Status != CaseStatus.Failed ? CaseRefusal.NotFailed
        : StatusBeforeFailure == CaseStatus.Expired ? null
        : EmailVerifiedAt is null || (Decision is null && NeedsIdentityApproval) ? CaseRefusal.NotDecided
        : null;

    /// <summary>
    /// Staff answered a failed case outside this system and record it (<see cref="AnswerOutsideRefusal"/>): the case closes
    /// as <see cref="StatusWhenAnsweredOutside"/>, nothing more is sent, and the register's retention starts
    /// (<see cref="RetentionStart"/>). A zip whose link never went is withdrawn (the sweep deletes it); one whose link may
    /// have gone (its mail claimed, never recorded: decision 116) keeps working for the link's life from that claim, then
    /// is deleted. Refused without how the requester was answered or with more than
    /// <see cref="MaxAnswerOutsideLength"/> characters (<see cref="CaseRefusal.ReasonRequired"/>), for a day before the
    /// request was received or after today in Brussels (<see cref="CaseRefusal.DateOutOfRange"/>), and when the failure
    /// the page showed (<paramref name="shownFailedAt"/>) is not the case's now (<see cref="CaseRefusal.PageOutdated"/>:
    /// a colleague retried it since, and it may close otherwise than the page said).
    /// </summary>
    public CaseTransition CloseAnsweredOutside(string by, DateOnly answeredOn, string how, DateTimeOffset? shownFailedAt, TimeSpan linkLifetime, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(how);
        if (AnswerOutsideRefusal is { } refusal)
        {
            return Refuse(refusal);
        }

        if (shownFailedAt != FailedAt)
        {
            return Refuse(CaseRefusal.PageOutdated);
        }

        if (string.IsNullOrWhiteSpace(how) || how.Trim().Length > MaxAnswerOutsideLength)
        {
            return Refuse(CaseRefusal.ReasonRequired);
        }

        if (answeredOn < DueDateCalculator.Today(ReceivedAt) || answeredOn > DueDateCalculator.Today(at))
        {
            return Refuse(CaseRefusal.DateOutOfRange);
        }

        var closed = this with { AnsweredOutside = new AnswerOutside(by, at, answeredOn, how.Trim()) };
        if (ExportNeverLinked)
        {
            closed = closed with { ExportRevokedAt = at, ExportRevokedBy = by };
        }
        else if (ExportLinkMayHaveGoneAt is { } claimed)
        {
            closed = closed with { ExportExpiresAt = claimed + linkLifetime };
        }

        return To(closed.WithStatus(StatusWhenAnsweredOutside, at));
    }

    /// <summary>When the case last failed (the failure a page shows); null when it is not failed.</summary>
    public DateTimeOffset? FailedAt => Status == CaseStatus.Failed && History.Count > 0 ? History[^1].At : null;

    /// <summary>
    /// True when the case has a zip whose link never went to the requester: no link recorded, none claimed (a claimed
    /// mail may have gone), not withdrawn or deleted.
    /// </summary>
    public bool ExportNeverLinked =>
        ExportBlobName is not null && ExportExpiresAt is null && AnswerClaimedAt is null && AnswerMayHaveGoneAt is null && ExportRevokedAt is null && ExportDeleted is null;

    /// <summary>
    /// When the mail with the link to a zip still there was claimed, if it may have gone without being recorded (decision
    /// 116: a send that failed after the service took it, a host stopped mid-send); null otherwise. Such a link keeps
    /// working for its life from then.
    /// </summary>
    public DateTimeOffset? ExportLinkMayHaveGoneAt =>
        ExportBlobName is not null && ExportExpiresAt is null && ExportRevokedAt is null && ExportDeleted is null ? AnswerClaimedAt ?? AnswerMayHaveGoneAt : null;

    /// <summary>
    /// The status a failed case closes with when staff answered it outside this system: the answer the register shows was
    /// due. Expired for an expired case whose Art. 12(4) notice could not go (staff gave it); Rejected when staff had refused
    /// the request (its refusal could not be sent); Completed after an approval, or with none needed.
    /// </summary>
    public CaseStatus StatusWhenAnsweredOutside =>
        StatusBeforeFailure == CaseStatus.Expired ? CaseStatus.Expired
        : DecidedRefusalGround is not null ? CaseStatus.Rejected
        : CaseStatus.Completed;

    /// <summary>
    /// True when a failed case still waits on the identity decision once staff retry it: it failed before it was
    /// decided and before it ended (an expired case whose notice could not go fails too, and a retry leaves it expired).
    /// </summary>
    public bool DecisionResumesOnRetry => Status == CaseStatus.Failed && Decision is null && !StatusBeforeFailure.IsFinished();

    /// <summary>The status a page names a case by when no decision can be taken on it: a failed case by where it stood before.</summary>
    public CaseStatus StatusNamedWhenClosed => Status == CaseStatus.Failed ? StatusBeforeFailure : Status;

    /// <summary>The status a failed case had before it failed (where a retry resumes it).</summary>
    public CaseStatus StatusBeforeFailure =>
        History.Take(History.Count - 1).LastOrDefault(h => h.Status != CaseStatus.Failed)?.Status ?? CaseStatus.AwaitingEmailVerification;

    /// <summary>
    /// How often the orchestration may be started again automatically within a day without the case moving on; when it
    /// stops once more, the case is flagged Failed.
    /// </summary>
    public const int MaxAutomaticRestarts = 3;

    /// <summary>
    /// Automatic restarts in the day before <paramref name="now"/> since the case last changed status (or was retried):
    /// a fault that a restart does not cure stops the case every few minutes; a release stops it once.
    /// </summary>
    public int RecentRestarts(DateTimeOffset now)
    {
        var since = new[] { History.Count > 0 ? History[^1].At : ReceivedAt, now - TimeSpan.FromDays(1) }.Max();
        return Restarts.Count(r => r > since);
    }

    /// <summary>
    /// True while something is still to be done for the case by its orchestration: it is open, or it expired and the
    /// requester's notice has not gone. (A failed case waits for staff: they retry it.) The reconciler lists these.
    /// </summary>
    public bool NeedsWork => !Status.IsFinished() || NeedsExpiryNotice;

    /// <summary>
    /// The reconciler found the case open and its orchestration stopped (failed outside its own handling, terminated, or
    /// replaced by a release): it may start it again, up to <see cref="MaxAutomaticRestarts"/> times in a day without
    /// progress; after that the case is flagged Failed for staff instead (a fault that a restart does not cure).
    /// </summary>
    public CaseTransition RecordRestart(DateTimeOffset at) =>
        !NeedsWork ? Refuse(CaseRefusal.Finished)
        : RecentRestarts(at) >= MaxAutomaticRestarts ? Refuse(CaseRefusal.RestartsUsedUp)
        : To(this with { Restarts = [.. Restarts, at] });

    /// <summary>
    /// True when the register shows the step the orchestration waits on (<paramref name="waiting"/>) already done, so
    /// its signal was lost and must be sent again.
    /// </summary>
    public bool HasMovedPast(WaitingFor waiting)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        return !Status.IsFinished() && waiting.Step switch
        {
            CaseWait.EmailVerification => EmailVerifiedAt is not null,
            // Decided; or the run looked while the requester was asked for identification and waits for their deadline, and
            // they have replied since (or the request bounced): staff's reminders must start again now.
            CaseWait.IdentityDecision => Decision is not null || (waiting.OnRequester && !WaitsOnRequesterForIdentification),
            CaseWait.StaffTasks => OpenTaskCount < waiting.OpenTasks,
            CaseWait.ExportReview => Review is { DoneAt: not null },
            _ => false,
        };
    }

    // ---- Register retention ----

    /// <summary>
    /// When the register's retention of a finished case starts: our last step on it that a claim could be about, its
    /// closing or a later one the person or a recipient was told of (a restriction lifted, Art. 18(3); a recipient told,
    /// Art. 19), the latest. The limitation period runs from when the person knew. Null while the case is open.
    /// </summary>
    public DateTimeOffset? RetentionStart =>
        ClosedAt is not { } closed ? null
        : new[] { closed, RestrictionLift?.NoticeSentAt ?? closed, RestrictionLift?.LiftedAt ?? closed }
            .Concat(RecipientNotices.Select(n => n.InformedAt ?? closed)).Max();

    /// <summary>
    /// <see cref="RetentionStart"/>, for a request that joined another (<see cref="CaseStatus.Joined"/>) no earlier than
    /// that of <paramref name="answering"/>, the case named by <see cref="JoinedCaseId"/> (its answer answered this one:
    /// our last step on it too), and none while that case is open. Null <paramref name="answering"/> (not looked up, or
    /// gone at the end of its own retention): the case's own.
    /// </summary>
    public DateTimeOffset? RetentionStartBeside(PrivacyCase? answering) =>
        RetentionStart is not { } own ? null
        : Status != CaseStatus.Joined || answering is null || answering.Id != JoinedCaseId ? own
        // A case flagged failed still owes its answer (its status counts as finished for other purposes).
        : !answering.IsUnanswered && answering.RetentionStart is { } theirs ? (theirs > own ? theirs : own)
        : null;

    /// <summary>
    /// True when the case's retention (<see cref="RetentionStartBeside"/>) is longer ago than <paramref name="retention"/>
    /// and it still holds the requester's identifiers.
    /// </summary>
    public bool IsDueForIdentifierErasure(DateTimeOffset now, TimeSpan retention, PrivacyCase? answering = null) =>
        IdentifiersErasedAt is null && RetentionStartBeside(answering) is { } start && now - start > retention;

    /// <summary>
    /// The case without the requester's identifiers or free text, after the register's retention period: what remains
    /// is pseudonymous (the keyed hash <paramref name="subjectHash"/> of the address stays, so the audit trail still links).
    /// </summary>
    public CaseTransition EraseIdentifiers(string subjectHash, DateTimeOffset at, TimeSpan retention, PrivacyCase? answering = null) =>
        !IsDueForIdentifierErasure(at, retention, answering) ? Refuse(CaseRefusal.NotDueForErasure)
        : To(this with
        {
            Email = string.Empty,
            Name = string.Empty,
            Company = null,
            Details = null,
            IdentificationRequest = null,
            SubjectHash = subjectHash,
            IdentifiersErasedAt = at,
            Decision = Decision is null ? null : Decision with { Reason = null },
            Approvals = Approvals.Select(a => a with { Note = null }).ToList(),
            SetAsideApprovals = SetAsideApprovals.Select(a => a with { Note = null }).ToList(),
            Tasks = Tasks.Select(t => t with { Note = null }).ToList(),
            Extensions = Extensions.Select(e => e with { Reason = string.Empty }).ToList(),
            RestrictionLift = RestrictionLift is null ? null : RestrictionLift with { Reason = string.Empty },
            AnsweredOutside = AnsweredOutside is null ? null : AnsweredOutside with { How = string.Empty },
            // The keyed fingerprints of the reviewed free text go with the identifiers (decision 117).
            Review = Review is null ? null : Review with { Fingerprint = null },
            EarlierReviews = [.. EarlierReviews.Select(r => r with { Fingerprint = null })],
        });

    /// <summary>
    /// True when the pseudonymous remainder of the case (identifiers erased) is older than <paramref name="retention"/>
    /// since its retention started (<see cref="RetentionStart"/>): the retention sweep removes the row and its audit
    /// trail, a signed checkpoint in the trail's place. A case still owed an answer (open or failed) is never due, nor
    /// one that restricts the person's records for good (<see cref="RestrictsForGood"/>: an upheld objection): it is
    /// what blocks a later lift from starting the processing the person objected to again, so its pseudonymous remainder
    /// (the keyed hash of the address, no identifier) stays as long as that restriction does. One whose report said it
    /// found nothing restricted nothing, and goes as any case.
    /// </summary>
    public bool IsDueForRemoval(DateTimeOffset now, TimeSpan retention, PrivacyCase? answering = null) =>
        IdentifiersErasedAt is not null && !Status.IsUnanswered() && !(RestrictsForGood && FoundNothing != true) && RetentionStartBeside(answering) is { } start && now - start > retention;

    /// <summary>The case moved to <paramref name="status"/>, with the change in its history (unchanged if already there).</summary>
    internal PrivacyCase WithStatus(CaseStatus status, DateTimeOffset at) =>
        Status == status ? this : this with { Status = status, History = [.. History, new StatusChange(status, at)] };

    private static CaseTransition To(PrivacyCase changed) => CaseTransition.To(changed);

    private static CaseTransition Refuse(CaseRefusal refusal) => CaseTransition.Refuse(refusal);
}
