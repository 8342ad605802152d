using Infomat.Privacy.Cases;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities;

// Every activity is idempotent: it reads the case from the register, does its step only if the register does not
// already show it done, and records the step before any status change that depends on it.

/// <summary>Reads where the case stands.</summary>
public sealed class LoadProgress(ICaseRegister register) : TaskActivity<string, CaseProgress>
{
    public override async Task<CaseProgress> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        return new CaseProgress(c.Status.IsFinished(), c.EmailVerifiedAt is not null, c.Decision is not null, c.NeedsExpiryNotice);
    }
}

/// <summary>Where a case stands, as the register says, when the orchestration (re)starts.</summary>
/// <param name="Finished">Nothing more happens to the case.</param>
/// <param name="Verified">The address is confirmed.</param>
/// <param name="Decided">Staff made the final identity decision.</param>
/// <param name="NeedsExpiryNotice">The case expired and the requester's notice has not gone yet (it failed before): send it.</param>
public sealed record CaseProgress(bool Finished, bool Verified, bool Decided, bool NeedsExpiryNotice = false);
