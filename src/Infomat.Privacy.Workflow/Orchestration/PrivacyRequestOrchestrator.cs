using Infomat.Privacy.Cases;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.Review;
using Infomat.Privacy.Workflow.Activities.StaffTasks;
using Infomat.Privacy.Workflow.Activities.StoreActions;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Orchestration;

/// <summary>
/// One privacy request from intake to answer: requester verification, the rights applied at once (withdrawal of
/// consent, objection to direct marketing: no approval), staff identity approval for the rest, then by type: fan-out
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

    /// <summary>
    /// The steps that call the entity stores (collect, apply an action) ride out a managed database's failover (Azure
    /// Database for PostgreSQL, Azure SQL: 30 s to 2 minutes without answers): 6 tries over about 2 minutes 15 s (5, 10,
    /// 20, 40 and 60 s between them), each wait a durable timer. A store down for longer fails the case for staff.
    /// </summary>
    public static readonly RetryPolicy StoreRetries = new(
        maxNumberOfAttempts: 6,
        firstRetryInterval: TimeSpan.FromSeconds(5),
        backoffCoefficient: 2.0,
        maxRetryInterval: TimeSpan.FromMinutes(1));

    /// <summary>Looks at the approval wait per run before the history is started afresh (ContinueAsNew).</summary>
    private const int LooksPerRun = 20;

    private readonly TaskOptions storeSteps;

    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public PrivacyRequestOrchestrator()
        : this(StoreRetries)
    {
    }

    /// <summary>With other retries for the store steps (a test of a store that stays down need not wait minutes).</summary>
    public PrivacyRequestOrchestrator(RetryPolicy storeRetries) => storeSteps = TaskOptions.FromRetryPolicy(storeRetries);

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string caseId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var log = context.CreateReplaySafeLogger<PrivacyRequestOrchestrator>();
        var run = new RunRead();
        try
        {
            return await RunStepsAsync(context, caseId, run);
        }
        catch (TaskFailedException ex)
        {
            // Whatever step failed (a mail or table outage longer than the retries), the case is flagged Failed for
            // staff, counted and alerted, and can be retried from the case page. Nothing is half-sent: each answer mail is
            // the last step of its branch; what one store did stays recorded in that store (and staged), so the retry
            // redoes nothing twice. If flagging fails too, the instance fails and the reconciler finds the case.
            log.Failed(caseId, ex.TaskName);
            context.SetCustomStatus(null);
            await context.CallActivityAsync(nameof(MarkFailed), new FailureInput(caseId, ex.TaskName, run.Retries), Retried);
            return "failed";
        }
    }

    /// <summary>What this run read of the case when it began: the staff retries on record (its failure is recorded only while the case has no later one).</summary>
    private sealed class RunRead
    {
        public int? Retries { get; set; }
    }

    private async Task<string> RunStepsAsync(TaskOrchestrationContext context, string caseId, RunRead run)
    {
        var log = context.CreateReplaySafeLogger<PrivacyRequestOrchestrator>();
        var progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId, Retried);
        run.Retries = progress.Retries;
        if (progress.Finished)
        {
            if (progress.NeedsExpiryNotice)
            {
                // Expired earlier, but the requester's notice did not go (retried by staff): send it now.
                await context.CallActivityAsync<bool>(nameof(ExpireCase), caseId, Retried);
            }

            return "finished";
        }

        if (!progress.Verified)
        {
            // The first step sent the link and says until when to wait; when it could not (or in a run from before it
            // did), the link is a step of its own.
            var link = progress.VerificationDeadlineUtc is { } sentBefore ? new WaitStep(sentBefore)
                : await context.CallActivityAsync<WaitStep>(nameof(SendVerification), caseId, Retried);
            if (link.AddressRefused)
            {
                // The mail service refused the address for good, which closed the case (decision 141): nothing to wait for.
                log.Step(caseId, "closed: address refused by the mail service");
                return "expired";
            }

            var deadline = link.DeadlineUtc;
            if (!await WaitForAsync(context, CaseEvents.EmailVerified, deadline, new WaitingFor(CaseWait.EmailVerification)))
            {
                // The timer won. The case's rule decides under the register's ETag: an address confirmed meanwhile (its
                // signal lost, or a moment late) wins, and the case goes on.
                if (await context.CallActivityAsync<bool>(nameof(ExpireCase), caseId, Retried))
                {
                    log.Step(caseId, "expired: email not verified");
                    return "expired";
                }

                progress = await context.CallActivityAsync<CaseProgress>(nameof(LoadProgress), caseId, Retried);
                if (progress.Finished)
                {
                    return "finished";
                }

                if (!progress.Verified)
                {
                    // Still the requester's time (the timeout was raised, or the mail went later): a fresh run waits again.
                    context.ContinueAsNew(caseId);
                    return "continued";
                }
            }
        }

        if (progress.AtOnce is null)
        {
            // A run that began before at-once rights existed (its LoadProgress in history names none): a fresh run reads
            // the case anew, so the acknowledgement it sends and what it applies at once agree (review of decision 49).
            // A run already past this point fails on replay and is started again by the reconciler, which does the same.
            context.ContinueAsNew(caseId);
            return "continued";
        }

        await context.CallActivityAsync(nameof(SendAcknowledgement), caseId, Retried);

        // A withdrawal of consent and an objection to direct marketing are applied now that the address is confirmed,
        // without the identity decision and without its expiry (Art. 7(3), Art. 21(3); decision 49; the rule is
        // PrivacyCase.ActionsAtOnce). Staff are told afterwards. A case with nothing else to answer is reported now; a
        // bundled one (an erasure beside them) goes on to the approval for the rest.
        // A run after a failure comes back here until staff were told too (the store answers a repeated action with
        // what it recorded the first time).
        if (progress.AtOnce is { Count: > 0 } atOnce && !progress.Decided && !(progress.AppliedAtOnce && progress.StaffToldOfAtOnce && progress.ApprovalNeeded))
        {
            IReadOnlyList<StoreOutcome> applied = [];
            foreach (var action in atOnce)
            {
                applied = [.. applied, .. await ApplyAsync(context, caseId, progress.StoreKeys ?? [], action)];
            }

            await context.CallActivityAsync<bool>(nameof(RecordAppliedAtOnce), new ReportInput(caseId, applied), Retried);
            log.Step(caseId, "applied at once");
            if (!progress.ApprovalNeeded)
            {
                await context.CallActivityAsync(nameof(SendActionReport), new ReportInput(caseId, applied), Retried);
                return "completed";
            }
        }

        await context.CallActivityAsync<bool>(nameof(RequestApproval), caseId, Retried);

        // The wait for the identity decision: the case's rule says at each look what to do (remind, escalate, expire
        // when the requester never sent the identification asked for) and when to look again. Staff not deciding never
        // ends the case; a signal (a decision, a request for identification, the requester's reply) brings a look early.
        var decided = false;
        for (var look = 0; look < LooksPerRun && !decided; look++)
        {
            var wait = await context.CallActivityAsync<ApprovalWaitState>(nameof(TendApprovalWait), caseId, Retried);
            if (wait.Decided)
            {
                decided = true;
                continue;
            }

            if (wait.Finished)
            {
                return "finished";
            }

            var next = wait.NextCheckUtc ?? context.CurrentUtcDateTime.AddHours(1);
            if (wait.MayExpire)
            {
                if (await context.CallActivityAsync<bool>(nameof(ExpireCase), caseId, Retried))
                {
                    log.Step(caseId, "expired: identification not sent");
                    return "expired";
                }

                // Refused: a reply or a decision came in meanwhile, or mail from before the end was not all read as this
                // step saw it (another instance may know less). Look again soon.
                next = context.CurrentUtcDateTime.AddMinutes(1);
            }

            await WaitForAsync(context, CaseEvents.IdentityDecided, next, new WaitingFor(CaseWait.IdentityDecision, OnRequester: wait.OnRequester));
        }

        if (!decided)
        {
            // A long wait (staff on holiday, escalations every few days) starts a fresh history now and then; the case
            // register holds everything, so the new run picks up where this one stood.
            context.ContinueAsNew(caseId);
            return "continued";
        }

        var decision = await context.CallActivityAsync<DecisionResult>(nameof(ApplyDecision), caseId, Retried);
        if (!decision.Approved)
        {
            return "rejected";
        }

        switch (decision.Plan)
        {
            case CasePlan.Export:
                var collections = decision.StoreKeys
                    .Select(key => context.CallActivityAsync<CollectResult>(nameof(CollectFromStore), new CollectInput(caseId, key), storeSteps))
                    .ToList();
                var parts = await Task.WhenAll(collections);
                log.Collected(caseId, parts.Length);

                // The rights of others (Art. 15(4)): an access export whose records hold free text waits for staff to
                // review it (the rule is PrivacyCase.NeedsExportReview). No timer, as for staff tasks: the deadline is
                // watched for the case as a whole, and the reconciler re-sends a lost signal (HasMovedPast).
                var review = await context.CallActivityAsync<ExportReviewState>(nameof(OpenExportReview), new OpenExportReviewInput(caseId, [.. parts.Select(p => p.StoreKey)]), Retried);
                while (review.Waiting)
                {
                    context.SetCustomStatus(new WaitingFor(CaseWait.ExportReview));
                    await context.WaitForExternalEvent<string?>(CaseEvents.ExportReviewed);
                    context.SetCustomStatus(null);
                    review = await context.CallActivityAsync<ExportReviewState>(nameof(ReadExportReview), caseId, Retried);
                }

                await context.CallActivityAsync<ExportResult>(nameof(BuildExport), new BuildExportInput(caseId, parts), Retried);
                await context.CallActivityAsync(nameof(DeliverExport), caseId, Retried);
                return "completed";

            case CasePlan.ApplyInStores:
                var outcomes = await ApplyAsync(context, caseId, decision.StoreKeys, decision.Action!.Value);
                foreach (var then in decision.ThenActions ?? [])
                {
                    // A case with more than one right (decision 42): each action in every store, one after the other.
                    outcomes = [.. outcomes, .. await ApplyAsync(context, caseId, decision.StoreKeys, then)];
                }

                if (decision.Action == StoreAction.Erase || (decision.ThenActions ?? []).Contains(StoreAction.Erase))
                {
                    // The copies earlier access requests made (zip, staged records) go with the data they copy.
                    await context.CallActivityAsync<int>(nameof(EraseEarlierCopies), caseId, Retried);
                }

                await context.CallActivityAsync(nameof(SendActionReport), new ReportInput(caseId, outcomes), Retried);
                return "completed";

            default:
                var tasks = await context.CallActivityAsync<StaffTaskState>(nameof(OpenStaffTasks), caseId, Retried);
                while (tasks.Open > 0)
                {
                    // No timer here: the legal deadline is watched for the case as a whole (reminders, overdue flag); a
                    // lost signal is sent again by the reconciler, which compares the open count with the register.
                    context.SetCustomStatus(new WaitingFor(CaseWait.StaffTasks, tasks.Open));
                    await context.WaitForExternalEvent<string?>(CaseEvents.StaffTaskDone);
                    context.SetCustomStatus(null);
                    tasks = await context.CallActivityAsync<StaffTaskState>(nameof(ReadStaffTasks), caseId, Retried);
                }

                IReadOnlyList<StoreOutcome> done = tasks.RestrictAfter ? await ApplyAsync(context, caseId, decision.StoreKeys, StoreAction.Restrict) : [];
                await context.CallActivityAsync(nameof(SendActionReport), new ReportInput(caseId, done), Retried);
                return "completed";
        }
    }

    /// <summary>Fans the action out to every store in scope; all must succeed before anything is reported.</summary>
    private async Task<IReadOnlyList<StoreOutcome>> ApplyAsync(TaskOrchestrationContext context, string caseId, IReadOnlyList<string> storeKeys, StoreAction action)
    {
        var calls = storeKeys
            .Select(key => context.CallActivityAsync<StoreOutcome>(nameof(ApplyInStore), new ApplyInput(caseId, key, action), storeSteps))
            .ToList();
        return await Task.WhenAll(calls);
    }

    /// <summary>
    /// How late a wait's timer is set again when it fired before its time. The Azure Storage provider hands a durable
    /// timer to a queue message whose visibility delay counts whole seconds, so a timer can fire up to a second early.
    /// The step it wakes decides by the clock: woken early, it found nothing due, and the wait looked again at once, and
    /// again, until the time had passed (five to seven looks in 0.1 s seen; past the 20 looks of a run, a fresh run).
    /// Woken early, the wait sets its timer once more, a second past its time, so the step it then wakes finds due what
    /// the timer was for; a reminder or an expiry never comes before its time.
    /// </summary>
    internal static readonly TimeSpan TimerLateBy = TimeSpan.FromSeconds(1);

    /// <summary>Races the event against a durable timer and cancels the loser.</summary>
    /// <remarks>The custom status says what the orchestration waits on (a step, no personal data), for the reconciler.</remarks>
    private static async Task<bool> WaitForAsync(TaskOrchestrationContext context, string eventName, DateTime deadlineUtc, WaitingFor waiting)
    {
        context.SetCustomStatus(waiting);
        using var cancel = new CancellationTokenSource();
        var signal = context.WaitForExternalEvent<string?>(eventName, cancel.Token);
        var winner = await Task.WhenAny(signal, context.CreateTimer(deadlineUtc, cancel.Token));
        if (winner != signal && context.CurrentUtcDateTime < deadlineUtc)
        {
            // Fired early (by the orchestration's clock, which replays the same): once more, a second past the time.
            winner = await Task.WhenAny(signal, context.CreateTimer(deadlineUtc + TimerLateBy, cancel.Token));
        }

        // Synchronous Cancel on purpose: CancelAsync runs the callbacks on the thread pool, which breaks the
        // orchestrator's single-threaded replay (observed as a non-determinism failure).
#pragma warning disable CA1849
        cancel.Cancel();
#pragma warning restore CA1849
        context.SetCustomStatus(null);
        return winner == signal;
    }
}
