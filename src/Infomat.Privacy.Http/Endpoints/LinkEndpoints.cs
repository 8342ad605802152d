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
using Infomat.Privacy.Storage;

namespace Infomat.Privacy.Http.Endpoints;

/// <summary>
/// The pages behind the links in mails: requester verification, staff approval, download. Every GET only shows a
/// page (mail scanners open links); the state change is the POST, and the token is checked again there.
/// </summary>
public sealed class LinkEndpoints(
    ICaseRegister register,
    LinkTokenService tokens,
    CaseWorkflow workflow,
    IExportStorage exports,
    DataMap dataMap,
    IOptions<PrivacyOptions> options,
    StaffPages staff,
    IMailSender mail,
    TimeProvider time)
{
    // ---- Verification ----

    /// <summary>A page whose footer names every controller in the data map, or, for a page of a case, that case's controllers.</summary>
    private IResult Page(Language l, string title, string body, int status = StatusCodes.Status200OK, ControllerScope? scope = null) =>
        Pages.Html.Page(dataMap, l, title, body, status, scope: scope);

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
            return Used(l, c);
        }

        return Page(l, Texts.Get("VerifyTitle", l),
            P(Texts.Format("VerifyBody", l, c.Id)) + TokenForm("/verify", request.Query["token"].ToString(), Texts.Get("VerifyButton", l)), scope: c.Entity);
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
            return Used(l, c);
        }

        var at = time.GetUtcNow();
        c = (await register.ApplyAsync(c.Id, x => x.Verify(at), cancellationToken)).Case;
        await workflow.SignalAsync(client, c.Id, CaseEvents.EmailVerified, cancellationToken);
        return Page(l, Texts.Get("VerifiedTitle", l), P(Texts.Format("VerifiedBody", l, c.Id, Texts.Date(c.DueDate, l))), scope: c.Entity);
    }

    // ---- Staff approval ----

    private static readonly string[] Evidence = ["verified-link", "dmarc-pass", "known-details", "additional-identification", "other"];

    /// <summary><c>GET /approvals?token=</c>: the request, what the stores hold, the approvals so far, and the three decisions.</summary>
    public async Task<IResult> ApprovalPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        if (staff.Refused(request) is { } refused)
        {
            return refused;
        }

        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.Approve, cancellationToken, l);
        return failure ?? staff.Page(Texts.Format("ApprovalTitle", l, c!.Id), ApprovalBody(request, c, request.Query["token"].ToString(), l));
    }

    /// <summary>
    /// <c>POST /approvals</c> (antiforgery-checked): <c>approve</c> with the evidence, <c>reject</c> with a reason, or
    /// <c>request-identification</c> with what is needed. The first final decision stands; an erasure needs two
    /// different approvers; later clicks are shown what was decided, by whom and when.
    /// </summary>
    public async Task<IResult> DecideAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var (form, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var tokenText = form["token"].ToString();
        var (c, failure) = await OpenAsync(request, tokenText, TokenPurpose.Approve, cancellationToken, l);
        if (failure is not null)
        {
            return failure;
        }

        var title = Texts.Format("ApprovalTitle", l, c!.Id);
        var outcome = form["decision"].ToString() switch
        {
            "approve" => DecisionOutcome.Approve,
            "reject" => DecisionOutcome.Reject,
            "request-identification" => DecisionOutcome.RequestIdentification,
            _ => (DecisionOutcome?)null,
        };
        var reason = form["reason"].ToString().Trim();
        var evidence = form["evidence"].ToString();
        if (c.Decision is { } earlier)
        {
            return staff.Page(title, P(AlreadyDecided(earlier, l)), StatusCodes.Status409Conflict);
        }

        var invalid = outcome switch
        {
            null => true,
            DecisionOutcome.Approve => !Evidence.Contains(evidence),
            _ => reason.Length == 0,
        };
        if (invalid || reason.Length > 2000 || identity.Name is null)
        {
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l) : Texts.Get("ApprovalChoiceRequired", l);
            return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(message)}</p>" + ApprovalBody(request, c, tokenText, l), StatusCodes.Status400BadRequest);
        }

        var (_, token) = tokens.Check(tokenText, TokenPurpose.Approve);
        var by = identity.Name;
        var at = time.GetUtcNow();
        switch (outcome)
        {
            case DecisionOutcome.RequestIdentification:
                if (!await register.TryConsumeTokenAsync(token!.Id + ".identification", c.Id, cancellationToken))
                {
                    return Used(l, c);
                }

                c = (await register.ApplyAsync(c.Id, x => x.RequestIdentification(by, reason, at), cancellationToken)).Case;
                await mail.SendAsync(PrivacyMails.IdentificationRequest(c, dataMap, reason), cancellationToken);
                // The orchestration starts its wait for the decision again from now.
                await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
                return staff.Page(title, P(Texts.Format("ApprovalIdentificationSent", l, Texts.DateTime(at, l), by)) + ApprovalBody(request, c, tokenText, l));

            case DecisionOutcome.Approve when c.ApprovalRefusal(by) == CaseRefusal.SameApprover:
                return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("ApprovalSameApprover", l))}</p>" + ApprovalBody(request, c, tokenText, l), StatusCodes.Status409Conflict);

            case DecisionOutcome.Approve:
                var stage = c.NextApprovalStage;
                if (!await register.TryConsumeTokenAsync(token!.Id + ".approve." + stage.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Id, cancellationToken))
                {
                    return Used(l, c);
                }

                var approved = await register.ApplyAsync(c.Id, x => x.Approve(stage, by, at, evidence), cancellationToken);
                c = approved.Case;
                if (approved.Refused)
                {
                    return staff.Page(title, P(c.Decision is { } d ? AlreadyDecided(d, l) : Texts.Get("ApprovalSameApprover", l)), StatusCodes.Status409Conflict);
                }

                if (c.Decision is null)
                {
                    return staff.Page(title, $"<p class=\"notice\" data-approvals-missing=\"{c.ApprovalsRequired - stage}\">"
                        + E(Texts.Format("ApprovalFirstOfTwo", l, stage, c.ApprovalsRequired, by)) + "</p>");
                }

                break;

            default:
                if (!await register.TryConsumeTokenAsync(token!.Id + ".decision", c.Id, cancellationToken))
                {
                    return Used(l, c);
                }

                var rejected = await register.ApplyAsync(c.Id, x => x.Reject(by, reason, at), cancellationToken);
                c = rejected.Case;
                if (rejected.Refused)
                {
                    return staff.Page(title, P(AlreadyDecided(c.Decision!, l)), StatusCodes.Status409Conflict);
                }

                break;
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
        return staff.Page(title, P(Texts.Format("ApprovalDecided", l, DecisionText(c.Decision!.Outcome, l), Texts.DateTime(c.Decision.DecidedAt, l), c.Decision.DecidedBy)));
    }

    private string ApprovalBody(HttpRequest request, PrivacyCase c, string tokenText, Language l)
    {
        var body = new System.Text.StringBuilder();
        if (c.Decision is { } decided)
        {
            return body.Append(P(AlreadyDecided(decided, l))).Append(Facts(PrivacyMails.Facts(c, dataMap, l))).ToString();
        }

        body.Append(P(Texts.Get("ApprovalIntro", l))).Append(Facts(PrivacyMails.Facts(c, dataMap, l)))
            .Append("<h2>").Append(E(Texts.Get("LabelHoldings", l))).Append("</h2><ul>");
        foreach (var line in PrivacyMails.Holdings(c, dataMap, l))
        {
            body.Append("<li>").Append(E(line)).Append("</li>");
        }

        body.Append("</ul>");
        if (c.ApprovalsRequired > 1)
        {
            body.Append(P(Texts.Format("MailApprovalTwoApprovers", l, c.ApprovalsRequired)));
        }

        foreach (var a in c.Approvals)
        {
            body.Append(P(Texts.Format("ApprovalSoFar", l, a.By, Texts.DateTime(a.At, l), EvidenceText(a.Evidence, l))));
        }

        if (c.IdentificationRequestedAt is { } askedAt)
        {
            body.Append(P(Texts.Format("ApprovalIdentificationSent", l, Texts.DateTime(askedAt, l), c.IdentificationRequestedBy ?? "?")));
        }

        var hidden = $"<input type=\"hidden\" name=\"token\" value=\"{E(tokenText)}\">" + staff.Forms.HiddenField(request);
        string NameField(string id) => staff.NameField(id);

        body.Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-approve"))
            .Append("<fieldset><legend>").Append(E(Texts.Get("ApprovalEvidence", l))).Append("</legend>");
        foreach (var e in Evidence)
        {
            var id = "evidence-" + e;
            body.Append("<div class=\"choice\"><input type=\"radio\" required name=\"evidence\" id=\"").Append(id).Append("\" value=\"").Append(e).Append("\">")
                .Append("<label for=\"").Append(id).Append("\">").Append(E(EvidenceText(e, l))).Append("</label></div>");
        }

        body.Append("</fieldset><button type=\"submit\" name=\"decision\" value=\"approve\">").Append(E(Texts.Get("ApprovalApprove", l))).Append("</button></form>")
            .Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-identification"))
            .Append("<label for=\"identification\">").Append(E(Texts.Get("ApprovalIdentification", l))).Append("</label>")
            .Append("<textarea id=\"identification\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"request-identification\">").Append(E(Texts.Get("ApprovalIdentificationButton", l))).Append("</button></form>")
            .Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-reject"))
            .Append("<label for=\"reason\">").Append(E(Texts.Get("ApprovalReason", l))).Append("</label>")
            .Append("<textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
            .Append("<button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"reject\">").Append(E(Texts.Get("ApprovalReject", l))).Append("</button></form>");
        return body.ToString();
    }

    private static string EvidenceText(string evidence, Language l) =>
        Texts.Get("Evidence" + string.Concat(evidence.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])), l);

    private static string AlreadyDecided(IdentityDecision d, Language l) =>
        Texts.Format("ApprovalAlreadyDecided", l, DecisionText(d.Outcome, l), Texts.DateTime(d.DecidedAt, l), d.DecidedBy);

    // ---- Download ----

    /// <summary><c>GET /download?token=</c>: what the export is, until when the link works and how many downloads are left.</summary>
    public async Task<IResult> DownloadPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        var size = c.ExportBlobName is null || c.ExportRevokedAt is not null ? null : await exports.GetSizeAsync(c.ExportBlobName, cancellationToken);
        if (DownloadRefused(c, size) is { } refused)
        {
            return refused;
        }

        var (_, token) = tokens.Check(request.Query["token"], TokenPurpose.Download);
        var left = options.Value.Export.MaxDownloads - c.Downloads.Count;
        return Page(l, Texts.Get("DownloadTitle", l),
            P(Texts.Format(c.Type == RequestType.Portability ? "DownloadBodyPortability" : "DownloadBody", l, c.Id, Texts.Size(size!.Value, l), Texts.DateTime(token!.ExpiresAt, l)))
            + P(Texts.Format("DownloadsLeft", l, left))
            + TokenForm("/download", request.Query["token"].ToString(), Texts.Get("DownloadButton", l)), scope: c.Entity);
    }

    /// <summary>
    /// <c>POST /download</c>: records the download (audited; at most <c>Privacy:Export:MaxDownloads</c>), then 303 to a
    /// read-only link for that one blob, valid a few minutes.
    /// </summary>
    public async Task<IResult> DownloadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure) = await OpenAsync(request, form["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var size = c!.ExportBlobName is null || c.ExportRevokedAt is not null ? null : await exports.GetSizeAsync(c.ExportBlobName, cancellationToken);
        if (DownloadRefused(c, size) is { } refused)
        {
            return refused;
        }

        var max = options.Value.Export.MaxDownloads;
        var at = time.GetUtcNow();
        var download = await register.ApplyAsync(c.Id, x => x.RecordDownload(at, max), cancellationToken);
        if (download.Refused)
        {
            // Not recorded: meanwhile it was withdrawn or the last download was taken; the page says which.
            return DownloadRefused(download.Case, size)!;
        }

        var link = await exports.CreateReadLinkAsync(c.ExportBlobName!, options.Value.Export.SasLifetime, cancellationToken);
        return new SeeOther(link.AbsoluteUri);
    }

    /// <summary>The page that says why the zip can no longer be had (withdrawn, downloads used up, deleted), or null.</summary>
    private IResult? DownloadRefused(PrivacyCase c, long? size)
    {
        var l = c.Language;
        var max = options.Value.Export.MaxDownloads;
        return c.DownloadRefusal(max) switch
        {
            CaseRefusal.ExportRevoked => Page(l, Texts.Get("DownloadRevokedTitle", l), P(Texts.Format("DownloadRevokedBody", l, c.Id)), StatusCodes.Status410Gone, c.Entity),
            CaseRefusal.DownloadsUsedUp => Page(l, Texts.Get("DownloadUsedUpTitle", l), P(Texts.Format("DownloadUsedUpBody", l, c.Id, max)), StatusCodes.Status410Gone, c.Entity),
            _ when size is null => Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone, c.Entity),
            _ => null,
        };
    }

    // ---- Staff tasks ----

    /// <summary><c>GET /tasks?token=</c>: the case's staff tasks, each with its own form.</summary>
    public async Task<IResult> TasksPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        if (staff.Refused(request) is { } refused)
        {
            return refused;
        }

        var (c, failure) = await OpenAsync(request, request.Query["token"], TokenPurpose.StaffTask, cancellationToken, l);
        return failure ?? staff.Page(Texts.Format("TasksTitle", l, c!.Id), TasksBody(request, c, request.Query["token"].ToString(), l));
    }

    /// <summary><c>POST /tasks</c>: marks one task done (a correction) or decides the objection.</summary>
    public async Task<IResult> CompleteTaskAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = options.Value.Staff.Language;
        var (form, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

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
        var refusal = task is null || outcome is null ? CaseRefusal.UnknownTask : c.TaskRefusal(task.Key, outcome.Value, note);
        if ((refusal is not null and not CaseRefusal.TaskDone) || note.Length > 2000 || identity.Name is null)
        {
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l) : Texts.Get("TaskChoiceRequired", l);
            return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(message)}</p>" + TasksBody(request, c, tokenText, l), StatusCodes.Status400BadRequest);
        }

        if (refusal == CaseRefusal.TaskDone)
        {
            return staff.Page(title, P(Texts.Format("TaskAlreadyDone", l, Texts.DateTime(task!.DoneAt!.Value, l))) + TasksBody(request, c, tokenText, l), StatusCodes.Status409Conflict);
        }

        var (_, token) = tokens.Check(tokenText, TokenPurpose.StaffTask);
        // One use per task and link (a task key has a '/', which table keys do not allow).
        if (!await register.TryConsumeTokenAsync(token!.Id + "." + task!.Key.Replace('/', '.'), c.Id, cancellationToken))
        {
            return Used(l, c);
        }

        var at = time.GetUtcNow();
        var by = identity.Name;
        var stored = (await register.ApplyAsync(c.Id, x => x.CompleteTask(task.Key, outcome!.Value, note, by, at), cancellationToken)).Case;
        await workflow.SignalAsync(client, c.Id, CaseEvents.StaffTaskDone, cancellationToken);
        return staff.Page(title, P(Texts.Get("TaskRecorded", l)) + TasksBody(request, stored, tokenText, l));
    }

    private string TasksBody(HttpRequest request, PrivacyCase c, string token, Language l)
    {
        var body = new System.Text.StringBuilder(Facts(PrivacyMails.Facts(c, dataMap, l)));
        var t = E(token);
        var antiforgery = staff.Forms.HiddenField(request);
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
                .Append("<input type=\"hidden\" name=\"task\" value=\"").Append(E(task.Key)).Append("\">").Append(antiforgery)
                .Append(staff.NameField("name-" + id))
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
            return (c, Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone, c.Entity));
        }

        return (c, null);
    }

    private IResult Used(Language l, PrivacyCase c) =>
        Page(l, Texts.Get("LinkUsedTitle", l), P(Texts.Format("LinkUsedBody", l, c.Id))
            + $"<p><a href=\"/api/requests/{E(c.Id)}\">{E(Texts.Get("StatusLink", l))}</a></p>", StatusCodes.Status409Conflict, c.Entity);

    private static string DecisionText(DecisionOutcome outcome, Language l) => Texts.Get("Decision" + outcome, l);
}
