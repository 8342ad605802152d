using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow;

/// <summary>Every log line of the workflow: ids and counts only, never personal data.</summary>
internal static partial class WorkflowLog
{
    [LoggerMessage(1, LogLevel.Information, "Case {CaseId}: {Step}")]
    public static partial void Step(this ILogger logger, string caseId, string step);

    [LoggerMessage(188, LogLevel.Warning, "Case {CaseId}: the staff mail naming the recipients to tell (Art. 19) could not be sent ({Error}); the notices are on the case, and the daily case sweep sends it")]
    public static partial void RecipientsMailLeftToSweep(this ILogger logger, string caseId, string error);

    [LoggerMessage(2, LogLevel.Information, "Case {CaseId}: {RecordCount} records staged from {StoreKey}")]
    public static partial void Staged(this ILogger logger, string caseId, int recordCount, string storeKey);

    [LoggerMessage(3, LogLevel.Information, "Case {CaseId}: export written, {Bytes} bytes")]
    public static partial void ExportWritten(this ILogger logger, string caseId, long bytes);

    [LoggerMessage(162, LogLevel.Warning, "Case {CaseId}: another run of the export step recorded its zip first, no longer handed out; this run's zip deleted: {Deleted}")]
    public static partial void DuplicateExportDeleted(this ILogger logger, string caseId, bool deleted);

    [LoggerMessage(4, LogLevel.Information, "Case {CaseId}: collected from {StoreCount} stores")]
    public static partial void Collected(this ILogger logger, string caseId, int storeCount);

    [LoggerMessage(7, LogLevel.Warning, "Case {CaseId}: store {StoreKey} could not be counted for the approval request ({Error})")]
    public static partial void StoreNotCounted(this ILogger logger, string caseId, string storeKey, string error);

    [LoggerMessage(5, LogLevel.Warning, "Case {CaseId} failed in {Activity}; flagged for staff")]
    public static partial void Failed(this ILogger logger, string caseId, string activity);

    [LoggerMessage(6, LogLevel.Information, "Case {CaseId}: {Action} applied in {StoreKey}, {RecordCount} records matched")]
    public static partial void Applied(this ILogger logger, string caseId, string action, string storeKey, int recordCount);

    [LoggerMessage(8, LogLevel.Information, "Case {CaseId}: {BlobCount} staged blobs deleted")]
    public static partial void StagingDeleted(this ILogger logger, string caseId, int blobCount);

    [LoggerMessage(9, LogLevel.Information, "Case {CaseId}: copies of {CaseCount} earlier cases erased, {BlobCount} blobs deleted")]
    public static partial void EarlierCopiesErased(this ILogger logger, string caseId, int caseCount, int blobCount);

    [LoggerMessage(151, LogLevel.Warning, "Case {CaseId}: the requester's time to send the identification asked for is over, but mail received before then is not all read (or could not be checked: {Error}); the case stays open and looks again")]
    public static partial void ReplyMayBeUnread(this ILogger logger, string caseId, string? error);

    [LoggerMessage(10, LogLevel.Information, "Case {CaseId}: {ActionCount} actions applied at once (no identity approval) in {StoreCount} stores, {RecordCount} records matched")]
    public static partial void AppliedAtOnce(this ILogger logger, string caseId, int actionCount, int storeCount, int recordCount);
}
