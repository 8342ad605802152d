using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Verification;

/// <summary><c>/verify</c>: the requester confirms the address from the link in the verification mail.</summary>
public sealed class VerificationEndpoints(CaseLinks links, CaseWorkflow workflow, OpenRequests openRequests, RequesterPages pages, TimeProvider time)
{
    /// <summary><c>GET /verify?token=</c></summary>
    public async Task<IResult> VerifyPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (c, failure, token) = await links.OpenAsync(request, request.Query["token"], TokenPurpose.Verify, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        if (c.EmailVerifiedAt is not null)
        {
            return links.Used(l, c);
        }

        if (!c.StillOpen)
        {
            // Closed before its address was confirmed (the mail service refused it, or its time ran out): no button. A case
            // flagged failed is still open (PrivacyCase.StillOpen): a confirmation then counts when staff retry it.
            return links.Closed(l, c);
        }

        return pages.Page(l, Texts.Get("VerifyTitle", l),
            P(PrivacyMails.VerifyPageBody(c, l)) + TokenForm("/verify", request.Query["token"].ToString(), Texts.Get("VerifyButton", l)), scope: c.Entity);
    }

    /// <summary><c>POST /verify</c>: records the verification, then tells the orchestration.</summary>
    public async Task<IResult> VerifyAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure, token) = await links.OpenAsync(request, form["token"], TokenPurpose.Verify, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        if (c.EmailVerifiedAt is not null)
        {
            return links.Used(l, c);
        }

        if (!c.StillOpen)
        {
            return links.Closed(l, c);
        }

        // The same address's open request that asks the same, confirmed before (decision 84): the person who holds the
        // mailbox is answered once, under that request, and this page may name it. Read before the write; the rule is
        // checked again on the case as written.
        PrivacyCase? answering;
        try
        {
            answering = await openRequests.AnsweringAsync(c, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The register could not be read: nothing is spent, the same link works again (as when the write fails).
            return links.TryAgain(l, c);
        }

        // The link is spent with the verification, in one write: a write that fails spends nothing.
        var at = time.GetUtcNow();
        if (await links.TakeAsync(c, token!.Id, x => x.Verify(at, answering), cancellationToken) is not { } verified)
        {
            return links.TryAgain(l, c);
        }

        if (verified.Refused)
        {
            // Closed meanwhile (a bounce report, its time over) or used from another tab: the page says which.
            return verified.Case.EmailVerifiedAt is null && !verified.Case.StillOpen ? links.Closed(l, verified.Case) : links.Used(l, verified.Case);
        }

        c = verified.Case;
        if (c.Status == CaseStatus.Joined && answering is not null)
        {
            // Its orchestration has nothing left to do: stopped now (if that fails, its wait's timer finds the case closed).
            await workflow.EndAsync(client, c.Id, CancellationToken.None);
            return pages.Page(l, Texts.Get("VerifiedTitle", l), P(Texts.Format("VerifiedJoinedBody", l, c.Id, answering.Id,
                Texts.Date(Deadlines.DueDateCalculator.Today(answering.ReceivedAt), l), Texts.Date(answering.DueDate, l))
                + " " + PrivacyMails.DueSentence(answering, l, at)), scope: c.Entity);
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.EmailVerified, cancellationToken);
        return pages.Page(l, Texts.Get("VerifiedTitle", l), P(PrivacyMails.VerifiedPageBody(c, l, time.GetUtcNow())), scope: c.Entity);
    }
}

/// <summary>The routes of this feature (DESIGN §4): the requester confirms the address.</summary>
public static class VerificationRoutes
{
    public static IEndpointRouteBuilder MapVerification(this IEndpointRouteBuilder app)
    {
        app.MapGet("/verify", (HttpRequest r, [FromServices] VerificationEndpoints e, CancellationToken ct) => e.VerifyPageAsync(r, ct)).WithName("VerifyPage");
        app.MapPost("/verify", (HttpRequest r, [FromServices] VerificationEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.VerifyAsync(r, c, ct)).WithName("Verify").DisableAntiforgery();
        return app;
    }
}
