namespace Infomat.Privacy.Intake;

/// <summary>
/// How far the reading of the info@ mailbox has come: a moment before which every mail the mailbox received has been
/// handled (made a case, joined one, recorded as a reply, sent to staff triage, or left alone as not a request). A
/// reply that reached the mailbox in time is on time even when the intake reads it later (a backlog, an outage of the
/// mail service or of storage, a mail that failed every try and waits in the poison queue), so a case that waits on the
/// requester may expire only once this moment has passed its end (<see cref="Cases.PrivacyCase.MayExpireForIdentification"/>).
/// </summary>
public interface IMailIntakeProgress
{
    /// <summary>
    /// The moment before which every received mail has been handled. <see cref="DateTimeOffset.MinValue"/> when nothing can
    /// be said (mail still queued or set aside, the mailbox never swept); the current time when no mailbox is read at all.
    /// </summary>
    Task<DateTimeOffset> ReadThroughAsync(CancellationToken cancellationToken);
}
