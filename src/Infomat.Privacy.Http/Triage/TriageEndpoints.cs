using System.Globalization;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Triage;

/// <summary>
/// <c>/triage</c>: staff make a mail that went to triage a case, from the link in the triage mail. The GET shows the
/// mail and the choice; the POST (antiforgery-checked) makes the case, dated when the mail reached info@. Once the mail
/// is a case, the page shows that case and makes no other of the same mail, but for another right it also asks for
/// (<see cref="TriageChoice.AnotherRight"/>).
/// </summary>
public sealed class TriageEndpoints(TriagedMailCases cases, LinkTokenService tokens, StaffPages staff, DataMap dataMap)
{
    /// <summary><c>GET /triage?token=</c>: the mail (sender, arrival, due date, why it came to staff) and the choice of right.</summary>
    public Task<IResult> TriagePageAsync(HttpRequest request, CancellationToken cancellationToken) =>
        staff.GuardAsync(null, () => TriagePageCoreAsync(request, cancellationToken), cancellationToken);

    private async Task<IResult> TriagePageCoreAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await staff.RefusedAsync(request, cancellationToken) is { } refused)
        {
            return refused;
        }

        var tokenText = request.Query["token"].ToString();
        var (triaged, failure) = await OpenAsync(tokenText, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var body = Mail(triaged!, l);
        return await cases.ExistingAsync(triaged!, cancellationToken) is { } c
            ? staff.Page(Texts.Get("TriageTitle", l), P(Already(c, cases.Joined(triaged!, c), l)) + CaseLink(c, l) + body + (c.ClosedAsAddressRefused ? string.Empty : Form(request, triaged!, tokenText, l, anotherRight: true)))
            : staff.Page(Texts.Get("TriageTitle", l), P(Texts.Get("TriageIntro", l)) + Marked(triaged!, l) + body + Form(request, triaged!, tokenText, l) + NotARequestForm(request, triaged!, tokenText, l));
    }

    /// <summary>The line saying who marked the mail as not a privacy request, when someone did.</summary>
    private static string Marked(TriagedMail m, Language l) =>
        m.NotARequestAt is { } at ? P(Texts.Format("TriageMarkedNotARequest", l, m.NotARequestBy ?? "-", Texts.DateTime(at, l))) : string.Empty;

    /// <summary>"Not a privacy request" (decision 155): its own form, so the right's required choice does not hold it up.</summary>
    private string NotARequestForm(HttpRequest request, TriagedMail m, string tokenText, Language l) =>
        m.NotARequestAt is not null ? string.Empty
        : new StringBuilder("<form method=\"post\" action=\"/triage\"><p>").Append(E(Texts.Get("TriageNotARequestHint", l))).Append("</p>")
            .Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"token\" value=\"{E(tokenText)}\"><input type=\"hidden\" name=\"action\" value=\"{NotARequestAction}\">")
            .Append(staff.Forms.HiddenField(request)).Append(staff.NameField("not-a-request-name"))
            .Append("<button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("TriageNotARequest", l))).Append("</button></form>").ToString();

    /// <summary>The <c>action</c> value of the form that marks a mail as not a privacy request.</summary>
    public const string NotARequestAction = "not-a-request";

    /// <summary>
    /// <c>POST /triage</c>: <c>type</c>, <c>entity</c>, <c>objection</c> (for an objection), <c>token</c>; <c>email</c> and
    /// <c>name</c> for a mail a system sent on someone's behalf; <c>another=1</c> for another right of a mail that is a
    /// case; without sign-in also <c>staff_name</c>.
    /// </summary>
    public Task<IResult> MakeCaseAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken) =>
        staff.GuardAsync(null, () => MakeCaseCoreAsync(request, client, cancellationToken), cancellationToken);

    private async Task<IResult> MakeCaseCoreAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (form, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var tokenText = form["token"].ToString();
        var (triaged, failure) = await OpenAsync(tokenText, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var title = Texts.Get("TriageTitle", l);
        if (identity.Name is null)
        {
            return staff.Page(title, StaffPages.Error(Texts.Get("StaffNameRequired", l)) + Mail(triaged!, l) + Form(request, triaged!, tokenText, l) + NotARequestForm(request, triaged!, tokenText, l), StatusCodes.Status400BadRequest);
        }

        if (form["action"] == NotARequestAction)
        {
            if (await cases.ExistingAsync(triaged!, cancellationToken) is { } made)
            {
                // A colleague made it a case meanwhile: that stands.
                return staff.Page(title, P(Already(made, cases.Joined(triaged!, made), l)) + CaseLink(made, l), StatusCodes.Status409Conflict);
            }

            try
            {
                triaged = await cases.MarkNotARequestAsync(triaged!, identity.Name, cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return staff.Page(Texts.Get("TryAgainTitle", l), P(Texts.Get("TryAgainBody", l)), StatusCodes.Status503ServiceUnavailable);
            }

            return staff.Page(title, Marked(triaged, l) + Mail(triaged, l) + Form(request, triaged, tokenText, l));
        }

        TriageResult result;
        try
        {
            var choice = new TriageChoice(form["type"], form["entity"], form["objection"]) { Email = form["email"], Name = form["name"], AnotherRight = form["another"] == "1" };
            result = await cases.MakeCaseAsync(triaged!, choice, identity.Name, client, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage could not be written now: nothing or the whole case was written; the same link works again.
            return staff.Page(Texts.Get("TryAgainTitle", l), P(Texts.Get("TryAgainBody", l)), StatusCodes.Status503ServiceUnavailable);
        }

        if (result.Case is not { } c)
        {
            var another = form["another"] == "1";
            var message = Texts.Get(result.Errors.Any(e => e.Code == "TriageSameRight") ? "TriageSameRight" : "TriageChoiceInvalid", l);
            return staff.Page(title, StaffPages.Error(message) + Mail(triaged!, l) + Form(request, triaged!, tokenText, l, another), StatusCodes.Status400BadRequest);
        }

        if (!result.Created)
        {
            return staff.Page(title, P(Already(c, cases.Joined(triaged!, c), l)) + CaseLink(c, l), StatusCodes.Status409Conflict);
        }

        return staff.Page(title, P(Made(c, identity.Name, l)) + CaseLink(c, l));
    }

    /// <summary>Checks the link and loads its triage record; otherwise the page that says what to do.</summary>
    private async Task<(TriagedMail? Triaged, IResult? Failure)> OpenAsync(string tokenText, CancellationToken cancellationToken)
    {
        var l = staff.Language;
        var (state, token) = tokens.Check(tokenText, TokenPurpose.Triage);
        if (state == TokenState.Invalid)
        {
            return (null, staff.Page(Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden));
        }

        if (state == TokenState.Expired)
        {
            return (null, staff.Page(Texts.Get("LinkExpiredTitle", l), P(Texts.Get("LinkExpiredBody", l)), StatusCodes.Status410Gone));
        }

        TriagedMail? triaged;
        try
        {
            triaged = await cases.GetAsync(token!.CaseId, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, staff.Page(Texts.Get("TryAgainTitle", l), P(Texts.Get("TryAgainBody", l)), StatusCodes.Status503ServiceUnavailable));
        }

        return triaged is null
            ? (null, staff.Page(Texts.Get("LinkInvalidTitle", l), P(Texts.Get("LinkInvalidBody", l)), StatusCodes.Status403Forbidden))
            : (triaged, null);
    }

    /// <summary>
    /// What the page says of the case a staff member just made of the mail: when it is due, or, when the mail service
    /// then refused the sender's address for the link and the case closed at once (decision 141), that instead.
    /// </summary>
    public static string Made(PrivacyCase c, string by, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.ClosedAsAddressRefused
            ? Texts.Format(c.VerificationLinkBounced ? "TriageMadeAddressBounced" : "TriageMadeAddressRefused", l, c.Id, by, Texts.DateTime(c.ReceivedAt, l))
            : Texts.Format("TriageMade", l, c.Id, by, Texts.DateTime(c.ReceivedAt, l), Texts.Date(c.DueDate, l));
    }

    /// <summary>
    /// What the page says of the case made of the mail before (by a colleague or by intake), or (<paramref name="joined"/>)
    /// of the sender's open case asking the same that the mail joined.
    /// </summary>
    public static string Already(PrivacyCase c, bool joined, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return joined ? Texts.Format("TriageJoined", l, c.Id)
            : c.ClosedAsAddressRefused
            ? Texts.Format(c.VerificationLinkBounced ? "TriageAlreadyCaseAddressBounced" : "TriageAlreadyCaseAddressRefused", l, c.Id, Texts.DateTime(c.ReceivedAt, l))
            : Texts.Format("TriageAlreadyCase", l, c.Id, Texts.DateTime(c.ReceivedAt, l), Texts.Date(c.DueDate, l));
    }

    private static string CaseLink(PrivacyCase c, Language l) =>
        $"<p><a href=\"/cases/{E(c.Id)}\">{E(Texts.Get("TriageOpenCase", l))}: {E(c.Id)}</a></p>";

    /// <summary>The mail as staff need it to choose: sender, arrival, the due date that runs from it, why it came here, its text.</summary>
    private string Mail(TriagedMail m, Language l)
    {
        var due = DueDateCalculator.DueDate(m.ReceivedAt, ControllerScope.AllOf(dataMap.ControllerCodes), dataMap);
        var from = m.FromName is null ? m.FromAddress : $"{m.FromName} <{m.FromAddress}>";
        var text = Fact.Requester(Texts.Get("LabelMailText", l), m.Details, l);
        return Facts(
        [
            Fact.Requester(Texts.Get("LabelFrom", l), from, l),
            new Fact(Texts.Get("LabelReceived", l), Texts.DateTime(m.ReceivedAt, l)),
            new Fact(Texts.Get("LabelDueDate", l), Texts.Date(due, l)),
            new Fact(Texts.Get("LabelWhy", l), CodedReason.Render(m.Reason, l)),
        ]) + "<h2>" + E(text.Label) + "</h2><pre class=\"mail-text requester-text\">" + E(text.Value) + "</pre>";
    }

    /// <summary>The choice: the right, the controllers, what an objection is against; then "Make it a case".</summary>
    private string Form(HttpRequest request, TriagedMail m, string tokenText, Language l, bool anotherRight = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("<form method=\"post\" action=\"/triage\">")
            .Append(inv, $"<input type=\"hidden\" name=\"token\" value=\"{E(tokenText)}\">").Append(staff.Forms.HiddenField(request)).Append(staff.NameField("staff-name"));
        if (anotherRight)
        {
            // The mail is a case already; a letter may ask for a second right (a correction and a restriction meanwhile).
            sb.Insert(0, "<h2>" + E(Texts.Get("TriageAnotherRightTitle", l)) + "</h2>")
                .Append("<input type=\"hidden\" name=\"another\" value=\"1\">").Append(inv, $"<p>{E(Texts.Get("TriageAnotherRightHint", l))}</p>");
        }

        if (m.SentOnBehalf && !anotherRight)
        {
            // Its sender is a system: the case goes to the person it names, who confirms the address by the link.
            sb.Append(inv, $"<p>{E(Texts.Get("TriageOnBehalfHint", l))}</p>")
                .Append(inv, $"<label for=\"email\">{E(Texts.Get("TriageOnBehalfEmail", l))}</label><input type=\"email\" id=\"email\" name=\"email\" required autocomplete=\"off\">")
                .Append(inv, $"<label for=\"name\">{E(Texts.Get("TriageOnBehalfName", l))}</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"off\">");
        }

        sb.Append("<fieldset><legend>").Append(E(Texts.Get("FieldType", l))).Append("</legend>");
        foreach (var type in Enum.GetValues<RequestType>())
        {
            var wire = type.ToWire();
            sb.Append(inv, $"<div class=\"choice\"><input type=\"radio\" required name=\"type\" id=\"type-{wire}\" value=\"{wire}\"><label for=\"type-{wire}\">{E(Texts.RequestType(type, l))}</label></div>");
        }

        sb.Append("</fieldset>").Append(inv, $"<label for=\"entity\">{E(Texts.Get("FieldEntity", l))}</label><select id=\"entity\" name=\"entity\">");
        foreach (var scope in dataMap.ControllerCodes.Select(code => ControllerScope.Of(code)).Prepend(ControllerScope.AllOf(dataMap.ControllerCodes)))
        {
            sb.Append(inv, $"<option value=\"{E(scope.ToWire())}\">{E(Texts.Entity(scope, dataMap, l))}</option>");
        }

        sb.Append("</select><fieldset><legend>").Append(E(Texts.Get("FieldObjection", l))).Append("</legend>");
        foreach (var scope in new[] { ObjectionScope.DirectMarketing, ObjectionScope.Other })
        {
            var wire = scope.ToWire();
            // No default: an objection to direct marketing is applied at once, one under Art. 21(1) weighed by staff; the
            // one who reads the mail chooses (hunt of 8 December).
            sb.Append(inv, $"<div class=\"choice\"><input type=\"radio\" name=\"objection\" id=\"objection-{wire}\" value=\"{wire}\"><label for=\"objection-{wire}\">{E(Texts.Get("Objection" + scope, l))}</label></div>");
        }

        return sb.Append("</fieldset><button type=\"submit\"").Append(anotherRight ? " class=\"secondary\"" : string.Empty).Append('>')
            .Append(E(Texts.Get(anotherRight ? "TriageMakeAnotherCase" : "TriageMakeCase", l))).Append("</button></form>").ToString();
    }
}

/// <summary>The routes of this feature: staff make a triaged mail a case.</summary>
public static class TriageRoutes
{
    public static IEndpointRouteBuilder MapTriage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/triage", (HttpRequest r, [FromServices] TriageEndpoints e, CancellationToken ct) => e.TriagePageAsync(r, ct)).WithName("TriagePage");
        app.MapPost("/triage", (HttpRequest r, [FromServices] TriageEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.MakeCaseAsync(r, c, ct)).WithName("MakeTriagedCase").DisableAntiforgery();
        return app;
    }
}
