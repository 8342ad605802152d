using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// <c>GET /health</c>: 200 when the host can serve (DESIGN §4), which it does while an entity store is down: the form,
/// the submission, the links and the webhook do not need the stores. The body says which store is not ready
/// (<c>status</c> <c>degraded</c>), from what was last found: no store is called here, so a slow database cannot make
/// the probe time out and the instance be recycled.
/// </summary>
public static class HealthEndpoint
{
    public static IResult Get(IEntityStoreMaintenance stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var states = stores.States.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => Word(s.Value.Readiness));
        var degraded = stores.States.Values.Any(s => s.Readiness is StoreReadiness.Unavailable or StoreReadiness.SchemaProblems);
        return Results.Json(new { status = degraded ? "degraded" : "ok", stores = states });
    }

    private static string Word(StoreReadiness readiness) => readiness switch
    {
        StoreReadiness.Ready => "ready",
        StoreReadiness.Unavailable => "unavailable",
        StoreReadiness.SchemaProblems => "schema-problems",
        _ => "not-checked",
    };
}
