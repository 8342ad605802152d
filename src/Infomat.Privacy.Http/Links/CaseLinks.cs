using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Links;

/// <summary>
/// What every page behind a link in a mail does first: check the signed token for its purpose, load its case, and
/// otherwise answer with the page that says what to do (invalid, expired, try again). GETs only show; POSTs check
/// again, and take their step through <see cref="TakeAsync"/>: a single-use link is spent in the same register write as
/// its step, so a failed write spends nothing and the same link works when the person tries again.
/// </summary>
public sealed partial class CaseLinks(ICaseRegister register, LinkTokenService tokens, StaffPages staff, RequesterPages pages, ILogger<CaseLinks> log)
{
    /// <summary>A staff page behind a link (GET): the staff member may see it, then the link and its case, in the staff language.</summary>
    public async Task<OpenedLink> OpenStaffPageAsync(HttpRequest request, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var identity = await staff.Access.IdentifyAsync(request, "-", cancellationToken);
        if (staff.Refused(identity) is { } refused)
        {
            return new OpenedLink(null, refused, null);
        }

        var opened = await OpenAsync(request, request.Query["token"], purpose, cancellationToken, staff.Language);
        // Not even shown: the review page lists other people's words about the requester (orchestration hunt of 8 December).
        return opened.Failure is null && opened.Case is { } c && OwnRequestRefusal(purpose, c, identity) is { } own
            ? new OpenedLink(c, own, opened.Token)
            : opened;
    }

    /// <summary>
    /// A staff decision behind a link (POST): the form came from our page and the staff member may act (see
    /// <see cref="StaffPages.ReadPostAsync"/>), then the link in the form and its case.
    /// </summary>
    public async Task<StaffLinkPost> OpenStaffPostAsync(HttpRequest request, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        var (form, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return new StaffLinkPost(form, identity, null, null, refused);
        }

        var (c, failure, token) = await OpenAsync(request, form["token"], purpose, cancellationToken, staff.Language);
        if (failure is null && c is not null && OwnRequestRefusal(purpose, c, identity) is { } own)
        {
            failure = own;
        }

        return new StaffLinkPost(form, identity, c, token, failure);
    }

    /// <summary>
    /// Nobody handles their own request (decision 105): not the review of what their export releases (other people's
    /// words about them among it), nor the weighing of their own objection or the correction of their own data; the page
    /// that says so, or null. Identity decisions are refused, and audited, by ApprovalDecisions.
    /// </summary>
    private IResult? OwnRequestRefusal(TokenPurpose purpose, PrivacyCase c, StaffIdentity identity)
    {
        if (purpose is not (TokenPurpose.StaffTask or TokenPurpose.ExportReview)
            || staff.OwnRequest(c, identity, Texts.Format(purpose == TokenPurpose.StaffTask ? "TasksTitle" : "ReviewTitle", staff.Language, c.Id)) is not { } refused)
        {
            return null;
        }

        OwnRequestRefused(log, c.Id, purpose.ToString());
        return refused;
    }

    [LoggerMessage(190, LogLevel.Warning, "Case {CaseId}: a staff member signed in with the requester's address tried to act on it ({Purpose}); refused (a colleague must)")]
    private static partial void OwnRequestRefused(ILogger logger, string caseId, string purpose);

