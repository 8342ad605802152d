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
}
