using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities;

// Every activity is idempotent: it reads the case from the register, does its step only if the register does not
// already show it done, and records the step before any status change that depends on it.

/// <summary>Reads where the case stands.</summary>
public sealed class LoadProgress(ICaseRegister register) : TaskActivity<string, CaseProgress>
{
    public override async Task<CaseProgress> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        return new CaseProgress(c.Status.IsFinished(), c.EmailVerifiedAt is not null, c.Decision is not null);
    }
}

/// <summary>Sends the verification link once and says until when the orchestration waits for it.</summary>
public sealed class SendVerification(
    ICaseRegister register, IMailSender mail, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendVerification> log)
    : TaskActivity<string, WaitStep>
{
    public override async Task<WaitStep> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.Require(input);
        var deadline = c.ReceivedAt + o.Verification.Timeout;
        if (c.VerificationMailSentAt is null)
        {
            var token = tokens.Issue(c.Id, TokenPurpose.Verify, deadline - time.GetUtcNow());
            await mail.SendAsync(PrivacyMails.Verification(c, o.Link("verify", token), o.Verification.Timeout), CancellationToken.None);
            await register.UpdateAsync(c.Id, x => x with { VerificationMailSentAt = time.GetUtcNow() }, CancellationToken.None);
            log.Step(c.Id, "verification mail sent");
        }

        return new WaitStep(deadline.UtcDateTime);
    }
}

/// <summary>Tells the requester, once, that the (verified) request is registered, with its reference and the legal due date.</summary>
public sealed class SendAcknowledgement(ICaseRegister register, IMailSender mail, TimeProvider time) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        if (c.AcknowledgedAt is null && c.Decision is null)
        {
            await mail.SendAsync(PrivacyMails.Acknowledgement(c), CancellationToken.None);
            var at = time.GetUtcNow();
            await register.UpdateAsync(c.Id, x => x with { AcknowledgedAt = at }, CancellationToken.None);
        }

        return true;
    }
}

/// <summary>
/// Moves a verified case to staff approval and sends the approval request once, with what the stores in scope hold
/// for the address (counts per store) and how many approvers the case needs (two for erasure, by default).
/// </summary>
public sealed class RequestApproval(
    ICaseRegister register, IEntityStoreCatalog stores, DataMap dataMap, IMailSender mail, LinkTokenService tokens,
    IOptions<PrivacyOptions> options, TimeProvider time, ILogger<RequestApproval> log)
    : TaskActivity<string, WaitStep>
{
    public override async Task<WaitStep> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.Require(input);
        if (c.Decision is null && c.ApprovalMailSentAt is null)
        {
            var holdings = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var store in dataMap.StoresOf(c.Entity))
            {
                try
                {
                    var counts = await stores.Find(store.Key).CountAsync(c.Email, CancellationToken.None);
                    holdings[store.Key] = counts.Values.Sum();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The counts only inform staff: a store that is down now must not hold up the request (-1: not counted).
                    holdings[store.Key] = -1;
                    log.StoreNotCounted(c.Id, store.Key, ex.GetType().Name);
                }
            }

            var required = c.Type == RequestType.Erasure && o.Approval.TwoApproversForErasure ? 2 : 1;
            c = await register.UpdateAsync(c.Id, x => x with { Holdings = holdings, ApprovalsRequired = required }, CancellationToken.None);
            var sentAt = time.GetUtcNow();
            var token = tokens.Issue(c.Id, TokenPurpose.Approve, o.Approval.Timeout);
            foreach (var to in StaffMail.Recipients(o.Staff.Address))
            {
                await mail.SendAsync(PrivacyMails.ApprovalRequest(c, dataMap, o.Link("approvals", token), to, o.Staff.Language), CancellationToken.None);
            }

            c = await register.UpdateAsync(c.Id, x => (x with { ApprovalMailSentAt = sentAt }).WithStatus(CaseStatus.AwaitingIdentityApproval, sentAt), CancellationToken.None);
            log.Step(c.Id, "approval requested");
        }

        // The wait runs from the approval request, or from the last request for more identification.
        var requestedAt = new[] { c.ApprovalMailSentAt ?? time.GetUtcNow(), c.IdentificationRequestedAt ?? DateTimeOffset.MinValue }.Max();
        var deadline = requestedAt + o.Approval.Timeout;
        var reminders = new[] { requestedAt + o.Approval.ReminderAfter, requestedAt + (2 * o.Approval.ReminderAfter) }
            .Where(at => at < deadline).Select(at => at.UtcDateTime).ToList();
        return new WaitStep(deadline.UtcDateTime, reminders);
    }
}

