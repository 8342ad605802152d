using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;

using Infomat.Privacy.Cases;

using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using OpenTelemetry;

namespace Infomat.Functions;

/// <summary>
/// OpenTelemetry from the worker (function invocations, our logs, which carry ids and counts only, and the
/// <see cref="PrivacyMetrics"/> counters the alerts read) to Application Insights. Ingestion is Entra-only in Azure:
/// the exporter authenticates as the identity named in <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>.
/// </summary>
internal static class Telemetry
{
    public static IServiceCollection AddInfomatTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(PrivacyMetrics.MeterName));

        if (configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] is { Length: > 0 } connectionString)
        {
            var clientId = ClientIdOf(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
            otel.UseAzureMonitorExporter(o =>
            {
                o.ConnectionString = connectionString;
                if (clientId is not null)
                {
                    o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }

        return services;
    }

    /// <summary>The client id in an authentication string such as <c>ClientId=...;Authorization=AAD</c>.</summary>
    internal static string? ClientIdOf(string? authenticationString) =>
        (authenticationString ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2 && kv[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase) && kv[1].Length > 0)
            .Select(kv => kv[1])
            .FirstOrDefault();
}
