using System.Globalization;
using System.Text;

using CsvHelper;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Cases;

/// <summary>
/// The staff case list (<c>GET /cases</c>, overdue first), its CSV export for reporting (<c>GET /cases.csv</c>, no
/// personal data), a case page with its history, approvals and audit trail (<c>GET /cases/{id}</c>), and the deadline
/// extension (<c>POST /cases/{id}/extend</c>), the export's withdrawal and the retry of a failed case. Staff only: signed in with the staff role in Azure.
/// </summary>
public sealed partial class CaseEndpoints(
    ICaseRegister register,
    CasePage page,
    IMailSender mail,
    DataMap dataMap,
    StaffPages staff,
    IExportStorage exports,
    Hosting.CaseWorkflow workflow,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<CaseEndpoints> log)
{
    /// <summary>One row of the list and of the CSV: ids, types, dates and counts only.</summary>
    public sealed record CaseRow(string Reference, RequestType Type, ControllerScope Entity, Channel Channel, CaseStatus Status,
        DateTimeOffset Received, DateOnly DueDate, int DaysLeft, bool Overdue, int ExtendedMonths, DateTimeOffset? Closed)
    {
        /// <summary>Every right the case answers, <see cref="Type"/> first (a letter may ask several: issue 15).</summary>
        public IReadOnlyList<RequestType> Rights { get; init; } = [Type];

        /// <summary>For a rejected case: the ground of the refusal (identity not confirmed, or manifestly unfounded or excessive).</summary>
        public RefusalGround? RejectedAs { get; init; }

        /// <summary>For a case staff answered outside this system: the day the answer was sent (decision 118).</summary>
        public DateOnly? AnsweredOutsideOn { get; init; }
    }

    public async Task<IReadOnlyList<CaseRow>> RowsAsync(CancellationToken cancellationToken) =>
        Rows(await register.ListEntriesAsync(cancellationToken).ToListAsync(cancellationToken));

    /// <summary>The rows of the list, overdue first, from the entries of every case (ids, types, dates and counts only).</summary>
    private List<CaseRow> Rows(IEnumerable<CaseListEntry> entries)
    {
        var now = time.GetUtcNow();
        var today = DueDateCalculator.Today(now);
        var rows = new List<CaseRow>();
        // The list entries only, never the whole cases: 10,000 cases in under a second (decision 74).
        foreach (var e in entries)
        {
            var daysLeft = DueDateCalculator.DaysLeft(e.DueDate, now);
            rows.Add(new CaseRow(e.Reference, e.Rights[0], e.Entity, e.Channel, e.Status, e.ReceivedAt, e.DueDate, daysLeft,
                CaseListFilter.IsIn(e, CaseListState.Overdue, today),
                e.ExtendedMonths, e.ClosedAt) { Rights = e.Rights, RejectedAs = e.RejectedAs, AnsweredOutsideOn = e.AnsweredOutsideOn });
        }

        // Cases still to answer first (failed ones too: they wait for staff), overdue at the top, then by due date;
        // answered and closed cases after, newest first.
        return rows
            .OrderBy(r => !r.Status.IsUnanswered())
            .ThenByDescending(r => r.Overdue)
            .ThenBy(r => r.Status.IsUnanswered() ? r.DueDate : DateOnly.MaxValue)
            .ThenByDescending(r => r.Received)
            .ToList();
    }

    /// <summary><c>GET /cases</c></summary>
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        // Where the list's time goes, in its answer (issue 21 item 3: under a second with 10,000 cases during a spike).
        var timing = new Hosting.ServerTiming(request.HttpContext);
        if (await staff.RefusedAsync(request, cancellationToken) is { } refused)
        {
            return refused;
        }

        timing.Step("auth");
        // Storage slow under a spike: the copy last read, saying how old it is, rather than a page that hangs (decision 80).
        var list = await register.ReadListAsync(options.Value.Staff.ListPatience, cancellationToken);
        timing.Step("list", list.Age is null ? "table" : "copy");
        var rows = Rows(list.Entries);
        var today = DueDateCalculator.Today(time.GetUtcNow());
        var filter = Filter(request, out var invalid);
        var page = int.TryParse(request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 1;
        var body = CaseListPage.Body(rows, filter ?? new CaseListFilter(), page, today, dataMap, l, invalid, list.Age);
        timing.Step("page");
        timing.WriteTo(request.HttpContext.Response);
        return staff.Page(Texts.Get("CasesTitle", l), body, invalid is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>What the list needs to filter and count a row.</summary>
    public static CaseListEntry Entry(CaseRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new CaseListEntry(row.Reference, row.Rights, row.Entity, row.Channel, row.Status, row.DueDate);
    }

    /// <summary>The list's filters from the query string (<see cref="CaseListFilter"/>), or null with the field not understood.</summary>
    private CaseListFilter? Filter(HttpRequest request, out string? invalid) =>
        CaseListFilter.Parse(name => request.Query[name].ToString(), dataMap.ControllerCodes, out invalid);

    /// <summary><c>GET /cases.csv</c>: the list for reporting, UTF-8, formula-injection-safe, no personal data.</summary>
    public async Task<IResult> CsvAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await staff.RefusedAsync(request, cancellationToken) is { } refused)
        {
            return refused;
        }

        // The same filters as the page (issue 22): what staff see is what they export.
        if (Filter(request, out var invalid) is not { } filter)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown filter value", detail: $"The query parameter '{invalid}' has a value the case list does not know.",
                extensions: new Dictionary<string, object?> { ["field"] = invalid });
        }

        var today = DueDateCalculator.Today(time.GetUtcNow());
        var rows = (await RowsAsync(cancellationToken)).Where(r => filter.Matches(Entry(r), today)).ToList();
        var buffer = new MemoryStream();
        buffer.Write(Encoding.UTF8.Preamble);
        // Formula injection: cells starting with = + - @ are escaped, as the file is opened in spreadsheets.
        await using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteHeader(["reference", "type", "entity", "channel", "status", "received", "due_date", "days_left", "overdue", "extended_months", "closed", "rights", "refusal", "answered_outside_on"]);
            foreach (var r in rows)
            {
                await csv.WriteRecordAsync(
                [
                    r.Reference,
                    r.Type.ToWire(),
                    r.Entity.ToString().ToLowerInvariant(),
                    r.Channel.ToString().ToLowerInvariant(),
                    r.Status.ToString(),
                    // Moments in Brussels time with their offset, as the due date is a Brussels day.
                    DueDateCalculator.InBrussels(r.Received).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
                    r.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    r.Status.IsUnanswered() ? r.DaysLeft.ToString(CultureInfo.InvariantCulture) : string.Empty,
                    r.Overdue ? "yes" : "no",
                    r.ExtendedMonths.ToString(CultureInfo.InvariantCulture),
                    r.Closed is { } closed ? DueDateCalculator.InBrussels(closed).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture) : string.Empty,
                    string.Join('+', r.Rights.Select(t => t.ToWire())),
                    r.RejectedAs?.ToWire() ?? string.Empty,
                    r.AnsweredOutsideOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty,
                ], cancellationToken);
            }

            await csv.FlushAsync(cancellationToken);
        }

        var name = $"infomat-privacy-cases-{DueDateCalculator.Today(time.GetUtcNow()):yyyy-MM-dd}.csv";
        return Results.File(buffer.ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary><c>GET /cases/{id}</c>: everything about one case, for staff.</summary>
    public Task<IResult> CaseAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => CaseCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> CaseCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        if (await staff.RefusedAsync(request, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CaseIds.IsWellFormed(caseId) || await register.GetAsync(caseId, cancellationToken) is not { } c)
        {
            return staff.Page(Texts.Get("CaseNotFoundTitle", l), P(Texts.Get("CaseNotFoundBody", l)), StatusCodes.Status404NotFound);
        }

        return staff.Page(Texts.Format("CaseTitle", l, c.Id), await page.BodyAsync(request, c, l, cancellationToken));
    }

    /// <summary>
    /// <c>POST /cases/{id}/extend</c>: <c>months</c> (1 or 2), <c>reason</c> (sent to the requester) and the due date the
    /// page showed (<c>due_date</c>, yyyy-MM-dd): refused (409, the case as it stands) when it is not the due date now or missing.
    /// </summary>
    public Task<IResult> ExtendAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => ExtendCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> ExtendCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
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
            return staff.Page(title, Error(message) + await page.BodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest);
        }

        var now = time.GetUtcNow();
        // The due date the page showed, not the one stored now: a second click, another tab or a colleague's page would
        // otherwise add its months to an extension made since. A form without it (a page opened before it carried one)
        // extends nothing either (Core refuses a due date not shown).
        var shown = DateOnly.TryParseExact(form[CasePage.DueDateField].ToString(), CasePage.DueDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null;
        var extended = await register.ApplyAsync(c.Id, x => x.Extend(months, reason, identity.Name, now, shown, dataMap), cancellationToken);
        var stored = extended.Case;
        if (extended.Refused)
        {
            var message = extended.Refusal == CaseRefusal.ExtensionConflict
                ? Texts.Format("ExtensionPageOutdated", l, Texts.Date(stored.DueDate, l))
                : Texts.Format(extended.Refusal.ToString()!, l, Texts.Date(stored.FirstDueDate, l));
            return staff.Page(title, Error(message) + await page.BodyAsync(request, stored, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        var extension = stored.Extensions[^1];
        try
        {
            // Not cut short by the staff member's browser going away: a send half done is not taken back as not sent.
            await mail.SendAsync(PrivacyMails.ExtensionNotice(stored, dataMap, extension, options.Value.NoticeLink(stored.Language)), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // An extension the requester is not told of does not hold (Art. 12(3)): taken back, so the due date, the
            // reminders and the status page keep the date the requester knows, and staff can try again.
            ExtensionWithdrawn(log, c.Id, ex.GetType().Name);
            var back = await register.ApplyAsync(c.Id, x => x.WithdrawExtension(extension, time.GetUtcNow()), CancellationToken.None);
            return back.Refused
                // A colleague changed the due date since (their extension stands): the page shows the case as it is.
                ? staff.Page(title, Error(Texts.Get("ExtensionConflict", l)) + await page.BodyAsync(request, back.Case, l, CancellationToken.None), StatusCodes.Status409Conflict)
                : staff.Page(title, Error(Texts.Format("ExtensionNotSent", l, Texts.Date(back.Case.DueDate, l), Texts.Date(back.Case.FirstDueDate, l)))
                    + await page.BodyAsync(request, back.Case, l, CancellationToken.None), StatusCodes.Status503ServiceUnavailable);
        }

        return staff.Page(title, P(Texts.Format("ExtensionDone", l, Texts.Date(extension.NewDueDate, l))) + await page.BodyAsync(request, stored, l, cancellationToken));
    }

    /// <summary>
    /// <c>POST /cases/{id}/revoke-export</c>: withdraws the export (the download link stops working) and deletes the zip;
    /// a delete that fails is left to the retention sweep (decision 108), and the page says so.
    /// </summary>
    public Task<IResult> RevokeExportAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => RevokeExportCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> RevokeExportCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (found, by, failure) = await OpenNamedStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var c = found!;
        var title = Texts.Format("CaseTitle", l, c.Id);
        if (c.ExportBlobName is null)
        {
            return staff.Page(title, Error(Texts.Get("ExportNone", l)) + await page.BodyAsync(request, c, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        // Recorded first (the download page refuses from then on), then the blob goes, then its deletion is recorded. A
        // second click on a withdrawal whose delete failed tries the delete again.
        var at = time.GetUtcNow();
        var revoked = await register.ApplyAsync(c.Id, x => x.RevokeExport(by!, at), cancellationToken);
        if (revoked.Refusal == CaseRefusal.NoExport)
        {
            // Deleted already (its link ended, or an erasure): nothing recorded; the page says when and why it went.
            return staff.Page(title, await page.BodyAsync(request, revoked.Case, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        c = revoked.Case;
        var (after, deleteFailed) = await DeleteWithdrawnExportAsync(c, at);
        // A colleague's retry is writing the zip again meanwhile (decision 130): the one withdrawn is replaced, the new one
        // is not withdrawn (unless a colleague withdrew it too: then the page says so itself).
        var rewritten = after.ReplacedExports.Count > c.ReplacedExports.Count && after.ExportRevokedAt is null;
        return staff.Page(title, (deleteFailed ? Error(Texts.Get("ExportRevokeDeleteFailed", l)) : string.Empty)
            + (rewritten ? Error(Texts.Get("ExportRewrittenMeanwhile", l)) : string.Empty) + await page.BodyAsync(request, after, l, CancellationToken.None));
    }

    /// <summary>
    /// Deletes the zip of a case when it is due to go (<see cref="PrivacyCase.IsExportDueForDeletion"/>: withdrawn, recorded
    /// before, so the download page refuses from then on; or its link's life over), then records its deletion. A delete
    /// that fails leaves it to the retention sweep (decision 108): true then.
    /// </summary>
    private async Task<(PrivacyCase Case, bool DeleteFailed)> DeleteWithdrawnExportAsync(PrivacyCase c, DateTimeOffset at)
    {
        if (!c.IsExportDueForDeletion(at))
        {
            return (c, false);
        }

        try
        {
            // Not cut short by the browser going away: the withdrawal stands either way. Only the zip withdrawn: one a
            // colleague's retry writes again meanwhile stays (decision 130).
            var (read, gone) = await DueExports.DeleteAsync(register, exports, c, at, CancellationToken.None);
            if (!gone && read.IsExportDueForDeletion(at))
            {
                // Still due but not deleted: its blob changed after its version was read (its link marked delivered at
                // that moment), or a retry wrote the zip again and a colleague withdrew that one too. Once more, on the
                // case as read now (only the zip it records goes).
                (read, gone) = await DueExports.DeleteAsync(register, exports, read, at, CancellationToken.None);
            }

            if (!gone)
            {
                // Still due: the sweep deletes it at its next run, as after a failed delete. Not due: a zip written again
                // since is the case's now, and the page shows it.
                return (read, read.IsExportDueForDeletion(at));
            }

            c = read;
        }
        catch (Exception ex)
        {
            // The withdrawal stands; the retention sweep deletes the zip at its next run.
            ExportDeleteFailed(log, c.Id, ex.GetType().Name);
            return (c, true);
        }

        try
        {
            var found = c;
            c = (await register.ApplyAsync(c.Id, x => x.RecordExportDeleted(time.GetUtcNow(), found), CancellationToken.None)).Case;
        }
        catch (Exception ex)
        {
            // The zip is gone; only its record is missing, and the sweep writes it at its next run (the delete again
            // finds nothing). The page shows the register as it stands, which says so until then.
            ExportDeletionNotRecorded(log, c.Id, ex.GetType().Name);
        }

        return (c, false);
    }

    /// <summary>
    /// <c>POST /cases/{id}/answered-outside</c>: staff answered a failed case themselves and close it
    /// (<see cref="PrivacyCase.CloseAnsweredOutside"/>): <c>answered_on</c> (yyyy-MM-dd, the day the answer was
    /// sent), <c>how</c> (up to 2,000 characters, kept in the register) and <c>failed_at</c> (the failure the page
    /// showed). Nothing is sent; a zip whose link never went is withdrawn and deleted. 400 with the page for a missing or
    /// impossible day or no <c>how</c>; 409 when the case is not failed (a colleague retried or closed it), its answer
    /// is not known yet (address not confirmed, identity not decided), or it failed again since the page was opened.
    /// </summary>
    public Task<IResult> AnsweredOutsideAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => AnsweredOutsideCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> AnsweredOutsideCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (form, identity, found, failure) = await OpenStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var c = found!;
        var title = Texts.Format("CaseTitle", l, c.Id);
        var how = form["how"].ToString();
        var day = DateOnly.TryParseExact(form["answered_on"].ToString(), CasePage.DueDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : DateOnly.MinValue;
        // The failure the page showed: a colleague's retry since (and a new failure) makes the page's close outdated.
        var shown = long.TryParse(form[CasePage.FailedAtField].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null;
        if (identity.Name is null)
        {
            return staff.Page(title, Error(Texts.Get("StaffNameRequired", l)) + await page.BodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest);
        }

        var at = time.GetUtcNow();
        var closed = await register.ApplyAsync(c.Id, x => x.CloseAnsweredOutside(identity.Name, day, how, shown, options.Value.Export.LinkLifetime, at), cancellationToken);
        if (closed.Refused)
        {
            var (message, status) = closed.Refusal switch
            {
                CaseRefusal.NotFailed => ("CaseOutsideNotFailed", StatusCodes.Status409Conflict),
                CaseRefusal.PageOutdated => ("CaseOutsidePageOutdated", StatusCodes.Status409Conflict),
                CaseRefusal.NotDecided => ("CaseOutsideUndecided", StatusCodes.Status409Conflict),
                _ => ("CaseOutsideInvalid", StatusCodes.Status400BadRequest),
            };
            return staff.Page(title, Error(Texts.Get(message, l)) + await page.BodyAsync(request, closed.Case, l, cancellationToken), status);
        }

        // A zip written but never linked was withdrawn with the close: it goes now (or at the retention sweep's next run).
        var (after, deleteFailed) = await DeleteWithdrawnExportAsync(closed.Case, at);
        AnsweredOutside(log, c.Id, after.Status.ToString());
        return staff.Page(title, P(Texts.Format("CaseOutsideDone", l, Texts.Status(after.Status, after.RejectedAs, l)))
            + (deleteFailed ? Error(Texts.Get("CaseOutsideZipNotDeleted", l)) : string.Empty)
            + await page.BodyAsync(request, after, l, CancellationToken.None));
    }

    /// <summary>
    /// <c>POST /cases/{id}/retry</c>: resumes a failed case. It goes back to where it stood and its orchestration starts
    /// again from the register, so steps recorded as done (mails, store actions) are not done again.
    /// </summary>
    public Task<IResult> RetryAsync(HttpRequest request, string caseId, Microsoft.DurableTask.Client.DurableTaskClient client, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => RetryCoreAsync(request, caseId, client, cancellationToken), cancellationToken);

    private async Task<IResult> RetryCoreAsync(HttpRequest request, string caseId, Microsoft.DurableTask.Client.DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (found, by, failure) = await OpenNamedStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var title = Texts.Format("CaseTitle", l, found!.Id);
        // What the page showed the retry would do: refused (Core's Retry) when the retry would now write a zip a colleague
        // withdrew and the page did not warn of it.
        var form = await request.ReadFormAsync(cancellationToken);
        var (update, startPending) = await workflow.RetryAndStartAsync(client, found.Id, by!, cancellationToken, form[CasePage.RetryBasisField].ToString());
        if (update.Refusal == CaseRefusal.RetryPageOutdated)
        {
            return staff.Page(title, Error(Texts.Get("CaseRetryPageOutdated", l)) + await page.BodyAsync(request, update.Case, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        if (update.Refusal == CaseRefusal.CopiesBeingErased)
        {
            // The erasures still running, read again (one that stopped since holds nothing: all the marks then, as refused).
            var holding = await workflow.ErasuresHoldingRetryAsync(update.Case, cancellationToken);
            return staff.Page(title, Error(Texts.Format("CaseRetryCopiesBeingErased", l, string.Join(", ", holding.Count > 0 ? holding : update.Case.CopiesBeingErasedBy)))
                + await page.BodyAsync(request, update.Case, l, cancellationToken), StatusCodes.Status409Conflict);
        }

        return update.Refused
            ? staff.Page(title, Error(Texts.Get("CaseRetryNotFailed", l))
                + await page.BodyAsync(request, update.Case, l, cancellationToken), StatusCodes.Status409Conflict)
            : staff.Page(title, P(Texts.Get(startPending ? "CaseRetriedStartPending" : "CaseRetried", l)) + await page.BodyAsync(request, update.Case, l, cancellationToken));
    }

    /// <summary>A staff POST on a case that records who acted: as <see cref="OpenStaffPostAsync"/>, and the staff member's name is required.</summary>
    private async Task<(PrivacyCase? Case, string? By, IResult? Failure)> OpenNamedStaffPostAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (_, identity, c, failure) = await OpenStaffPostAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return (null, null, failure);
        }

        var l = staff.Language;
        return identity.Name is null
            ? (c, null, staff.Page(Texts.Format("CaseTitle", l, c!.Id), Error(Texts.Get("StaffNameRequired", l)) + await page.BodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest))
            : (c, identity.Name, null);
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
            // Nobody handles their own request: not its retry, extension, close, withdrawal or notices either.
            : staff.OwnRequest(c, identity, Texts.Format("CaseTitle", l, c.Id)) is { } own ? (form, identity, c, own)
            : (form, identity, c, null);
    }

    private static string Error(string message) => StaffPages.Error(message);

    [LoggerMessage(148, LogLevel.Warning, "Case {CaseId}: the extension's notice could not be sent ({Error}); the extension is taken back")]
    private static partial void ExtensionWithdrawn(ILogger logger, string caseId, string error);

    [LoggerMessage(161, LogLevel.Information, "Case {CaseId}: staff recorded that they answered it outside this system; closed as {Status}")]
    private static partial void AnsweredOutside(ILogger logger, string caseId, string status);

    [LoggerMessage(159, LogLevel.Warning, "Case {CaseId}: the withdrawn export could not be deleted ({Error}); the retention sweep deletes it")]
    private static partial void ExportDeleteFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(160, LogLevel.Warning, "Case {CaseId}: the withdrawn export was deleted but its deletion could not be recorded ({Error}); the retention sweep records it")]
    private static partial void ExportDeletionNotRecorded(ILogger logger, string caseId, string error);
}

/// <summary>The routes of this feature (DESIGN §4): the staff case list, its CSV, a case page and its actions.</summary>
public static class CaseRoutes
{
    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases", (HttpRequest r, [FromServices] CaseEndpoints e, CancellationToken ct) => e.ListAsync(r, ct)).WithName("CaseList");
        app.MapGet("/cases.csv", (HttpRequest r, [FromServices] CaseEndpoints e, CancellationToken ct) => e.CsvAsync(r, ct)).WithName("CaseListCsv");
        app.MapGet("/cases/{caseId}", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.CaseAsync(r, caseId, ct)).WithName("CasePage");
        app.MapPost("/cases/{caseId}/extend", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.ExtendAsync(r, caseId, ct)).WithName("ExtendDeadline").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/retry", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, [FromServices] Microsoft.DurableTask.Client.DurableTaskClient c, CancellationToken ct) => e.RetryAsync(r, caseId, c, ct)).WithName("RetryCase").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/recipient-informed", (HttpRequest r, string caseId, [FromServices] CaseFollowUpEndpoints e, CancellationToken ct) => e.RecipientInformedAsync(r, caseId, ct)).WithName("RecipientInformed").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/identification-seen", (HttpRequest r, string caseId, [FromServices] CaseFollowUpEndpoints e, CancellationToken ct) => e.IdentificationSeenAsync(r, caseId, ct)).WithName("IdentificationSeen").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/lift-restriction", (HttpRequest r, string caseId, [FromServices] CaseFollowUpEndpoints e, CancellationToken ct) => e.LiftRestrictionAsync(r, caseId, ct)).WithName("LiftRestriction").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/answered-outside", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.AnsweredOutsideAsync(r, caseId, ct)).WithName("CaseAnsweredOutside").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/revoke-export", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.RevokeExportAsync(r, caseId, ct)).WithName("RevokeExport").DisableAntiforgery();
        return app;
    }
}
