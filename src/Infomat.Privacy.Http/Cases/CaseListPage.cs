using System.Globalization;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Cases;

/// <summary>
/// The staff case list (issue 22): what needs attention now (counts that link to their filter, and open requests by
/// due week as a server-drawn chart), filters by state, right, company, channel and reference, and the matching requests
/// a page at a time, every value in the staff language. Open requests first, overdue at the top.
/// </summary>
public static class CaseListPage
{
    public const int PageSize = 50;

    private static readonly CaseListState[] Attention = [CaseListState.Overdue, CaseListState.DueThisWeek, CaseListState.WaitingForStaff, CaseListState.Failed];

    public static string Body(IReadOnlyList<CaseEndpoints.CaseRow> all, CaseListFilter filter, int page, DateOnly today, DataMap map, Language l, string? invalidField = null, TimeSpan? age = null)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(map);
        var entries = all.Select(CaseEndpoints.Entry).ToList();
        var body = new StringBuilder();
        // Storage did not answer in time: the copy last read, and the page says how old it is.
        if (age is { } old)
        {
            body.Append("<p class=\"notice\" role=\"status\">")
                .Append(E(Texts.Format("CasesListOld", l, Math.Max(1, (int)Math.Ceiling(old.TotalSeconds))))).Append("</p>");
        }

        if (invalidField is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(E(Texts.Format("CasesFilterInvalid", l, invalidField))).Append("</p>");
        }

        body.Append(P(Texts.Format("CasesSummary", l, entries.Count(e => e.Status.IsUnanswered()), entries.Count(e => CaseListFilter.IsIn(e, CaseListState.Overdue, today)))));

        // What needs attention now: each count links to the list filtered to it.
        body.Append("<h2>").Append(E(Texts.Get("CasesAttention", l))).Append("</h2><ul class=\"attention\">");
        foreach (var state in Attention)
        {
            var count = entries.Count(e => CaseListFilter.IsIn(e, state, today));
            body.Append("<li><a href=\"/cases?state=").Append(CaseListFilter.Wire(state)).Append("\">")
                .Append(E(Texts.Get("CasesState" + state, l))).Append(": <strong>").Append(count.ToString(CultureInfo.InvariantCulture)).Append("</strong></a></li>");
        }

        body.Append("</ul>").Append(Chart(CaseListFilter.ByDueWeek(entries, today), today, l));
        body.Append(Form(filter, map, l));

