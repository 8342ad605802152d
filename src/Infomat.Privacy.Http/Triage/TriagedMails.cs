using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Tokens;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Triage;

/// <summary>
/// Keeps a mail that goes to staff triage (<see cref="ITriagedMails"/>) and gives the signed, expiring staff link to
/// the page where staff make it a case (<c>/triage?token=</c>). The link carries the record's id, never the address.
/// </summary>
public sealed class TriagedMails(ITriagedMails records, LinkTokenService tokens, IOptions<PrivacyOptions> options)
{
    /// <summary>The id of the triage record of the mail with this intake marker (<c>mail.</c> + hash of its Message-ID).</summary>
    public static string IdFor(string marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        return "triage." + (marker.StartsWith("mail.", StringComparison.Ordinal) ? marker["mail.".Length..] : marker);
    }

    /// <summary>
    /// Records the mail (on a retry the first record stands) and returns the staff link to make it a case, and whether the
    /// record still awaits staff (not when they made it a case or marked it before the mail was handled again).
    /// </summary>
    public async Task<(Uri Link, bool AwaitsStaff)> RecordAsync(TriagedMail triaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        var stored = await records.SaveAsync(triaged, cancellationToken);
        var o = options.Value;
        return (o.Link("triage", tokens.Issue(triaged.Id, TokenPurpose.Triage, o.Staff.TaskLinkLifetime)), stored.AwaitsStaff);
    }
}
