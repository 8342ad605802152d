using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Approval;

/// <summary>
/// The staff decision page: the request, what the stores hold, the approvals so far, and the decisions: approve (with
/// the evidence, and a note for evidence "other"), ask for more identification, refuse as manifestly unfounded or
/// excessive (Art. 12(5)), or reject an identity that is not confirmed.
/// </summary>
public sealed class ApprovalPage(StaffPages staff, DataMap dataMap)
{
    /// <summary>
    /// Every form's hidden field: what this page showed of the identity check (<see cref="PrivacyCase.DecisionBasis"/>).
    /// A decision sent from a page opened before a colleague approved or asked for more identification, or before the
    /// requester replied, is refused rather than taken on a case the staff member did not see.
    /// </summary>
    public const string BasisField = "decision_basis";

    /// <summary>The evidence staff may give for an approval (never a document).</summary>
    public static IReadOnlyList<string> Evidence => IdentityApproval.EvidenceKinds;

    public string Body(HttpRequest request, PrivacyCase c, string tokenText, Language l)
    {
        var body = new System.Text.StringBuilder();
        if (c.Decision is not null || c.Status.IsFinished())
        {
            body.Append(P(NoMoreDecision(c, l)));
            if (c.DecisionResumesOnRetry)
            {
                // Staff retry a failed case from its page; then this link decides again.
                body.Append("<p><a href=\"/cases/").Append(E(c.Id)).Append("\">").Append(E(Texts.Format("CaseTitle", l, c.Id))).Append("</a></p>");
            }

            return body.Append(Facts(PrivacyMails.Facts(c, dataMap, l))).ToString();
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

        foreach (var a in c.SetAsideApprovals)
        {
            body.Append(P(ApprovalCard.SetAsideLine(a, l)));
        }

        foreach (var a in c.Approvals)
        {
            body.Append(P(ApprovalLine(a, l)));
        }

        if (c.IdentificationRequestedAt is { } askedAt)
        {
            body.Append(P(c.IdentificationRequestMailed ? Texts.Format("ApprovalIdentificationSent", l, Texts.DateTime(askedAt, l), c.IdentificationRequestedBy ?? "?") : ApprovalCard.NotMailedLine(c, l)));
            foreach (var reply in c.IdentificationReplies)
            {
                // Where to read each reply (the mailbox): a decision on the identity is taken on it.
                body.Append(P(PrivacyMails.IdentificationReplyLine(c, reply, l)));
            }
        }

        // What this page shows of the identity check goes back with every decision (PrivacyCase.DecisionBasisRefusal).
        var hidden = $"<input type=\"hidden\" name=\"token\" value=\"{E(tokenText)}\">" + staff.Forms.HiddenField(request)
            + $"<input type=\"hidden\" name=\"{BasisField}\" value=\"{E(c.DecisionBasis)}\">";
        string NameField(string id) => staff.NameField(id);

        body.Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-approve"))
            .Append("<fieldset><legend>").Append(E(Texts.Get("ApprovalEvidence", l))).Append("</legend>");
        foreach (var e in Evidence)
        {
            var id = "evidence-" + e;
            body.Append("<div class=\"choice\"><input type=\"radio\" required name=\"evidence\" id=\"").Append(id).Append("\" value=\"").Append(e).Append("\">")
                .Append("<label for=\"").Append(id).Append("\">").Append(E(EvidenceText(e, l))).Append("</label></div>");
        }

        body.Append("</fieldset><label for=\"evidence-note\">").Append(E(Texts.Get("ApprovalEvidenceNote", l))).Append("</label>")
            .Append("<textarea id=\"evidence-note\" name=\"evidence_note\" rows=\"2\" maxlength=\"2000\"></textarea>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"approve\">").Append(E(Texts.Get("ApprovalApprove", l))).Append("</button></form>")
            .Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-identification"))
            .Append("<label for=\"identification\">").Append(E(Texts.Get("ApprovalIdentification", l))).Append("</label>")
            .Append("<textarea id=\"identification\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
            .Append("<button type=\"submit\" name=\"decision\" value=\"request-identification\">").Append(E(Texts.Get("ApprovalIdentificationButton", l))).Append("</button></form>")
            .Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-unfounded"))
            .Append("<p id=\"unfounded-help\">").Append(E(Texts.Get("ApprovalUnfoundedHelp", l))).Append("</p>")
            .Append("<label for=\"unfounded-reasons\">").Append(E(Texts.Get("ApprovalUnfoundedReasons", l))).Append("</label>")
            .Append("<textarea id=\"unfounded-reasons\" name=\"reason\" rows=\"4\" maxlength=\"2000\" required aria-describedby=\"unfounded-help\"></textarea>")
            .Append("<button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"manifestly-unfounded-or-excessive\">").Append(E(Texts.Get("ApprovalUnfoundedButton", l))).Append("</button></form>")
            .Append("<form method=\"post\" action=\"/approvals\">").Append(hidden).Append(NameField("name-reject"))
            .Append("<label for=\"reason\">").Append(E(Texts.Get("ApprovalReason", l))).Append("</label>")
            .Append("<textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\" required></textarea>")
            .Append("<button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"reject\">").Append(E(Texts.Get("ApprovalReject", l))).Append("</button></form>");
        return body.ToString();
    }

    /// <summary>One approval given so far: by whom, when, on which evidence, and the note on evidence "other".</summary>
    public static string ApprovalLine(IdentityApproval a, Language l)
    {
        ArgumentNullException.ThrowIfNull(a);
        var line = Texts.Format("ApprovalSoFar", l, a.By, Texts.DateTime(a.At, l), EvidenceText(a.Evidence, l));
        return a.Note is null ? line : line + " " + Texts.Format("ApprovalEvidenceNoteLine", l, a.Note);
    }

    public static string EvidenceText(string evidence, Language l) => Texts.Evidence(evidence, l);

    /// <summary>
    /// Why no decision can be recorded on this case: decided already (what, when, by whom), closed (its status, since
    /// when), or failed (it needs attention: retried from its case page, it takes the decision from this link again).
    /// </summary>
    public static string NoMoreDecision(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Decision is { } d ? AlreadyDecided(d, l)
            : c.DecisionResumesOnRetry ? Texts.Format("ApprovalCaseFailed", l, Texts.DateTime(c.ClosedAt ?? c.ReceivedAt, l), c.Id)
            : Texts.Format("ApprovalCaseClosed", l, Texts.Status(c.StatusNamedWhenClosed, c.RejectedAs, l), Texts.DateTime(c.ClosedAt ?? c.ReceivedAt, l));
    }

    public static string AlreadyDecided(IdentityDecision d, Language l) =>
        Texts.Format("ApprovalAlreadyDecided", l, DecisionText(d.Outcome, l), Texts.DateTime(d.DecidedAt, l), d.DecidedBy);

    public static string DecisionText(DecisionOutcome outcome, Language l) => Texts.Get("Decision" + outcome, l);
}
