using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Review;

/// <summary>
/// <c>/review</c>: staff review the free text of an access export before it is built (Art. 15(4)), from the link in
/// the review mail: they withhold values that would adversely affect the rights of others, then build the export.
/// </summary>
public sealed class ReviewEndpoints(CaseLinks links, CaseWorkflow workflow, ReviewPage page, StaffPages staff, TimeProvider time)
{
    /// <summary><c>GET /review?token=</c>: the free-text values with a box each; changes nothing.</summary>
    public async Task<IResult> ReviewPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (c, failure, _) = await links.OpenStaffPageAsync(request, TokenPurpose.ExportReview, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        // The values are read from blob staging: when it cannot be read now, the page says to try again (nothing changed).
        return await links.TryAsync(c!.Id, () => page.BodyAsync(request, c, request.Query["token"].ToString(), l, cancellationToken), cancellationToken) is { } body
            ? staff.Page(Texts.Format("ReviewTitle", l, c.Id), body)
            : links.TryAgain(l, c);
    }

    /// <summary><c>POST /review</c>: records which values are withheld (where, never the text), then lets the export be built.</summary>
    public async Task<IResult> CompleteReviewAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (form, identity, c, token, failure) = await links.OpenStaffPostAsync(request, TokenPurpose.ExportReview, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var title = Texts.Format("ReviewTitle", l, c!.Id);
        if (c.ExportReviewRefusal is { } refusal)
        {
            // A second POST (or a colleague's review first): the first review stands, and the page says so. A case flagged
            // failed: its page says to retry it first.
            return c.ReviewWaitsOnRetry
                ? staff.Page(title, await page.BodyAsync(request, c, form["token"].ToString(), l, cancellationToken), StatusCodes.Status409Conflict)
                : staff.Page(title, P(ReviewPage.Done(c, l) ?? Texts.Get("ReviewNotOpen", l)), StatusCodes.Status409Conflict);
        }

        if (identity.Name is null)
        {
            return staff.Page(title, StaffPages.Error(Texts.Get("StaffNameRequired", l)) + await page.BodyAsync(request, c, form["token"].ToString(), l, cancellationToken), StatusCodes.Status400BadRequest);
        }

        // Only values the staged records hold are recorded: a form cannot make the register keep anything else.
        if (await links.TryAsync(c.Id, () => page.ValuesAsync(c, cancellationToken), cancellationToken) is not { } values)
        {
            return links.TryAgain(l, c);
        }

        var known = values.Select(v => v.At).ToHashSet();
        var withheld = form["withhold"].Select(WithheldValue.FromForm).OfType<WithheldValue>().Where(known.Contains).Distinct().ToList();
        var at = time.GetUtcNow();
        var by = identity.Name;
        var shown = form[ReviewPage.BasisField].ToString();
        if (await links.TakeAsync(c, token!.Id + ".review", x => x.CompleteExportReviewAsShown(shown, withheld, by, at), cancellationToken) is not { } done)
        {
            return links.TryAgain(l, c);
        }

        if (done.Refusal == CaseRefusal.DecisionBasisChanged)
        {
            // The records were collected again since the page was opened: what it showed may not be what goes out.
            return await links.TryAsync(c.Id, () => page.BodyAsync(request, done.Case, form["token"].ToString(), l, cancellationToken), cancellationToken) is { } now
                ? staff.Page(title, StaffPages.Error(Texts.Get("ReviewChanged", l)) + now, StatusCodes.Status409Conflict)
                : links.TryAgain(l, done.Case);
        }

        if (done.Refusal == CaseRefusal.LinkUsed)
        {
            return links.Used(l, done.Case);
        }

        if (done.Refused)
        {
            return staff.Page(title, P(ReviewPage.Done(done.Case, l) ?? Texts.Get("ReviewNotOpen", l)), StatusCodes.Status409Conflict);
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.ExportReviewed, cancellationToken);
        return staff.Page(title, P(Texts.Format("ReviewRecorded", l, withheld.Count)));
    }
}

/// <summary>The routes of this feature: staff review the free text of an access export.</summary>
public static class ReviewRoutes
{
    public static IEndpointRouteBuilder MapReview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/review", (HttpRequest r, [FromServices] ReviewEndpoints e, CancellationToken ct) => e.ReviewPageAsync(r, ct)).WithName("ReviewPage");
        app.MapPost("/review", (HttpRequest r, [FromServices] ReviewEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.CompleteReviewAsync(r, c, ct)).WithName("CompleteReview").DisableAntiforgery();
        return app;
    }
}
