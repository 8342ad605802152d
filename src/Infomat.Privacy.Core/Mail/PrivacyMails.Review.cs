using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Mail;

public static partial class PrivacyMails
{
    /// <summary>
    /// To staff: the access export holds free text that may name other people; the link to the page where they withhold
    /// values (Art. 15(4)) and build the export. The mail says how many values, never what they say.
    /// </summary>
    public static OutgoingMail ExportReview(PrivacyCase c, DataMap map, Uri link, string staffAddress, Language staffLanguage)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var l = staffLanguage;
        var blocks = new List<Block> { Text(Texts.Format("MailReviewBody", l, c.Review?.Values ?? 0)), Link(link) };
        blocks.AddRange(Facts(c, map, l).Select(f => Text(f.ToText())));
        return Compose(MailKind.StaffTask, Audience.Staff, c.Id, staffAddress, Texts.Format("MailReviewSubject", l, Texts.RequestType(c.Type, l), c.Id, Texts.Date(c.DueDate, l)), l, null, [.. blocks], footer: false);
    }
}
