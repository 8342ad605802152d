using Infomat.Privacy.Cases;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>Flags a case that needs attention; nothing is sent to the requester.</summary>
public sealed class MarkFailed(ICaseRegister register, TimeProvider time, PrivacyMetrics metrics) : TaskActivity<FailureInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, FailureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var at = time.GetUtcNow();
        var update = await register.ApplyAsync(input.CaseId, x => x.Fail(at, input.Step, input.Run), CancellationToken.None);
        // Counted once: a retried activity finds the case already finished (or, after a staff retry, its run superseded).
        if (!update.Refused)
        {
            metrics.CaseFailed();
        }

        return true;
    }
}

/// <summary>
/// The case and the name of the step that failed (no personal data), and the staff retries on record when the failing run
/// read the case (<see cref="CaseProgress.Retries"/>; null when it did not get that far, or in runs from before this).
/// </summary>
public sealed record FailureInput(string CaseId, string Step, int? Run = null);
