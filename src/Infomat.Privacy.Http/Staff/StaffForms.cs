using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Staff;

/// <summary>
/// Antiforgery for the staff forms (ASP.NET Core's <see cref="IAntiforgery"/>): the page carries a request token bound
/// to a cookie, and a decision is accepted only with both, so another site cannot make a signed-in colleague's
/// browser decide. The public request form uses the same tokens (<see cref="Intake.RequestFormPage"/>), so another site
/// cannot make a visitor's browser send requests either.
/// </summary>
public sealed class StaffForms(IAntiforgery antiforgery)
{
    public const string FieldName = "__RequestVerificationToken";

    /// <summary>The hidden field to put in every staff form of the page (sets the cookie on the response).</summary>
    public string HiddenField(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tokens = antiforgery.GetAndStoreTokens(request.HttpContext);
        return $"<input type=\"hidden\" name=\"{FieldName}\" value=\"{Pages.Html.E(tokens.RequestToken)}\">";
    }

    public Task<bool> IsValidAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return antiforgery.IsRequestValidAsync(request.HttpContext);
    }
}
