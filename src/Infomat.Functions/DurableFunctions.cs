using Azure.Storage.Queues.Models;

using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.Review;
using Infomat.Privacy.Workflow.Activities.StaffTasks;
using Infomat.Privacy.Workflow.Activities.StoreActions;
using Infomat.Privacy.Workflow.Activities.Verification;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Functions;

/// <summary>
/// Orchestration and activity triggers: thin wrappers that run the Workflow classes (no class-based source
/// generator is served here). Names are the class names, as the local host registers them.
/// </summary>
public sealed class DurableFunctions(IServiceProvider services)
{
    [Function(nameof(PrivacyRequestOrchestrator))]
    public static Task<string> RunPrivacyRequest([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PrivacyRequestOrchestrator().RunAsync(context, context.GetInput<string>()!);

    [Function(nameof(LoadProgress))]
    public Task<CaseProgress> RunLoadProgress([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<LoadProgress, string, CaseProgress>(caseId, ctx);

    [Function(nameof(SendVerification))]
    public Task<WaitStep> RunSendVerification([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<SendVerification, string, WaitStep>(caseId, ctx);

    [Function(nameof(RequestApproval))]
    public Task<bool> RunRequestApproval([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<RequestApproval, string, bool>(caseId, ctx);

    [Function(nameof(SendAcknowledgement))]
    public Task<bool> RunSendAcknowledgement([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<SendAcknowledgement, string, bool>(caseId, ctx);

    [Function(nameof(TendApprovalWait))]
    public Task<ApprovalWaitState> RunTendApprovalWait([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<TendApprovalWait, string, ApprovalWaitState>(caseId, ctx);

    [Function(nameof(ApplyDecision))]
    public Task<DecisionResult> RunApplyDecision([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<ApplyDecision, string, DecisionResult>(caseId, ctx);

    [Function(nameof(ApplyInStore))]
    public Task<StoreOutcome> RunApplyInStore([ActivityTrigger] ApplyInput input, FunctionContext ctx) => Activity<ApplyInStore, ApplyInput, StoreOutcome>(input, ctx);

    [Function(nameof(EraseEarlierCopies))]
    public Task<int> RunEraseEarlierCopies([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<EraseEarlierCopies, string, int>(caseId, ctx);

    [Function(nameof(OpenStaffTasks))]
    public Task<StaffTaskState> RunOpenStaffTasks([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<OpenStaffTasks, string, StaffTaskState>(caseId, ctx);

    [Function(nameof(ReadStaffTasks))]
    public Task<StaffTaskState> RunReadStaffTasks([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<ReadStaffTasks, string, StaffTaskState>(caseId, ctx);

    [Function(nameof(RecordAppliedAtOnce))]
    public Task<bool> RunRecordAppliedAtOnce([ActivityTrigger] ReportInput input, FunctionContext ctx) => Activity<RecordAppliedAtOnce, ReportInput, bool>(input, ctx);

    [Function(nameof(SendActionReport))]
    public Task<bool> RunSendActionReport([ActivityTrigger] ReportInput input, FunctionContext ctx) => Activity<SendActionReport, ReportInput, bool>(input, ctx);

    [Function(nameof(CollectFromStore))]
    public Task<CollectResult> RunCollectFromStore([ActivityTrigger] CollectInput input, FunctionContext ctx) => Activity<CollectFromStore, CollectInput, CollectResult>(input, ctx);

    [Function(nameof(OpenExportReview))]
    public Task<ExportReviewState> RunOpenExportReview([ActivityTrigger] OpenExportReviewInput input, FunctionContext ctx) => Activity<OpenExportReview, OpenExportReviewInput, ExportReviewState>(input, ctx);

    [Function(nameof(ReadExportReview))]
    public Task<ExportReviewState> RunReadExportReview([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<ReadExportReview, string, ExportReviewState>(caseId, ctx);

    [Function(nameof(BuildExport))]
    public Task<ExportResult> RunBuildExport([ActivityTrigger] BuildExportInput input, FunctionContext ctx) => Activity<BuildExport, BuildExportInput, ExportResult>(input, ctx);

    [Function(nameof(DeliverExport))]
    public Task<bool> RunDeliverExport([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<DeliverExport, string, bool>(caseId, ctx);

    [Function(nameof(ExpireCase))]
    public Task<bool> RunExpireCase([ActivityTrigger] string caseId, FunctionContext ctx) => Activity<ExpireCase, string, bool>(caseId, ctx);

    [Function(nameof(MarkFailed))]
    public Task<bool> RunMarkFailed([ActivityTrigger] FailureInput input, FunctionContext ctx) => Activity<MarkFailed, FailureInput, bool>(input, ctx);

    /// <summary>
    /// Every five minutes (and at start-up, so a release picks up every open case at once): compares the register with
    /// the orchestrations; starts, starts again (a failed or replaced instance) or signals again (a lost signal).
    /// </summary>
    [Function("ReconcileCases")]
    public Task ReconcileCases(
        [TimerTrigger("0 */5 * * * *", RunOnStartup = true)] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        FunctionContext ctx) =>
        services.GetRequiredService<CaseWorkflow>().ReconcileAsync(client, ctx.CancellationToken);

    /// <summary>
    /// Daily at 02:30 UTC (03:30 or 04:30 in Brussels): erase records whose legal hold (after an erasure request) has
    /// ended, that is whose last day was yesterday or before in Brussels (decision 109).
    /// </summary>
    [Function("PurgeEndedHolds")]
    public Task PurgeEndedHolds([TimerTrigger("0 30 2 * * *")] TimerInfo timer, FunctionContext ctx) =>
        services.GetRequiredService<HoldSweep>().RunAsync(ctx.CancellationToken);

    /// <summary>Hourly: zips whose link ended or that staff withdrew (a delete that failed), staged records no longer needed, cases past their retention (audit trail cut to a signed checkpoint), old intake markers.</summary>
    [Function("RetentionSweep")]
    public Task RetentionSweep([TimerTrigger("0 20 * * * *")] TimerInfo timer, FunctionContext ctx) =>
        services.GetRequiredService<RetentionSweep>().RunAsync(ctx.CancellationToken);

    /// <summary>Daily at 06:00 UTC: due-date reminders and overdue flags to staff, identifiers erased after the register's retention, finished histories purged.</summary>
    [Function("CaseMaintenance")]
    public Task CaseMaintenance([TimerTrigger("0 0 6 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext ctx) =>
        services.GetRequiredService<CaseMaintenance>().RunAsync(client, ctx.CancellationToken);

    /// <summary>One queued mailbox item (a message to read, a subscription to reauthorise or recreate, a sweep). The runtime
    /// retries a failure and moves the item to <c>mail-inbound-poison</c> after five tries (host.json's
    /// <c>maxDequeueCount</c>); on the fifth, the intake counts the failure for the ops alert and tells staff of the mail
    /// before the runtime moves it. No function reads the poison queue: its items stay there until ops redrive them.</summary>
    [Function("HandleInboundMail")]
    public Task HandleInboundMail(
        [QueueTrigger(GraphIntake.InboundQueue)] QueueMessage item,
        [DurableClient] DurableTaskClient client,
        FunctionContext ctx)
    {
        ArgumentNullException.ThrowIfNull(item);
        return services.GetRequiredService<GraphIntake>().HandleQueuedAsync(item.Body.ToString(), item.DequeueCount, client, ctx.CancellationToken);
    }

    /// <summary>Every 6 hours (and at start-up): create the Graph subscription if missing, renew it well before it expires.</summary>
    [Function("RenewMailSubscription")]
    public async Task RenewMailSubscription([TimerTrigger("0 0 */6 * * *", RunOnStartup = true)] TimerInfo timer, FunctionContext ctx)
    {
        var graph = services.GetRequiredService<GraphIntake>();
        if (graph.Enabled)
        {
            await graph.EnsureSubscriptionAsync(ctx.CancellationToken);
        }
    }

    /// <summary>Every 15 minutes: the delta query queues any inbox message a notification missed.</summary>
    [Function("SweepMailbox")]
    public async Task SweepMailbox([TimerTrigger("0 */15 * * * *")] TimerInfo timer, FunctionContext ctx)
    {
        var graph = services.GetRequiredService<GraphIntake>();
        if (graph.Enabled)
        {
            await graph.SweepAsync(ctx.CancellationToken);
        }
    }

    private Task<TOut> Activity<TActivity, TIn, TOut>(TIn input, FunctionContext ctx)
        where TActivity : TaskActivity<TIn, TOut> =>
        services.GetRequiredService<TActivity>().RunAsync(new FunctionActivityContext(typeof(TActivity).Name, ctx.InvocationId), input);

    /// <summary>The activity context the Workflow classes get here. Our activities use neither value; InstanceId carries the
    /// Functions invocation id, as the trigger does not bind the orchestration instance id.</summary>
    private sealed class FunctionActivityContext(string name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => instanceId;
    }
}
