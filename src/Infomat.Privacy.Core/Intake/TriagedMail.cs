using Infomat.Privacy.Requests;

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
    string Id, string MessageId, DateTimeOffset ReceivedAt, string Reason, string FromAddress, string? FromName, Language Language, string Details, DmarcVerdict Dmarc);

/// <summary>Where triage records are kept (the register's table of intake markers).</summary>
public interface ITriagedMails
{
    /// <summary>Writes the record (the same record again on a retry of the same mail).</summary>
    Task SaveAsync(TriagedMail triaged, CancellationToken cancellationToken);

    Task<TriagedMail?> GetAsync(string id, CancellationToken cancellationToken);
}
