using Infomat.Privacy.Cases;

namespace Infomat.Privacy.Workflow.Orchestration;

/// <summary>Names of the external events raised to a case's orchestration (instance id = case id).</summary>
public static class CaseEvents
{
    /// <summary>The requester confirmed the email address (recorded in the register first).</summary>
    public const string EmailVerified = nameof(EmailVerified);

    /// <summary>Staff decided on the identity (recorded in the register first).</summary>
    public const string IdentityDecided = nameof(IdentityDecided);

    /// <summary>Staff finished a task of the case (recorded in the register first).</summary>
    public const string StaffTaskDone = nameof(StaffTaskDone);

    /// <summary>Staff reviewed the free text of the export (recorded in the register first).</summary>
    public const string ExportReviewed = nameof(ExportReviewed);

    /// <summary>The event that ends a wait on <paramref name="step"/>.</summary>
    public static string For(CaseWait step) => step switch
    {
        CaseWait.EmailVerification => EmailVerified,
        CaseWait.IdentityDecision => IdentityDecided,
        CaseWait.StaffTasks => StaffTaskDone,
        CaseWait.ExportReview => ExportReviewed,
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };
}
