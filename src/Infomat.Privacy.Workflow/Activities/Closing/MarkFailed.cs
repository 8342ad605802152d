using Infomat.Privacy.Cases;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>Flags a case that needs attention; nothing is sent to the requester.</summary>
public sealed class MarkFailed(ICaseRegister register, TimeProvider time, PrivacyMetrics metrics) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var at = time.GetUtcNow();
        var update = await register.ApplyAsync(input, x => x.Fail(at), CancellationToken.None);
        // Counted once: a retried activity finds the case already finished.
        if (!update.Refused)
        {
            metrics.CaseFailed();
        }

        return true;
    }
}
