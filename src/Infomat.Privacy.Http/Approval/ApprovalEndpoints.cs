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
public sealed class ApprovalEndpoints(CaseLinks links, ApprovalDecisions decisions, ApprovalPage page, StaffPages staff, TimeProvider time)
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
    /// (Art. 12(5)), or <c>request-identification</c> with what is needed; each with what the page showed of the identity
    /// check (<c>decision_basis</c>; refused when the case no longer stands so, or missing). The first final decision stands; an erasure needs two
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
        var result = await decisions.DecideAsync(c, token!, identity,
            new ApprovalRequestForm(form["decision"].ToString(), form["evidence"].ToString(), form["evidence_note"].ToString(), form["reason"].ToString(), form[ApprovalPage.BasisField].ToString()),
            client, l, cancellationToken);
        c = result.Case;
        return result.Result switch
        {
            ApprovalResult.Invalid => staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(result.Message!)}</p>" + page.Body(request, c, tokenText, l), StatusCodes.Status400BadRequest),
            // As the page shows it (a failed case with the way to its page, where staff retry it), not the bare sentence.
            ApprovalResult.NoMoreDecision => staff.Page(title, page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict),
            ApprovalResult.SameApprover => staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("ApprovalSameApprover", l))}</p>" + page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict),
            ApprovalResult.Changed => staff.Page(title, P(Texts.Get("ApprovalChanged", l)) + page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict),
            ApprovalResult.StateChanged => staff.Page(title, P(Texts.Get("ApprovalStateChanged", l)) + page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict),
            ApprovalResult.OwnRequest => staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(Texts.Get("ApprovalOwnRequest", l))}</p>", StatusCodes.Status409Conflict),
            ApprovalResult.LinkUsed => links.Used(l, c),
            ApprovalResult.TryAgain => links.TryAgain(l, c),
            ApprovalResult.IdentificationAsked => staff.Page(title, P(Texts.Format("ApprovalIdentificationSent", l, Texts.DateTime(c.IdentificationRequestedAt ?? time.GetUtcNow(), l), c.IdentificationRequestedBy ?? identity.Name)) + page.Body(request, c, tokenText, l)),
            ApprovalResult.Approved => staff.Page(title, $"<p class=\"notice\" data-approvals-missing=\"{c.ApprovalsRequired - c.Approvals.Count}\">"
                + E(Texts.Format("ApprovalFirstOfTwo", l, c.Approvals.Count, c.ApprovalsRequired, identity.Name)) + "</p>"),
            _ => staff.Page(title, P(Texts.Format("ApprovalDecided", l, ApprovalPage.DecisionText(c.Decision!.Outcome, l), Texts.DateTime(c.Decision.DecidedAt, l), c.Decision.DecidedBy))),
        };
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
