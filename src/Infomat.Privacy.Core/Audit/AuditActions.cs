using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Audit;

/// <summary>
/// The actions an audit event records (wire values, chained as they are: never renamed) and what a person reads for
/// each on the case page, in their language (decision 139). The record itself stays as the trail holds it.
/// </summary>
public static class AuditActions
{
    public const string Received = "received";
    public const string MailSent = "mail-sent";
    public const string VerificationResendNotSent = "verification-resend-not-sent";
    public const string VerificationMailRefused = "verification-mail-refused";

    /// <summary>The mail service took the link and then reported it undeliverable, the address at fault (decision 148).</summary>
    public const string VerificationMailBounced = "verification-mail-bounced";

    /// <summary>Other requester mail the mail service reported undeliverable (decision 148); the outcome names its kind.</summary>
    public const string MailBounced = "mail-bounced";
    public const string EmailVerified = "email-verified";
    public const string Joined = "joined";
    public const string MailReceived = "mail-received";
    public const string AppliedAtOnce = "applied-at-once";
    public const string IdentityApproved = "identity-approved";
    public const string IdentificationRequested = "identification-requested";

    /// <summary>An approval set aside by a colleague's request for more identification (it no longer counts).</summary>
    public const string ApprovalSetAside = "approval-set-aside";
    public const string IdentificationRequestWithdrawn = "identification-request-withdrawn";
    public const string IdentificationReceived = "identification-received";
    public const string RecipientNoticeOpened = "recipient-notice-opened";
    public const string RecipientInformed = "recipient-informed";
    public const string IdentificationSeen = "identification-seen";
    public const string IdentityDecided = "identity-decided";
    public const string DeadlineExtended = "deadline-extended";
    public const string DeadlineExtensionWithdrawn = "deadline-extension-withdrawn";
    public const string StaffTasksOpened = "staff-tasks-opened";
    public const string StaffTaskDone = "staff-task-done";
    public const string ExportReviewOpened = "export-review-opened";
    public const string ExportReviewed = "export-reviewed";
    public const string ReminderSent = "reminder-sent";
    public const string RestrictionLiftNotSent = "restriction-lift-not-sent";
    public const string RestrictionLifted = "restriction-lifted";
    public const string AnswerSent = "answer-sent";
    public const string Retried = "retried";
    public const string AnsweredOutside = "answered-outside";
    public const string ExportDownloaded = "export-downloaded";
    public const string ExportRevoked = "export-revoked";
    public const string ExportDeleted = "export-deleted";
    public const string ExportReplaced = "export-replaced";
    public const string EarlierCopiesErased = "earlier-copies-erased";
    public const string StatusChanged = "status-changed";
    public const string IdentifiersErased = "identifiers-erased";
    public const string StoreAction = "store-action";
    public const string StoreCollect = "store-collect";
    public const string IdentityDecisionRefused = "identity-decision-refused";
    public const string ApprovalCardRefused = "approval-card-refused";

    /// <summary>Every action above, in the order a case usually meets them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Received, MailSent, VerificationResendNotSent, VerificationMailRefused, VerificationMailBounced, MailBounced, EmailVerified, Joined, MailReceived, AppliedAtOnce, IdentityApproved,
        IdentificationRequested, ApprovalSetAside, IdentificationRequestWithdrawn, IdentificationReceived, RecipientNoticeOpened, RecipientInformed,
        IdentificationSeen, IdentityDecided, DeadlineExtended, DeadlineExtensionWithdrawn, StaffTasksOpened, StaffTaskDone,
        ExportReviewOpened, ExportReviewed, ReminderSent, RestrictionLiftNotSent, RestrictionLifted, AnswerSent, Retried,
        AnsweredOutside, ExportDownloaded, ExportRevoked, ExportDeleted, ExportReplaced, EarlierCopiesErased, StatusChanged,
        IdentifiersErased, StoreAction, StoreCollect, IdentityDecisionRefused, ApprovalCardRefused,
    ];

    /// <summary>The mails a <see cref="MailSent"/> event names first in its outcome (the rest of the outcome is detail).</summary>
    public static IReadOnlyList<string> MailKinds { get; } =
        ["verification (sent again)", "verification", "acknowledgement", "applied-at-once", "approval-request", "identification request", "restriction-lift-notice"];

    /// <summary>The actors that are not a staff principal: the pipeline itself, the requester, staff not named, and an unknown one.</summary>
    public static IReadOnlyList<string> NamedActors { get; } = [AuditEvent.System, "requester", "staff", "unknown"];

    /// <summary>
    /// The key of the text that says what an event is: per action, and for a sent mail per kind of mail; null for an
    /// action this code does not know (the page shows the wire value then).
    /// </summary>
    public static string? TextKey(string action, string outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!All.Contains(action, StringComparer.Ordinal))
        {
            return null;
        }

        var key = "AuditAction" + Pascal(action);
        return action == MailSent && MailKinds.FirstOrDefault(k => outcome.StartsWith(k, StringComparison.Ordinal)) is { } kind
            ? key + Pascal(kind)
            : key;
    }

    /// <summary>The key of the text for an actor that is not a staff principal; null for a staff principal (shown as it is).</summary>
    public static string? ActorTextKey(string actor) =>
        NamedActors.Contains(actor, StringComparer.Ordinal) ? "AuditActor" + Pascal(actor) : null;

    /// <summary>
    /// What an audit event is, in <paramref name="language"/> (<see cref="TextKey"/>); a status change names the status
    /// in words; an action this code does not know shows as recorded.
    /// </summary>
    public static string Describe(AuditEvent e, Language language)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (TextKey(e.Action, e.Outcome) is not { } key)
        {
            return e.Action;
        }

        return e.Action == StatusChanged
            ? Texts.Format(key, language, Enum.TryParse<CaseStatus>(e.Outcome, out var status) ? Texts.Status(status, null, language) : e.Outcome)
            : Texts.Get(key, language);
    }

    /// <summary>Who took a step, in <paramref name="language"/>: the pipeline, the requester, staff not named; a staff principal as it is.</summary>
    public static string ActorText(string actor, Language language) =>
        ActorTextKey(actor) is { } key ? Texts.Get(key, language) : actor;

    /// <summary>What broke a chain, in <paramref name="language"/>, with the sequence numbers it names (<see cref="AuditVerification.Numbers"/>).</summary>
    public static string ProblemText(AuditVerification verification, Language language)
    {
        ArgumentNullException.ThrowIfNull(verification);
        return verification.Kind is { } kind
            ? Texts.Format("AuditProblem" + kind, language, [.. (verification.Numbers ?? []).Select(n => (object?)n)])
            : verification.Problem ?? string.Empty;
    }

    /// <summary><c>restriction-lift-notice</c>, <c>verification (sent again)</c> → <c>RestrictionLiftNotice</c>, <c>VerificationSentAgain</c>.</summary>
    private static string Pascal(string wire) => string.Concat(wire
        .Split([' ', '-', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
        .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}
