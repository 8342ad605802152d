using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

// Lifting a restriction (Art. 18(3), issue 17 item 7): the requester is told first, then the stores change. The notice
// is claimed before it is sent (a second click is refused, not mailed again) and the claim taken back when it cannot go;
// the notice sent and the lift are two transitions, so a lift whose notice went but whose store update failed is
// finished later without a second notice.
public sealed partial record PrivacyCase
{
    /// <summary>
    /// Why staff may not lift the restriction this case put in place, or null when they may: the case answered a
    /// restriction request (it is completed, so the records were marked restricted), its requester's address is still
    /// held (the notice goes there; the stores match on it) and the restriction is not lifted yet.
    /// </summary>
    public CaseRefusal? LiftRefusal =>
        !Rights.Contains(RequestType.Restriction) ? CaseRefusal.NothingRestricted
        // Its report said nothing was found, so nothing was restricted: there is nothing to lift or to tell of.
        : FoundNothing == true ? CaseRefusal.NothingRestricted
        : Status != CaseStatus.Completed ? CaseRefusal.WrongStatus
        : IdentifiersErasedAt is not null ? CaseRefusal.Finished
        : RestrictionLift?.LiftedAt is not null ? CaseRefusal.AlreadyDone
        : null;

    /// <summary>
    /// Whether this case's restriction keeps records an earlier erasure holds past their legal period, until it is lifted
    /// (Art. 18(1)(c): the person may need them for a claim; decision 183): a restriction request, which staff can lift. An
    /// upheld objection restricts too, but is never lifted, so it keeps nothing past the hold.
    /// </summary>
    public bool KeepsHeldRecords => Rights.Contains(RequestType.Restriction);

    /// <summary>
    /// Whether the register erased this restriction's identifiers before its lift's notice went: no Art. 18(3) notice can go
    /// now, so no lift is offered (decision 138). A lift whose notice went and that did not finish is not this.
    /// </summary>
    public bool LiftNoticeImpossible => LiftRefusal == CaseRefusal.Finished && RestrictionLift is null;

    /// <summary>
    /// Whether this restriction's lift was left half-way for good: the requester was told it would be lifted, the stores'
    /// update did not finish, and the register then erased the identifiers the stores match on (decision 143). The lift
    /// cannot be finished; what it did not lift stays restricted, and which stores it reached is not known here.
    /// </summary>
    public bool LiftUnfinishable => LiftRefusal == CaseRefusal.Finished && RestrictionLift is { LiftedAt: null };

    /// <summary>
    /// Whether the stores held nothing of the person for this case to act on and staff corrected nothing (<paramref
    /// name="outcomes"/>: what the case's actions did): a restriction or an upheld objection then restricted nothing, and
    /// its report must not say it did, nor promise to tell before a lift (the one rule the report and the lift ask).
    /// </summary>
    public bool FindsNothingIn(IReadOnlyList<Stores.StoreOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return outcomes.All(o => o.Matched == 0) && !Tasks.Any(t => t.Kind == StaffTaskKind.Rectify && t.Outcome == StaffTaskOutcome.Done);
    }

    /// <summary>What the report said when it went: true when its actions found nothing to act on (<see cref="FindsNothingIn"/>); null before, and for reports sent before this was kept.</summary>
    public bool? FoundNothing { get; init; }

    /// <summary>
    /// Whether this case restricts the person's records for good: an objection staff upheld (Art. 21(1): that processing
    /// stops; the records are kept stored only), which no page lifts. From the moment it is upheld, whatever the case's
    /// status: the stores may be restricted before its report goes, and a case failed after that is not restricted again
    /// by its retry (each store answers a repeated action with what it recorded). Its identifiers erased after their
    /// retention, it still does, and is known by the keyed hash of the address.
    /// </summary>
    public bool RestrictsForGood =>
        Tasks.Any(t => t.Kind == StaffTaskKind.ReviewObjection && t.Outcome == StaffTaskOutcome.Upheld);

    /// <summary>
    /// The reference of a case of the same person (<paramref name="subjectHash"/>: the keyed hash of this case's address,
    /// for cases whose address is gone) that restricted records for good in a store this lift would change, or null when
    /// none did. The stores mark a record restricted, not by which case, so lifting this restriction would silently end
    /// that one too: the processing the person objected to would start again. The one rule the lift page asks before it
    /// tells the requester anything. (Another restriction request of the person keeps the records restricted instead:
    /// <see cref="LiftKeptBy"/>.)
    /// </summary>
    public string? LiftBlockedBy(IEnumerable<PrivacyCase> others, string? subjectHash) =>
        FirstOfPerson(others, subjectHash, o => o.RestrictsForGood);

