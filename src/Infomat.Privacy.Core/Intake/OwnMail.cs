using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Intake;

/// <summary>
/// Mail we sent ourselves that came back into info@infomat.eu (a staff address that is, or forwards to, the intake
/// mailbox; a requester's server bouncing our mail with its headers): never a request, never triaged again, or the
/// triage mail about it would come back in as well, without end.
/// </summary>
public static class OwnMail
{
    /// <summary>The prefix of the headers every mail of ours carries (<c>X-Infomat-Kind</c>, <c>X-Infomat-Request-Id</c>).</summary>
    public const string HeaderPrefix = "X-Infomat-";

    /// <summary>The headers our mail carries.</summary>
    public static readonly IReadOnlyList<string> KnownHeaders = ["X-Infomat-Kind", "X-Infomat-Request-Id"];

    /// <summary>
    /// Why <paramref name="mail"/> is our own (one of our headers, or sent from one of <paramref name="ownAddresses"/>:
    /// the intake mailbox, our sender address, the staff addresses; an entry may list several, separated by <c>;</c>),
    /// or null when it is not.
    /// </summary>
    public static string? Reason(InboundMail mail, IEnumerable<string?> ownAddresses)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(ownAddresses);
        if (mail.InfomatHeader is { Length: > 0 } header)
        {
            // Our headers by name; any other X-Infomat- header as the prefix only (a sender may name one after an address,
            // and this reason is logged).
            return $"our own mail (it carries {(KnownHeaders.Contains(header, StringComparer.OrdinalIgnoreCase) ? header : HeaderPrefix + "*")})";
        }

        var from = EmailAddresses.Normalise(mail.FromAddress);
        return ownAddresses
            .SelectMany(Mail.StaffMail.Recipients)
            .Any(a => EmailAddresses.Normalise(a) == from)
            ? "our own mail (sent from one of our addresses)"
            : null;
    }
}
