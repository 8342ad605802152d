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
        _ => "extension-notice",
    };
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
