using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Intake;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.MailNotifications;

/// <summary>
/// <c>POST /api/mail/notifications</c>: Graph change and lifecycle notifications for the info@infomat.eu inbox.
/// Answers the validation handshake, checks <c>clientState</c> on every notification (constant time), queues the work
/// and answers 202 at once; the message is read and handled from the queue, so a burst or a slow Graph loses nothing.
/// </summary>
public sealed partial class MailNotificationEndpoints(
    IMailNotificationReader reader, IInboundMailBacklog queue, IOptions<MailboxIntakeOptions> options, ILogger<MailNotificationEndpoints> log)
{
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<IResult> NotificationsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value;
        if (!o.Enabled || string.IsNullOrEmpty(o.ClientState))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Mailbox intake is off",
                detail: "Set Mail:Graph:Mailbox and Mail:Graph:ClientState to receive Graph notifications.");
        }

        // Subscription validation: echo the token as plain text within 10 seconds.
        if (request.Query.TryGetValue("validationToken", out var token) && token.Count == 1)
        {
            request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Text(token[0], "text/plain", Encoding.UTF8, StatusCodes.Status200OK);
        }

        // Read no further than the limit, whatever the post says of its length (a chunked post says nothing).
        if (await Intake.RequestBody.ReadUpToAsync(request, MaxBodyBytes, cancellationToken) is not { } bytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"Notifications are limited to {MaxBodyBytes} bytes.");
        }

        IReadOnlyList<MailNotification> notifications;
        try
        {
            if (bytes.Length == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                    title: "Malformed body", detail: "Expected a Graph change notification collection ('value').");
            }

            using var body = new MemoryStream(bytes, writable: false);
            notifications = await reader.ReadAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed body",
                detail: "Expected a Graph change notification collection ('value').");
        }

        var work = new List<MailWork>();
        var rejected = 0;
        foreach (var notification in notifications)
        {
            if (!SameSecret(notification.ClientState, o.ClientState))
            {
                rejected++;
                continue;
            }

            if (WorkFor(notification) is { } item)
            {
                work.Add(item);
            }
        }

        if (rejected > 0)
        {
            Rejected(log, rejected);
        }

        if (work.Count == 0 && rejected > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Unknown client state",
                detail: "The notification's clientState does not match this subscription's.");
        }

        await queue.EnqueueAsync(work, cancellationToken);
        Queued(log, work.Count);
        return Results.Accepted();
    }

    private static MailWork? WorkFor(MailNotification notification) => notification.LifecycleEvent switch
    {
        MailLifecycleEvent.ReauthorizationRequired when notification.SubscriptionId is { } subscriptionId => new MailWork(MailWorkKind.Reauthorize, subscriptionId),
        MailLifecycleEvent.SubscriptionRemoved => new MailWork(MailWorkKind.Resubscribe),
        MailLifecycleEvent.Missed => new MailWork(MailWorkKind.Sweep),
        null when notification.MessageId is { Length: > 0 and <= 512 } id => new MailWork(MailWorkKind.Message, id),
        _ => null,
    };

    private static bool SameSecret(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    [LoggerMessage(80, LogLevel.Information, "Graph notifications: {Count} work items queued")]
    private static partial void Queued(ILogger logger, int count);

    [LoggerMessage(81, LogLevel.Warning, "Graph notifications: {Count} rejected for a wrong clientState")]
    private static partial void Rejected(ILogger logger, int count);
}

/// <summary>The routes of this feature (DESIGN §4): Graph change notifications for the info@infomat.eu mailbox.</summary>
public static class MailNotificationRoutes
{
    public static IEndpointRouteBuilder MapMailNotifications(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/mail/notifications", (HttpRequest r, [FromServices] MailNotificationEndpoints e, CancellationToken ct) => e.NotificationsAsync(r, ct)).WithName("MailNotifications").DisableAntiforgery();
        return app;
    }
}
