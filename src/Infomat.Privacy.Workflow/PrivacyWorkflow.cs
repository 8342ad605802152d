using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Activities.Approval;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;
using Infomat.Privacy.Workflow.Activities.Review;
using Infomat.Privacy.Workflow.Activities.StaffTasks;
using Infomat.Privacy.Workflow.Activities.StoreActions;
using Infomat.Privacy.Workflow.Activities.Verification;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow;

/// <summary>The orchestrators and activities of the pipeline, registered the same way in every host.</summary>
public static class PrivacyWorkflow
{
    /// <summary>Every activity type, registered under its class name; the Functions app has a trigger of the same name for each (a test checks).</summary>
    public static IReadOnlyList<Type> Activities { get; } =
    [
        typeof(LoadProgress), typeof(SendVerification), typeof(SendAcknowledgement), typeof(RequestApproval), typeof(TendApprovalWait), typeof(ApplyDecision),
        typeof(CollectFromStore), typeof(OpenExportReview), typeof(ReadExportReview), typeof(BuildExport), typeof(DeliverExport),
        typeof(ApplyInStore), typeof(RecordAppliedAtOnce), typeof(EraseEarlierCopies), typeof(OpenStaffTasks), typeof(ReadStaffTasks), typeof(SendActionReport),
        typeof(ExpireCase), typeof(MarkFailed),
    ];

    public static IReadOnlyList<Type> Orchestrators { get; } = [typeof(PrivacyRequestOrchestrator)];

    public static DurableTaskRegistry AddPrivacyWorkflow(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var orchestrator in Orchestrators)
        {
            registry.AddOrchestrator(orchestrator);
        }

        foreach (var activity in Activities)
        {
            registry.AddActivity(activity);
        }

        return registry;
    }
}