    /// <summary>
    /// The reference, first in order, of another case of this case's person (its address, or once the register erased
    /// that, the keyed hash <paramref name="subjectHash"/>) on a company of this case that <paramref name="which"/>
    /// picks; null when there is none. Each store belongs to one company, so a company in common is a store in common:
    /// the one test the lift's rules share.
    /// </summary>
    private string? FirstOfPerson(IEnumerable<PrivacyCase> others, string? subjectHash, Func<PrivacyCase, bool> which)
    {
        ArgumentNullException.ThrowIfNull(others);
        return others
            .Where(o => IsOtherOfPerson(o, subjectHash) && o.Entity.Codes.Any(Entity.Codes.Contains) && which(o))
            .Select(o => o.Id)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private bool IsOtherOfPerson(PrivacyCase other, string? subjectHash) => other.Id != Id && other.IsAbout(Email, subjectHash);

    /// <summary>
    /// Whether this case's restriction holds the person's records restricted now, or will once its actions run, until
    /// staff lift it: a restriction request whose identity was approved (its stores are restricted, or are about to be),
    /// not refused, expired or joined to another, whose report did not say nothing was found, and whose lift was not
    /// announced (once its notice went, the requester was told it ends). Its address erased after its retention, no page
    /// can lift it and it keeps no other lift: the lift of another request of the person, whose notice reaches them, ends
    /// it too.
    /// </summary>
    public bool RestrictsUntilLifted =>
        Rights.Contains(RequestType.Restriction)
        && ActsOnStores
        && RestrictionLift is null
        && IdentifiersErasedAt is null;

    /// <summary>
    /// Whether this case's actions have changed the stores, or may have, or will: its identity was approved and it was not
    /// refused, expired or joined to another (so it is in progress, completed, or failed and waiting for its retry, which
    /// runs its actions again), and its report did not say nothing was found.
    /// </summary>
    private bool ActsOnStores =>
        Decision is { Outcome: DecisionOutcome.Approve }
        && Status is not (CaseStatus.Rejected or CaseStatus.Expired or CaseStatus.Joined)
        && FoundNothing != true;

    /// <summary>
    /// What other restriction requests of the same person (<paramref name="subjectHash"/> as in <see cref="LiftBlockedBy"/>)
    /// that still hold records restricted (<see cref="RestrictsUntilLifted"/>) keep of this lift: each of them, by
    /// reference, with the companies of this case it covers (each company once, under the first request by reference);
    /// empty when none does. The stores mark a record restricted, not by which request, so changing those companies'
    /// stores would end that restriction too, whose own ground (Art. 18(1)) may not have ended. The lift then ends this
    /// request's restriction, leaves those stores restricted and says so, and lifts the stores of this case's other
    /// companies (decision 128).
    /// </summary>
    public IReadOnlyList<KeptUnder> LiftKeptBy(IEnumerable<PrivacyCase> others, string? subjectHash)
    {
        ArgumentNullException.ThrowIfNull(others);
        var parts = new List<KeptUnder>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in others
            .Where(o => o.RestrictsUntilLifted && IsOtherOfPerson(o, subjectHash))
            .OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            var codes = Entity.Codes.Where(code => o.Entity.Codes.Contains(code) && covered.Add(code)).ToList();
            if (codes.Count > 0)
            {
                parts.Add(new KeptUnder(o.Id, codes));
            }
        }

        return parts;
    }

