using System.Globalization;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Cases;

/// <summary>The staff case list: open cases first, overdue at the top, with the days left to each legal due date.</summary>
public static class CaseListPage
{
    public static string Body(IReadOnlyList<CaseEndpoints.CaseRow> rows, Language l)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var body = new StringBuilder();
        var overdue = rows.Count(r => r.Overdue);
        body.Append(P(Texts.Format("CasesSummary", l, rows.Count(r => !r.Status.IsFinished()), overdue)))
            .Append("<p><a href=\"/cases.csv\">").Append(E(Texts.Get("CasesCsv", l))).Append("</a></p>")
            .Append("<div class=\"table-wrap\"><table><caption>").Append(E(Texts.Get("CasesCaption", l))).Append("</caption><thead><tr>");
        foreach (var header in new[] { "LabelReference", "LabelType", "LabelEntity", "CasesStatus", "LabelReceived", "LabelDueDate", "CasesDaysLeft" })
        {
            body.Append("<th scope=\"col\">").Append(E(Texts.Get(header, l))).Append("</th>");
        }

        body.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            body.Append(r.Overdue ? "<tr class=\"overdue\">" : "<tr>")
                .Append("<td><a href=\"/cases/").Append(E(r.Reference)).Append("\">").Append(E(r.Reference)).Append("</a></td>")
                .Append("<td>").Append(E(Texts.RightNames(r.Rights, l))).Append("</td>")
                .Append("<td>").Append(E(r.Entity.ToString().ToUpperInvariant())).Append("</td>")
                .Append("<td>").Append(E(Texts.Status(r.Status, r.RejectedAs, l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(DueDateCalculator.Today(r.Received), l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(r.DueDate, l))).Append(r.ExtendedMonths > 0 ? " " + E(Texts.Format("CasesExtended", l, r.ExtendedMonths)) : string.Empty).Append("</td>")
                .Append("<td>").Append(r.Status.IsFinished() ? "–" : E(r.Overdue ? Texts.Format("CasesOverdue", l, -r.DaysLeft) : r.DaysLeft.ToString(CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        body.Append("</tbody></table></div>");
        return body.ToString();
    }
}