/// <summary>
/// Reminds staff of an identity decision still open: the first reminder to the staff mailbox(es), the second also to
/// the escalation address. Each goes once (recorded in the case); nothing is sent once the decision is made.
/// </summary>
public sealed class SendApprovalReminder(
    ICaseRegister register, IMailSender mail, DataMap dataMap, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendApprovalReminder> log)
    : TaskActivity<ReminderInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReminderInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = options.Value;
        var c = await register.Require(input.CaseId);
        var key = "approval-" + input.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + (c.IdentificationRequestedAt is { } asked ? "." + asked.UtcDateTime.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) : string.Empty);
        if (c.Decision is not null || c.Status.IsFinished() || c.Reminders.Any(r => r.Key == key))
        {
            return false;
        }

        var remaining = new[] { c.ApprovalMailSentAt ?? c.ReceivedAt, c.IdentificationRequestedAt ?? DateTimeOffset.MinValue }.Max() + o.Approval.Timeout - time.GetUtcNow();
        var token = tokens.Issue(c.Id, TokenPurpose.Approve, remaining > TimeSpan.FromMinutes(1) ? remaining : TimeSpan.FromMinutes(1));
        var escalate = input.Number >= 2 && o.Staff.EscalationAddress is { Length: > 0 };
        var recipients = StaffMail.Recipients(o.Staff.Address).Concat(escalate ? StaffMail.Recipients(o.Staff.EscalationAddress!) : []).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var to in recipients)
        {
            await mail.SendAsync(PrivacyMails.ApprovalReminder(c, dataMap, o.Link("approvals", token), to, o.Staff.Language, escalate), CancellationToken.None);
        }

        var at = time.GetUtcNow();
        await register.UpdateAsync(c.Id, x => x.Reminders.Any(r => r.Key == key) ? null : x with { Reminders = [.. x.Reminders, new SentReminder(key, at)] }, CancellationToken.None);
        log.Step(c.Id, escalate ? "approval reminder escalated" : "approval reminder sent");
        return true;
    }
}

/// <summary>Acts on the recorded staff decision: a rejection closes the case with a mail to the requester.</summary>
public sealed class ApplyDecision(ICaseRegister register, IMailSender mail, DataMap dataMap, TimeProvider time, ILogger<ApplyDecision> log)
    : TaskActivity<string, DecisionResult>
{
    public override async Task<DecisionResult> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        var decision = c.Decision ?? throw new InvalidOperationException($"Case {c.Id} has no decision.");
        if (decision.Outcome == DecisionOutcome.RequestIdentification)
        {
            throw new InvalidOperationException($"Case {c.Id}: asking for more identification is not offered by this build.");
        }

        if (decision.Outcome == DecisionOutcome.Reject)
        {
            if (c.AnswerSentAt is null)
            {
                await mail.SendAsync(PrivacyMails.Rejection(c), CancellationToken.None);
                var at = time.GetUtcNow();
                await register.UpdateAsync(c.Id, x => (x with { AnswerSentAt = at }).WithStatus(CaseStatus.Rejected, at), CancellationToken.None);
                log.Step(c.Id, "rejected");
            }

            return new DecisionResult(false, CasePlan.Export, []);
        }

        await register.UpdateAsync(c.Id, x => x.Status == CaseStatus.AwaitingIdentityApproval ? x.WithStatus(CaseStatus.InProgress, time.GetUtcNow()) : null, CancellationToken.None);
        var stores = dataMap.StoresOf(c.Entity).Select(s => s.Key).ToList();
        return c.Type switch
        {
            RequestType.Access or RequestType.Portability => new DecisionResult(true, CasePlan.Export, stores),
            RequestType.Erasure => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.Erase),
            RequestType.Restriction => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.Restrict),
            RequestType.WithdrawConsent => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.WithdrawConsent),
            RequestType.Objection when c.Objection != ObjectionScope.Other => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.ObjectToDirectMarketing),
            _ => new DecisionResult(true, CasePlan.StaffTasks, stores),
        };
    }
}

