using System.Text;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>
/// How a recipient is written for a requester (the access answer, the privacy notice): its name, what it does with the
/// data and where; for one outside the European Economic Area, the safeguard the transfer rests on (Art. 45, 46 GDPR).
/// </summary>
public static class RecipientTexts
{
    /// <summary>One line per recipient: "Twilio SendGrid (Twilio Inc.), …: processes them for us … Where: the United States."</summary>
    public static IReadOnlyList<string> Lines(IEnumerable<Recipient> recipients, Language l) =>
        [.. recipients.Select(r => Texts.Format("SummaryRecipientLine", l, Capitalized(r.Name.In(l), l), Texts.Get("SummaryRecipientRole" + r.Role, l), r.Place.In(l)))];

    /// <summary>One line per recipient outside the EEA, with its safeguard (the loader refuses such a recipient without one).</summary>
    public static IReadOnlyList<string> TransferLines(IEnumerable<Recipient> recipients, Language l) =>
        [.. recipients.Where(r => r.OutsideEea).Select(r => Texts.Format("SummaryTransferLine", l, Capitalized(r.Name.In(l), l), r.Place.In(l), r.Safeguard!.In(l)))];

    /// <summary>The lines as an HTML list, each encoded.</summary>
    public static string List(IEnumerable<string> lines)
    {
        var sb = new StringBuilder("<ul>");
        foreach (var line in lines)
        {
            sb.Append("<li>").Append(HtmlText.Encode(line)).Append("</li>");
        }

        return sb.Append("</ul>").ToString();
    }

    /// <summary>A recipient's name opens a list item: "the external accountant" becomes "The external accountant".</summary>
    private static string Capitalized(string text, Language l) =>
        text.Length == 0 ? text : string.Concat(char.ToUpper(text[0], l.Culture()).ToString(), text.AsSpan(1));
}
