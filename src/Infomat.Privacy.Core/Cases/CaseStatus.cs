namespace Infomat.Privacy.Cases;

/// <summary>Case statuses; the names are the wire values of DESIGN §4.</summary>
public enum CaseStatus
{
    AwaitingEmailVerification,
    AwaitingIdentityApproval,
    InProgress,
    AwaitingStaffAction,
    Completed,
    Rejected,
    Expired,
    Failed,

    /// <summary>
    /// Its address confirmed, the request asked what an open request of the same address (confirmed earlier) already
    /// asks: it is answered with that one (<see cref="PrivacyCase.JoinedCaseId"/>; decision 84).
    /// </summary>
    Joined,
}

public static class CaseStatuses
{
    /// <summary>True for statuses after which nothing more happens to the case.</summary>
    public static bool IsFinished(this CaseStatus status) =>
        status is CaseStatus.Completed or CaseStatus.Rejected or CaseStatus.Expired or CaseStatus.Failed or CaseStatus.Joined;

    /// <summary>
    /// True while the requester is still owed an answer: the case is open, or it failed (a failed case waits for staff to
    /// retry it, and its legal date still runs).
    /// </summary>
    public static bool IsUnanswered(this CaseStatus status) => !status.IsFinished() || status == CaseStatus.Failed;
}