    /// <summary>The companies (controller codes) whose stores <paramref name="kept"/> keeps restricted.</summary>
    public static IReadOnlyList<string> KeptEntities(IReadOnlyList<KeptUnder>? kept) => [.. (kept ?? []).SelectMany(k => k.Entities).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The reference of another restriction request of the same person, on a company of this case, whose own lift notice
    /// is being sent now (its claim holds, <see cref="RestrictionLiftClaimHold"/>), or null. Two lifts of one person sent
    /// at once would each take the other as still in force (<see cref="LiftKeptBy"/>), both end, and the records stay
    /// restricted with no lift left to end them; so a lift asks after its own claim, and gives way to one under way.
    /// </summary>
    public string? LiftUnderWayBy(IEnumerable<PrivacyCase> others, string? subjectHash, DateTimeOffset now) =>
        FirstOfPerson(others, subjectHash, o => o.Rights.Contains(RequestType.Restriction)
            && o.RestrictionLift is null && o.RestrictionLiftClaim is { } claim && now - claim.At < RestrictionLiftClaimHold);

    /// <summary>
    /// The reference of an erasure of the same person on a company of this case whose actions ran in the stores, or null
    /// when there is none: one answered (<see cref="ActsOnStores"/>, completed), or one that failed during or after its
    /// store actions (<see cref="FailedAfterStoresActed"/>). The records it kept under a legal hold (Art. 17(3)(b)) stay
    /// restricted through any lift, until their hold ends and the daily sweep erases them (the stores keep held records
    /// restricted), so the lift notice says so. An erasure still before its actions is not named: the lift changes the
    /// records now, and what it holds back is restricted only when it acts.
    /// </summary>
    public string? LiftLeavesHeldBy(IEnumerable<PrivacyCase> others, string? subjectHash) =>
        FirstOfPerson(others, subjectHash, o => o.Rights.Contains(RequestType.Erasure) && o.ActsOnStores
            && (o.Status == CaseStatus.Completed || (o.Status == CaseStatus.Failed && o.FailedStep is { } step && FailedAfterStoresActed.Contains(step))));

    /// <summary>
    /// The steps (the workflow's activity names, <see cref="FailedStep"/>) at which a case has begun to act on the stores
    /// or is past that: a case failed at one of them may have changed records (the workflow's tests hold the names).
    /// </summary>
    public static readonly IReadOnlySet<string> FailedAfterStoresActed = new HashSet<string>(StringComparer.Ordinal) { "ApplyInStore", "EraseEarlierCopies", "SendActionReport" };

    /// <summary>
    /// The reference of another restriction request of the person that now keeps restricted a store this lift's notice
    /// said would be lifted (<paramref name="now"/>: <see cref="LiftKeptBy"/> asked again when a lift whose notice went
    /// is finished later), or null when there is none: then nothing more is lifted.
    /// </summary>
    public string? LiftNowKeptBeyondNotice(IReadOnlyList<KeptUnder> now)
    {
        ArgumentNullException.ThrowIfNull(now);
        var announced = KeptEntities(RestrictionLift?.Kept);
        return now.FirstOrDefault(k => k.Entities.Any(code => !announced.Contains(code)))?.By;
    }

    /// <summary>
    /// How long a claim on the lift notice (<see cref="ClaimRestrictionLiftNotice"/>) keeps others from sending it: past
    /// this, a send that never reported back (the host stopped mid-send) no longer blocks the lift; staff may send again.
    /// </summary>
    public static readonly TimeSpan RestrictionLiftClaimHold = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <paramref name="by"/> starts sending the notice that the restriction will be lifted: claimed in the register before
    /// the mail goes, so a second click, another tab or a colleague is refused (<see cref="CaseRefusal.UnderWay"/>)
    /// rather than mailing the requester again. Refused too when the lift is, without a reason, once the notice went
    /// (<see cref="CaseRefusal.AlreadyDone"/>: the lift is finished without a new notice), and while another claim holds
    /// (<see cref="RestrictionLiftClaimHold"/>).
    /// </summary>
    public CaseTransition ClaimRestrictionLiftNotice(string by, string reason, DateTimeOffset at) =>
        LiftRefusal is { } refusal ? Refuse(refusal)
        : string.IsNullOrWhiteSpace(reason) ? Refuse(CaseRefusal.ReasonRequired)
        : RestrictionLift is not null ? Refuse(CaseRefusal.AlreadyDone)
        : RestrictionLiftClaim is { } claim && at - claim.At < RestrictionLiftClaimHold ? Refuse(CaseRefusal.UnderWay)
        : To(this with { RestrictionLiftClaim = new RestrictionLiftClaim(by, at) });

    /// <summary>
    /// The notice claimed at <paramref name="claimedAt"/> could not be sent: the claim is taken back (nothing was sent,
    /// nothing is lifted, staff may try again) and the failure kept for the audit trail, when. Refused when the claim stored
    /// is not that one (it ran out and a colleague claimed since) or the notice is recorded as sent.
    /// </summary>
    public CaseTransition RestrictionLiftNoticeNotSent(DateTimeOffset claimedAt, DateTimeOffset at) =>
        RestrictionLiftClaim?.At != claimedAt || RestrictionLift is not null ? Refuse(CaseRefusal.NotAsked)
        : To(this with { RestrictionLiftClaim = null, RestrictionLiftNoticesNotSent = [.. RestrictionLiftNoticesNotSent, at] });

    /// <summary>
    /// The notice that the restriction will be lifted, with <paramref name="reason"/>, went to the requester (before any
    /// store changes); its claim ends. Without this record nothing is lifted (<see cref="RestrictionLifted"/>). With
    /// <paramref name="kept"/> (<see cref="LiftKeptBy"/>) the notice said the records at those companies stay restricted
    /// under that request, and the lift changes only the stores of this case's other companies.
    /// </summary>
    public CaseTransition RestrictionLiftNotified(string by, string reason, DateTimeOffset at, IReadOnlyList<KeptUnder>? kept = null) =>
        LiftRefusal is { } refusal ? Refuse(refusal)
        : string.IsNullOrWhiteSpace(reason) ? Refuse(CaseRefusal.ReasonRequired)
        : RestrictionLift is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { RestrictionLift = new RestrictionLift(by, reason.Trim(), at) { Kept = kept is { Count: > 0 } ? kept : null }, RestrictionLiftClaim = null });

    /// <summary>
    /// The records are marked no longer restricted: how many per store (a lift kept by another request, only in the
    /// stores of the companies it does not keep, <see cref="StoresToLift"/>). Refused before the requester was told.
    /// </summary>
    public CaseTransition RestrictionLifted(IReadOnlyDictionary<string, int> records, DateTimeOffset at) =>
        RestrictionLift is null ? Refuse(CaseRefusal.NotAsked)
        : RestrictionLift.LiftedAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { RestrictionLift = RestrictionLift with { LiftedAt = at, Records = new Dictionary<string, int>(records, StringComparer.Ordinal) } });

    /// <summary>The stores this lift changes: every store of the case, but those of the companies another request keeps restricted.</summary>
    public IEnumerable<Stores.StoreMap> StoresToLift(Stores.DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var kept = KeptEntities(RestrictionLift?.Kept);
        return map.StoresOf(Entity.Codes.Where(code => !kept.Contains(code)));
    }
}