/// <summary>
/// Creates the staff tasks of a case once (a correction per store that holds the person's data, or the objection to
/// weigh), mails staff the link once, and moves the case to <c>AwaitingStaffAction</c>.
/// </summary>
public sealed class OpenStaffTasks(
    ICaseRegister register, IEntityStoreCatalog stores, DataMap dataMap, IMailSender mail, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<OpenStaffTasks> log)
    : TaskActivity<string, StaffTaskState>
{
    public override async Task<StaffTaskState> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        if (c.Tasks.Count == 0 && c.TasksMailSentAt is null)
        {
            var counts = new List<(string Store, int Records)>();
            foreach (var store in dataMap.StoresOf(c.Entity))
            {
                var perTable = await stores.Find(store.Key).CountAsync(c.Email, CancellationToken.None);
                counts.Add((store.Key, perTable.Values.Sum()));
            }

            List<StaffTask> tasks = c.Type == RequestType.Objection
                ? [new StaffTask("objection", StaffTaskKind.ReviewObjection, null, counts.Sum(x => x.Records))]
                : counts.Where(x => x.Records > 0).Select(x => new StaffTask(x.Store, StaffTaskKind.Rectify, x.Store, x.Records)).ToList();
            var at = time.GetUtcNow();
            c = await register.UpdateAsync(c.Id, x => x.Tasks.Count > 0 ? null : (x with { Tasks = tasks }).WithStatus(tasks.Count > 0 ? CaseStatus.AwaitingStaffAction : x.Status, at), CancellationToken.None);
        }

        if (c.Tasks.Count > 0 && c.TasksMailSentAt is null)
        {
            var o = options.Value;
            var token = tokens.Issue(c.Id, TokenPurpose.StaffTask, o.Staff.TaskLinkLifetime);
            await mail.SendAsync(PrivacyMails.StaffTasks(c, dataMap, o.Link("tasks", token), o.Staff.Address, o.Staff.Language), CancellationToken.None);
            var at = time.GetUtcNow();
            c = await register.UpdateAsync(c.Id, x => x with { TasksMailSentAt = at }, CancellationToken.None);
            log.Step(c.Id, "staff tasks opened");
        }

        return ReadStaffTasks.State(c);
    }
}

/// <summary>Where the staff tasks stand; when none is open, the case is back in progress.</summary>
public sealed class ReadStaffTasks(ICaseRegister register, TimeProvider time) : TaskActivity<string, StaffTaskState>
{
    public static StaffTaskState State(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new StaffTaskState(c.Tasks.Count(t => t.IsOpen), c.Tasks.Any(t => t.Outcome == StaffTaskOutcome.Upheld));
    }

    public override async Task<StaffTaskState> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        var state = State(c);
        if (state.Open == 0 && c.Status == CaseStatus.AwaitingStaffAction)
        {
            c = await register.UpdateAsync(c.Id, x => x.WithStatus(CaseStatus.InProgress, time.GetUtcNow()), CancellationToken.None);
        }

        return State(c);
    }
}

