using Infomat.Privacy.Workflow.Activities;
using Infomat.Privacy.Workflow.Orchestration;
using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow;

/// <summary>The orchestrators and activities of the pipeline, registered the same way in every host.</summary>
public static class PrivacyWorkflow
{
    /// <summary>Every activity type; the Functions app has a trigger wrapper of the same name for each.</summary>
    public static IReadOnlyList<Type> Activities { get; } =
    [
        typeof(LoadProgress), typeof(SendVerification), typeof(RequestApproval), typeof(ApplyDecision),
        typeof(HandOverToStaff), typeof(CollectFromStore), typeof(BuildExport), typeof(DeliverExport),
        typeof(ExpireCase), typeof(MarkFailed),
    ];

    public static IReadOnlyList<Type> Orchestrators { get; } = [typeof(PrivacyRequestOrchestrator)];

    public static DurableTaskRegistry AddPrivacyWorkflow(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<PrivacyRequestOrchestrator>();
        registry.AddActivity<LoadProgress>();
        registry.AddActivity<SendVerification>();
        registry.AddActivity<RequestApproval>();
        registry.AddActivity<ApplyDecision>();
        registry.AddActivity<HandOverToStaff>();
        registry.AddActivity<CollectFromStore>();
        registry.AddActivity<BuildExport>();
        registry.AddActivity<DeliverExport>();
        registry.AddActivity<ExpireCase>();
        registry.AddActivity<MarkFailed>();
        return registry;
    }
}
