using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Staff;
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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Approval;

/// <summary>
/// <c>POST /api/approvals/card?token=</c>: the actions of the approval card Outlook shows inside the approval mail
/// (<see cref="ApprovalCard"/>). Two things must hold before anything happens: the card's own token (signed, for this
/// purpose, bound to the case) and the Entra access token Outlook sends for the acting person, checked like a staff
/// sign-in — signed by the tenant, for the API the Actionable Messages registration names, issued to the Actionable
/// Messages service (<c>azp</c>), not expired — whose claims make a privacy staff member (<see cref="StaffAccess.FromClaims"/>).
/// Otherwise: 401, nothing changed, and (when the case is known) an audit event. The decision itself is taken by
/// <see cref="ApprovalDecisions"/>, the same as on the decision page; the answer is the card as it now stands, which
/// Outlook puts in place of the old one (<c>CARD-UPDATE-IN-BODY</c>); a refusal says why in <c>CARD-ACTION-STATUS</c>.
/// </summary>
public sealed partial class ApprovalCardEndpoints(
    StaffSignIn signIn, StaffAccess access, LinkTokenService tokens, ICaseRegister register, ApprovalDecisions decisions, IAuditTrail audit,
    DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<ApprovalCardEndpoints> log)
{
    /// <summary>Where Outlook puts its token when the action's own Authorization header is set empty (as the card does).</summary>
    public const string ActionAuthorizationHeader = "Action-Authorization";

    public async Task<IResult> ActAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value;
        var l = o.Staff.Language;
        if (!o.ApprovalCardsOn || signIn.Problem is not null)
        {
            // Cards are off (or nobody could be checked): the mails carry none, and nothing is taken from one.
            return new CardResult(StatusCodes.Status404NotFound, null, Texts.Get("CardNotAccepted", l));
        }

        var cardToken = request.Query["token"].ToString();
        var (state, token) = tokens.Check(cardToken, TokenPurpose.ApprovalCard);
        if (state == TokenState.Invalid)
        {
            CardRefused(log, "card-token-invalid");
            return Refused(l);
        }

        var bearer = Bearer(request);
        var claims = await signIn.ValidateAsync(bearer, cancellationToken, Audiences(o));
        var identity = claims is null ? null : access.FromClaims(claims);
        var refusal = claims is null ? "bearer-invalid"
            : !IssuedToActionableMessages(claims) ? "bearer-not-from-actionable-messages"
            : !identity!.Allowed ? "not-staff"
            : null;
        if (await ReadAsync(request, cancellationToken) is not { } form)
        {
            CardRefused(log, refusal ?? "body-unreadable");
            return refusal is null ? new CardResult(StatusCodes.Status400BadRequest, null, Texts.Get("CardUnreadable", l)) : Refused(l);
        }

        if (!ApprovalCard.Actions.Offered(form.Decision))
        {
            // Only what the card offers (decision 75: a refusal as manifestly unfounded or excessive is the page's, with its
            // reasons); anything else in the body is not a card's post. As an unreadable body: a token that may not act is
            // refused as such.
            CardRefused(log, refusal ?? "action-not-on-card");
            return refusal is null ? new CardResult(StatusCodes.Status400BadRequest, null, Texts.Get("CardUnreadable", l)) : Refused(l);
        }

        var refresh = form.Decision == ApprovalCard.Actions.Refresh;
        if (refusal is not null)
        {
            // A token Microsoft signed for our tenant that still may not decide, on a decision: in the case's audit trail.
            // A forged or unsigned token, and the card refreshing itself for a colleague without the role, are logged only:
            // anyone holding a card must not be able to fill a case's trail.
            if (claims is not null && !refresh)
            {
                await AuditRefusalAsync(token!.CaseId, identity?.Id, refusal, cancellationToken);
            }
            else
            {
                CardRefused(log, refusal);
            }

            return Refused(l);
        }

        var c = await register.GetAsync(token!.CaseId, cancellationToken);
        if (c is null)
        {
            CardRefused(log, "case-unknown");
            return Refused(l);
        }

        var cardUrl = o.Link(ApprovalCard.Route, cardToken);
        // A decision page link of its own, as in the mail (a refreshed card replaces the mail's, link and all).
        var pageLink = o.ApprovalLink(tokens, c.Id);
        if (state == TokenState.Expired)
        {
            // An old mail: its card still shows where the case stands, without the decisions; a decision is refused.
            return refresh ? Card(c, l, cardUrl, pageLink, status: null, decisionsOffered: false) : await RefusedAsync(c.Id, identity!.Id, "card-token-expired", l, cancellationToken);
        }

        if (refresh)
        {
            // Opening the mail: the card as it stands now, so nobody acts on a stale one. Nothing changes.
            return Card(c, l, cardUrl, pageLink, status: null);
        }

        var result = await decisions.DecideAsync(c, token, identity!, form, client, l, cancellationToken);
        c = result.Case;
        return result.Result switch
        {
            // What was just recorded is where the case now stands: the card's own lines say it (the decision, the approval
            // and the one still needed, the identification asked for), so no status line repeats it.
            ApprovalResult.Decided or ApprovalResult.Approved or ApprovalResult.IdentificationAsked => Card(c, l, cardUrl, pageLink, status: null),
            ApprovalResult.NoMoreDecision => Card(c, l, cardUrl, pageLink, c.Decision is { } d ? ApprovalPage.AlreadyDecided(d, l) : ApprovalCard.NotOpen(c, l)),
            ApprovalResult.SameApprover => Card(c, l, cardUrl, pageLink, Texts.Get("ApprovalSameApprover", l)),
            ApprovalResult.OwnRequest => Card(c, l, cardUrl, pageLink, Texts.Get("ApprovalOwnRequest", l)),
            ApprovalResult.Changed => Card(c, l, cardUrl, pageLink, Texts.Get("CardChanged", l)),
            ApprovalResult.StateChanged => Card(c, l, cardUrl, pageLink, Texts.Get("CardStateChanged", l)),
            ApprovalResult.Invalid => new CardResult(StatusCodes.Status400BadRequest, null, result.Message),
            ApprovalResult.TryAgain => new CardResult(StatusCodes.Status503ServiceUnavailable, null, Texts.Get("CardTryAgain", l)),
            _ => await RefusedAsync(c.Id, identity!.Id, "card-action-used", l, cancellationToken),
        };
    }

    /// <summary>The audiences Outlook's token may name: the Application ID URI of the registration, or the client id of the app that exposes it.</summary>
    private static string[] Audiences(PrivacyOptions o) =>
        [.. new[] { o.ActionableMessages.Audience, o.Staff.ClientId }.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!)];

    /// <summary>The token was issued to the Actionable Messages service (v2 tokens name it in <c>azp</c>, v1 in <c>appid</c>).</summary>
    private static bool IssuedToActionableMessages(IReadOnlyList<System.Security.Claims.Claim> claims) =>
        claims.Any(c => c.Type is "azp" or "appid" && string.Equals(c.Value, ActionableMessageOptions.ActionsServiceAppId, StringComparison.OrdinalIgnoreCase));

    private static string? Bearer(HttpRequest request)
    {
        foreach (var header in new[] { ActionAuthorizationHeader, "Authorization" })
        {
            var value = request.Headers[header].ToString();
            if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.Length > 7)
            {
                return value[7..].Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// The action's JSON body, read as the intake reads its own (<see cref="Intake.RequestBody"/>: at most 64 KB, one
    /// object of fields); null when it cannot be read (Outlook puts the inputs into the body as typed).
    /// </summary>
    private static async Task<ApprovalRequestForm?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (kind, fields) = await Intake.RequestBody.ReadAsync(request, cancellationToken);
        if (kind != Intake.BodyKind.Json)
        {
            return null;
        }

        string Field(string name) => fields.GetValueOrDefault(name) ?? string.Empty;
        return new ApprovalRequestForm(Field("action"), Field("evidence"), Field("note"), Field("reason"), fields.GetValueOrDefault(ApprovalCard.BasisField));
    }

    /// <summary>The card as it now stands; what just happened is its first line (no status header: the card says it).</summary>
    private CardResult Card(PrivacyCase c, Language l, Uri cardUrl, Uri pageLink, string? status, bool decisionsOffered = true)
    {
        var card = ApprovalCard.Build(c, dataMap, l, options.Value.ActionableMessages.Originator!, cardUrl, pageLink, status, decisionsOffered);
        return new CardResult(StatusCodes.Status200OK, ApprovalCard.ToJson(card), null);
    }

    private static CardResult Refused(Language l) => new(StatusCodes.Status401Unauthorized, null, Texts.Get("CardNotAccepted", l));

    private async Task<IResult> RefusedAsync(string caseId, string? actor, string why, Language l, CancellationToken cancellationToken)
    {
        await AuditRefusalAsync(caseId, actor, why, cancellationToken);
        return Refused(l);
    }

    /// <summary>A refused card action on a known case, in its audit trail: who (the staff id when the token named one), why (a code); never the token.</summary>
    private async Task AuditRefusalAsync(string caseId, string? actor, string why, CancellationToken cancellationToken)
    {
        CardRefused(log, why);
        if (await RefusalAudit.TryAppendAsync(audit, time, caseId, "card-refused", AuditActions.ApprovalCardRefused, actor, why, cancellationToken) is { } error)
        {
            // The refusal stands whether or not it could be audited; the log line says it was not.
            AuditFailed(log, caseId, error);
        }
    }

    [LoggerMessage(EventId = 170, Level = LogLevel.Warning, Message = "An approval card action was refused: {Why}")]
    private static partial void CardRefused(ILogger logger, string why);

    [LoggerMessage(EventId = 171, Level = LogLevel.Error, Message = "Case {CaseId}: a refused approval card action could not be audited ({Error})")]
    private static partial void AuditFailed(ILogger logger, string caseId, string error);

    /// <summary>
    /// The answer Outlook reads: <c>CARD-ACTION-STATUS</c> (shown to the person) and, with a card,
    /// <c>CARD-UPDATE-IN-BODY: true</c> and the card as the body.
    /// </summary>
    public sealed class CardResult(int status, string? card, string? message) : IResult
    {
        public int StatusCode => status;

        public string? Card => card;

        public string? Message => message;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var response = httpContext.Response;
            response.StatusCode = status;
            response.Headers.CacheControl = "no-store";
            if (message is not null)
            {
                response.Headers["CARD-ACTION-STATUS"] = Ascii(message);
            }

            if (card is null)
            {
                return;
            }

            response.Headers["CARD-UPDATE-IN-BODY"] = "true";
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(card, httpContext.RequestAborted);
        }
    }

    /// <summary>
    /// The message as a header can carry it (ASCII): accents dropped ("é" becomes "e", as people write without them),
    /// anything else left out. Outlook shows the header as it is, so percent-encoding would show "%C3%A9".
    /// </summary>
    public static string Ascii(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ascii = new System.Text.StringBuilder(message.Length);
        foreach (var ch in message.Normalize(System.Text.NormalizationForm.FormD))
        {
            if (ch is >= ' ' and <= '~')
            {
                ascii.Append(ch);
            }
            else if (ch is '\u2019' or '\u2018')
            {
                ascii.Append('\'');
            }
            else if (ch is '\u201C' or '\u201D' or '\u00AB' or '\u00BB')
            {
                ascii.Append('"');
            }
        }

        return ascii.ToString();
    }
}

/// <summary>The route of the approval card's actions (DESIGN §4).</summary>
public static class ApprovalCardRoutes
{
    public static IEndpointRouteBuilder MapApprovalCard(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + ApprovalCard.Route, (HttpRequest r, [FromServices] ApprovalCardEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.ActAsync(r, c, ct))
            .WithName("ApprovalCardAction").DisableAntiforgery();
        return app;
    }
}