/// <summary>
/// Carries out the case's action in one store. The store records it under the case id in the same transaction, so a
/// retry returns the first outcome and changes nothing more. Returns counts and dates only.
/// </summary>
public sealed class ApplyInStore(ICaseRegister register, IEntityStoreCatalog stores, IAuditTrail audit, KeyedHash hash, TimeProvider time, ILogger<ApplyInStore> log)
    : TaskActivity<ApplyInput, StoreOutcome>
{
    public override async Task<StoreOutcome> RunAsync(TaskActivityContext context, ApplyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.Require(input.CaseId);
        var outcome = await stores.Find(input.StoreKey).ApplyAsync(new StoreActionRequest(c.Id, input.Action, c.Email, time.GetUtcNow()), CancellationToken.None);
        log.Applied(c.Id, input.Action.ToString(), input.StoreKey, outcome.Matched);
        var t = outcome.Tables;
        await audit.AppendAsync(new AuditEntry(c.Id, $"store.{input.Action}.{input.StoreKey}", "store-action", AuditEvent.System,
            $"{input.StoreKey} {input.Action.ToString().ToLowerInvariant()} matched={outcome.Matched} deleted={t.Sum(x => x.Deleted)} anonymised={t.Sum(x => x.Anonymised)} " +
            $"restricted={t.Sum(x => x.Restricted)} updated={t.Sum(x => x.Updated)} retained={t.Sum(x => x.Retained)} remaining={t.Sum(x => x.RemainingAfter)}",
            hash.Subject(EmailAddresses.Normalise(c.Email))), CancellationToken.None);
        return outcome;
    }
}

/// <summary>Sends the requester the report of what was done, once, and closes the case as completed.</summary>
public sealed class SendActionReport(ICaseRegister register, IMailSender mail, DataMap dataMap, TimeProvider time, ILogger<SendActionReport> log)
    : TaskActivity<ReportInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.Require(input.CaseId);
        if (c.AnswerSentAt is null)
        {
            await mail.SendAsync(PrivacyMails.ActionReport(c, dataMap, input.Outcomes), CancellationToken.None);
            var at = time.GetUtcNow();
            await register.UpdateAsync(c.Id, x => (x with { AnswerSentAt = at }).WithStatus(CaseStatus.Completed, at), CancellationToken.None);
            log.Step(c.Id, "action report sent");
        }

        return true;
    }
}

/// <summary>Collects one store's records for the person into blob staging; returns the count only.</summary>
public sealed class CollectFromStore(ICaseRegister register, IEntityStoreCatalog stores, IStagingStore staging, IAuditTrail audit, KeyedHash hash, ILogger<CollectFromStore> log)
    : TaskActivity<CollectInput, CollectResult>
{
    public override async Task<CollectResult> RunAsync(TaskActivityContext context, CollectInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.Require(input.CaseId);
        var store = stores.Find(input.StoreKey);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var scope = c.Type == RequestType.Portability ? CollectScope.ProvidedBySubject : CollectScope.All;
        var count = await staging.WriteAsync(c.Id, input.StoreKey, Counted(store.CollectAsync(c.Email, scope, CancellationToken.None), counts), CancellationToken.None);
        log.Staged(c.Id, count, input.StoreKey);
        await audit.AppendAsync(new AuditEntry(c.Id, $"collect.{input.StoreKey}", "store-collect", AuditEvent.System,
            $"{input.StoreKey} records={count}", hash.Subject(EmailAddresses.Normalise(c.Email))), CancellationToken.None);
        return new CollectResult(input.StoreKey, counts);
    }

    private static async IAsyncEnumerable<StoreRecord> Counted(IAsyncEnumerable<StoreRecord> records, Dictionary<string, int> counts)
    {
        await foreach (var record in records)
        {
            counts[record.Table] = counts.GetValueOrDefault(record.Table) + 1;
            yield return record;
        }
    }
}

