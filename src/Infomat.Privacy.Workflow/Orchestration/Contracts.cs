namespace Infomat.Privacy.Workflow.Orchestration;

// Durable payloads: ids, counts, dates and flags only. Never names, emails, reasons or record data
// (durable history outlives the case; GDPR minimisation). Activities load the rest by case id.

/// <summary>Where a case stands, as the register says, when the orchestration (re)starts.</summary>
public sealed record CaseProgress(bool Finished, bool Verified, bool Decided);

/// <summary>A step that waits for a person, with the moment it gives up.</summary>
public sealed record WaitStep(DateTime DeadlineUtc);

/// <summary>The staff decision as the orchestration needs it, plus where to collect when approved.</summary>
public sealed record DecisionResult(bool Approved, bool Automated, IReadOnlyList<string> StoreKeys);

public sealed record CollectInput(string CaseId, string StoreKey);

/// <summary>How many records a store holds for the person, per table (counts only).</summary>
public sealed record CollectResult(string StoreKey, IReadOnlyDictionary<string, int> TableCounts);

public sealed record BuildExportInput(string CaseId, IReadOnlyList<CollectResult> Parts);

public sealed record ExportResult(string BlobName, long Bytes);

/// <summary>Names of the external events raised to a case's orchestration (instance id = case id).</summary>
public static class CaseEvents
{
    /// <summary>The requester confirmed the email address (recorded in the register first).</summary>
    public const string EmailVerified = nameof(EmailVerified);

    /// <summary>Staff decided on the identity (recorded in the register first).</summary>
    public const string IdentityDecided = nameof(IdentityDecided);
}
