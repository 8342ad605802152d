using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Tasks;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Intake;

/// <summary>The request form, submission, the thank-you page and the public status of a request.</summary>
public sealed partial class IntakeEndpoints(
    ICaseRegister register,
    NewCases newCases,
    OpenRequests openRequests,
    SubmissionLimits limits,
    IMailSender mail,
    LinkTokenService tokens,
    DataMap dataMap,
    RequesterPages pages,
    RequestFormPage form,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<IntakeEndpoints> log,
    PrivacyMetrics? metrics = null)
{

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>A field people never see or fill (hidden, not auto-filled); a value means a bot filled the form.</summary>
    public const string Honeypot = "contact_url_2";


    /// <summary><c>GET /privacy?lang=</c>: the form, in the language asked for or the browser's.</summary>
    public IResult Form(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var language = Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        return form.Render(request, language, new Dictionary<string, string?> { ["language"] = language.ToWire() }, [], StatusCodes.Status200OK);
    }

    /// <summary><c>POST /api/requests</c>: validate, count it, write the case to the register and answer; its link and orchestration follow (decision 86).</summary>
    public async Task<IResult> SubmitAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var lap = began;
        // How long each step took (PrivacyMetrics.IntakeStepDuration), so a benchmark or ops can say where the time goes.
        void Step(string step)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            metrics?.IntakeStep(step, System.Diagnostics.Stopwatch.GetElapsedTime(lap, now));
            lap = now;
        }

        // Kept so the antiforgery check can read a form post's token after the fields were read.
        request.EnableBuffering(RequestBody.MaxBytes);
        var (kind, fields) = await RequestBody.ReadAsync(request, cancellationToken);
        Step("read");
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

        // A form post counts only with the token of our own form page (and its cookie): another site cannot make a
        // visitor's browser send one. The JSON API needs none: a browser sends JSON cross-site only where CORS allows it.
        var tokenValid = kind != BodyKind.Form || await form.HasValidTokenAsync(request);
        if (kind == BodyKind.Form)
        {
            Step("antiforgery");
        }

        if (!tokenValid)
        {
            FormTokenMissing(log);
            return AsksForJson(request)
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form token missing or expired",
                    detail: "A form post needs the token of the request form (GET /privacy); nothing was recorded. Reload the form and send it again, or send JSON.")
                : form.Render(request, pageLanguage, fields, [], StatusCodes.Status400BadRequest, alert: Texts.Get("FormTokenInvalidBody", pageLanguage));
        }

        if (!string.IsNullOrEmpty(fields.GetValueOrDefault(Honeypot)))
        {
            HoneypotFilled(log);
            return kind == BodyKind.Form
                ? pages.Page(pageLanguage, Texts.Get("BotTitle", pageLanguage), P(Texts.Get("BotBody", pageLanguage)), StatusCodes.Status400BadRequest)
                : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid field", detail: $"'{Honeypot}' must be empty.");
        }

        var sent = new RequestSubmission(
            fields.GetValueOrDefault("type"), fields.GetValueOrDefault("email"), fields.GetValueOrDefault("name"),
            fields.GetValueOrDefault("company"), fields.GetValueOrDefault("entity"), fields.GetValueOrDefault("language"),
            fields.GetValueOrDefault("details"), fields.GetValueOrDefault("objection"));
        var (valid, errors) = RequestValidator.Validate(sent, dataMap.ControllerCodes);
        Step("validate");

        // The same submission sent again names the case it made (a double click, a retry after a 503, a post re-sent
        // from the browser's history): the form page's hidden id, or an API client's Idempotency-Key.
        var key = request.Headers[Submission.HeaderName].ToString();
        var keyValid = key.Length == 0 || Submission.IsValidKey(key);

        // A client over its limit is refused before anything else is read for it (the limit is what keeps a flood off
        // the register), and before a bad field or key gets its 400; a valid request is counted against its address at
        // the same time (a request refused by either limit is not recorded).
        var refused = await limits.TryRequestAsync(request, valid is not null && keyValid ? valid.Email : null, cancellationToken);
        Step("limits");
        if (refused is { } wait)
        {
            return TooMany(kind, pageLanguage, wait);
        }

        if (!keyValid)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [Submission.HeaderName] = [$"The {Submission.HeaderName} header must be 1 to {Submission.MaxKeyLength} visible ASCII characters (no spaces)."] },
                title: "The request has invalid fields.", detail: "See 'errors': nothing was recorded.");
        }

        var submission = key.Length > 0 ? Submission.OfKey(key)
            : kind == BodyKind.Form && fields.GetValueOrDefault(Submission.FieldName) is { } pageId && Submission.IsPageId(pageId) ? Submission.OfPage(pageId)
            : null;

        if (valid is null)
        {
            if (kind == BodyKind.Form)
            {
                return form.Render(request, pageLanguage, fields, errors, StatusCodes.Status400BadRequest);
            }

            var byField = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => Texts.ErrorMessage(e, dataMap, Language.En)).ToArray());
            return Results.ValidationProblem(byField, title: "The request has invalid fields.", detail: "See 'errors': each bad field with what is wrong.");
        }

        var now = time.GetUtcNow();

        // The register first: an accepted request is never lost, even if starting its orchestration fails now
        // (the start-up resumer starts every unfinished case that has none). The same submission sent again (a double
        // click, a retry) is the case it made: one case, one series of mails. It never joins an open case by what it
        // asks: whoever sent it has not proven the address, and the answer would hand them that case's reference
        // (decision 84); it joins once its own address is confirmed.
        Registration registration;
        try
        {
            registration = await openRequests.RegisterAsync(PrivacyCase.Received(valid, Channel.Form, now, dataMap), valid, submission, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The register could not be read or written (after the storage client's own retries). Whether the case was
            // written is not known, so the person is asked to send the same request again: the form page (its submission
            // id is kept) or a client with its Idempotency-Key lands on a case written after all, or records it now.
            NotRecorded(log, ex.GetType().Name);
            return NotRecordedAnswer(request, kind, pageLanguage, fields);
        }

        Step("register");
        if (registration.SubmissionAskedOtherwise)
        {
            KeyReused(log, registration.Case.Id);
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: $"{Submission.HeaderName} already used",
                detail: $"This {Submission.HeaderName} was sent before with a request that asks something else; nothing was recorded. Use a new key (a random UUID) for each new request.");
        }

        var (privacyCase, created) = (registration.Case, registration.Created);

        if (created)
        {
            Accepted(log, privacyCase.Id, privacyCase.Type.ToWire());
        }
        else
        {
            SentAgain(log, privacyCase.Id, privacyCase.Type.ToWire());
        }

        // Only the request that wrote the case sends its verification link and starts its orchestration: two starts of
        // one instance at the same moment (a double click) would each write a start event and leave the instance unable
        // to run. A case sent again was begun by its writer (or, if that failed, by the reconciler). Both happen after the
        // answer (decision 86): the case is in the register, which is what the answer says.
        if (created)
        {
            await newCases.BeginAfterAnswerAsync(client, privacyCase);
        }

        metrics?.IntakeStep("handler", System.Diagnostics.Stopwatch.GetElapsedTime(began));

        var statusUrl = $"/api/requests/{privacyCase.Id}";
        if (kind == BodyKind.Form)
        {
            return new SeeOther(ThanksPage.PathFor(privacyCase.Id, privacyCase.Language));
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
            return pages.Page(language, Texts.Get("NotFoundTitle", language), P(Texts.Get("NotFoundBody", language)), StatusCodes.Status404NotFound);
        }

        var canResend = c.ResendRefusal(options.Value.Verification.Timeout, time.GetUtcNow()) is null;
        var now = time.GetUtcNow();
        var body = ThanksPage.Body(c, dataMap, language, resent: request.Query["resent"] == "1", canResend, now,
            confirmBy: c.VerificationDeadline(options.Value.Verification.Timeout, now), identificationBy: c.IdentificationReplyDue(options.Value.Approval.Timeout));
        return pages.Page(language, ThanksPage.Title(c, language), body, scope: c.Entity);
    }

    /// <summary>
    /// <c>POST /privacy/resend</c>: sends the verification link again to the address of the request (never to another),
    /// at most <see cref="PrivacyCase.MaxVerificationResends"/> times, once the first went and while the request waits for it (<see cref="PrivacyCase.ResendRefusal"/>); the link keeps the original deadline.
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
            return pages.Page(language, Texts.Get("NotFoundTitle", language), P(Texts.Get("NotFoundBody", language)), StatusCodes.Status404NotFound);
        }

        var o = options.Value;
        var now = time.GetUtcNow();
        var deadline = c.VerificationDeadline(o.Verification.Timeout, now);
        if (c.ResendRefusal(o.Verification.Timeout, now) is { } refusal)
        {
            return ResendRefused(c, language, refusal);
        }

        if (await limits.TryAddressAsync(c.Email, cancellationToken) is { } wait)
        {
            return TooMany(BodyKind.Form, language, wait);
        }

        if ((await register.ApplyAsync(c.Id, x => x.VerificationResent(o.Verification.Timeout, now), cancellationToken)).Refusal is { } late)
        {
            return ResendRefused(c, language, late);
        }

        var token = tokens.Issue(c.Id, TokenPurpose.Verify, deadline - now);
        try
        {
            await mail.SendAsync(PrivacyMails.Verification(c, dataMap, o.Link("verify", token), deadline - now, o.NoticeLink(c.Language)), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Not sent: not counted against the requester's sends again, and they are told to try again.
            ResendNotSent(log, c.Id, ex.GetType().Name);
            await register.ApplyAsync(c.Id, x => x.VerificationResendNotSent(time.GetUtcNow()), CancellationToken.None);
            return pages.Page(language, Texts.Get("TryAgainTitle", language), P(Texts.Get("ResendNotSentBody", language)), StatusCodes.Status503ServiceUnavailable, c.Entity);
        }

        return new SeeOther(ThanksPage.PathFor(c.Id, language, resent: true));
    }

    /// <summary>
    /// A link not sent again. When the request is not, or no longer, at the link (it is on its way, the address is
    /// confirmed, the case moved on or is held up by a fault): back to the thank-you page, which says where it stands
    /// (nothing was sent now). When the link may no longer be sent (used up, or the time to confirm is over): 409 with
    /// what to do.
    /// </summary>
    private IResult ResendRefused(PrivacyCase c, Language language, CaseRefusal refusal) =>
        refusal is CaseRefusal.LinkNotSentYet or CaseRefusal.AlreadyVerified or CaseRefusal.WrongStatus
            ? new SeeOther(ThanksPage.PathFor(c.Id, language))
            : pages.Page(language, Texts.Get("ResendRefusedTitle", language), P(Texts.Format("ResendRefusedBody", language, c.Id)), StatusCodes.Status409Conflict, c.Entity);

    /// <summary>
    /// <c>GET /api/requests/{id}</c>: the status and its history, with no personal data. A <c>Rejected</c> case also says
    /// on which ground in <c>refusal</c> (<c>identity-not-confirmed</c>, <c>manifestly-unfounded-or-excessive</c>); null otherwise.
    /// <c>progress</c> is what the thank-you page tells the requester (<see cref="PrivacyCase.Progress"/>): a case waiting
    /// on the requester's identification, or held up by a fault on our side, says so there, whatever its status.
    /// </summary>
    public async Task<IResult> StatusAsync(string requestId, CancellationToken cancellationToken)
    {
        var c = CaseIds.IsWellFormed(requestId) ? await register.GetAsync(requestId, cancellationToken) : null;
        if (c is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Request not found", detail: "No request with this reference is on record: check the reference; records of requests are removed after their retention period. If you think this is a mistake, write to info@infomat.eu.");
        }

        return Results.Json(new
        {
            requestId = c.Id,
            type = c.Type.ToWire(),
            rights = c.Rights.Select(r => r.ToWire()),
            entity = c.Entity.ToWire(),
            status = c.Status.ToString(),
            progress = c.Progress.ToWire(),
            refusal = c.RejectedAs?.ToWire(),
            receivedAt = c.ReceivedAt,
            dueDate = c.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            history = c.History.Select(h => new { status = h.Status.ToString(), at = h.At }),
        });
    }

    /// <summary>Whether the client asked for JSON (a script posting the form fields), so a refusal is problem+json rather than a page.</summary>
    private static bool AsksForJson(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("json", StringComparison.OrdinalIgnoreCase);

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

    /// <summary>
    /// 503 with Retry-After when the register could not record the request: the form again with what was typed and a
    /// message above it, or problem+json for the API (which names no field: the input was valid).
    /// </summary>
    private WithHeader NotRecordedAnswer(HttpRequest request, BodyKind kind, Language l, IReadOnlyDictionary<string, string?> fields)
    {
        const int Seconds = 60;
        var inner = kind == BodyKind.Form
            ? form.Render(request, l, fields, [], StatusCodes.Status503ServiceUnavailable, alert: Texts.Get("NotRecordedBody", l))
            : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The request could not be recorded",
                detail: $"Our case register did not answer. Send the same request again in {Seconds} seconds or later, with the same {Submission.HeaderName} header: if it was recorded after all, the second one is that request, so it is not taken twice. Without the header a request recorded after all is recorded twice (the requester confirms each; the one confirmed second then joins the first).");
        return new WithHeader(inner, "Retry-After", Seconds.ToString(Inv));
    }

    [LoggerMessage(150, LogLevel.Warning, "Case {CaseId}: the link asked for again could not be sent ({Error}); not counted")]
    private static partial void ResendNotSent(ILogger logger, string caseId, string error);

    [LoggerMessage(24, LogLevel.Warning, "A request could not be recorded: the case register failed ({Error}); the sender is asked to send it again")]
    private static partial void NotRecorded(ILogger logger, string error);

    [LoggerMessage(26, LogLevel.Warning, "Form submission refused: no valid antiforgery token (a post from another site, or an expired form)")]
    private static partial void FormTokenMissing(ILogger logger);

    [LoggerMessage(22, LogLevel.Warning, "Form submission refused: the hidden field was filled (a bot)")]
    private static partial void HoneypotFilled(ILogger logger);

    [LoggerMessage(20, LogLevel.Information, "Request {CaseId} accepted, type {Type}")]
    private static partial void Accepted(ILogger logger, string caseId, string type);

    [LoggerMessage(23, LogLevel.Information, "Request is case {CaseId}, type {Type}: the same submission sent again")]
    private static partial void SentAgain(ILogger logger, string caseId, string type);

    [LoggerMessage(135, LogLevel.Warning, "Request refused: its Idempotency-Key names case {CaseId}, which asks something else")]
    private static partial void KeyReused(ILogger logger, string caseId);
}

/// <summary>The routes of this feature (DESIGN §4): the request form, submission, the thank-you page, the public status.</summary>
public static class IntakeRoutes
{
    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app)
    {
        app.MapGet("/privacy", (HttpRequest r, [FromServices] IntakeEndpoints e) => e.Form(r)).WithName("PrivacyForm");
        app.MapGet("/privacy/notice", (HttpRequest r, [FromServices] PrivacyNoticePage p) => p.Get(r)).WithName("PrivacyNotice");
        app.MapGet("/privacy/thanks", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ThanksAsync(r, ct)).WithName("PrivacyThanks");
        app.MapPost("/privacy/resend", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ResendVerificationAsync(r, ct)).WithName("ResendVerification").DisableAntiforgery();
        app.MapPost("/api/requests", (HttpRequest r, [FromServices] IntakeEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.SubmitAsync(r, c, ct)).WithName("SubmitRequest").DisableAntiforgery();
        app.MapGet("/api/requests/{requestId}", (string requestId, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.StatusAsync(requestId, ct)).WithName("RequestStatus");
        return app;
    }
}
