using Infomat.Privacy.Http.Approval;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Download;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.MailEvents;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Http.Review;
using Infomat.Privacy.Http.StaffTasks;
using Infomat.Privacy.Http.Triage;
using Infomat.Privacy.Http.Verification;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// The public routes (DESIGN §4) for an ASP.NET Core host: each feature maps its own. The Functions app declares the
/// same routes as HTTP triggers that call the same handlers; a test checks that both hosts expose the same set.
/// </summary>
public static class PrivacyRoutes
{
    public static IEndpointRouteBuilder MapInfomatPrivacy(this IEndpointRouteBuilder app)
    {
        app.MapIntake().MapVerification().MapApproval().MapApprovalCard().MapStaffTasks().MapTriage().MapDownload().MapCases().MapMailNotifications().MapMailEvents().MapReview();
        app.MapGet("/health", ([FromServices] IEntityStoreMaintenance stores) => HealthEndpoint.Get(stores)).WithName("Health");
        return app;
    }
}
