using System.Text.Json;

using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Workflow;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

        Assert.Equal(32, local.Count);
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
    public void No_function_reads_a_poison_queue_so_a_poisoned_mail_waits_there_for_the_redrive()
    {
        // A queue trigger completes (deletes) what it handled: one on mail-inbound-poison emptied it within seconds, so
        // the redrive found nothing and the expiries that wait on unread mail (decision 95) went on without it.
        var queues = Triggers("queueTrigger").Select(t => (t.Name, Queue: t.Binding.GetProperty("queueName").GetString()!)).ToList();

        Assert.Contains(("HandleInboundMail", GraphIntake.InboundQueue), queues);
        Assert.DoesNotContain(queues, q => q.Queue.EndsWith("-poison", StringComparison.Ordinal));
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
        // The runtime's tries before the poison queue are the ones the intake counts to know its last (it tells staff then).
        Assert.Equal(IInboundMailBacklog.MaxDequeueCount, extensions.GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(IInboundMailBacklog.RetryAfter, TimeSpan.Parse(extensions.GetProperty("queues").GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        // The host's own telemetry goes the same OpenTelemetry way as the worker's (Entra-authenticated in Azure).
        Assert.Equal("OpenTelemetry", doc.RootElement.GetProperty("telemetryMode").GetString());
        // The data map travels with the package: the app validates it at start-up and cannot run without it.
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(hostJson)!, "datamap", "infomat.datamap.json")), "the published app has no data map");
    }

    /// <summary>
    /// Link tokens are in query strings, and the Functions worker sends its log lines to Application Insights: the
    /// composition root both hosts call holds the categories that write request URLs at Warning, whatever the app
    /// settings say (an operator's <c>Logging__LogLevel__Default=Debug</c>, even one naming the provider), and the
    /// Functions host's own ASP.NET Core categories are held at Warning in host.json.
    /// </summary>
    [Fact]
    public void Neither_host_logs_request_urls_whatever_log_levels_are_configured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:Capture:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Debug",
            ["Logging:Capture:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.AddConfiguration(configuration.GetSection("Logging"));
            b.Services.AddSingleton<ILoggerProvider, CaptureProvider>();
        });
        services.AddInfomatPrivacy(configuration);
        using var provider = services.BuildServiceProvider();
        var loggers = provider.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information), "\"Request starting GET /download?token=...\" would be logged");
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Error));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Routing").IsEnabled(LogLevel.Debug), "only the URL-writing categories are held back");

        var functionsProgram = File.ReadAllText(Path.Combine(Repo.Root, "src", "Infomat.Functions", "Program.cs"));
        Assert.Contains("AddInfomatPrivacy(", functionsProgram, StringComparison.Ordinal);
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "host.json")));
        var levels = hostJson.RootElement.GetProperty("logging").GetProperty("logLevel");
        Assert.True(levels.TryGetProperty("Microsoft.AspNetCore", out var aspNetCore), "host.json sets no level for Microsoft.AspNetCore");
        Assert.Contains(aspNetCore.GetString(), new[] { "Warning", "Error", "Critical", "None" });
    }

    /// <summary>A provider named in configuration, as Console or OpenTelemetry are; its loggers take whatever the rules let through.</summary>
    [ProviderAlias("Capture")]
    private sealed class CaptureProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
