using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
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
public sealed class VerificationEndpoints(CaseLinks links, CaseWorkflow workflow, RequesterPages pages, TimeProvider time)
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

        return pages.Page(l, Texts.Get("VerifyTitle", l),
            P(Texts.Format("VerifyBody", l, c.Id)) + TokenForm("/verify", request.Query["token"].ToString(), Texts.Get("VerifyButton", l)), scope: c.Entity);
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

        // The link is spent with the verification, in one write: a write that fails spends nothing.
        var at = time.GetUtcNow();
        if (await links.TakeAsync(c, token!.Id, x => x.Verify(at), cancellationToken) is not { } verified)
        {
            return links.TryAgain(l, c);
        }

        if (verified.Refused)
        {
            return links.Used(l, verified.Case);
        }

        c = verified.Case;
        await workflow.SignalAsync(client, c.Id, CaseEvents.EmailVerified, cancellationToken);
        return pages.Page(l, Texts.Get("VerifiedTitle", l), P(Texts.Format("VerifiedBody", l, c.Id, Texts.Date(c.DueDate, l))), scope: c.Entity);
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
