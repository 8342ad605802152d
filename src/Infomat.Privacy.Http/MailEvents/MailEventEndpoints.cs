using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Mail;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.MailEvents;

/// <summary>
/// <c>POST /api/mail/events</c>: the mail service's signed reports on requester mail it took (SendGrid's Event Webhook,
/// decision 148). A verification link that bounced closes its case as its address refused, as a refusal at sending does
/// (<see cref="PrivacyCase.VerificationMailBounced"/>), and ends its run, when the report puts the fault on the address;
/// any other requester mail that bounced, and a link refused for another reason, is recorded on the case (its page
/// says so), logged and counted, and ops are alerted, once per kind of mail. Unsigned or wrongly signed posts are refused (401) and change
/// nothing; a post whose reports cannot all be recorded now answers 503, so the service posts it again.
/// </summary>
public sealed partial class MailEventEndpoints(
    IMailServiceReports reports, ICaseRegister register, CaseWorkflow workflow, PrivacyMetrics metrics, TimeProvider time, ILogger<MailEventEndpoints> log)
{
    /// <summary>The largest post taken (SendGrid batches its events well below this).</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public async Task<IResult> ReportsAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!reports.Enabled)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Mail service reports are off",
                detail: "Set Mail:SendGrid:EventWebhookPublicKey (the Event Webhook's verification key) to take SendGrid's signed reports.");
        }

        if (await Intake.RequestBody.ReadUpToAsync(request, MaxBodyBytes, cancellationToken) is not { } body)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"Mail service reports are limited to {MaxBodyBytes} bytes a post.");
        }

        var check = reports.Check(request.Headers[Adapters.Mail.SendGridEventReports.SignatureHeader].ToString(),
            request.Headers[Adapters.Mail.SendGridEventReports.TimestampHeader].ToString(), body, time.GetUtcNow());
        if (check != MailReportCheck.Valid)
        {
            NotTaken(log, check);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed by the mail service",
                detail: check == MailReportCheck.Stale
                    ? "The post's timestamp is too far from now."
                    : "The post needs a valid X-Twilio-Email-Event-Webhook-Signature over its X-Twilio-Email-Event-Webhook-Timestamp and body.");
        }

        IReadOnlyList<MailBounce> bounces;
        try
        {
            bounces = reports.Bounces(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body",
                detail: "Expected the mail service's event report: a JSON array of events.");
        }

        var failed = 0;
        foreach (var bounce in bounces.Distinct())
        {
            try
            {
                await HandleAsync(bounce, client, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
            {
                failed++;
                BounceNotRecorded(log, bounce.CaseId, bounce.Kind.ToWire(), ex.GetType().Name);
            }
        }

        // The whole post again: what was recorded is not recorded twice (each step is taken once on the case).
        return failed == 0 ? Results.Ok()
            : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not all reports were recorded",
                detail: "Post the reports again later.");
    }

    private async Task HandleAsync(MailBounce bounce, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (await register.GetAsync(bounce.CaseId, cancellationToken) is null)
        {
            // A mail of another deployment sending through the same account, or a case since removed.
            UnknownCase(log, bounce.CaseId, bounce.Kind.ToWire());
            return;
        }

        var at = time.GetUtcNow();
        if (bounce.Kind != MailKind.Verification || !bounce.AddressAtFault)
        {
            // The requester did not get it: recorded on the case (its page tells staff), and ops are alerted
            // (infra/app/monitoring.bicep), once per kind. A link refused for its content, our reputation or a fault says
            // nothing of the address: the case stays open.
            var recorded = await register.ApplyAsync(bounce.CaseId, c => c.MailBounced(bounce.Kind, bounce.Why, at, bounce.Sending), CancellationToken.None);
            Bounced(log, bounce.CaseId, bounce.Kind.ToWire(), bounce.Why, !recorded.Refused);
            if (!recorded.Refused)
            {
                metrics.RequesterMailBounced(bounce.Kind.ToWire());
            }

            return;
        }

        var update = await register.ApplyAsync(bounce.CaseId, c => c.VerificationMailBounced(at), CancellationToken.None);
        LinkBounced(log, bounce.CaseId, bounce.Why, !update.Refused);
        if (!update.Refused)
        {
            // Counted once, by the report that closed it, as a refusal at sending is (decision 141's alert).
            metrics.CaseClosedAsAddressRefused();
            await workflow.EndAsync(client, bounce.CaseId, CancellationToken.None);
        }
    }

    [LoggerMessage(175, LogLevel.Warning, "Mail service report not taken: {Check}")]
    private static partial void NotTaken(ILogger logger, MailReportCheck check);

    [LoggerMessage(176, LogLevel.Warning, "Case {CaseId}: the mail service reported its verification link bounced ({Why}); closed as its address refused: {Closed}")]
    private static partial void LinkBounced(ILogger logger, string caseId, string why, bool closed);

    [LoggerMessage(177, LogLevel.Warning, "Case {CaseId}: the mail service reported its {Kind} mail to the requester bounced ({Why}); the requester did not get it; first report of it: {First}")]
    private static partial void Bounced(ILogger logger, string caseId, string kind, string why, bool first);

    [LoggerMessage(178, LogLevel.Information, "The mail service reported a bounced {Kind} mail of case {CaseId}, which is not in the register")]
    private static partial void UnknownCase(ILogger logger, string caseId, string kind);

    [LoggerMessage(179, LogLevel.Warning, "Case {CaseId}: the mail service's report of a bounced {Kind} mail could not be recorded ({Error}); answered 503 for the service to post it again")]
    private static partial void BounceNotRecorded(ILogger logger, string caseId, string kind, string error);
}

/// <summary>The route of this feature: the mail service's event reports.</summary>
public static class MailEventRoutes
{
    public static IEndpointRouteBuilder MapMailEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/mail/events", (HttpRequest r, [FromServices] MailEventEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.ReportsAsync(r, c, ct))
            .WithName("MailEvents").DisableAntiforgery();
        return app;
    }
}
