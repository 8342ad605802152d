using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Intake;

/// <summary>
/// A mail to info@ that went to staff triage, kept so staff can make it a case that keeps the mail's receipt time
/// (Art. 12(3) runs from then). It lives in the register beside the other intake markers, keyed by <see cref="Id"/>
/// (derived from the Message-ID); the staff link carries only that id.
/// </summary>
/// <param name="Id">The triage record's id (<c>triage.</c> and a hash of the Message-ID).</param>
/// <param name="MessageId">The mail's Message-ID: the case made from it gets the id the intake would have given it.</param>
/// <param name="ReceivedAt">When the mail reached the mailbox (<see cref="MailReceipt"/>).</param>
/// <param name="Reason">Why intake left it to staff.</param>
/// <param name="FromAddress">The sender, as the case's address.</param>
/// <param name="FromName">The sender's name as the mail gives it (null: none given).</param>
/// <param name="Language">The language the mail is written in.</param>
/// <param name="Details">Subject and text, as a mail case keeps them.</param>
/// <param name="Dmarc">The tenant's DMARC verdict: a pass counts as verified, as for any mail case.</param>
public sealed record TriagedMail(
    string Id, string MessageId, DateTimeOffset ReceivedAt, string Reason, string FromAddress, string? FromName, Language Language, string Details, DmarcVerdict Dmarc)
{
    /// <summary>
    /// True when a system sent the mail, passing on a person's words (a web form, a no-reply sender; the classifier's
    /// <c>AutomaticButAsks</c>): its sender is not the requester, so a case made of it goes to the address staff give,
    /// which the requester then confirms by the link (the sender's DMARC pass says nothing of that address).
    /// </summary>
    public bool SentOnBehalf => CodedReason.Decode(Reason)?.Parts.Any(p => p.Code == "AutomaticButAsks") == true;

    /// <summary>The case staff made of the mail (or the open one it joined), once recorded; null while none is.</summary>
    public string? CaseId { get; init; }

    /// <summary>When a staff member marked the mail as not a privacy request (null: not marked).</summary>
    public DateTimeOffset? NotARequestAt { get; init; }

    /// <summary>Who marked it so.</summary>
    public string? NotARequestBy { get; init; }

    /// <summary>The keys of the due-date reminders staff were sent about it (each once).</summary>
    public IReadOnlyList<string> Reminders { get; init; } = [];

    /// <summary>True while staff have neither made it a case nor marked it as not a privacy request: its legal date runs unwatched otherwise.</summary>
    public bool AwaitsStaff => CaseId is null && NotARequestAt is null;

    /// <summary>The legal date of the request the mail may be: a month from its arrival, for every controller (the earliest).</summary>
    public DateOnly DueDate(DataMap map) => DueDateCalculator.DueDate(ReceivedAt, ControllerScope.AllOf(map.ControllerCodes), map);

    /// <summary>
    /// The reminder staff are due at <paramref name="now"/> about this mail while it awaits them (<see cref="AwaitsStaff"/>):
    /// the same rule as a case's (<see cref="DueReminders"/>), on the calendar of the controller whose date is the
    /// earliest; null when none is due or it was sent. Decision 155: a request left in triage is a request not answered.
    /// </summary>
    public DueReminder? DueReminder(DateTimeOffset now, DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!AwaitsStaff)
        {
            return null;
        }

        var first = DueDateCalculator.DueDates(ReceivedAt, ControllerScope.AllOf(map.ControllerCodes), map).MinBy(d => d.DueDate);
        return DueReminders.At(first.DueDate, now, map.Controller(first.Controller).Country) is { } due && !Reminders.Contains(due.Key) ? due : null;
    }
}

/// <summary>Where triage records are kept (the register's table of intake markers).</summary>
public interface ITriagedMails
{
    /// <summary>
    /// Writes the record when the mail has none, and returns the record as stored: a mail handled again (its handling died
    /// after the record, before the mail's marker) keeps what staff or the sweep did with the first.
    /// </summary>
    Task<TriagedMail> SaveAsync(TriagedMail triaged, CancellationToken cancellationToken);

    Task<TriagedMail?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the record as <paramref name="change"/> says, on the record as stored now, so two writers (a staff member's
    /// mark, the daily sweep's reminder) never undo each other; null from <paramref name="change"/> writes nothing.
    /// Returns the record as stored after, or null when there is none.
    /// </summary>
    Task<TriagedMail?> ChangeAsync(string id, Func<TriagedMail, TriagedMail?> change, CancellationToken cancellationToken);

    /// <summary>Every triage record (the daily sweep reminds staff of those still awaiting them).</summary>
    IAsyncEnumerable<TriagedMail> ListAsync(CancellationToken cancellationToken);
}
