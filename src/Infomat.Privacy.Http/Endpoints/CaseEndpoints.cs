using System.Globalization;
using System.Text;
using CsvHelper;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static Infomat.Privacy.Http.Pages.Html;
using Infomat.Privacy.Storage;

namespace Infomat.Privacy.Http.Endpoints;

/// <summary>
/// The staff case list (<c>GET /cases</c>, overdue first), its CSV export for reporting (<c>GET /cases.csv</c>, no
/// personal data), a case page with its history, approvals and audit trail (<c>GET /cases/{id}</c>), and the deadline
/// extension (<c>POST /cases/{id}/extend</c>). Staff only: signed in with the staff role in Azure.
/// </summary>
public sealed class CaseEndpoints(
    ICaseRegister register,
    IAuditTrail audit,
    AuditChain chain,
    IMailSender mail,
    DataMap dataMap,
    StaffPages staff,
    IExportStorage exports,
    IOptions<PrivacyOptions> options,
    TimeProvider time)
{
    /// <summary>One row of the list and of the CSV: ids, types, dates and counts only.</summary>
    public sealed record CaseRow(string Reference, RequestType Type, ControllerScope Entity, Channel Channel, CaseStatus Status,
        DateTimeOffset Received, DateOnly DueDate, int DaysLeft, bool Overdue, int ExtendedMonths, DateTimeOffset? Closed);

    public async Task<IReadOnlyList<CaseRow>> RowsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = new List<CaseRow>();
        await foreach (var c in register.ListAllAsync(cancellationToken))
        {
            var open = !c.Status.IsFinished();
            var daysLeft = DueDateCalculator.DaysLeft(c.DueDate, now);
            rows.Add(new CaseRow(c.Id, c.Type, c.Entity, c.Channel, c.Status, c.ReceivedAt, c.DueDate, daysLeft, open && daysLeft < 0,
                c.Extensions.Sum(e => e.Months), c.ClosedAt));
        }

        // Open cases first, overdue at the top, then by due date; finished cases after, newest first.
        return rows
            .OrderBy(r => r.Status.IsFinished())
            .ThenByDescending(r => r.Overdue)
            .ThenBy(r => r.Status.IsFinished() ? DateOnly.MaxValue : r.DueDate)
            .ThenByDescending(r => r.Received)
            .ToList();
    }

    /// <summary><c>GET /cases</c></summary>
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        if (staff.Refused(request) is { } refused)
        {
            return refused;
        }

        var rows = await RowsAsync(cancellationToken);
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
                .Append("<td>").Append(E(Texts.RequestTypeName(r.Type, l))).Append("</td>")
                .Append("<td>").Append(E(r.Entity.ToString().ToUpperInvariant())).Append("</td>")
                .Append("<td>").Append(E(Texts.Get("Status" + r.Status, l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(DueDateCalculator.Today(r.Received), l))).Append("</td>")
                .Append("<td>").Append(E(Texts.Date(r.DueDate, l))).Append(r.ExtendedMonths > 0 ? " " + E(Texts.Format("CasesExtended", l, r.ExtendedMonths)) : string.Empty).Append("</td>")
                .Append("<td>").Append(r.Status.IsFinished() ? "–" : E(r.Overdue ? Texts.Format("CasesOverdue", l, -r.DaysLeft) : r.DaysLeft.ToString(CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        body.Append("</tbody></table></div>");
        return staff.Page(Texts.Get("CasesTitle", l), body.ToString());
    }

    /// <summary><c>GET /cases.csv</c>: the list for reporting, UTF-8, formula-injection-safe, no personal data.</summary>
    public async Task<IResult> CsvAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (staff.Refused(request) is { } refused)
        {
            return refused;
        }

        var rows = await RowsAsync(cancellationToken);
        var buffer = new MemoryStream();
        buffer.Write(Encoding.UTF8.Preamble);
        // Formula injection: cells starting with = + - @ are escaped, as the file is opened in spreadsheets.
        await using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteHeader(["reference", "type", "entity", "channel", "status", "received", "due_date", "days_left", "overdue", "extended_months", "closed"]);
            foreach (var r in rows)
            {
                await csv.WriteRecordAsync(
                [
                    r.Reference,
                    r.Type.ToWire(),
                    r.Entity.ToString().ToLowerInvariant(),
                    r.Channel.ToString().ToLowerInvariant(),
                    r.Status.ToString(),
                    r.Received.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    r.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    r.Status.IsFinished() ? string.Empty : r.DaysLeft.ToString(CultureInfo.InvariantCulture),
                    r.Overdue ? "yes" : "no",
                    r.ExtendedMonths.ToString(CultureInfo.InvariantCulture),
                    r.Closed?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? string.Empty,
                ], cancellationToken);
            }

            await csv.FlushAsync(cancellationToken);
        }

        var name = $"infomat-privacy-cases-{DueDateCalculator.Today(time.GetUtcNow()):yyyy-MM-dd}.csv";
        return Results.File(buffer.ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary><c>GET /cases/{id}</c>: everything about one case, for staff.</summary>
    public async Task<IResult> CaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        if (staff.Refused(request) is { } refused)
        {
            return refused;
        }

        if (!CaseIds.IsWellFormed(caseId) || await register.GetAsync(caseId, cancellationToken) is not { } c)
        {
            return staff.Page(Texts.Get("CaseNotFoundTitle", l), P(Texts.Get("CaseNotFoundBody", l)), StatusCodes.Status404NotFound);
        }

        return staff.Page(Texts.Format("CaseTitle", l, c.Id), await CaseBodyAsync(request, c, l, cancellationToken));
    }

    /// <summary><c>POST /cases/{id}/extend</c>: <c>months</c> (1 or 2) and <c>reason</c> (sent to the requester).</summary>
    public async Task<IResult> ExtendAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (form, identity, found, failure) = await OpenStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var c = found!;

        var title = Texts.Format("CaseTitle", l, c.Id);
        var reason = form["reason"].ToString().Trim();
        var months = form["months"].ToString() switch { "1" => 1, "2" => 2, _ => 0 };
        if (months == 0 || reason.Length is 0 or > 2000 || identity.Name is null)
        {
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l) : Texts.Get("ExtensionInvalid", l);
            return staff.Page(title, Error(message) + await CaseBodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest);
        }

        var now = time.GetUtcNow();
        if (c.ExtensionRefusal(months, now, dataMap) is { } refusal)
        {
            return staff.Page(title, Error(Texts.Format(refusal.ToString(), l, Texts.Date(c.FirstDueDate, l))) + await CaseBodyAsync(request, c, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        var extended = await register.ApplyAsync(c.Id, x => x.Extend(months, reason, identity.Name, now, c.DueDate, dataMap), cancellationToken);
        var stored = extended.Case;
        if (extended.Refused)
        {
            return staff.Page(title, Error(Texts.Get("ExtensionConflict", l)) + await CaseBodyAsync(request, stored, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        var extension = stored.Extensions[^1];
        await mail.SendAsync(PrivacyMails.ExtensionNotice(stored, dataMap, extension), cancellationToken);
        return staff.Page(title, P(Texts.Format("ExtensionDone", l, Texts.Date(extension.NewDueDate, l))) + await CaseBodyAsync(request, stored, l, cancellationToken));
    }

    /// <summary><c>POST /cases/{id}/revoke-export</c>: withdraws the export (deletes the zip; the download link stops working).</summary>
    public async Task<IResult> RevokeExportAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (_, identity, found, failure) = await OpenStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var c = found!;

        var title = Texts.Format("CaseTitle", l, c.Id);
        if (identity.Name is null)
        {
            return staff.Page(title, Error(Texts.Get("StaffNameRequired", l)) + await CaseBodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest);
        }

        if (c.ExportBlobName is null)
        {
            return staff.Page(title, Error(Texts.Get("ExportNone", l)) + await CaseBodyAsync(request, c, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        // Recorded first (the download page refuses from then on), then the blob goes.
        var at = time.GetUtcNow();
        c = (await register.ApplyAsync(c.Id, x => x.RevokeExport(identity.Name, at), cancellationToken)).Case;
        await exports.DeleteAsync(c.ExportBlobName!, cancellationToken);
        return staff.Page(title, await CaseBodyAsync(request, c, l, cancellationToken));
    }

    /// <summary>What every staff POST on a case checks first: the antiforgery token, the staff member, the case.</summary>
    private async Task<(IFormCollection Form, StaffIdentity Identity, PrivacyCase? Case, IResult? Failure)> OpenStaffPostAsync(
        HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var l = staff.Language;
        var (form, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return (form, identity, null, refused);
        }

        return !CaseIds.IsWellFormed(caseId) || await register.GetAsync(caseId, cancellationToken) is not { } c
            ? (form, identity, null, staff.Page(Texts.Get("CaseNotFoundTitle", l), P(Texts.Get("CaseNotFoundBody", l)), StatusCodes.Status404NotFound))
            : (form, identity, c, null);
    }

    private async Task<string> CaseBodyAsync(HttpRequest request, PrivacyCase c, Language l, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var daysLeft = DueDateCalculator.DaysLeft(c.DueDate, now);
        var body = new StringBuilder();
        if (!c.Status.IsFinished() && daysLeft < 0)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(E(Texts.Format("CasesOverdue", l, -daysLeft))).Append("</p>");
        }

        var facts = PrivacyMails.Facts(c, dataMap, l).ToList();
        facts.Insert(3, (Texts.Get("CasesStatus", l), Texts.Get("Status" + c.Status, l)));
        body.Append(Facts(facts)).Append("<h2>").Append(E(Texts.Get("LabelHoldings", l))).Append("</h2><ul>");
        foreach (var line in PrivacyMails.Holdings(c, dataMap, l))
        {
            body.Append("<li>").Append(E(line)).Append("</li>");
        }

        body.Append("</ul>");
        foreach (var e in c.Extensions)
        {
            body.Append(P(Texts.Format("CaseExtensionLine", l, Texts.Date(e.PreviousDueDate, l), Texts.Date(e.NewDueDate, l), e.By, e.Reason)));
        }

        if (c.ExtensionRefusal(1, now, dataMap) is null)
        {
            body.Append("<h2>").Append(E(Texts.Get("ExtensionTitle", l))).Append("</h2>")
                .Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/extend\">").Append(staff.Forms.HiddenField(request))
                .Append(staff.NameField("staff-name"))
                .Append("<label for=\"months\">").Append(E(Texts.Get("ExtensionMonths", l))).Append("</label><select id=\"months\" name=\"months\">");
            var left = 2 - c.Extensions.Sum(x => x.Months);
            for (var m = 1; m <= left; m++)
            {
                body.Append("<option value=\"").Append(m).Append("\">")
                    .Append(E(Texts.Format("ExtensionOption", l, m, Texts.Date(DueDateCalculator.DueDate(c.ReceivedAt, c.Entity, dataMap, 1 + (2 - left) + m), l)))).Append("</option>");
            }

            body.Append("</select><label for=\"extension-reason\">").Append(E(Texts.Get("ExtensionReason", l))).Append("</label>")
                .Append("<textarea id=\"extension-reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
                .Append("<button type=\"submit\">").Append(E(Texts.Get("ExtensionButton", l))).Append("</button></form>");
        }

        if (c.ExportBlobName is not null)
        {
            body.Append("<h2>").Append(E(Texts.Get("ExportRevokeTitle", l))).Append("</h2>");
            if (c.ExportRevokedAt is { } revoked)
            {
                body.Append(P(Texts.Format("ExportRevoked", l, Texts.DateTime(revoked, l), c.ExportRevokedBy ?? "?")));
            }
            else
            {
                body.Append(P(Texts.Format("ExportRevokeBody", l, c.Downloads.Count, options.Value.Export.MaxDownloads)))
                    .Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/revoke-export\">").Append(staff.Forms.HiddenField(request))
                    .Append(staff.NameField("revoke-name"))
                    .Append("<button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("ExportRevokeButton", l))).Append("</button></form>");
            }
        }

        body.Append("<h2>").Append(E(Texts.Get("CaseHistory", l))).Append("</h2><ul>");
        foreach (var change in c.History)
        {
            body.Append("<li>").Append(E(Texts.DateTime(change.At, l))).Append(": ").Append(E(Texts.Get("Status" + change.Status, l))).Append("</li>");
        }

        var events = await audit.ListAsync(c.Id, cancellationToken);
        var verification = chain.Verify(c.Id, events);
        body.Append("</ul><h2>").Append(E(Texts.Get("CaseAudit", l))).Append("</h2>")
            .Append(verification.Intact
                ? P(Texts.Format("CaseAuditIntact", l, verification.Events))
                : $"<p class=\"error\" role=\"alert\">{E(Texts.Format("CaseAuditBroken", l, verification.FirstBrokenSequence ?? 0, verification.Problem ?? string.Empty))}</p>")
            .Append("<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">")
            .Append(E(Texts.Get("CaseAuditWhen", l))).Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditWhat", l)))
            .Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditWho", l))).Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditOutcome", l)))
            .Append("</th></tr></thead><tbody>");
        foreach (var e in events)
        {
            body.Append("<tr><td>").Append(e.Sequence).Append("</td><td>").Append(E(Texts.DateTime(e.At, l))).Append("</td><td>").Append(E(e.Action))
                .Append("</td><td>").Append(E(e.Actor)).Append("</td><td>").Append(E(e.Outcome)).Append("</td></tr>");
        }

        return body.Append("</tbody></table></div><p><a href=\"/cases\">").Append(E(Texts.Get("CasesBack", l))).Append("</a></p>").ToString();
    }

    private static string Error(string message) => StaffPages.Error(message);
}
