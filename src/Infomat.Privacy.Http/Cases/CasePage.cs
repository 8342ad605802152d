using System.Text;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Cases;

/// <summary>
/// A case for staff: its facts, what the stores hold, the way to the identity decision while it waits for one,
/// extensions and the extension form, the export and its withdrawal, the status history, and the audit trail with
/// whether its chain is intact.
/// </summary>
public sealed class CasePage(IAuditTrail audit, AuditChain chain, DataMap dataMap, StaffPages staff, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time)
{
    /// <summary>The extension form's hidden field: the due date the page showed (<see cref="DueDateFormat"/>).</summary>
    public const string DueDateField = "due_date";

    /// <summary>How <see cref="DueDateField"/> writes a date.</summary>
    public const string DueDateFormat = "yyyy-MM-dd";

    public async Task<string> BodyAsync(HttpRequest request, PrivacyCase c, Language l, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var daysLeft = DueDateCalculator.DaysLeft(c.DueDate, now);
        var body = new StringBuilder();
        // The list's rule (a failed case's legal date still runs): one home, CaseListFilter.
        if (CaseListFilter.IsIn(CaseListEntry.Of(c), CaseListState.Overdue, DueDateCalculator.Today(now)))
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(E(Texts.Format("CasesOverdue", l, -daysLeft))).Append("</p>");
        }

        var facts = PrivacyMails.Facts(c, dataMap, l).ToList();
        facts.Insert(3, new Fact(Texts.Get("CasesStatus", l), Texts.Status(c.Status, c.RejectedAs, l)));
        body.Append(Facts(facts));
        if (c.JoinedCaseId is { } joined)
        {
            body.Append("<p>").Append(E(Texts.Get("CaseJoinedLine", l))).Append(" <a href=\"/cases/").Append(E(joined)).Append("\">").Append(E(joined)).Append("</a></p>");
        }

        body.Append("<h2>").Append(E(Texts.Get("LabelHoldings", l))).Append("</h2><ul>");
        foreach (var line in PrivacyMails.Holdings(c, dataMap, l))
        {
            body.Append("<li>").Append(E(line)).Append("</li>");
        }

        body.Append("</ul>").Append(Decision(c, l));
        if (c.AwaitsIdentityDecision)
        {
            // A fresh decision link (a signed token; nothing is recorded): the one in the mail may have expired, or been
            // spent on asking for more identification, and staff told of the reply are sent here.
            body.Append("<p><a href=\"").Append(E(options.Value.ApprovalLink(tokens, c.Id).AbsoluteUri)).Append("\">")
                .Append(E(Texts.Get("CaseDecideIdentity", l))).Append("</a></p>");
        }

        // The same for the staff tasks and the export's review: their link goes out once, in one mail, and has no
        // reminder of its own; a colleague sent here by the due-date reminders, or whose link expired, acts from here.
        if (c.AwaitsStaffTasks)
        {
            body.Append("<p><a href=\"").Append(E(options.Value.TasksLink(tokens, c.Id).AbsoluteUri)).Append("\">")
                .Append(E(Texts.Format("CaseOpenTasks", l, c.OpenTaskCount))).Append("</a></p>");
        }

        if (c.AwaitsExportReviewByStaff)
        {
            body.Append("<p><a href=\"").Append(E(options.Value.ReviewLink(tokens, c.Id).AbsoluteUri)).Append("\">")
                .Append(E(Texts.Get("CaseOpenReview", l))).Append("</a></p>");
        }

        foreach (var e in c.Extensions)
        {
            body.Append(P(e.WithdrawnAt is { } withdrawn
                ? Texts.Format("CaseExtensionWithdrawnLine", l, Texts.Date(e.PreviousDueDate, l), Texts.Date(e.NewDueDate, l), e.By, Texts.DateTime(withdrawn, l))
                : Texts.Format("CaseExtensionLine", l, Texts.Date(e.PreviousDueDate, l), Texts.Date(e.NewDueDate, l), e.By, e.Reason)));
        }

