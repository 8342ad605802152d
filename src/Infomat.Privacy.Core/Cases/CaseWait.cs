namespace Infomat.Privacy.Cases;

/// <summary>The step an orchestration waits on for a signal from outside (a person acting on a page).</summary>
public enum CaseWait
{
    /// <summary>The requester confirming the address.</summary>
    EmailVerification,

    /// <summary>Staff deciding on the identity (or the requester sending the identification asked for).</summary>
    IdentityDecision,

    /// <summary>Staff doing the tasks of a case (a rectification per store, an objection to weigh).</summary>
    StaffTasks,

    /// <summary>Staff reviewing the free text of an access export before it is built (Art. 15(4)).</summary>
    ExportReview,
}

/// <summary>
/// What an orchestration says it waits on, in its custom status (no personal data: a step and a count), so the
/// reconciler can compare it with the register and re-send a signal that was lost.
/// </summary>
/// <param name="Step">The step the run waits on.</param>
/// <param name="OpenTasks">For the staff tasks' wait: how many were open when the run began to wait.</param>
/// <param name="OnRequester">
/// For the identity decision's wait: the run's last look found the case waiting on the requester's identification (it
/// looks again only at their deadline), so their reply, recorded since, must bring a look (the reconciliation re-sends a
/// lost signal: <see cref="PrivacyCase.HasMovedPast"/>).
/// </param>
public sealed record WaitingFor(CaseWait Step, int OpenTasks = 0, bool OnRequester = false);

/// <summary>What the wait for an identity decision does now (see <see cref="PrivacyCase.ApprovalWaitAt"/>).</summary>
public enum ApprovalWaitAction
{
    /// <summary>Nothing to do: wait until the next check, or for a signal.</summary>
    Wait,

    /// <summary>Remind staff (the key is recorded so it goes once).</summary>
    Remind,

    /// <summary>Staff did not decide within <c>Privacy:Approval:Timeout</c>: remind them and the escalation address; the case stays open.</summary>
    Escalate,

    /// <summary>The requester did not send the identification asked for in time: the case may be closed (Art. 12(4) notice).</summary>
    Expire,
}

/// <summary>The step the approval wait takes now: what to do, the reminder key it records, when to look again.</summary>
public sealed record ApprovalWaitStep(ApprovalWaitAction Action, string? ReminderKey, DateTimeOffset? NextCheck);
