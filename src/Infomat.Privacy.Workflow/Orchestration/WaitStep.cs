namespace Infomat.Privacy.Workflow.Orchestration;

// Durable payloads: ids, counts, dates and flags only. Never names, emails, reasons or record data
// (durable history outlives the case; GDPR minimisation). Activities load the rest by case id. Each activity's input
// and output records sit beside it in Activities/<step>/.

/// <summary>A step that waits for the requester, with the moment the wait may end the case.</summary>
public sealed record WaitStep(DateTime DeadlineUtc)
{
    /// <summary>
    /// The mail service refused the link's recipient for good, which closed the case: nothing to wait for, and the step is
    /// not retried to the same refusal (decision 141).
    /// </summary>
    public bool AddressRefused { get; init; }
}
