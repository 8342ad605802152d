using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Endpoints;

/// <summary>
/// The pages behind the links in mails: requester verification, staff approval, download. Every GET only shows a
/// page (mail scanners open links); the state change is the POST, and the token is checked again there.
/// </summary>
public sealed class LinkEndpoints(
    ICaseRegister register,
    LinkTokenService tokens,
    CaseWorkflow workflow,
    IExportStore exports,
    DataMap dataMap,
    IOptions<PrivacyOptions> options,
    TimeProvider time)
{
    // ---- Verification ----

    /// <summary><c>GET /verify?token=</c></summary>
    public async Task<IResult> VerifyPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.Verify, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        if (c.EmailVerifiedAt is not null)
        {
            return Used(l, c.Id);
        }

        return Page(l, Texts.Get("VerifyTitle", l),
            P(Texts.Format("VerifyBody", l, c.Id)) + TokenForm("/verify", request.Query["token"].ToString(), Texts.Get("VerifyButton", l)));
    }

    /// <summary><c>POST /verify</c>: records the verification, then tells the orchestration.</summary>
    public async Task<IResult> VerifyAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure) = await OpenAsync(request, form["token"], TokenPurpose.Verify, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        var (_, token) = tokens.Check(form["token"], TokenPurpose.Verify);
        if (c.EmailVerifiedAt is not null || !await register.TryConsumeTokenAsync(token!.Id, c.Id, cancellationToken))
        {
            return Used(l, c.Id);
        }

        var at = time.GetUtcNow();
        c = await register.UpdateAsync(c.Id, x => x.EmailVerifiedAt is null ? x with { EmailVerifiedAt = at } : null, cancellationToken);
        await workflow.SignalAsync(client, c.Id, CaseEvents.EmailVerified, cancellationToken);
        return Page(l, Texts.Get("VerifiedTitle", l), P(Texts.Format("VerifiedBody", l, c.Id, Texts.Date(c.DueDate, l))));
    }

    // ---- Staff approval ----

    /// <summary><c>GET /approvals?token=</c>: the request and the decision form, or what was decided.</summary>
    public async Task<IResult> ApprovalPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.Approve, cancellationToken, l);
        if (failure is not null)
        {
            return failure;
        }

        var title = Texts.Format("ApprovalTitle", l, c!.Id);
        if (c.Decision is { } decided)
        {
            return StaffPage(l, title, P(Texts.Format("ApprovalAlreadyDecided", l, DecisionText(decided.Outcome, l), Texts.DateTime(decided.DecidedAt, l))) + Facts(PrivacyMails.Facts(c, l)));
        }

        var token = E(request.Query["token"].ToString());
        var body = P(Texts.Get("ApprovalIntro", l)) + Facts(PrivacyMails.Facts(c, l))
            + $"<form method=\"post\" action=\"/approvals\"><input type=\"hidden\" name=\"token\" value=\"{token}\">"
            + $"<button type=\"submit\" name=\"decision\" value=\"approve\">{E(Texts.Get("ApprovalApprove", l))}</button></form>"
            + $"<form method=\"post\" action=\"/approvals\"><input type=\"hidden\" name=\"token\" value=\"{token}\">"
            + $"<label for=\"reason\">{E(Texts.Get("ApprovalReason", l))}</label><textarea id=\"reason\" name=\"reason\" rows=\"3\" required></textarea>"
            + $"<button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"reject\">{E(Texts.Get("ApprovalReject", l))}</button></form>";
        return StaffPage(l, title, body);
    }

    /// <summary><c>POST /approvals</c>: the first decision is recorded and sent to the orchestration; later ones are shown what was decided.</summary>
    public async Task<IResult> DecideAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure) = await OpenAsync(request, form["token"], TokenPurpose.Approve, cancellationToken, l);
        if (failure is not null)
        {
            return failure;
        }

        var title = Texts.Format("ApprovalTitle", l, c!.Id);
        var outcome = form["decision"].ToString() switch
        {
            "approve" => DecisionOutcome.Approve,
            "reject" => DecisionOutcome.Reject,
            _ => (DecisionOutcome?)null,
        };
        var reason = form["reason"].ToString().Trim();
        if (outcome is null || (outcome == DecisionOutcome.Reject && reason.Length == 0) || reason.Length > 2000)
        {
            return StaffPage(l, title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("ApprovalChoiceRequired", l))}</p>"
                + $"<p><a href=\"/approvals?token={Uri.EscapeDataString(form["token"].ToString())}\">{E(title)}</a></p>",
                StatusCodes.Status400BadRequest);
        }

        if (c.Decision is { } earlier)
        {
            return StaffPage(l, title, P(Texts.Format("ApprovalAlreadyDecided", l, DecisionText(earlier.Outcome, l), Texts.DateTime(earlier.DecidedAt, l))), StatusCodes.Status409Conflict);
        }

        var (_, token) = tokens.Check(form["token"], TokenPurpose.Approve);
        if (!await register.TryConsumeTokenAsync(token!.Id, c.Id, cancellationToken))
        {
            return Used(l, c.Id);
        }

        var decision = new IdentityDecision(outcome.Value, time.GetUtcNow(), StaffPrincipal(request), outcome == DecisionOutcome.Reject ? reason : null);
        var stored = await register.UpdateAsync(c.Id, x => x.Decision is null ? x with { Decision = decision } : null, cancellationToken);
        if (stored.Decision != decision)
        {
            return StaffPage(l, title, P(Texts.Format("ApprovalAlreadyDecided", l, DecisionText(stored.Decision!.Outcome, l), Texts.DateTime(stored.Decision.DecidedAt, l))), StatusCodes.Status409Conflict);
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
        return StaffPage(l, title, P(Texts.Format("ApprovalDecided", l, DecisionText(decision.Outcome, l), Texts.DateTime(decision.DecidedAt, l))));
    }

    // ---- Download ----

    /// <summary><c>GET /download?token=</c>: what the export is and until when the link works.</summary>
    public async Task<IResult> DownloadPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        var size = c.ExportBlobName is null ? null : await exports.GetSizeAsync(c.ExportBlobName, cancellationToken);
        if (size is null)
        {
            return Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone);
        }

        var (_, token) = tokens.Check(request.Query["token"], TokenPurpose.Download);
        return Page(l, Texts.Get("DownloadTitle", l),
            P(Texts.Format("DownloadBody", l, c.Id, Texts.Size(size.Value, l), Texts.DateTime(token!.ExpiresAt, l)))
            + TokenForm("/download", request.Query["token"].ToString(), Texts.Get("DownloadButton", l)));
    }

    /// <summary><c>POST /download</c>: 303 to a read-only link for that one blob, valid a few minutes.</summary>
    public async Task<IResult> DownloadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure) = await OpenAsync(request, form["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (c!.ExportBlobName is null || await exports.GetSizeAsync(c.ExportBlobName, cancellationToken) is null)
        {
            return Page(c.Language, Texts.Get("LinkExpiredTitle", c.Language), P(Texts.Get("LinkExpiredBody", c.Language)), StatusCodes.Status410Gone);
        }

        var link = await exports.CreateReadLinkAsync(c.ExportBlobName, options.Value.Export.SasLifetime, cancellationToken);
        return new SeeOther(link.AbsoluteUri);
    }

    // ---- Staff tasks ----

    /// <summary><c>GET /tasks?token=</c>: the case's staff tasks, each with its own form.</summary>
    public async Task<IResult> TasksPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.StaffTask, cancellationToken, l);
        return failure ?? StaffPage(l, Texts.Format("TasksTitle", l, c!.Id), TasksBody(c, request.Query["token"].ToString(), l));
    }

    /// <summary><c>POST /tasks</c>: marks one task done (a correction) or decides the objection.</summary>
    public async Task<IResult> CompleteTaskAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var form = await request.ReadFormAsync(cancellationToken);
        var tokenText = form["token"].ToString();
        var (c, failure) = await OpenAsync(request, tokenText, TokenPurpose.StaffTask, cancellationToken, l);
        if (failure is not null)
        {
            return failure;
        }

        var title = Texts.Format("TasksTitle", l, c!.Id);
        var task = c.Tasks.FirstOrDefault(t => t.Key == form["task"].ToString());
        var outcome = form["outcome"].ToString() switch
        {
            "done" when task?.Kind == StaffTaskKind.Rectify => StaffTaskOutcome.Done,
            "uphold" when task?.Kind == StaffTaskKind.ReviewObjection => StaffTaskOutcome.Upheld,
            "refuse" when task?.Kind == StaffTaskKind.ReviewObjection => StaffTaskOutcome.Refused,
            _ => (StaffTaskOutcome?)null,
        };
        var note = form["note"].ToString().Trim();
        if (task is null || outcome is null || (outcome == StaffTaskOutcome.Refused && note.Length == 0) || note.Length > 2000)
        {
            return StaffPage(l, title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("TaskChoiceRequired", l))}</p>" + TasksBody(c, tokenText, l), StatusCodes.Status400BadRequest);
        }

        if (!task.IsOpen)
        {
            return StaffPage(l, title, P(Texts.Format("TaskAlreadyDone", l, Texts.DateTime(task.DoneAt!.Value, l))) + TasksBody(c, tokenText, l), StatusCodes.Status409Conflict);
        }

        var (_, token) = tokens.Check(tokenText, TokenPurpose.StaffTask);
        // One use per task and link (a task key has a '/', which table keys do not allow).
        if (!await register.TryConsumeTokenAsync(token!.Id + "." + task.Key.Replace('/', '.'), c.Id, cancellationToken))
        {
            return Used(l, c.Id);
        }

        var at = time.GetUtcNow();
        var by = StaffPrincipal(request);
        var stored = await register.UpdateAsync(c.Id, x => x.Tasks.Any(t => t.Key == task.Key && t.IsOpen)
            ? x with { Tasks = x.Tasks.Select(t => t.Key == task.Key ? t with { DoneAt = at, DoneBy = by, Outcome = outcome, Note = note.Length == 0 ? null : note } : t).ToList() }
            : null, cancellationToken);
        await workflow.SignalAsync(client, c.Id, CaseEvents.StaffTaskDone, cancellationToken);
        return StaffPage(l, title, P(Texts.Get("TaskRecorded", l)) + TasksBody(stored, tokenText, l));
    }

    private string TasksBody(PrivacyCase c, string token, Language l)
    {
        var body = new System.Text.StringBuilder(Facts(PrivacyMails.Facts(c, l)));
        var t = E(token);
        foreach (var task in c.Tasks)
        {
            var label = E(PrivacyMails.TaskLabel(dataMap, task, l));
            if (!task.IsOpen)
            {
                body.Append("<section class=\"task\"><h2>").Append(label).Append("</h2>")
                    .Append(P(Texts.Format("TaskDoneBy", l, Texts.Get("TaskOutcome" + task.Outcome, l), Texts.DateTime(task.DoneAt!.Value, l), task.DoneBy ?? "?"))).Append("</section>");
                continue;
            }

            var id = "note-" + E(task.Key.Replace('/', '-'));
            body.Append("<section class=\"task\"><h2>").Append(label).Append("</h2>")
                .Append("<form method=\"post\" action=\"/tasks\"><input type=\"hidden\" name=\"token\" value=\"").Append(t).Append("\">")
                .Append("<input type=\"hidden\" name=\"task\" value=\"").Append(E(task.Key)).Append("\">")
                .Append("<label for=\"").Append(id).Append("\">").Append(E(Texts.Get(task.Kind == StaffTaskKind.Rectify ? "TaskNoteRectify" : "TaskNoteObjection", l))).Append("</label>")
                .Append("<textarea id=\"").Append(id).Append("\" name=\"note\" rows=\"3\" maxlength=\"2000\"></textarea>");
            if (task.Kind == StaffTaskKind.Rectify)
            {
                body.Append("<button type=\"submit\" name=\"outcome\" value=\"done\">").Append(E(Texts.Get("TaskMarkDone", l))).Append("</button>");
            }
            else
            {
                body.Append("<button type=\"submit\" name=\"outcome\" value=\"uphold\">").Append(E(Texts.Get("TaskUphold", l))).Append("</button>")
                    .Append("<button type=\"submit\" class=\"secondary\" name=\"outcome\" value=\"refuse\">").Append(E(Texts.Get("TaskRefuse", l))).Append("</button>");
            }

            body.Append("</form></section>");
        }

        return body.ToString();
    }

    // ---- Shared ----

    /// <summary>Checks the token and loads its case; on failure returns the page that says what to do.</summary>
    private async Task<(PrivacyCase? Case, IResult? Failure)> OpenAsync(
        HttpRequest request, string? token, TokenPurpose purpose, CancellationToken cancellationToken, Language? pageLanguage = null)
    {
        var l = pageLanguage ?? Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        var (state, checkedToken) = tokens.Check(token, purpose);
        if (state == TokenState.Invalid)
        {
            return (null, Page(l, Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden));
        }

        var c = await register.GetAsync(checkedToken!.CaseId, cancellationToken);
        if (c is null)
        {
            return (null, Page(l, Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden));
        }

        l = pageLanguage ?? c.Language;
        if (state == TokenState.Expired)
        {
            return (c, Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone));
        }

        return (c, null);
    }

    private static IResult Used(Language l, string caseId) =>
        Page(l, Texts.Get("LinkUsedTitle", l), P(Texts.Format("LinkUsedBody", l, caseId))
            + $"<p><a href=\"/api/requests/{E(caseId)}\">{E(Texts.Get("StatusLink", l))}</a></p>", StatusCodes.Status409Conflict);

    private IResult StaffPage(Language l, string title, string body, int status = StatusCodes.Status200OK) =>
        Page(l, title, body, status, staff: true, staffNotice: options.Value.Staff.RequireSignIn ? null : Texts.Get("ApprovalLocalNotice", l));

    /// <summary>Who decided: the App Service Authentication principal in Azure, "local staff" on the local host.</summary>
    private static string StaffPrincipal(HttpRequest request) =>
        request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].ToString() is { Length: > 0 } name ? name : "local staff (no sign-in)";

    private static string DecisionText(DecisionOutcome outcome, Language l) => Texts.Get("Decision" + outcome, l);
}
