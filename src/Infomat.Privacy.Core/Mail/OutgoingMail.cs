namespace Infomat.Privacy.Mail;

/// <summary>What kind of mail a message is; the wire value goes into the <c>X-Infomat-Kind</c> header.</summary>
public enum MailKind
{
    Verification,
    Acknowledgement,
    ApprovalRequest,
    Reminder,
    ExportReady,
    ActionReport,
    Rejection,
    ExtensionNotice,

    /// <summary>To staff: work to do on a case (a correction per store, an objection to weigh).</summary>
    StaffTask,

    /// <summary>To the requester: staff need more to confirm the identity.</summary>
    IdentificationRequest,

    /// <summary>To staff, afterwards: a withdrawal of consent or an objection to direct marketing was applied at once (decision 49).</summary>
    AppliedAtOnce,
}

public static class MailKinds
{
    public static string ToWire(this MailKind kind) => kind switch
    {
        MailKind.Verification => "verification",
        MailKind.Acknowledgement => "acknowledgement",
        MailKind.ApprovalRequest => "approval-request",
        MailKind.Reminder => "reminder",
        MailKind.ExportReady => "export-ready",
        MailKind.ActionReport => "action-report",
        MailKind.Rejection => "rejection",
        MailKind.StaffTask => "staff-task",
        MailKind.IdentificationRequest => "identification-request",
        MailKind.AppliedAtOnce => "applied-at-once",
        _ => "extension-notice",
    };
}

/// <summary>
/// The Message-ID of a mail we send. It names the case reference, so a reply whose subject and quote were rewritten
/// still leads back to its case through its <c>In-Reply-To</c> or <c>References</c> header (<see cref="Cases.CaseIds.FindIn"/>).
/// </summary>
public static class OutgoingMessageIds
{
    /// <summary>A new Message-ID (without angle brackets) on the domain of <paramref name="fromAddress"/>.</summary>
    public static string For(OutgoingMail mail, string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(fromAddress);
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 ? fromAddress[(at + 1)..] : "infomat.eu";
        return $"{mail.RequestId}.{mail.Kind.ToWire()}.{Guid.NewGuid():N}@{domain}";
    }
}

/// <summary>Who receives a mail: requesters get theirs through SendGrid in Azure, staff through Graph from the shared mailbox.</summary>
public enum Audience
{
    Requester,
    Staff,
}

/// <summary>One message to send, with a plain-text body and an HTML body saying the same.</summary>
public sealed record OutgoingMail(
    MailKind Kind,
    Audience Audience,
    string RequestId,
    string To,
    string Subject,
    string TextBody,
    string HtmlBody);
