using Infomat.Privacy.Mail;

namespace Infomat.Privacy.Intake;

/// <summary>
/// Whether a reply to a case can be shown to come from its requester. The From address alone proves nothing (anyone
/// can write any address there, and a case reference in a subject is easy to copy); two things do: the sender's domain
/// vouches for it (DMARC pass, recorded by our mail service), or it quotes one of the Message-IDs we gave our own mail
/// about the case, which only someone who received that mail can know (<see cref="OutgoingMessageIds.Answers"/>).
/// </summary>
public static class ReplySender
{
    /// <summary>True when <paramref name="reply"/> comes from the requester of <paramref name="caseId"/> as far as the mail can show.</summary>
    public static bool SenderConfirmedFor(this InboundMail reply, string caseId, byte[] messageIdKey)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.Dmarc == DmarcVerdict.Pass || OutgoingMessageIds.Answers(caseId, reply.References, messageIdKey);
    }
}
