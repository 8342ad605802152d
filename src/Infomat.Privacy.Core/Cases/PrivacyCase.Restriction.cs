using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

// Lifting a restriction (Art. 18(3), issue 17 item 7): the requester is told first, then the stores change. Two
// transitions, so a lift whose notice went but whose store update failed is finished later without a second notice.
public sealed partial record PrivacyCase
{
    /// <summary>
    /// Why staff may not lift the restriction this case put in place, or null when they may: the case answered a
    /// restriction request (it is completed, so the records were marked restricted), its requester's address is still
    /// held (the notice goes there; the stores match on it) and the restriction is not lifted yet.
    /// </summary>
    public CaseRefusal? LiftRefusal =>
        !Rights.Contains(RequestType.Restriction) ? CaseRefusal.NothingRestricted
        : Status != CaseStatus.Completed ? CaseRefusal.WrongStatus
        : IdentifiersErasedAt is not null ? CaseRefusal.Finished
        : RestrictionLift?.LiftedAt is not null ? CaseRefusal.AlreadyDone
        : null;

    /// <summary>The notice that the restriction will be lifted, with <paramref name="reason"/>, went to the requester (before any store changes).</summary>
    public CaseTransition RestrictionLiftNotified(string by, string reason, DateTimeOffset at) =>
        LiftRefusal is { } refusal ? Refuse(refusal)
        : string.IsNullOrWhiteSpace(reason) ? Refuse(CaseRefusal.ReasonRequired)
        : RestrictionLift is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { RestrictionLift = new RestrictionLift(by, reason.Trim(), at) });

    /// <summary>The records are marked no longer restricted: how many per store. Refused before the requester was told.</summary>
    public CaseTransition RestrictionLifted(IReadOnlyDictionary<string, int> records, DateTimeOffset at) =>
        RestrictionLift is null ? Refuse(CaseRefusal.NotAsked)
        : RestrictionLift.LiftedAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { RestrictionLift = RestrictionLift with { LiftedAt = at, Records = new Dictionary<string, int>(records, StringComparer.Ordinal) } });
}
