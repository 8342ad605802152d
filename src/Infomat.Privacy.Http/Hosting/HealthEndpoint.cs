using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Hosting;

/// <summary><c>GET /health</c>: 200 when the host can serve.</summary>
public static class HealthEndpoint
{
    public static IResult Get() => Results.Json(new { status = "ok" });
}