        var extensions = c.ExtensionOptions(now, dataMap);
        if (extensions.Count > 0)
        {
            body.Append("<h2>").Append(E(Texts.Get("ExtensionTitle", l))).Append("</h2>")
                .Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/extend\">").Append(staff.Forms.HiddenField(request))
                .Append("<input type=\"hidden\" name=\"").Append(DueDateField).Append("\" value=\"")
                .Append(c.DueDate.ToString(DueDateFormat, System.Globalization.CultureInfo.InvariantCulture)).Append("\">")
                .Append(staff.NameField("staff-name"))
                .Append("<label for=\"months\">").Append(E(Texts.Get("ExtensionMonths", l))).Append("</label><select id=\"months\" name=\"months\">");
            foreach (var (months, dueDate) in extensions)
            {
                body.Append("<option value=\"").Append(months).Append("\">").Append(E(Texts.Format("ExtensionOption", l, months, Texts.Date(dueDate, l)))).Append("</option>");
            }

            body.Append("</select><label for=\"extension-reason\">").Append(E(Texts.Get("ExtensionReason", l))).Append("</label>")
                .Append("<textarea id=\"extension-reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
                .Append("<button type=\"submit\">").Append(E(Texts.Get("ExtensionButton", l))).Append("</button></form>");
        }

        Identification(body, request, c, l);
        RestrictionLift(body, request, c, l);
        RecipientNotices(body, request, c, l);
        foreach (var b in c.BouncedMails)
        {
            body.Append(P(Texts.Format("CaseMailBounced", l, Texts.DateTime(b.ReportedAt, l), Texts.MailKindName(b.Kind, c, l), b.Why)));
        }

        if (c.IdentificationMailInTriageAt is { } inTriage)
        {
            // Decision 152: it may be the answer; the case waits on staff, not on the requester.
            body.Append(P(Texts.Format("CaseIdentificationMailInTriage", l, Texts.DateTime(inTriage, l))));
        }

        if (c.ClosedAsAddressRefused && c.VerificationMailRefusedAt is { } refused)
        {
            body.Append(P(Texts.Format(c.VerificationLinkBounced ? "CaseVerificationBounced" : "CaseVerificationRefused", l, Texts.DateTime(refused, l))));
        }

