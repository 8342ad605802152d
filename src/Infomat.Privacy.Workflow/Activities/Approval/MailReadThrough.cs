using Infomat.Privacy.Intake;

using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Workflow.Activities.Approval;

/// <summary>How far the mailbox has been read, as the steps that may close a case ask it.</summary>
internal static class MailReadThrough
{
    /// <summary>
    /// <see cref="IMailIntakeProgress.ReadThroughAsync"/>; when it cannot be told (storage or the mail service down), nothing
    /// counts as read, so a case waiting on the requester's reply waits rather than expires or fails. Logged by error type.
    /// </summary>
    public static async Task<DateTimeOffset> ReadThroughOrNothingAsync(this IMailIntakeProgress progress, string caseId, ILogger log)
    {
        try
        {
            return await progress.ReadThroughAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.ReplyMayBeUnread(caseId, ex.GetType().Name);
            return DateTimeOffset.MinValue;
        }
    }
}