/// <summary>Streams the zip for the case into the exports container.</summary>
public sealed class BuildExport(ICaseRegister register, IStagingStore staging, IExportStore exports, IEntityStoreCatalog stores, DataMap dataMap, TimeProvider time, ILogger<BuildExport> log)
    : TaskActivity<BuildExportInput, ExportResult>
{
    public static string BlobNameFor(string caseId) => $"{caseId}/infomat-export-{caseId}.zip";

    public override async Task<ExportResult> RunAsync(TaskActivityContext context, BuildExportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.Require(input.CaseId);
        var blobName = BlobNameFor(c.Id);
        var manifest = new Export.ExportManifest(
            c.Id,
            c.Language,
            c.Email,
            time.GetUtcNow(),
            dataMap,
            dataMap.ControllersOf(c.Entity),
            input.Parts.Select(p => new Export.StorePart(dataMap.Store(p.StoreKey), p.TableCounts)).ToList(),
            c.Type == RequestType.Portability);

        await using (var output = await exports.OpenWriteAsync(blobName, CancellationToken.None))
        {
            await Export.ExportPackageWriter.WriteAsync(
                output, manifest, s => staging.ReadAsync(c.Id, s.Key, CancellationToken.None), CancellationToken.None,
                (store, table, fileName, ct) => stores.Find(store.Key).OpenFileAsync(table, fileName, ct));
        }

        var size = await exports.GetSizeAsync(blobName, CancellationToken.None) ?? 0;
        await register.UpdateAsync(c.Id, x => x with { ExportBlobName = blobName }, CancellationToken.None);
        log.ExportWritten(c.Id, size);
        return new ExportResult(blobName, size);
    }
}

/// <summary>Sends the export-ready mail with the download link, then closes the case as completed.</summary>
public sealed class DeliverExport(
    ICaseRegister register, IMailSender mail, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<DeliverExport> log)
    : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.Require(input);
        if (c.AnswerSentAt is null)
        {
            var expiresAt = time.GetUtcNow() + o.Export.LinkLifetime;
            var token = tokens.Issue(c.Id, TokenPurpose.Download, o.Export.LinkLifetime);
            await mail.SendAsync(PrivacyMails.ExportReady(c, o.Link("download", token), expiresAt), CancellationToken.None);
            var at = time.GetUtcNow();
            await register.UpdateAsync(c.Id, x => (x with { AnswerSentAt = at, ExportExpiresAt = expiresAt }).WithStatus(CaseStatus.Completed, at), CancellationToken.None);
            log.Step(c.Id, "export delivered");
        }

        return true;
    }
}

/// <summary>Closes a case nobody acted on in time, with a mail to the requester.</summary>
public sealed class ExpireCase(ICaseRegister register, IMailSender mail, TimeProvider time) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.Require(input);
        if (!c.Status.IsFinished())
        {
            // Never verified, or verified but never decided by staff: the mail says which.
            await mail.SendAsync(c.EmailVerifiedAt is null ? PrivacyMails.Expired(c) : PrivacyMails.ApprovalExpired(c), CancellationToken.None);
            await register.UpdateAsync(c.Id, x => x.WithStatus(CaseStatus.Expired, time.GetUtcNow()), CancellationToken.None);
        }

        return true;
    }
}

/// <summary>Flags a case that needs attention; nothing is sent to the requester.</summary>
public sealed class MarkFailed(ICaseRegister register, TimeProvider time, PrivacyMetrics metrics) : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var flagged = false;
        await register.UpdateAsync(input, x =>
        {
            // Counted once: a retried activity finds the case already finished.
            flagged = !x.Status.IsFinished();
            return flagged ? x.WithStatus(CaseStatus.Failed, time.GetUtcNow()) : null;
        }, CancellationToken.None);
        if (flagged)
        {
            metrics.CaseFailed();
        }

        return true;
    }
}

/// <summary>Staff mail can go to several mailboxes: the setting is a list separated by commas or semicolons.</summary>
public static class StaffMail
{
    public static IReadOnlyList<string> Recipients(string setting) =>
        (setting ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal static class RegisterExtensions
{
    public static async Task<PrivacyCase> Require(this ICaseRegister register, string caseId) =>
        await register.GetAsync(caseId, CancellationToken.None) ?? throw new InvalidOperationException($"Case {caseId} is not in the register.");
}
