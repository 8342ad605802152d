using Infomat.Privacy.Workflow.Activities;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Orchestration;

/// <summary>
/// One privacy request from intake to answer: requester verification, staff identity approval, fan-out to the
/// entity stores, export and delivery. Input and output are the case id only; the case register holds the rest,
/// so the orchestration can be started again for an unfinished case and continues where the register says.
/// </summary>
public sealed class PrivacyRequestOrchestrator : TaskOrchestrator<string, string>
{
    /// <summary>Store and storage steps are retried: a store that is briefly down must not fail the case.</summary>
    private static readonly TaskOptions Retried = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4,
        firstRetryInterval: TimeSpan.FromSeconds(2),
        backoffCoefficient: 2.0));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string caseId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var log = context.CreateReplaySafeLogger<PrivacyRequestOrchestrator>();

        var progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId);
        if (progress.Finished)
        {
            return "finished";
        }

        if (!progress.Verified)
        {
            var verification = await context.CallActivityAsync<WaitStep>(nameof(SendVerification), caseId, Retried);
            if (!await WaitForAsync(context, CaseEvents.EmailVerified, verification.DeadlineUtc))
            {
                await context.CallActivityAsync(nameof(ExpireCase), caseId, Retried);
                log.Step(caseId, "expired: email not verified");
                return "expired";
            }
        }

        var approval = await context.CallActivityAsync<WaitStep>(nameof(RequestApproval), caseId, Retried);
        if (!progress.Decided && !await WaitForAsync(context, CaseEvents.IdentityDecided, approval.DeadlineUtc))
        {
            await context.CallActivityAsync(nameof(ExpireCase), caseId, Retried);
            log.Step(caseId, "expired: no identity decision");
            return "expired";
        }

        var decision = await context.CallActivityAsync<DecisionResult>(nameof(ApplyDecision), caseId, Retried);
        if (!decision.Approved)
        {
            return "rejected";
        }

        if (!decision.Automated)
        {
            await context.CallActivityAsync(nameof(HandOverToStaff), caseId, Retried);
            return "awaiting-staff";
        }

        try
        {
            var collections = decision.StoreKeys
                .Select(key => context.CallActivityAsync<CollectResult>(nameof(CollectFromStore), new CollectInput(caseId, key), Retried))
                .ToList();
            var parts = await Task.WhenAll(collections);
            log.Collected(caseId, parts.Length);

            await context.CallActivityAsync<ExportResult>(nameof(BuildExport), new BuildExportInput(caseId, parts), Retried);
            await context.CallActivityAsync(nameof(DeliverExport), caseId, Retried);
            return "completed";
        }
        catch (TaskFailedException ex)
        {
            // Nothing half-sent: the answer mail is the last step, so a failure before it leaves the requester uninformed
            // and the case flagged for staff.
            log.Failed(caseId, ex.TaskName);
            await context.CallActivityAsync(nameof(MarkFailed), caseId, Retried);
            return "failed";
        }
    }

    /// <summary>Races the event against a durable timer and cancels the loser.</summary>
    private static async Task<bool> WaitForAsync(TaskOrchestrationContext context, string eventName, DateTime deadlineUtc)
    {
        using var cancel = new CancellationTokenSource();
        var signal = context.WaitForExternalEvent<string?>(eventName, cancel.Token);
        var timeout = context.CreateTimer(deadlineUtc, cancel.Token);
        var winner = await Task.WhenAny(signal, timeout);
        // Synchronous Cancel on purpose: CancelAsync runs the callbacks on the thread pool, which breaks the
        // orchestrator's single-threaded replay (observed as a non-determinism failure).
#pragma warning disable CA1849
        cancel.Cancel();
#pragma warning restore CA1849
        return winner == signal;
    }
}
