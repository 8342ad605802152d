using System.Net;
using System.Text.Json;

using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// The intake benchmark's baseline (issue 21 item 1): a bare ASP.NET Core minimal API with one POST endpoint that does
/// the same validation as the intake (<see cref="RequestValidator"/>, the one home of the rule), the antiforgery check
/// of a form post (the framework's own), and the same register write (<see cref="TableCaseRegister"/> with its audit
/// trail, as the product composes it, against the same Azurite) — and nothing else: no submission limits, no search for
/// an open case asking the same, no orchestration. Same routes as the intake, so the load driver is the same.
/// </summary>
internal sealed class BareIntakeApi(WebApplication app, string baseUrl) : IAsyncDisposable
{
    public string BaseUrl { get; } = baseUrl;

    /// <summary>Starts it on a port of its own, with the data map and keys of <paramref name="product"/> (the same rules and hashes).</summary>
    public static async Task<BareIntakeApi> StartAsync(string storageConnectionString, IServiceProvider product)
    {
        var dataMap = product.GetRequiredService<DataMap>();
        var clients = new StorageClients(new BlobServiceClient(storageConnectionString), new TableServiceClient(storageConnectionString), new QueueServiceClient(storageConnectionString));
        ICaseRegister register = new AuditedCaseRegister(
            new TableCaseRegister(clients), new TableAuditTrail(clients, product.GetRequiredService<AuditChain>(), TimeProvider.System), product.GetRequiredService<KeyedHash>());

        var baseUrl = $"http://127.0.0.1:{Repo.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.ClearProviders();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery();
        var app = builder.Build();

        app.MapGet("/privacy", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Content($"<form method=\"post\" action=\"/api/requests\"><input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{WebUtility.HtmlEncode(tokens.RequestToken)}\"></form>", "text/html");
        });
        app.MapPost("/api/requests", async (HttpContext context, IAntiforgery antiforgery, CancellationToken cancellationToken) =>
        {
            IReadOnlyDictionary<string, string?> fields;
            var isForm = context.Request.HasFormContentType;
            if (isForm)
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form token missing or expired");
                }

                var form = await context.Request.ReadFormAsync(cancellationToken);
                fields = form.ToDictionary(f => f.Key, f => (string?)f.Value.ToString(), StringComparer.Ordinal);
            }
            else
            {
                fields = await context.Request.ReadFromJsonAsync<Dictionary<string, string?>>(cancellationToken) ?? [];
            }

            var (valid, errors) = RequestValidator.Validate(new RequestSubmission(
                fields.GetValueOrDefault("type"), fields.GetValueOrDefault("email"), fields.GetValueOrDefault("name"),
                fields.GetValueOrDefault("company"), fields.GetValueOrDefault("entity"), fields.GetValueOrDefault("language"),
                fields.GetValueOrDefault("details"), fields.GetValueOrDefault("objection")), dataMap.ControllerCodes);
            if (valid is null)
            {
                return Results.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Code).ToArray()));
            }

            var privacyCase = PrivacyCase.Received(valid, Channel.Form, DateTimeOffset.UtcNow, dataMap);
            await register.CreateAsync(privacyCase, cancellationToken);
            return isForm
                ? (IResult)new SeeOtherResult($"/privacy/thanks?request={privacyCase.Id}")
                : Results.Json(new { requestId = privacyCase.Id, status = privacyCase.Status.ToString(), statusUrl = $"/api/requests/{privacyCase.Id}", dueDate = privacyCase.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }, JsonSerializerOptions.Web, statusCode: StatusCodes.Status202Accepted);
        });

        await app.StartAsync();
        return new BareIntakeApi(app, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>303 See Other, as the intake answers a form post.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
