using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.StaffTasks;
using Infomat.Privacy.Workflow.Activities.StoreActions;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Orchestration;

/// <summary>
/// One privacy request from intake to answer: requester verification, staff identity approval, then by type: fan-out
/// to the entity stores and an export (access, portability), an action in every store and a report (erasure,
/// restriction, withdrawal of consent, objection to direct marketing), or staff tasks first (rectification, other
/// objections). Input and output are the case id only; the case register holds the rest,
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
                // The timer won; the register may still show the address confirmed (its signal lost, or a moment late).
                progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId);
                if (!progress.Verified)
                {
                    await context.CallActivityAsync(nameof(ExpireCase), caseId, Retried);
                    log.Step(caseId, "expired: email not verified");
                    return "expired";
                }
            }
        }

        await context.CallActivityAsync(nameof(SendAcknowledgement), caseId, Retried);
        var approval = await context.CallActivityAsync<WaitStep>(nameof(RequestApproval), caseId, Retried);
        while (!progress.Decided)
        {
            var signalled = await WaitWithRemindersAsync(context, caseId, approval);
            progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId);
            if (!signalled && !progress.Decided)
            {
                // The timer won and the register shows no decision either (a decision whose signal was lost goes on).
                if (await context.CallActivityAsync<bool>(nameof(ExpireCase), caseId, Retried))
                {
                    log.Step(caseId, "expired: no identity decision");
                    return "expired";
                }

                // Staff decided between the read and the expiry, which refused: the decision is carried out.
                progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId);
                if (progress.Finished)
                {
                    return "finished";
                }

                continue;
            }

            if (!progress.Decided)
            {
                // Staff asked the requester for more identification: the wait (and its reminders) starts again from then.
                approval = await context.CallActivityAsync<WaitStep>(nameof(RequestApproval), caseId, Retried);
            }
        }

        var decision = await context.CallActivityAsync<DecisionResult>(nameof(ApplyDecision), caseId, Retried);
        if (!decision.Approved)
        {
            return "rejected";
        }

        try
        {
            switch (decision.Plan)
            {
                case CasePlan.Export:
                    var collections = decision.StoreKeys
                        .Select(key => context.CallActivityAsync<CollectResult>(nameof(CollectFromStore), new CollectInput(caseId, key), Retried))
                        .ToList();
                    var parts = await Task.WhenAll(collections);
                    log.Collected(caseId, parts.Length);

                    await context.CallActivityAsync<ExportResult>(nameof(BuildExport), new BuildExportInput(caseId, parts), Retried);
                    await context.CallActivityAsync(nameof(DeliverExport), caseId, Retried);
                    return "completed";

                case CasePlan.ApplyInStores:
                    var outcomes = await ApplyAsync(context, caseId, decision.StoreKeys, decision.Action!.Value);
                    await context.CallActivityAsync(nameof(SendActionReport), new ReportInput(caseId, outcomes), Retried);
                    return "completed";

                default:
                    var tasks = await context.CallActivityAsync<StaffTaskState>(nameof(OpenStaffTasks), caseId, Retried);
                    while (tasks.Open > 0)
                    {
                        // No timer here: the legal deadline is watched for the case as a whole (reminders, overdue flag).
                        await context.WaitForExternalEvent<string?>(CaseEvents.StaffTaskDone);
                        tasks = await context.CallActivityAsync<StaffTaskState>(nameof(ReadStaffTasks), caseId, Retried);
                    }

                    IReadOnlyList<StoreOutcome> done = tasks.RestrictAfter ? await ApplyAsync(context, caseId, decision.StoreKeys, StoreAction.Restrict) : [];
                    await context.CallActivityAsync(nameof(SendActionReport), new ReportInput(caseId, done), Retried);
                    return "completed";
            }
        }
        catch (TaskFailedException ex)
        {
            // Nothing half-sent: the answer mail is the last step, so a failure before it leaves the requester uninformed
            // and the case flagged for staff. What one store did stays recorded in that store (and staged), so the
            // retry of the case redoes nothing twice.
            log.Failed(caseId, ex.TaskName);
            await context.CallActivityAsync(nameof(MarkFailed), caseId, Retried);
            return "failed";
        }
    }

    /// <summary>Fans the action out to every store in scope; all must succeed before anything is reported.</summary>
    private static async Task<IReadOnlyList<StoreOutcome>> ApplyAsync(TaskOrchestrationContext context, string caseId, IReadOnlyList<string> storeKeys, StoreAction action)
    {
        var calls = storeKeys
            .Select(key => context.CallActivityAsync<StoreOutcome>(nameof(ApplyInStore), new ApplyInput(caseId, key, action), Retried))
            .ToList();
        return await Task.WhenAll(calls);
    }

    /// <summary>Waits for the identity decision, reminding staff at each reminder time that passes first.</summary>
    private static async Task<bool> WaitWithRemindersAsync(TaskOrchestrationContext context, string caseId, WaitStep step)
    {
        var number = 0;
        foreach (var reminderUtc in step.RemindersUtc ?? [])
        {
            number++;
            // A reminder whose time passed while the orchestration was down is still sent (once: the activity checks).
            if (reminderUtc > context.CurrentUtcDateTime && await WaitForAsync(context, CaseEvents.IdentityDecided, reminderUtc))
            {
                return true;
            }

            await context.CallActivityAsync(nameof(SendApprovalReminder), new ReminderInput(caseId, number), Retried);
        }

        return await WaitForAsync(context, CaseEvents.IdentityDecided, step.DeadlineUtc);
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
