using Infomat.Privacy.Cases;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities;

// Every activity is idempotent: it reads the case from the register, does its step only if the register does not
// already show it done, and records the step before any status change that depends on it.

/// <summary>
/// Reads where the case stands. For a case whose address is still to be confirmed, it also does
/// <see cref="SendVerification"/>'s step in the same activity (the link when it has not gone, and until when to wait for
/// it): one step fewer for every new case's run, which is one task-hub round of messages, history and status fewer per
/// request (issue 21). When that mail cannot go now, it says so by giving no deadline, and the orchestration runs
/// <see cref="SendVerification"/> as its own step, retried and named to staff if it fails.
/// </summary>
public sealed partial class LoadProgress(
    ICaseRegister register, DataMap dataMap, VerificationMail verification, ILogger<LoadProgress> log)
    : TaskActivity<string, CaseProgress>
{
    public override async Task<CaseProgress> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        DateTime? deadline = null;
        if (!c.Status.IsFinished() && c.EmailVerifiedAt is null)
        {
            try
            {
                c = await verification.SendOnceAsync(c, CancellationToken.None);
                deadline = verification.WaitUntilUtc(c);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (ex is Mail.MailRefusedException)
                {
                    // A refusal for good (logged by VerificationMail) may have closed the case (decision 141): the run then ends here.
                    c = await register.RequireAsync(input);
                }

                if (!c.Status.IsFinished())
                {
                    LinkLeftToItsStep(log, c.Id, ex.GetType().Name);
                }
            }
        }

        return new CaseProgress(c.Status.IsFinished(), c.EmailVerifiedAt is not null, c.Decision is not null, c.NeedsExpiryNotice)
        {
            AtOnce = c.ActionsAtOnce,
            ApprovalNeeded = c.NeedsIdentityApproval,
            AppliedAtOnce = c.AppliedAtOnceAt is not null,
            StaffToldOfAtOnce = c.AppliedAtOnceStaffToldAt is not null,
            StoreKeys = dataMap.StoresOf(c.Entity).Select(s => s.Key).ToList(),
            VerificationDeadlineUtc = deadline,
            Retries = c.Retries.Count,
        };
    }

    [LoggerMessage(146, LogLevel.Warning, "Case {CaseId}: the verification link could not go with the first step ({Error}); the verification step sends it")]
    private static partial void LinkLeftToItsStep(ILogger logger, string caseId, string error);
}

/// <summary>Where a case stands, as the register says, when the orchestration (re)starts.</summary>
/// <param name="Finished">Nothing more happens to the case.</param>
/// <param name="Verified">The address is confirmed.</param>
/// <param name="Decided">Staff made the final identity decision.</param>
/// <param name="NeedsExpiryNotice">The case expired and the requester's notice has not gone yet (it failed before): send it.</param>
public sealed record CaseProgress(bool Finished, bool Verified, bool Decided, bool NeedsExpiryNotice = false)
{
    /// <summary>
    /// The store actions applied once the address is confirmed, without approval (decision 49). Null in the history of
    /// instances started before this existed: they go on as they began (through approval).
    /// </summary>
    public IReadOnlyList<StoreAction>? AtOnce { get; init; }

    /// <summary>False when every right of the case is applied at once: no identity approval is asked for.</summary>
    public bool ApprovalNeeded { get; init; } = true;

    /// <summary>The actions applied at once are recorded as done.</summary>
    public bool AppliedAtOnce { get; init; }

    /// <summary>Staff got the mail saying what was applied at once.</summary>
    public bool StaffToldOfAtOnce { get; init; }

    /// <summary>The stores in scope of the case (keys only).</summary>
    public IReadOnlyList<string>? StoreKeys { get; init; }

    /// <summary>
    /// For a case whose address is still to be confirmed: its link is out (sent by this step or before) and the
    /// orchestration waits for it until then (UTC). Null otherwise, when the link could not go now, and in the history of
    /// runs from before this existed: the orchestration then runs <see cref="Verification.SendVerification"/> as its own step.
    /// </summary>
    public DateTime? VerificationDeadlineUtc { get; init; }

    /// <summary>
    /// The staff retries on record when this run read the case: a failure of this run is recorded only while the case has
    /// no later retry (<see cref="Cases.PrivacyCase.Fail"/>). Null in the history of runs from before this existed.
    /// </summary>
    public int? Retries { get; init; }
}