    /// <summary>Checks the token and loads its case; on failure returns the page that says what to do.</summary>
    public async Task<OpenedLink> OpenAsync(
        HttpRequest request, string? token, TokenPurpose purpose, CancellationToken cancellationToken, Language? pageLanguage = null)
    {
        var l = pageLanguage ?? Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        var (state, checkedToken) = tokens.Check(token, purpose);
        if (state == TokenState.Invalid)
        {
            return new(null, pages.Page(l, Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden), null);
        }

        PrivacyCase? c;
        try
        {
            c = await register.GetAsync(checkedToken!.CaseId, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The register cannot be read now (storage unavailable): nothing was done, the link still works.
            Unavailable(log, checkedToken!.CaseId, ex.GetType().Name);
            return new(null, TryAgain(l, null), null);
        }

        if (c is null)
        {
            return new(null, pages.Page(l, Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden), null);
        }

        l = pageLanguage ?? c.Language;
        if (state == TokenState.Expired && purpose == TokenPurpose.Verify && c.EmailVerifiedAt is not null)
        {
            // A confirmation link opened again after its time, its address confirmed: the request is being handled, and
            // "send a new request" would be wrong advice.
            return new(c, Used(l, c), null);
        }

        if (state == TokenState.Expired)
        {
            // The requester's link names its request and its status page (the case is known); a staff page stays as it was.
            var reference = pageLanguage is null ? P(Texts.Format("LinkExpiredReference", l, c.Id)) + Intake.ThanksPage.StatusLink(c.Id, l) : string.Empty;
            return new(c, pages.Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)) + reference, StatusCodes.Status410Gone, c.Entity), null);
        }

        return new(c, null, checkedToken);
    }

    /// <summary>
    /// Takes <paramref name="step"/> on the stored case through the link use <paramref name="use"/> (the token id, and
    /// which use of it): the use is spent in the same write as the step, and only when the step is taken. Returns the
    /// update (refused with <see cref="CaseRefusal.LinkUsed"/> when the use was spent before), or null when the register
    /// could not be written: then nothing is recorded, and the caller answers with <see cref="TryAgain"/>.
    /// </summary>
    public async Task<CaseUpdate?> TakeAsync(PrivacyCase c, string use, Func<PrivacyCase, CaseTransition> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        return await WriteAsync(c.Id, x => x.ThroughLink(use, step), cancellationToken);
    }

    /// <summary>
    /// Takes <paramref name="step"/> on the stored case (a page behind a link that is not single-use, e.g. a download);
    /// null when the register could not be written (nothing recorded; answer with <see cref="TryAgain"/>).
    /// </summary>
    public Task<CaseUpdate?> WriteAsync(string caseId, Func<PrivacyCase, CaseTransition> step, CancellationToken cancellationToken) =>
        TryAsync(caseId, () => register.ApplyAsync(caseId, step, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs one call to our storage for a page behind a link (a register write, making a blob link); null when storage
    /// could not do it now (a 503 after the SDK's retries, a network fault), logged with the case id and the error's type only.
    /// </summary>
    public async Task<T?> TryAsync<T>(string caseId, Func<Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Unavailable(log, caseId, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// The page for a step that could not be recorded now (503): nothing changed, and the same link works when the
    /// person tries again in a few minutes.
    /// </summary>
    public IResult TryAgain(Language l, PrivacyCase? c) =>
        pages.Page(l, Texts.Get("TryAgainTitle", l), P(Texts.Get("TryAgainBody", l))
            + (c is null ? string.Empty : Intake.ThanksPage.StatusLink(c.Id, l)),
            StatusCodes.Status503ServiceUnavailable, c?.Entity);

    /// <summary>The page for a requester's link to a request that is closed (nothing left to confirm), with the way to its status.</summary>
    public IResult Closed(Language l, PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return pages.Page(l, Texts.Get("LinkClosedTitle", l), P(Texts.Format("LinkClosedBody", l, c.Id))
            + Intake.ThanksPage.StatusLink(c.Id, l), StatusCodes.Status410Gone, c.Entity);
    }

    /// <summary>The page for a link whose one use is spent, with the way to the public status.</summary>
    public IResult Used(Language l, PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return pages.Page(l, Texts.Get("LinkUsedTitle", l), P(Texts.Format("LinkUsedBody", l, c.Id))
            + Intake.ThanksPage.StatusLink(c.Id, l), StatusCodes.Status409Conflict, c.Entity);
    }

    [LoggerMessage(120, LogLevel.Warning, "Case {CaseId}: storage could not be read or written for a link ({Error}); the person is asked to try again")]
    private static partial void Unavailable(ILogger logger, string caseId, string error);
}

/// <summary>A link opened: its case and checked token, or the page to answer with.</summary>
public sealed record OpenedLink(PrivacyCase? Case, IResult? Failure, LinkToken? Token);

/// <summary>A staff POST behind a link, checked: the form, who sent it, the case and token, or the page to answer with.</summary>
public sealed record StaffLinkPost(IFormCollection Form, StaffIdentity Identity, PrivacyCase? Case, LinkToken? Token, IResult? Failure);
