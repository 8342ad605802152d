using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Workflow.Orchestration;

// Durable payloads: ids, counts, dates and flags only. Never names, emails, reasons or record data
// (durable history outlives the case; GDPR minimisation). Activities load the rest by case id.

/// <summary>Where a case stands, as the register says, when the orchestration (re)starts.</summary>
public sealed record CaseProgress(bool Finished, bool Verified, bool Decided);

/// <summary>A step that waits for a person, with the moment it gives up and the moments it reminds (if any).</summary>
public sealed record WaitStep(DateTime DeadlineUtc, IReadOnlyList<DateTime>? RemindersUtc = null);

/// <summary>The n-th reminder of a waiting step (1: reminder to staff, 2: escalation).</summary>
public sealed record ReminderInput(string CaseId, int Number);

/// <summary>How an approved case is carried out, from its type.</summary>
public enum CasePlan
{
    /// <summary>Access and portability: collect, package, deliver a link.</summary>
    Export,

    /// <summary>Erasure, restriction, withdrawal of consent, objection to direct marketing: act in every store, report.</summary>
    ApplyInStores,

    /// <summary>Rectification and other objections: staff act first, then the stores (if needed) and the report.</summary>
    StaffTasks,
}

/// <summary>
/// The staff decision as the orchestration needs it, the plan, the stores in scope, and for
/// <see cref="CasePlan.ApplyInStores"/> the action.
/// </summary>
public sealed record DecisionResult(bool Approved, CasePlan Plan, IReadOnlyList<string> StoreKeys, StoreAction? Action = null);

/// <summary>One store action of a case.</summary>
public sealed record ApplyInput(string CaseId, string StoreKey, StoreAction Action);

/// <summary>The report of a case: the store outcomes are counts and dates only.</summary>
public sealed record ReportInput(string CaseId, IReadOnlyList<StoreOutcome> Outcomes);

/// <summary>Where the staff tasks of a case stand. <see cref="RestrictAfter"/>: an upheld objection stops the processing.</summary>
public sealed record StaffTaskState(int Open, bool RestrictAfter);

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

    /// <summary>Staff finished a task of the case (recorded in the register first).</summary>
    public const string StaffTaskDone = nameof(StaffTaskDone);
}
