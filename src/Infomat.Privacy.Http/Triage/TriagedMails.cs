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

    /// <summary>Records the mail (again, on a retry: the same row) and returns the staff link to make it a case.</summary>
    public async Task<Uri> RecordAsync(TriagedMail triaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        await records.SaveAsync(triaged, cancellationToken);
        var o = options.Value;
        return o.Link("triage", tokens.Issue(triaged.Id, TokenPurpose.Triage, o.Staff.TaskLinkLifetime));
    }
}