        if (c.Status == CaseStatus.Failed)
        {
            body.Append("<h2>").Append(E(Texts.Get("CaseRetryTitle", l))).Append("</h2>")
                .Append(P(Texts.Format("CaseRetryBody", l, Texts.Get("Status" + c.StatusBeforeFailure, l))))
                .Append(P(Texts.Get("CaseFailedStep", l) + ": " + FailedStep(c.FailedStep, l)))
                .Append(c.RetryWritesWithdrawnExportAgain
                    ? $"<p class=\"warning\" role=\"note\">{E(Texts.Format("CaseRetryWithdrawnExport", l, Texts.DateTime(c.ExportRevokedAt!.Value, l), c.ExportRevokedBy ?? "?"))}</p>"
                    : string.Empty)
                .Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/retry\">").Append(staff.Forms.HiddenField(request))
                // What the retry does as this page shows it: a colleague's withdrawal since refuses the post (Core's Retry).
                .Append("<input type=\"hidden\" name=\"").Append(RetryBasisField).Append("\" value=\"").Append(E(c.RetryBasis)).Append("\">")
                .Append(staff.NameField("retry-name"))
                .Append("<button type=\"submit\">").Append(E(Texts.Get("CaseRetryButton", l))).Append("</button></form>");
            AnsweredOutsideForm(body, request, c, l, now);
        }

        if (c.AnsweredOutside is { } outside)
        {
            body.Append(P(Texts.Format("CaseOutsideLine", l, Texts.Date(outside.AnsweredOn, l), outside.How, outside.By, Texts.DateTime(outside.RecordedAt, l))));
        }

        if (c.ExportBlobName is not null)
        {
            body.Append("<h2>").Append(E(Texts.Get("ExportRevokeTitle", l))).Append("</h2>");
            if (c.ExportRevokedAt is { } revoked)
            {
                // "Deleted" only once its deletion is recorded: a delete that failed is done by the retention sweep (decision 108).
                body.Append(P(Texts.Format(c.ExportDeleted is null ? "ExportRevokedNotDeleted" : "ExportRevoked", l, Texts.DateTime(revoked, l), c.ExportRevokedBy ?? "?")));
            }
            else if (c.ExportDeleted is { } deleted)
            {
                // Its link ended, or an erasure took it: nothing to withdraw (the rule refuses it too).
                body.Append(P(deleted.Reason == ExportDeletionReason.Erasure
                    ? Texts.Format("ExportDeletedByErasure", l, Texts.DateTime(deleted.At, l), deleted.ErasureCaseId ?? "?")
                    : Texts.Format("ExportDeletedLinkEnded", l, Texts.DateTime(deleted.At, l))));
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
            body.Append("<li>").Append(E(Texts.DateTime(change.At, l))).Append(": ").Append(E(Texts.Status(change.Status, c.RejectedAs, l))).Append("</li>");
        }

        var events = await audit.ListAsync(c.Id, cancellationToken);
        var verification = chain.Verify(c.Id, events, heads: await audit.HeadsAsync(c.Id, cancellationToken));
        body.Append("</ul><h2>").Append(E(Texts.Get("CaseAudit", l))).Append("</h2>")
            .Append(verification.Intact
                ? P(Texts.Format("CaseAuditIntact", l, verification.Events))
                : $"<p class=\"error\" role=\"alert\">{E(Texts.Format("CaseAuditBroken", l, verification.FirstBrokenSequence ?? 0, AuditActions.ProblemText(verification, l)))}</p>")
            .Append(P(Texts.Get("CaseAuditRecordNote", l)))
            .Append("<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">")
            .Append(E(Texts.Get("CaseAuditWhen", l))).Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditWhat", l)))
            .Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditWho", l))).Append("</th><th scope=\"col\">").Append(E(Texts.Get("CaseAuditOutcome", l)))
            .Append("</th></tr></thead><tbody>");
        foreach (var e in events)
        {
            body.Append("<tr><td>").Append(e.Sequence).Append("</td><td>").Append(E(Texts.DateTime(e.At, l))).Append("</td><td>").Append(E(AuditActions.Describe(e, l)))
                .Append("</td><td>").Append(E(AuditActions.ActorText(e.Actor, l)))
                .Append("</td><td><code>").Append(E(e.Action)).Append("</code> ").Append(E(e.Outcome)).Append("</td></tr>");
        }

        return body.Append("</tbody></table></div><p><a href=\"/cases\">").Append(E(Texts.Get("CasesBack", l))).Append("</a></p>").ToString();
    }

    /// <summary>The hidden field by which the close says which failure its page showed (<see cref="PrivacyCase.FailedAt"/>).</summary>
    public const string FailedAtField = "failed_at";

    /// <summary>The retry form's field saying what the retry does as the page showed it (<see cref="PrivacyCase.RetryBasis"/>).</summary>
    public const string RetryBasisField = "retry_basis";

    /// <summary>
    /// The form that closes a failed case staff answered themselves (<see cref="PrivacyCase.CloseAnsweredOutside"/>): what
    /// the close does, the status it closes with (and what that answer must have said), what becomes of a zip, the day
    /// (from the receipt to today in Brussels) and how. A case without a decision says to decide first.
    /// </summary>
    private void AnsweredOutsideForm(StringBuilder body, HttpRequest request, PrivacyCase c, Language l, DateTimeOffset now)
    {
        body.Append("<h2>").Append(E(Texts.Get("CaseOutsideTitle", l))).Append("</h2>");
        if (c.AnswerOutsideRefusal is not null)
        {
            body.Append(P(Texts.Get("CaseOutsideUndecided", l)));
            return;
        }

        var closesAs = Texts.Status(c.StatusWhenAnsweredOutside, c.StatusWhenAnsweredOutside == CaseStatus.Rejected ? c.DecidedRefusalGround : null, l);
        body.Append(P(Texts.Format("CaseOutsideBody", l, closesAs)));
        if (c.RecipientsToTellWhenAnsweredOutside(dataMap) is { } recipients)
        {
            // Whom staff may have to tell of what they changed themselves (Art. 19), from the data map.
            body.Append(P(recipients.Sentence(l)));
        }

        if (c.StatusWhenAnsweredOutside != CaseStatus.Completed)
        {
            body.Append(P(Texts.Format("CaseOutsideNotice", l, closesAs)));
        }

        if (c.ExportNeverLinked)
        {
            body.Append(P(Texts.Get("CaseOutsideZip", l)));
        }
        else if (c.ExportLinkMayHaveGoneAt is { } claimed)
        {
            var ends = claimed + options.Value.Export.LinkLifetime;
            body.Append(P(ends > now ? Texts.Format("CaseOutsideLinked", l, Texts.DateTime(ends, l)) : Texts.Get("CaseOutsideLinkEnded", l)));
        }

        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        body.Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/answered-outside\">").Append(staff.Forms.HiddenField(request))
            .Append("<input type=\"hidden\" name=\"").Append(FailedAtField).Append("\" value=\"").Append(c.FailedAt!.Value.UtcTicks.ToString(invariant)).Append("\">")
            .Append(staff.NameField("outside-name"))
            .Append("<label for=\"answered-on\">").Append(E(Texts.Get("CaseOutsideDate", l))).Append("</label>")
            .Append("<input type=\"date\" id=\"answered-on\" name=\"answered_on\" required min=\"").Append(DueDateCalculator.Today(c.ReceivedAt).ToString(DueDateFormat, invariant))
            .Append("\" max=\"").Append(DueDateCalculator.Today(now).ToString(DueDateFormat, invariant)).Append("\">")
            .Append("<label for=\"answered-how\">").Append(E(Texts.Get("CaseOutsideHow", l))).Append("</label>")
            .Append("<textarea id=\"answered-how\" name=\"how\" rows=\"3\" maxlength=\"").Append(PrivacyCase.MaxAnswerOutsideLength).Append("\" required></textarea>")
            .Append("<button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("CaseOutsideButton", l))).Append("</button></form>");
    }

    /// <summary>
    /// The approvals given (with the note on evidence "other") and the decision, with the reasons a refusal sent to the
    /// requester (staff text kept in the register, never in the audit trail). Empty before anyone decided.
    /// </summary>
    private static string Decision(PrivacyCase c, Language l)
    {
        if (c.Approvals.Count == 0 && c.SetAsideApprovals.Count == 0 && c.Decision is null)
        {
            return string.Empty;
        }

        var html = new StringBuilder("<h2>").Append(E(Texts.Get("CaseDecisionTitle", l))).Append("</h2>");
        foreach (var a in c.SetAsideApprovals)
        {
            html.Append(P(ApprovalCard.SetAsideLine(a, l)));
        }

        foreach (var a in c.Approvals)
        {
            html.Append(P(Approval.ApprovalPage.ApprovalLine(a, l)));
        }

        if (c.Decision is { } d)
        {
            html.Append(P(Texts.Format("ApprovalDecided", l, Approval.ApprovalPage.DecisionText(d.Outcome, l), Texts.DateTime(d.DecidedAt, l), d.DecidedBy)));
            if (d.IsRefusal && !string.IsNullOrWhiteSpace(d.Reason))
            {
                html.Append(P(Texts.Format("CaseDecisionReasons", l, d.Reason)));
            }
        }

        return html.ToString();
    }

    /// <summary>
    /// The replies to the request for more identification (issue 17 item 9): when each came, its attachment count and
    /// where to read it (the mailbox, under the case's category: nothing of it is stored here); who checked it, and the
    /// form to record that one did.
    /// </summary>
    private void Identification(StringBuilder body, HttpRequest request, PrivacyCase c, Language l)
    {
        if (c.IdentificationReplies.Count == 0)
        {
            return;
        }

        body.Append("<h2>").Append(E(Texts.Get("CaseIdentificationTitle", l))).Append("</h2><ul>");
        foreach (var reply in c.IdentificationReplies)
        {
            body.Append("<li>").Append(E(PrivacyMails.IdentificationReplyLine(c, reply, l))).Append("</li>");
        }

        foreach (var check in c.IdentificationChecks)
        {
            body.Append("<li>").Append(E(Texts.Format("CaseIdentificationChecked", l, check.By, Texts.DateTime(check.At, l)))).Append("</li>");
        }

        body.Append("</ul>");
        if (c.IdentificationChecks.Count == 0 || c.IdentificationChecks[^1].At < c.IdentificationReplies[^1].At)
        {
            body.Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/identification-seen\">").Append(staff.Forms.HiddenField(request))
                .Append(staff.NameField("seen-name"))
                .Append("<button type=\"submit\">").Append(E(Texts.Get("CaseIdentificationSeenButton", l))).Append("</button></form>");
        }
    }

    /// <summary>
    /// The recipients staff must tell of what the case changed (Art. 19), from the data map: each one told (by whom, when)
    /// or the form to record that it was.
    /// </summary>
    private void RecipientNotices(StringBuilder body, HttpRequest request, PrivacyCase c, Language l)
    {
        if (c.RecipientNotices.Count == 0)
        {
            return;
        }

        body.Append("<h2>").Append(E(Texts.Get("CaseArt19Title", l))).Append("</h2>").Append(P(Texts.Get("CaseArt19Body", l))).Append("<ul>");
        foreach (var notice in c.RecipientNotices)
        {
            var name = dataMap.Recipients.TryGetValue(notice.Recipient, out var r) ? r.Name.In(l) : notice.Recipient;
            body.Append("<li>").Append(E(name)).Append(": ");
            if (notice.InformedAt is { } at)
            {
                body.Append(E(Texts.Format("CaseArt19Informed", l, notice.InformedBy, Texts.DateTime(at, l))));
            }
            else
            {
                body.Append("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/recipient-informed\">").Append(staff.Forms.HiddenField(request))
                    .Append("<input type=\"hidden\" name=\"recipient\" value=\"").Append(E(notice.Recipient)).Append("\">")
                    .Append(staff.NameField("art19-name-" + notice.Recipient))
                    .Append("<button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("CaseArt19Button", l))).Append("</button></form>");
            }

            body.Append("</li>");
        }

        body.Append("</ul>");
    }

    /// <summary>
    /// Lifting the restriction of a completed restriction request (Art. 18(3), decision 57): what was done, or the form
    /// (the requester is mailed the reason first; a lift whose stores failed after the notice is finished without a new one).
    /// </summary>
    private void RestrictionLift(StringBuilder body, HttpRequest request, PrivacyCase c, Language l)
    {
        // Where another restriction request of the person kept the records restricted (decision 128), one line each.
        void AppendKept(StringBuilder into, Infomat.Privacy.Cases.RestrictionLift lift, Language language)
        {
            foreach (var k in lift.Kept ?? [])
            {
                into.Append(P(Texts.Format("CaseLiftKeptUnder", language, Texts.Companies(ControllerScope.Of(k.Entities), dataMap, language), k.By)));
            }
        }

        // What the lift rule says is nothing this case restricted (another right, or not completed).
        if (c.LiftRefusal is CaseRefusal.NothingRestricted or CaseRefusal.WrongStatus)
        {
            return;
        }

        body.Append("<h2>").Append(E(Texts.Get("CaseLiftTitle", l))).Append("</h2>");
        if (c.LiftNoticeImpossible)
        {
            // Its identifiers erased at the end of the register's retention before any notice: none can go, so no form
            // (decision 138).
            body.Append(P(LiftRefused(c, l)));
            return;
        }

        if (c.LiftUnfinishable)
        {
            // Told, not finished, then its identifiers erased: the stores match on them, so no finish button (decision 143).
            body.Append(P(LiftRefused(c, l)));
            AppendKept(body, c.RestrictionLift!, l);
            return;
        }

        if (c.RestrictionLift is { LiftedAt: { } lifted } done)
        {
            var records = string.Join(", ", (done.Records ?? new Dictionary<string, int>()).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => PrivacyMails.StoreLine(dataMap, r.Key, r.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), l)));
            // Kept in part by another restriction request of the person (decision 128): where, under which, and what was lifted.
            body.Append(P(done.Kept is { Count: > 0 }
                ? Texts.Format("CaseLiftedKept", l, Texts.DateTime(lifted, l), done.By, Texts.DateTime(done.NoticeSentAt, l), records.Length == 0 ? Texts.Get("CaseLiftNoRecords", l) : records)
                : Texts.Format("CaseLifted", l, Texts.DateTime(lifted, l), done.By, Texts.DateTime(done.NoticeSentAt, l), records)));
            AppendKept(body, done, l);
            return;
        }

        var form = new StringBuilder("<form method=\"post\" action=\"/cases/").Append(E(c.Id)).Append("/lift-restriction\">").Append(staff.Forms.HiddenField(request))
            .Append(staff.NameField("lift-name"));
        if (c.RestrictionLift is { } notified)
        {
            body.Append(P(Texts.Format(notified.Kept is { Count: > 0 } ? "CaseLiftNotifiedKept" : "CaseLiftNotified", l, Texts.DateTime(notified.NoticeSentAt, l), notified.By)));
            AppendKept(body, notified, l);
            form.Append("<button type=\"submit\">").Append(E(Texts.Get("CaseLiftFinishButton", l))).Append("</button></form>");
        }
        else
        {
            if (c.RestrictionLiftClaim is { } sending)
            {
                body.Append(P(Texts.Format("CaseLiftSending", l, Texts.DateTime(sending.At, l), sending.By, (int)PrivacyCase.RestrictionLiftClaimHold.TotalMinutes)));
            }

            body.Append(P(Texts.Format("CaseLiftBody", l, Texts.Companies(c.Entity, dataMap, l))));
            form.Append("<label for=\"lift-reason\">").Append(E(Texts.Get("CaseLiftReason", l))).Append("</label>")
                .Append("<textarea id=\"lift-reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
                .Append("<button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("CaseLiftButton", l))).Append("</button></form>");
        }

        body.Append(form);
    }

    /// <summary>
    /// Why the lift of <paramref name="c"/> is refused (its <see cref="PrivacyCase.LiftRefusal"/>), for a staff member who
    /// asked for it: a restriction whose identifiers were erased before any notice went says that no notice can go and
    /// what it restricted (decision 138); one whose notice went and whose lift did not finish before that erasure says
    /// so, and that it cannot be finished (decision 143); otherwise that there is nothing to lift or it is lifted already.
    /// </summary>
    public string LiftRefused(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.LiftNoticeImpossible
            ? Texts.Format("CaseLiftIdentifiersErased", l, Texts.Date(Deadlines.DueDateCalculator.Today(c.IdentifiersErasedAt!.Value), l), Texts.Companies(c.Entity, dataMap, l))
            : c.LiftUnfinishable
            ? Texts.Format("CaseLiftUnfinishedIdentifiersErased", l, Texts.DateTime(c.RestrictionLift!.NoticeSentAt, l), c.RestrictionLift.By,
                Texts.Date(Deadlines.DueDateCalculator.Today(c.IdentifiersErasedAt!.Value), l), Texts.Companies(c.Entity, dataMap, l))
            : Texts.Get("CaseLiftRefused", l);
    }

    /// <summary>The step that failed, in words (the technical name too, for the logs); unknown names shown as they are.</summary>
    private static string FailedStep(string? step, Language l) =>
        step is null ? Texts.Get("FailedStepUnknown", l)
        : Texts.TryGet("FailedStep" + step, l) is { } words ? $"{words} ({step})"
        : step;
}
