using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Cases;

// Rights applied at once, once the address is confirmed (decision 49): which, from the one rule (ImmediateRights), and
// the record that they were applied and staff told.
public sealed partial record PrivacyCase
{
    /// <summary>The store actions applied as soon as the address is confirmed, without staff identity approval (none for most cases).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<StoreAction> ActionsAtOnce => ImmediateRights.Actions(Rights, Objection, Consent);

    /// <summary>False when every right of the case is applied at once: no identity approval is asked for, and none can expire.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool NeedsIdentityApproval => ImmediateRights.NeedsApproval(Rights, Objection);

    /// <summary>When <see cref="ActionsAtOnce"/> were applied in every store in scope.</summary>
    public DateTimeOffset? AppliedAtOnceAt { get; init; }

    /// <summary>When staff were told what was applied at once.</summary>
    public DateTimeOffset? AppliedAtOnceStaffToldAt { get; init; }

    /// <summary>
    /// The actions applied at once are done in every store. Only for a confirmed address and a case that has such
    /// actions; a case that needs no approval moves on to work (in progress) in the same step.
    /// </summary>
    public CaseTransition AppliedAtOnce(DateTimeOffset at)
    {
        if (AppliedAtOnceAt is not null)
        {
            return Refuse(CaseRefusal.AlreadyDone);
        }

        if (Status.IsFinished())
        {
            return Refuse(CaseRefusal.Finished);
        }

        if (EmailVerifiedAt is null || ActionsAtOnce.Count == 0)
        {
            return Refuse(CaseRefusal.WrongStatus);
        }

        var applied = this with { AppliedAtOnceAt = at };
        return To(NeedsIdentityApproval ? applied : applied.WithStatus(CaseStatus.InProgress, at));
    }

    /// <summary>Staff were told (afterwards) what was applied at once.</summary>
    public CaseTransition StaffToldOfAppliedAtOnce(DateTimeOffset at) =>
        AppliedAtOnceAt is null ? Refuse(CaseRefusal.WrongStatus)
        : AppliedAtOnceStaffToldAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { AppliedAtOnceStaffToldAt = at });
}
