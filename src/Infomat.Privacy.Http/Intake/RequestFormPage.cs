using System.Text;

using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// The request form (NL/FR/EN): every right with its hint, the controllers from the data map, each field's error
/// beside it and in a summary at the top, and a hidden field only bots fill; below it, what this system keeps about the
/// request in short and the link to the whole privacy notice (<see cref="PrivacyNoticePage"/>). Works without JavaScript.
/// </summary>
public sealed class RequestFormPage(DataMap dataMap, RequesterPages pages, StaffForms antiforgery)
{
    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>The form's fields, in the order the error summary lists them.</summary>
    private static readonly string[] Fields = ["type", "email", "name", "company", "entity", "language", "objection", "details"];

    /// <summary>
    /// Whether a form post carries the token of this form and its cookie. The body must be buffered (it was read already);
    /// it is read again from the start.
    /// </summary>
    public Task<bool> HasValidTokenAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Body.Position = 0;
        return antiforgery.IsValidAsync(request);
    }

    /// <summary>The form with what was typed, each field's error, and an <c>alert</c> above it about no field (e.g. the request could not be recorded).</summary>
    public IResult Render(HttpRequest request, Language l, IReadOnlyDictionary<string, string?> values, IReadOnlyList<FieldError> errors, int status, string? alert = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        string V(string field) => E(values.GetValueOrDefault(field));
        string? ErrorOf(string field) => errors.FirstOrDefault(e => e.Field == field) is { } e ? Texts.ErrorMessage(e, dataMap, l) : null;
        string ErrorHtml(string field) => ErrorOf(field) is { } m ? $"<p class=\"error\" id=\"{field}-error\">{E(m)}</p>" : string.Empty;
        string Described(string field, string? hintId = null)
        {
            var ids = new[] { hintId, ErrorOf(field) is null ? null : field + "-error" }.Where(x => x is not null);
            var joined = string.Join(' ', ids);
            return (joined.Length > 0 ? $" aria-describedby=\"{joined}\"" : string.Empty) + (ErrorOf(field) is null ? string.Empty : " aria-invalid=\"true\"");
        }

        var sb = new StringBuilder();
        sb.Append(P(Texts.FormIntro(dataMap, l)));
        sb.Append("<p><a href=\"https://www.infomat.eu/privacy-policy/\">").Append(E(Texts.Get("PolicyLink", l))).Append("</a></p>");
        if (alert is not null)
        {
            sb.Append("<div class=\"errors\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\"><p class=\"error\">").Append(E(alert)).Append("</p></div>");
        }

        if (errors.Count > 0)
        {
            sb.Append("<div class=\"errors\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\"><p class=\"error\">").Append(E(Texts.Get("ErrorSummary", l))).Append("</p><ul>");
            foreach (var field in Fields.Where(f => ErrorOf(f) is not null))
            {
                sb.Append("<li><a href=\"#").Append(field).Append("\">").Append(E(ErrorOf(field)!)).Append("</a></li>");
            }

            sb.Append("</ul></div>");
        }

        sb.Append("<form method=\"post\" action=\"/api/requests\" novalidate>");
        // The form's own antiforgery token (its cookie is set with this response): a post from another site has neither.
        sb.Append(antiforgery.HiddenField(request));
        // This page's submission (Submission): kept when the page comes back with an error, new each time it is opened.
        var submission = values.GetValueOrDefault(Submission.FieldName) is { } id && Submission.IsPageId(id) ? id : Submission.NewPageId();
        sb.Append(Inv, $"<input type=\"hidden\" name=\"{Submission.FieldName}\" value=\"{submission}\">");
        sb.Append(Inv, $"<div class=\"hp\" aria-hidden=\"true\"><label for=\"{IntakeEndpoints.Honeypot}\">Leave empty</label><input type=\"text\" id=\"{IntakeEndpoints.Honeypot}\" name=\"{IntakeEndpoints.Honeypot}\" tabindex=\"-1\" autocomplete=\"off\"></div>");

        sb.Append("<fieldset id=\"type\"").Append(Described("type")).Append("><legend>").Append(E(Texts.Get("FieldType", l))).Append("</legend>").Append(ErrorHtml("type"));
        foreach (var type in Enum.GetValues<RequestType>())
        {
            var wire = type.ToWire();
            var check = values.GetValueOrDefault("type") == wire ? " checked" : string.Empty;
            sb.Append(Inv, $"<div class=\"choice\"><input type=\"radio\" name=\"type\" id=\"type-{wire}\" value=\"{wire}\" aria-describedby=\"type-{wire}-hint\"{check}><label for=\"type-{wire}\">{E(Texts.RequestType(type, l))}<span class=\"hint\" id=\"type-{wire}-hint\">{E(Texts.Get("TypeHint" + type, l))}</span></label></div>");
        }

        sb.Append("</fieldset>");

        sb.Append(Inv, $"<label for=\"email\">{E(Texts.Get("FieldEmail", l))}</label><p class=\"hint\" id=\"email-hint\">{E(Texts.Get("FieldEmailHint", l))}</p>{ErrorHtml("email")}")
          .Append(Inv, $"<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" value=\"{V("email")}\"{Described("email", "email-hint")}>");
        sb.Append(Inv, $"<label for=\"name\">{E(Texts.Get("FieldName", l))}</label>{ErrorHtml("name")}")
          .Append(Inv, $"<input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"name\" value=\"{V("name")}\"{Described("name")}>");
        sb.Append(Inv, $"<label for=\"company\">{E(Texts.Get("FieldCompany", l))}</label>{ErrorHtml("company")}")
          .Append(Inv, $"<input type=\"text\" id=\"company\" name=\"company\" autocomplete=\"organization\" value=\"{V("company")}\"{Described("company")}>");

        sb.Append(Inv, $"<label for=\"entity\">{E(Texts.Get("FieldEntity", l))}</label>{ErrorHtml("entity")}<select id=\"entity\" name=\"entity\"{Described("entity")}>");
        // Every controller first (the default), then each controller of the data map on its own.
        var scopes = dataMap.ControllerCodes.Select(code => ControllerScope.Of(code)).Prepend(ControllerScope.AllOf(dataMap.ControllerCodes));
        foreach (var scope in scopes)
        {
            var selected = (values.GetValueOrDefault("entity") ?? ControllerScope.AllWire) == scope.ToWire() ? " selected" : string.Empty;
            sb.Append(Inv, $"<option value=\"{scope.ToWire()}\"{selected}>{E(Texts.Entity(scope, dataMap, l))}</option>");
        }

        sb.Append("</select>");

        sb.Append(Inv, $"<label for=\"language\">{E(Texts.Get("FieldLanguage", l))}</label>{ErrorHtml("language")}<select id=\"language\" name=\"language\"{Described("language")}>");
        foreach (var language in new[] { Language.Nl, Language.Fr, Language.En })
        {
            var selected = values.GetValueOrDefault("language") == language.ToWire() ? " selected" : string.Empty;
            sb.Append(Inv, $"<option value=\"{language.ToWire()}\" lang=\"{language.ToWire()}\"{selected}>{E(Texts.Get("Language" + language, l))}</option>");
        }

        sb.Append("</select>");

        sb.Append("<fieldset id=\"objection\"").Append(Described("objection")).Append("><legend>").Append(E(Texts.Get("FieldObjection", l))).Append("</legend>").Append(ErrorHtml("objection"));
        foreach (var scope in new[] { ObjectionScope.DirectMarketing, ObjectionScope.Other })
        {
            var wire = scope.ToWire();
            var check = (values.GetValueOrDefault("objection") ?? "direct-marketing") == wire ? " checked" : string.Empty;
            sb.Append(Inv, $"<div class=\"choice\"><input type=\"radio\" name=\"objection\" id=\"objection-{wire}\" value=\"{wire}\"{check}><label for=\"objection-{wire}\">{E(Texts.Get("Objection" + scope, l))}</label></div>");
        }

        sb.Append("</fieldset>");

        sb.Append(Inv, $"<label for=\"details\">{E(Texts.Get("FieldDetails", l))}</label><p class=\"hint\" id=\"details-hint\">{E(Texts.Get("FieldDetailsHint", l))}</p>{ErrorHtml("details")}")
          .Append(Inv, $"<textarea id=\"details\" name=\"details\" rows=\"4\"{Described("details", "details-hint")}>{V("details")}</textarea>");

        sb.Append(Inv, $"<button type=\"submit\">{E(Texts.Get("Submit", l))}</button></form>");
        sb.Append("<section aria-labelledby=\"notice-title\"><h2 id=\"notice-title\">").Append(E(Texts.Get("RetentionNoticeTitle", l))).Append("</h2>")
          .Append(P(Texts.Get("FormNoticeSummary", l)))
          .Append("<p><a href=\"").Append(E(PrivacyNoticePage.PathFor(l))).Append("\">").Append(E(Texts.Get("NoticeLink", l))).Append("</a></p></section>");
        // DESIGN: the right to go to court (Art. 79; in the Netherlands within six weeks, UAVG art. 35) is on the form,
        // after the complaint right it adds to (the authorities are named in the page's footer).
        sb.Append("<section aria-labelledby=\"remedies-title\"><h2 id=\"remedies-title\">").Append(E(Texts.Get("SummaryRightsTitle", l))).Append("</h2>")
          .Append(P(Texts.Get("FormComplaint", l)))
          .Append(string.Concat(PrivacyMails.CourtRemedies(dataMap.Controllers, l, "FormCourtNl").Select(P))).Append("</section>");
        return pages.Page(l, Texts.Get("AppTitle", l), sb.ToString(), status);
    }

    /// <summary>The form's route in <paramref name="language"/>.</summary>
    public static string PathFor(Language language) => "/privacy?lang=" + language.ToWire();
}
