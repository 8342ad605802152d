using System.Text;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Infomat.Privacy.Http.Pages.Html;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Infomat.Privacy.Http.Intake;

/// <summary>The request form, submission, the thank-you page and the public status of a request.</summary>
public sealed partial class IntakeEndpoints(
    ICaseRegister register,
    CaseWorkflow workflow,
    SubmissionLimits limits,
    IMailSender mail,
    LinkTokenService tokens,
    DataMap dataMap,
    RequesterPages pages,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<IntakeEndpoints> log)
{
    /// <summary>How often the verification link of one request can be sent again.</summary>
    public const int MaxResends = 3;

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;
    private static readonly string[] Fields = ["type", "email", "name", "company", "entity", "language", "objection", "details"];

    /// <summary>A field people never see or fill (hidden, not auto-filled); a value means a bot filled the form.</summary>
    public const string Honeypot = "contact_url_2";


    /// <summary><c>GET /privacy?lang=</c>: the form, in the language asked for or the browser's.</summary>
    public IResult Form(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var language = Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        return RenderForm(language, new Dictionary<string, string?> { ["language"] = language.ToWire() }, [], StatusCodes.Status200OK);
    }

    /// <summary><c>POST /api/requests</c>: validate, write the case to the register, start its orchestration, then answer.</summary>
    public async Task<IResult> SubmitAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (kind, fields) = await RequestBody.ReadAsync(request, cancellationToken);
        var pageLanguage = Languages.Negotiate(fields.GetValueOrDefault("language"), request.Headers.AcceptLanguage);
        switch (kind)
        {
            case BodyKind.TooLarge:
                return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                    detail: $"The body must be at most {RequestBody.MaxBytes} bytes.");
            case BodyKind.Unsupported:
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                    detail: "Send application/json or application/x-www-form-urlencoded.");
            case BodyKind.Malformed:
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body",
                    detail: "The body is not a JSON object (or not valid UTF-8).");
        }

        if (!string.IsNullOrEmpty(fields.GetValueOrDefault(Honeypot)))
        {
            HoneypotFilled(log);
            return kind == BodyKind.Form
                ? pages.Page(pageLanguage, Texts.Get("BotTitle", pageLanguage), P(Texts.Get("BotBody", pageLanguage)), StatusCodes.Status400BadRequest)
                : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid field", detail: $"'{Honeypot}' must be empty.");
        }

        if (limits.TryClient(ClientKey(request)) is { } clientWait)
        {
            return TooMany(kind, pageLanguage, clientWait);
        }

        var submission = new RequestSubmission(
            fields.GetValueOrDefault("type"), fields.GetValueOrDefault("email"), fields.GetValueOrDefault("name"),
            fields.GetValueOrDefault("company"), fields.GetValueOrDefault("entity"), fields.GetValueOrDefault("language"),
            fields.GetValueOrDefault("details"), fields.GetValueOrDefault("objection"));
        var (valid, errors) = RequestValidator.Validate(submission, dataMap.ControllerCodes);
        if (valid is null)
        {
            if (kind == BodyKind.Form)
            {
                return RenderForm(pageLanguage, fields, errors, StatusCodes.Status400BadRequest);
            }

            var byField = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => Texts.ErrorMessage(e, dataMap, Language.En)).ToArray());
            return Results.ValidationProblem(byField, title: "The request has invalid fields.", detail: "See 'errors': each bad field with what is wrong.");
        }

        if (limits.TryAddress(EmailAddresses.Normalise(valid.Email)) is { } addressWait)
        {
            return TooMany(kind, pageLanguage, addressWait);
        }

        var now = time.GetUtcNow();
        var privacyCase = PrivacyCase.Received(valid, Channel.Form, now, dataMap);

        // The register first: an accepted request is never lost, even if starting its orchestration fails now
        // (the start-up resumer starts every unfinished case that has none).
        await register.CreateAsync(privacyCase, cancellationToken);
        Accepted(log, privacyCase.Id, privacyCase.Type.ToWire());
        try
        {
            await workflow.EnsureRunningAsync(client, privacyCase.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StartFailed(log, privacyCase.Id, ex.GetType().Name);
        }

        var statusUrl = $"/api/requests/{privacyCase.Id}";
        if (kind == BodyKind.Form)
        {
            return new SeeOther($"/privacy/thanks?request={privacyCase.Id}&lang={privacyCase.Language.ToWire()}");
        }

        return Results.Json(
            new { requestId = privacyCase.Id, status = privacyCase.Status.ToString(), statusUrl, dueDate = privacyCase.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>GET /privacy/thanks</c>: what happens next, with the reference and the due date.</summary>
    public async Task<IResult> ThanksAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var language = Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        var id = request.Query["request"].ToString();
        var c = CaseIds.IsWellFormed(id) ? await register.GetAsync(id, cancellationToken) : null;
        if (c is null)
        {
            return pages.Page(language, Texts.Get("NotFoundTitle", language), string.Empty, StatusCodes.Status404NotFound);
        }

        var body = new StringBuilder(P(Texts.Format("ThanksBody", language, c.Id, Texts.Date(c.DueDate, language))));
        if (request.Query["resent"] == "1")
        {
            body.Append("<p role=\"status\"><strong>").Append(E(Texts.Get("ResentDone", language))).Append("</strong></p>");
        }

        if (c.Status == CaseStatus.AwaitingEmailVerification && c.VerificationResends < MaxResends)
        {
            body.Append("<form method=\"post\" action=\"/privacy/resend\"><input type=\"hidden\" name=\"request\" value=\"").Append(E(c.Id))
                .Append("\"><input type=\"hidden\" name=\"lang\" value=\"").Append(language.ToWire()).Append("\"><p>").Append(E(Texts.Get("ResentHint", language)))
                .Append("</p><button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("ResendButton", language))).Append("</button></form>");
        }

        body.Append(Inv, $"<p><a href=\"/api/requests/{E(c.Id)}\">{E(Texts.Get("StatusLink", language))}</a></p>");
        return pages.Page(language, Texts.Get("ThanksTitle", language), body.ToString(), scope: c.Entity);
    }

    /// <summary>
    /// <c>POST /privacy/resend</c>: sends the verification link again to the address of the request (never to another),
    /// at most <see cref="MaxResends"/> times, while the request waits for it; the link keeps the original deadline.
    /// </summary>
    public async Task<IResult> ResendVerificationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var language = Languages.Negotiate(form["lang"], request.Headers.AcceptLanguage);
        var id = form["request"].ToString();
        var c = CaseIds.IsWellFormed(id) ? await register.GetAsync(id, cancellationToken) : null;
        if (c is null)
        {
            return pages.Page(language, Texts.Get("NotFoundTitle", language), string.Empty, StatusCodes.Status404NotFound);
        }

        var o = options.Value;
        var deadline = c.ReceivedAt + o.Verification.Timeout;
        var now = time.GetUtcNow();
        if (c.ResendRefusal(MaxResends, o.Verification.Timeout, now) is not null)
        {
            return pages.Page(language, Texts.Get("ResendRefusedTitle", language), P(Texts.Format("ResendRefusedBody", language, c.Id)), StatusCodes.Status409Conflict, c.Entity);
        }

        if (limits.TryAddress(EmailAddresses.Normalise(c.Email)) is { } wait)
        {
            return TooMany(BodyKind.Form, language, wait);
        }

        if ((await register.ApplyAsync(c.Id, x => x.VerificationResent(MaxResends, o.Verification.Timeout, now), cancellationToken)).Refused)
        {
            return pages.Page(language, Texts.Get("ResendRefusedTitle", language), P(Texts.Format("ResendRefusedBody", language, c.Id)), StatusCodes.Status409Conflict, c.Entity);
        }

        var token = tokens.Issue(c.Id, TokenPurpose.Verify, deadline - now);
        await mail.SendAsync(PrivacyMails.Verification(c, dataMap, o.Link("verify", token), deadline - now), cancellationToken);
        return new SeeOther($"/privacy/thanks?request={c.Id}&lang={language.ToWire()}&resent=1");
    }

    /// <summary><c>GET /api/requests/{id}</c>: the status and its history, with no personal data.</summary>
    public async Task<IResult> StatusAsync(string requestId, CancellationToken cancellationToken)
    {
        var c = CaseIds.IsWellFormed(requestId) ? await register.GetAsync(requestId, cancellationToken) : null;
        if (c is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Request not found", detail: "No request has this reference.");
        }

        return Results.Json(new
        {
            requestId = c.Id,
            type = c.Type.ToWire(),
            entity = c.Entity.ToWire(),
            status = c.Status.ToString(),
            receivedAt = c.ReceivedAt,
            dueDate = c.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            history = c.History.Select(h => new { status = h.Status.ToString(), at = h.At }),
        });
    }

    private IResult RenderForm(Language l, IReadOnlyDictionary<string, string?> values, IReadOnlyList<FieldError> errors, int status)
    {
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
        sb.Append(Inv, $"<div class=\"hp\" aria-hidden=\"true\"><label for=\"{Honeypot}\">Leave empty</label><input type=\"text\" id=\"{Honeypot}\" name=\"{Honeypot}\" tabindex=\"-1\" autocomplete=\"off\"></div>");

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
        return pages.Page(l, Texts.Get("AppTitle", l), sb.ToString(), status);
    }

    /// <summary>
    /// The client for the per-client limit: behind the Azure front end the last X-Forwarded-For entry (the one the
    /// platform added; a client can only prepend), without its port; otherwise the connection's address.
    /// </summary>
    private static string ClientKey(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        if (forwarded.Length > 0)
        {
            var last = forwarded.Split(',')[^1].Trim();
            var colon = last.LastIndexOf(':');
            return colon > 0 && last.Count(c => c == ':') == 1 ? last[..colon] : last;
        }

        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    /// <summary>429 with Retry-After, as a page for the form and problem+json for the API.</summary>
    private WithHeader TooMany(BodyKind kind, Language l, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        var minutes = (int)Math.Ceiling(seconds / 60.0);
        var inner = kind == BodyKind.Form
            ? pages.Page(l, Texts.Get("TooManyTitle", l), P(Texts.Format("TooManyBody", l, minutes)), StatusCodes.Status429TooManyRequests)
            : Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: $"Try again in {seconds} seconds.");
        return new WithHeader(inner, "Retry-After", seconds.ToString(Inv));
    }

    [LoggerMessage(22, LogLevel.Warning, "Form submission refused: the hidden field was filled (a bot)")]
    private static partial void HoneypotFilled(ILogger logger);

    [LoggerMessage(20, LogLevel.Information, "Request {CaseId} accepted, type {Type}")]
    private static partial void Accepted(ILogger logger, string caseId, string type);

    [LoggerMessage(21, LogLevel.Warning, "Request {CaseId} is registered but its orchestration did not start ({Error}); the resumer will start it")]
    private static partial void StartFailed(ILogger logger, string caseId, string error);
}

/// <summary>Another result with one more response header.</summary>
public sealed class WithHeader(IResult inner, string name, string value) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers[name] = value;
        return inner.ExecuteAsync(httpContext);
    }
}

/// <summary>303 See Other: after a form POST the browser GETs the next page.</summary>
public sealed class SeeOther(string location) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}

/// <summary>The routes of this feature (DESIGN §4): the request form, submission, the thank-you page, the public status.</summary>
public static class IntakeRoutes
{
    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        app.MapGet("/privacy", (HttpRequest r, [FromServices] IntakeEndpoints e) => e.Form(r)).WithName("PrivacyForm");
        app.MapGet("/privacy/thanks", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ThanksAsync(r, ct)).WithName("PrivacyThanks");
        app.MapPost("/privacy/resend", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ResendVerificationAsync(r, ct)).WithName("ResendVerification").DisableAntiforgery();
        app.MapPost("/api/requests", (HttpRequest r, [FromServices] IntakeEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.SubmitAsync(r, c, ct)).WithName("SubmitRequest").DisableAntiforgery();
        app.MapGet("/api/requests/{requestId}", (string requestId, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.StatusAsync(requestId, ct)).WithName("RequestStatus");
        return app;
    }
}
