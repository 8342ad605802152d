using System.Text.Json;

using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Workflow;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The Functions app cannot be run here (no Core Tools), so its built <c>functions.metadata</c> is checked against
/// what the local host serves and runs: same routes and methods, same orchestrator and activity names.
/// </summary>
public sealed class FunctionsAppTests
{
    private static JsonElement[] Metadata()
    {
        var publishDir = Environment.GetEnvironmentVariable("INFOMAT_FUNCTIONS_PUBLISH_DIR");
        var path = string.IsNullOrEmpty(publishDir)
            ? Path.Combine(Repo.Root, "src", "Infomat.Functions", "bin", Repo.Configuration, "net10.0", "functions.metadata")
            : Path.Combine(publishDir, "functions.metadata");
        Assert.True(File.Exists(path), $"Build the Functions app first: {path} is missing.");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    internal static IEnumerable<(string Name, JsonElement Binding)> Triggers(string type) =>
        Metadata().SelectMany(f => f.GetProperty("bindings").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == type)
            .Select(b => (f.GetProperty("name").GetString()!, b)));

    [Fact]
    public void Every_route_of_the_local_host_is_an_http_trigger_of_the_same_name_route_and_method()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRouting();
        var app = builder.Build();
        app.MapInfomatPrivacy();
        var local = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (
                Name: e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName,
                Method: e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single().ToUpperInvariant(),
                Route: e.RoutePattern.RawText!.TrimStart('/')))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ToList();

        var functions = Triggers("httpTrigger")
            .Select(t => (
                Name: t.Name,
                Method: t.Binding.GetProperty("methods").EnumerateArray().Single().GetString()!.ToUpperInvariant(),
                Route: t.Binding.GetProperty("route").GetString()!))
            .OrderBy(x => x.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(26, local.Count);
        Assert.Equal(local, functions);
        Assert.All(Triggers("httpTrigger"), t => Assert.Equal("Anonymous", t.Binding.GetProperty("authLevel").GetString()));
    }

    [Fact]
    public void Every_orchestrator_and_activity_the_local_host_runs_has_a_trigger_of_the_same_name()
    {
        Assert.Equal(
            PrivacyWorkflow.Orchestrators.Select(t => t.Name).Order(),
            Triggers("orchestrationTrigger").Select(t => t.Name).Order());
        Assert.Equal(
            PrivacyWorkflow.Activities.Select(t => t.Name).Order(),
            Triggers("activityTrigger").Select(t => t.Name).Order());
    }

    [Fact]
    public void Host_json_routes_without_a_prefix_and_uses_the_Azure_Storage_durable_provider()
    {
        var publishDir = Environment.GetEnvironmentVariable("INFOMAT_FUNCTIONS_PUBLISH_DIR");
        var hostJson = string.IsNullOrEmpty(publishDir)
            ? Path.Combine(Repo.Root, "src", "Infomat.Functions", "bin", Repo.Configuration, "net10.0", "host.json")
            : Path.Combine(publishDir, "host.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(hostJson));
        var extensions = doc.RootElement.GetProperty("extensions");
        Assert.Equal(string.Empty, extensions.GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("AzureStorage", extensions.GetProperty("durableTask").GetProperty("storageProvider").GetProperty("type").GetString());
        // The host's own telemetry goes the same OpenTelemetry way as the worker's (Entra-authenticated in Azure).
        Assert.Equal("OpenTelemetry", doc.RootElement.GetProperty("telemetryMode").GetString());
        // The data map travels with the package: the app validates it at start-up and cannot run without it.
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(hostJson)!, "datamap", "infomat.datamap.json")), "the published app has no data map");
    }
}
