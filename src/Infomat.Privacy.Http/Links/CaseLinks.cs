using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Http;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Links;

/// <summary>
/// What every page behind a link in a mail does first: check the signed token for its purpose, load its case, and
/// otherwise answer with the page that says what to do (invalid, expired). GETs only show; POSTs check again.
/// </summary>
public sealed class CaseLinks(ICaseRegister register, LinkTokenService tokens, StaffPages staff, RequesterPages pages)
{
    /// <summary>A staff page behind a link (GET): the staff member may see it, then the link and its case, in the staff language.</summary>
    public async Task<OpenedLink> OpenStaffPageAsync(HttpRequest request, TokenPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return staff.Refused(request) is { } refused
            ? new OpenedLink(null, refused, null)
            : await OpenAsync(request, request.Query["token"], purpose, cancellationToken, staff.Language);
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
        return new StaffLinkPost(form, identity, c, token, failure);
    }

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

        var c = await register.GetAsync(checkedToken!.CaseId, cancellationToken);
        if (c is null)
        {
            return new(null, pages.Page(l, Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden), null);
        }

        l = pageLanguage ?? c.Language;
        if (state == TokenState.Expired)
        {
            return new(c, pages.Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone, c.Entity), null);
        }

        return new(c, null, checkedToken);
    }

    /// <summary>The page for a link whose one use is spent, with the way to the public status.</summary>
    public IResult Used(Language l, PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return pages.Page(l, Texts.Get("LinkUsedTitle", l), P(Texts.Format("LinkUsedBody", l, c.Id))
            + $"<p><a href=\"/api/requests/{E(c.Id)}\">{E(Texts.Get("StatusLink", l))}</a></p>", StatusCodes.Status409Conflict, c.Entity);
    }
}

/// <summary>A link opened: its case and checked token, or the page to answer with.</summary>
public sealed record OpenedLink(PrivacyCase? Case, IResult? Failure, LinkToken? Token);

/// <summary>A staff POST behind a link, checked: the form, who sent it, the case and token, or the page to answer with.</summary>
public sealed record StaffLinkPost(IFormCollection Form, StaffIdentity Identity, PrivacyCase? Case, LinkToken? Token, IResult? Failure);
