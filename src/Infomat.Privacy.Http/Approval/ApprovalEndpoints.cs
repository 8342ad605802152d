using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;
using Infomat.Privacy.Configuration;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Approval;

/// <summary>
/// <c>/approvals</c>: staff decide on the requester's identity from the link in the approval-request mail. The rules
/// (first final decision stands, two different approvers for an erasure) are the case's transitions.
/// </summary>
public sealed class ApprovalEndpoints(
    CaseLinks links, CaseWorkflow workflow, ApprovalPage page, StaffPages staff, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time)
{
    /// <summary><c>GET /approvals?token=</c>: the request, what the stores hold, the approvals so far, and the decisions.</summary>
    public async Task<IResult> ApprovalPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (c, failure, _) = await links.OpenStaffPageAsync(request, TokenPurpose.Approve, cancellationToken);
        return failure ?? staff.Page(Texts.Format("ApprovalTitle", l, c!.Id), page.Body(request, c, request.Query["token"].ToString(), l));
    }

    /// <summary>
    /// <c>POST /approvals</c> (antiforgery-checked): <c>approve</c> with the evidence (and <c>evidence_note</c>, required
    /// for evidence <c>other</c>), <c>reject</c> with a reason, <c>manifestly-unfounded-or-excessive</c> with the reasons
    /// (Art. 12(5)), or <c>request-identification</c> with what is needed. The first final decision stands; an erasure needs two
    /// different approvers; later clicks are shown what was decided, by whom and when.
    /// </summary>
    public async Task<IResult> DecideAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (form, identity, c, token, failure) = await links.OpenStaffPostAsync(request, TokenPurpose.Approve, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var tokenText = form["token"].ToString();
        var title = Texts.Format("ApprovalTitle", l, c!.Id);
        var outcome = form["decision"].ToString() switch
        {
            "approve" => DecisionOutcome.Approve,
            "reject" => DecisionOutcome.Reject,
            "request-identification" => DecisionOutcome.RequestIdentification,
            "manifestly-unfounded-or-excessive" => DecisionOutcome.ManifestlyUnfoundedOrExcessive,
            _ => (DecisionOutcome?)null,
        };
        var reason = form["reason"].ToString().Trim();
        var evidence = form["evidence"].ToString();
        var evidenceNote = form["evidence_note"].ToString().Trim();
        if (c.Decision is not null || c.Status.IsFinished())
        {
            // Decided already (the first final decision stands), or closed (e.g. expired): nothing more is recorded.
            return staff.Page(title, P(ApprovalPage.NoMoreDecision(c, l)), StatusCodes.Status409Conflict);
        }

        var invalid = outcome switch
        {
            null => true,
            DecisionOutcome.Approve => !ApprovalPage.Evidence.Contains(evidence),
            _ => reason.Length == 0,
        };
        if (invalid || reason.Length > 2000 || evidenceNote.Length > 2000 || identity.Name is null
            || (outcome == DecisionOutcome.Approve && IdentityApproval.EvidenceRefusal(evidence, evidenceNote) is not null))
        {
            // Nothing is recorded; the message names what is missing.
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l)
                : outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive ? Texts.Get("ApprovalUnfoundedReasonsRequired", l)
                : outcome == DecisionOutcome.Approve && !invalid ? Texts.Get("ApprovalEvidenceNoteRequired", l)
                : Texts.Get("ApprovalChoiceRequired", l);
            return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(message)}</p>" + page.Body(request, c, tokenText, l), StatusCodes.Status400BadRequest);
        }
        var by = identity.Name;
        var at = time.GetUtcNow();
        switch (outcome)
        {
            case DecisionOutcome.RequestIdentification:
                if (await links.TakeAsync(c, token!.Id + ".identification", x => x.RequestIdentification(by, reason, at), cancellationToken) is not { } asked)
                {
                    return links.TryAgain(l, c);
                }

                c = asked.Case;
                if (asked.Refusal == CaseRefusal.LinkUsed)
                {
                    return links.Used(l, c);
                }

                if (asked.Refused)
                {
                    // A colleague decided meanwhile: the requester is not asked for anything more.
                    return staff.Page(title, P(ApprovalPage.NoMoreDecision(c, l)), StatusCodes.Status409Conflict);
                }

                await mail.SendAsync(PrivacyMails.IdentificationRequest(c, dataMap, reason, options.Value.NoticeLink(c.Language)), cancellationToken);
                var mailed = time.GetUtcNow();
                // The requester's time runs from the mail. Not recorded (storage down): the case stays with staff, who are reminded.
                c = (await links.WriteAsync(c.Id, x => x.IdentificationMailSent(mailed), cancellationToken))?.Case ?? c;
                // The orchestration starts its wait for the decision again from now.
                await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
                return staff.Page(title, P(Texts.Format("ApprovalIdentificationSent", l, Texts.DateTime(at, l), by)) + page.Body(request, c, tokenText, l));

            case DecisionOutcome.Approve when c.ApprovalRefusal(by, identity.Id) == CaseRefusal.SameApprover:
                return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("ApprovalSameApprover", l))}</p>" + page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict);

            case DecisionOutcome.Approve:
                var stage = c.NextApprovalStage;
                var use = token!.Id + ".approve." + stage.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (await links.TakeAsync(c, use, x => x.Approve(stage, by, at, evidence, evidenceNote, identity.Id), cancellationToken) is not { } approved)
                {
                    return links.TryAgain(l, c);
                }

                c = approved.Case;
                if (approved.Refusal == CaseRefusal.LinkUsed)
                {
                    return links.Used(l, c);
                }

                if (approved.Refused)
                {
                    var why = approved.Refusal switch
                    {
                        CaseRefusal.AlreadyDecided or CaseRefusal.Finished => P(ApprovalPage.NoMoreDecision(c, l)),
                        CaseRefusal.SameApprover => P(Texts.Get("ApprovalSameApprover", l)),
                        _ => P(Texts.Get("ApprovalChanged", l)) + page.Body(request, c, tokenText, l),
                    };
                    return staff.Page(title, why, StatusCodes.Status409Conflict);
                }

                if (c.Decision is null)
                {
                    return staff.Page(title, $"<p class=\"notice\" data-approvals-missing=\"{c.ApprovalsRequired - stage}\">"
                        + E(Texts.Format("ApprovalFirstOfTwo", l, stage, c.ApprovalsRequired, by)) + "</p>");
                }

                break;

            default:
                // A refusal: the identity not confirmed, or the request manifestly unfounded or excessive (Art. 12(5)).
                Func<PrivacyCase, CaseTransition> refuse = outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive
                    ? x => x.RefuseAsManifestlyUnfoundedOrExcessive(by, reason, at)
                    : x => x.Reject(by, reason, at);
                if (await links.TakeAsync(c, token!.Id + ".decision", refuse, cancellationToken) is not { } rejected)
                {
                    return links.TryAgain(l, c);
                }

                c = rejected.Case;
                if (rejected.Refusal == CaseRefusal.LinkUsed)
                {
                    return links.Used(l, c);
                }

                if (rejected.Refused)
                {
                    return staff.Page(title, P(ApprovalPage.NoMoreDecision(c, l)), StatusCodes.Status409Conflict);
                }

                break;
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
        return staff.Page(title, P(Texts.Format("ApprovalDecided", l, ApprovalPage.DecisionText(c.Decision!.Outcome, l), Texts.DateTime(c.Decision.DecidedAt, l), c.Decision.DecidedBy)));
    }
}

/// <summary>The routes of this feature (DESIGN §4): staff decide on the identity.</summary>
public static class ApprovalRoutes
{
    public static IEndpointRouteBuilder MapApproval(this IEndpointRouteBuilder app)
    {
        app.MapGet("/approvals", (HttpRequest r, [FromServices] ApprovalEndpoints e, CancellationToken ct) => e.ApprovalPageAsync(r, ct)).WithName("ApprovalPage");
        app.MapPost("/approvals", (HttpRequest r, [FromServices] ApprovalEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.DecideAsync(r, c, ct)).WithName("Decide").DisableAntiforgery();
        return app;
    }
}
