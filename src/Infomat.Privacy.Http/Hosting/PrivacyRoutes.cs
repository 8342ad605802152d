using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.MailNotifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// The public routes (DESIGN §4) for an ASP.NET Core host. The Functions app declares the same routes as HTTP
/// triggers that call the same handlers; a test checks that both hosts expose the same set.
/// </summary>
public static class PrivacyRoutes
{
    public static IEndpointRouteBuilder MapInfomatPrivacy(this IEndpointRouteBuilder app)
    {
        app.MapGet("/privacy", (HttpRequest r, [FromServices] IntakeEndpoints e) => e.Form(r)).WithName("PrivacyForm");
        app.MapGet("/privacy/thanks", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ThanksAsync(r, ct)).WithName("PrivacyThanks");
        app.MapPost("/privacy/resend", (HttpRequest r, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.ResendVerificationAsync(r, ct)).WithName("ResendVerification").DisableAntiforgery();
        app.MapPost("/api/requests", (HttpRequest r, [FromServices] IntakeEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.SubmitAsync(r, c, ct)).WithName("SubmitRequest").DisableAntiforgery();
        app.MapGet("/api/requests/{requestId}", (string requestId, [FromServices] IntakeEndpoints e, CancellationToken ct) => e.StatusAsync(requestId, ct)).WithName("RequestStatus");
        app.MapGet("/verify", (HttpRequest r, [FromServices] LinkEndpoints e, CancellationToken ct) => e.VerifyPageAsync(r, ct)).WithName("VerifyPage");
        app.MapPost("/verify", (HttpRequest r, [FromServices] LinkEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.VerifyAsync(r, c, ct)).WithName("Verify").DisableAntiforgery();
        app.MapGet("/approvals", (HttpRequest r, [FromServices] LinkEndpoints e, CancellationToken ct) => e.ApprovalPageAsync(r, ct)).WithName("ApprovalPage");
        app.MapPost("/approvals", (HttpRequest r, [FromServices] LinkEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.DecideAsync(r, c, ct)).WithName("Decide").DisableAntiforgery();
        app.MapGet("/tasks", (HttpRequest r, [FromServices] LinkEndpoints e, CancellationToken ct) => e.TasksPageAsync(r, ct)).WithName("TasksPage");
        app.MapPost("/tasks", (HttpRequest r, [FromServices] LinkEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.CompleteTaskAsync(r, c, ct)).WithName("CompleteTask").DisableAntiforgery();
        app.MapGet("/download", (HttpRequest r, [FromServices] LinkEndpoints e, CancellationToken ct) => e.DownloadPageAsync(r, ct)).WithName("DownloadPage");
        app.MapPost("/download", (HttpRequest r, [FromServices] LinkEndpoints e, CancellationToken ct) => e.DownloadAsync(r, ct)).WithName("Download").DisableAntiforgery();
        app.MapGet("/cases", (HttpRequest r, [FromServices] CaseEndpoints e, CancellationToken ct) => e.ListAsync(r, ct)).WithName("CaseList");
        app.MapGet("/cases.csv", (HttpRequest r, [FromServices] CaseEndpoints e, CancellationToken ct) => e.CsvAsync(r, ct)).WithName("CaseListCsv");
        app.MapGet("/cases/{caseId}", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.CaseAsync(r, caseId, ct)).WithName("CasePage");
        app.MapPost("/cases/{caseId}/extend", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.ExtendAsync(r, caseId, ct)).WithName("ExtendDeadline").DisableAntiforgery();
        app.MapPost("/cases/{caseId}/revoke-export", (HttpRequest r, string caseId, [FromServices] CaseEndpoints e, CancellationToken ct) => e.RevokeExportAsync(r, caseId, ct)).WithName("RevokeExport").DisableAntiforgery();
        app.MapPost("/api/mail/notifications", (HttpRequest r, [FromServices] MailNotificationEndpoints e, CancellationToken ct) => e.NotificationsAsync(r, ct)).WithName("MailNotifications").DisableAntiforgery();
        app.MapGet("/health", HealthEndpoint.Get).WithName("Health");
        return app;
    }
}