        var matching = all.Where((r, i) => filter.Matches(entries[i], today)).ToList();
        var pages = Math.Max(1, (matching.Count + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pages);
        var query = filter.ToQuery();
        body.Append(P(Texts.Format("CasesShown", l, matching.Count)))
            .Append("<p class=\"no-print\"><a href=\"/cases.csv").Append(query.Length > 0 ? "?" + E(query) : string.Empty).Append("\">").Append(E(Texts.Get("CasesCsv", l))).Append("</a></p>")
            .Append("<div class=\"table-wrap\"><table><caption>").Append(E(Texts.Get("CasesCaption", l))).Append("</caption><thead><tr>");
        foreach (var header in new[] { "LabelReference", "LabelType", "LabelEntity", "CasesStatus", "LabelReceived", "LabelDueDate", "CasesDaysLeft" })
        {
            body.Append("<th scope=\"col\">").Append(E(Texts.Get(header, l))).Append("</th>");
        }

        body.Append("</tr></thead><tbody>");
        foreach (var r in matching.Skip((page - 1) * PageSize).Take(PageSize))
        {
            body.Append(r.Overdue ? "<tr class=\"overdue\">" : "<tr>")
                .Append("<td><a href=\"/cases/").Append(E(r.Reference)).Append("\">").Append(E(r.Reference)).Append("</a></td>")
                .Append("<td>").Append(E(Texts.RightNames(r.Rights, l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Entity(r.Entity, map, l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Status(r.Status, r.RejectedAs, l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(DueDateCalculator.Today(r.Received), l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(r.DueDate, l))).Append(r.ExtendedMonths > 0 ? " " + E(Texts.Format("CasesExtended", l, r.ExtendedMonths)) : string.Empty).Append("</td>")
                .Append("<td>").Append(r.Status.IsFinished() ? "–" : E(r.Overdue ? Texts.Format("CasesOverdue", l, -r.DaysLeft) : r.DaysLeft.ToString(CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        body.Append("</tbody></table></div>");
        if (pages > 1)
        {
            var link = "/cases?" + (query.Length > 0 ? query + "&" : string.Empty) + "page=";
            body.Append("<nav aria-label=\"").Append(E(Texts.Format("CasesPage", l, page, pages))).Append("\"><p>");
            if (page > 1)
            {
                body.Append("<a rel=\"prev\" href=\"").Append(E(link + (page - 1).ToString(CultureInfo.InvariantCulture))).Append("\">").Append(E(Texts.Get("CasesPrevious", l))).Append("</a> ");
            }

            body.Append(E(Texts.Format("CasesPage", l, page, pages)));
            if (page < pages)
            {
                body.Append(" <a rel=\"next\" href=\"").Append(E(link + (page + 1).ToString(CultureInfo.InvariantCulture))).Append("\">").Append(E(Texts.Get("CasesNext", l))).Append("</a>");
            }

            body.Append("</p></nav>");
        }

        return body.ToString();
    }

    /// <summary>The filters as a GET form (a GET changes nothing), each choice in the staff language.</summary>
    private static string Form(CaseListFilter filter, DataMap map, Language l)
    {
        var form = new StringBuilder("<form method=\"get\" action=\"/cases\" class=\"filters\"><fieldset><legend>")
            .Append(E(Texts.Get("CasesFilterLegend", l))).Append("</legend>");
        Select(form, "state", Texts.Get("CasesFilterState", l),
            Enum.GetValues<CaseListState>().Select(s => (CaseListFilter.Wire(s), Texts.Get("CasesState" + s, l))), CaseListFilter.Wire(filter.State));
        Select(form, "right", Texts.Get("CasesFilterRight", l),
            [(string.Empty, Texts.Get("CasesAnyRight", l)), .. Enum.GetValues<RequestType>().Select(t => (t.ToWire(), Texts.RightNames([t], l)))], filter.Right?.ToWire() ?? string.Empty);
        Select(form, "company", Texts.Get("CasesFilterCompany", l),
            [(string.Empty, Texts.Get("CasesAnyCompany", l)), .. map.ControllerCodes.Select(code => (code, Texts.Entity(ControllerScope.Of(code), map, l)))], filter.Company ?? string.Empty);
        Select(form, "channel", Texts.Get("CasesFilterChannel", l),
            [(string.Empty, Texts.Get("CasesAnyChannel", l)), ("form", Texts.Get("CasesChannelForm", l)), ("email", Texts.Get("CasesChannelEmail", l))],
            filter.Channel switch { Channel.Email => "email", Channel.Form => "form", _ => string.Empty });
        form.Append("<label for=\"filter-q\">").Append(E(Texts.Get("CasesSearch", l))).Append("</label>")
            .Append("<input type=\"text\" id=\"filter-q\" name=\"q\" maxlength=\"40\" autocomplete=\"off\" value=\"").Append(E(filter.Reference ?? string.Empty)).Append("\">")
            .Append("<button type=\"submit\">").Append(E(Texts.Get("CasesApply", l))).Append("</button></fieldset></form>");
        return form.ToString();
    }

    private static void Select(StringBuilder form, string name, string label, IEnumerable<(string Value, string Text)> options, string selected)
    {
        form.Append("<label for=\"filter-").Append(name).Append("\">").Append(E(label)).Append("</label><select id=\"filter-").Append(name).Append("\" name=\"").Append(name).Append("\">");
        foreach (var (value, text) in options)
        {
            form.Append("<option value=\"").Append(E(value)).Append('"').Append(value == selected ? " selected" : string.Empty).Append('>').Append(E(text)).Append("</option>");
        }

        form.Append("</select>");
    }

    /// <summary>
    /// Open requests by due week as a bar chart drawn on the server (SVG, no script, no external asset): the overdue
    /// bar first, in the overdue colour; each bar carries its count as text and a title, so the chart is read without
    /// colour or sight (the figures are also in the list and the counts above).
    /// </summary>
    private static string Chart(int[] counts, DateOnly today, Language l)
    {
        const int barWidth = 56, gap = 8, height = 120, labelHeight = 34;
        var max = Math.Max(1, counts.Max());
        var width = counts.Length * (barWidth + gap);
        var title = Texts.Get("CasesChartTitle", l);
        var svg = new StringBuilder("<figure class=\"chart\"><figcaption>").Append(E(title)).Append("</figcaption>")
            .Append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" width=\"").Append(width).Append("\" height=\"").Append(height + labelHeight)
            .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height + labelHeight).Append("\"><title id=\"chart-title\">").Append(E(title)).Append("</title>");
        for (var i = 0; i < counts.Length; i++)
        {
            var label = i == 0 ? Texts.Get("CasesChartOverdue", l)
                : Texts.Format(i == counts.Length - 1 ? "CasesChartLater" : "CasesChartWeek", l, Texts.Date(today.AddDays((i - 1) * CaseListFilter.WeekDays), l));
            var barHeight = counts[i] == 0 ? 0 : Math.Max(2, counts[i] * (height - 16) / max);
            var x = i * (barWidth + gap);
            svg.Append("<g><title>").Append(E(Texts.Format("CasesChartBar", l, label, counts[i]))).Append("</title>")
                .Append("<rect x=\"").Append(x).Append("\" y=\"").Append(height - barHeight).Append("\" width=\"").Append(barWidth).Append("\" height=\"").Append(barHeight)
                .Append("\" fill=\"").Append(i == 0 ? "#a4262c" : "#003b5c").Append("\"></rect>")
                .Append("<text x=\"").Append(x + (barWidth / 2)).Append("\" y=\"").Append(height - barHeight - 4).Append("\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1b1b1b\">")
                .Append(counts[i].ToString(CultureInfo.InvariantCulture)).Append("</text>")
                .Append("<text x=\"").Append(x + (barWidth / 2)).Append("\" y=\"").Append(height + 14).Append("\" text-anchor=\"middle\" font-size=\"10\" fill=\"#1b1b1b\">")
                .Append(E(i == 0 ? label : today.AddDays((i - 1) * CaseListFilter.WeekDays).ToString("d/M", CultureInfo.InvariantCulture))).Append("</text></g>");
        }

        return svg.Append("</svg></figure>").ToString();
    }
}
