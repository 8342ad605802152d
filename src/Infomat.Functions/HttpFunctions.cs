using Infomat.Privacy.Http.Approval;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Download;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.MailEvents;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Http.Review;
using Infomat.Privacy.Http.StaffTasks;
using Infomat.Privacy.Http.Triage;
using Infomat.Privacy.Http.Verification;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Infomat.Functions;

/// <summary>
/// HTTP triggers for the public routes (DESIGN §4), thin: each calls the same handler as the local host.
/// Function names equal the local host's endpoint names, which a test checks.
/// </summary>
public sealed class HttpFunctions(
    IntakeEndpoints intake, VerificationEndpoints verification, ApprovalEndpoints approval, ApprovalCardEndpoints approvalCard, StaffTaskEndpoints tasks, TriageEndpoints triage, DownloadEndpoints download,
    MailNotificationEndpoints mail, MailEventEndpoints mailEvents, CaseEndpoints cases, CaseFollowUpEndpoints followUp, IEntityStoreMaintenance stores, PrivacyNoticePage notice, ReviewEndpoints review)
{
    [Function("PrivacyForm")]
    public IActionResult PrivacyForm([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy")] HttpRequest req) =>
        Run(intake.Form(req));

    [Function("PrivacyNotice")]
    public IActionResult PrivacyNotice([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy/notice")] HttpRequest req) =>
        Run(notice.Get(req));

    [Function("PrivacyThanks")]
    public async Task<IActionResult> PrivacyThanks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "privacy/thanks")] HttpRequest req) =>
        Run(await intake.ThanksAsync(req, req.HttpContext.RequestAborted));

    [Function("SubmitRequest")]
    public async Task<IActionResult> SubmitRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/requests")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await intake.SubmitAsync(req, client, req.HttpContext.RequestAborted));

    [Function("RequestStatus")]
    public async Task<IActionResult> RequestStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/requests/{requestId}")] HttpRequest req, string requestId) =>
        Run(await intake.StatusAsync(requestId, req.HttpContext.RequestAborted));

    [Function("VerifyPage")]
    public async Task<IActionResult> VerifyPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "verify")] HttpRequest req) =>
        Run(await verification.VerifyPageAsync(req, req.HttpContext.RequestAborted));

    [Function("Verify")]
    public async Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "verify")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await verification.VerifyAsync(req, client, req.HttpContext.RequestAborted));

    [Function("ApprovalPage")]
    public async Task<IActionResult> ApprovalPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "approvals")] HttpRequest req) =>
        Run(await approval.ApprovalPageAsync(req, req.HttpContext.RequestAborted));

    [Function("Decide")]
    public async Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "approvals")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await approval.DecideAsync(req, client, req.HttpContext.RequestAborted));

    [Function("ApprovalCardAction")]
    public async Task<IActionResult> ApprovalCardAction(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/approvals/card")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await approvalCard.ActAsync(req, client, req.HttpContext.RequestAborted));

    [Function("ResendVerification")]
    public async Task<IActionResult> ResendVerification([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "privacy/resend")] HttpRequest req) =>
        Run(await intake.ResendVerificationAsync(req, req.HttpContext.RequestAborted));

    [Function("TasksPage")]
    public async Task<IActionResult> TasksPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tasks")] HttpRequest req) =>
        Run(await tasks.TasksPageAsync(req, req.HttpContext.RequestAborted));

    [Function("CompleteTask")]
    public async Task<IActionResult> CompleteTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tasks")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await tasks.CompleteTaskAsync(req, client, req.HttpContext.RequestAborted));

    [Function("ReviewPage")]
    public async Task<IActionResult> ReviewPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "review")] HttpRequest req) =>
        Run(await review.ReviewPageAsync(req, req.HttpContext.RequestAborted));

    [Function("CompleteReview")]
    public async Task<IActionResult> CompleteReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "review")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await review.CompleteReviewAsync(req, client, req.HttpContext.RequestAborted));

    [Function("TriagePage")]
    public async Task<IActionResult> TriagePage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "triage")] HttpRequest req) =>
        Run(await triage.TriagePageAsync(req, req.HttpContext.RequestAborted));

    [Function("MakeTriagedCase")]
    public async Task<IActionResult> MakeTriagedCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "triage")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await triage.MakeCaseAsync(req, client, req.HttpContext.RequestAborted));

    [Function("DownloadPage")]
    public async Task<IActionResult> DownloadPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "download")] HttpRequest req) =>
        Run(await download.DownloadPageAsync(req, req.HttpContext.RequestAborted));

    [Function("Download")]
    public async Task<IActionResult> Download([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "download")] HttpRequest req) =>
        Run(await download.DownloadAsync(req, req.HttpContext.RequestAborted));

    [Function("CaseList")]
    public async Task<IActionResult> CaseList([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases")] HttpRequest req) =>
        Run(await cases.ListAsync(req, req.HttpContext.RequestAborted));

    [Function("CaseListCsv")]
    public async Task<IActionResult> CaseListCsv([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases.csv")] HttpRequest req) =>
        Run(await cases.CsvAsync(req, req.HttpContext.RequestAborted));

    [Function("CasePage")]
    public async Task<IActionResult> CasePage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases/{caseId}")] HttpRequest req, string caseId) =>
        Run(await cases.CaseAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("ExtendDeadline")]
    public async Task<IActionResult> ExtendDeadline([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/extend")] HttpRequest req, string caseId) =>
        Run(await cases.ExtendAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("RetryCase")]
    public async Task<IActionResult> RetryCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/retry")] HttpRequest req, string caseId, [DurableClient] DurableTaskClient client) =>
        Run(await cases.RetryAsync(req, caseId, client, req.HttpContext.RequestAborted));

    [Function("CaseAnsweredOutside")]
    public async Task<IActionResult> CaseAnsweredOutside([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/answered-outside")] HttpRequest req, string caseId) =>
        Run(await cases.AnsweredOutsideAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("RevokeExport")]
    public async Task<IActionResult> RevokeExport([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/revoke-export")] HttpRequest req, string caseId) =>
        Run(await cases.RevokeExportAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("RecipientInformed")]
    public async Task<IActionResult> RecipientInformed([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/recipient-informed")] HttpRequest req, string caseId) =>
        Run(await followUp.RecipientInformedAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("IdentificationSeen")]
    public async Task<IActionResult> IdentificationSeen([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/identification-seen")] HttpRequest req, string caseId) =>
        Run(await followUp.IdentificationSeenAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("LiftRestriction")]
    public async Task<IActionResult> LiftRestriction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "cases/{caseId}/lift-restriction")] HttpRequest req, string caseId) =>
        Run(await followUp.LiftRestrictionAsync(req, caseId, req.HttpContext.RequestAborted));

    [Function("MailNotifications")]
    public async Task<IActionResult> MailNotifications([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/mail/notifications")] HttpRequest req) =>
        Run(await mail.NotificationsAsync(req, req.HttpContext.RequestAborted));

    [Function("MailEvents")]
    public async Task<IActionResult> MailEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/mail/events")] HttpRequest req,
        [DurableClient] DurableTaskClient client) =>
        Run(await mailEvents.ReportsAsync(req, client, req.HttpContext.RequestAborted));

    [Function("Health")]
    public IActionResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req) =>
        Run(HealthEndpoint.Get(stores));

    private static ResultAction Run(IResult result) => new(result);

    /// <summary>Lets a handler's <see cref="IResult"/> answer through the Functions ASP.NET Core integration.</summary>
    private sealed class ResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            Privacy.Http.Pages.SecurityHeaders.Apply(context.HttpContext.Response);
            return result.ExecuteAsync(context.HttpContext);
        }
    }
}
