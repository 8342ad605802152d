using Infomat.Privacy.Intake;

using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// Reads a Graph change notification collection with the Graph SDK's own (Kiota) models, and keeps of each notification
/// only the ids and the clientState the endpoint checks, so nothing above the adapters sees a Graph type.
/// </summary>
public sealed class GraphNotificationReader : IMailNotificationReader
{
    public async Task<IReadOnlyList<MailNotification>> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ChangeNotificationCollection? notifications;
        try
        {
            notifications = await KiotaJsonSerializer.DeserializeAsync(body, ChangeNotificationCollection.CreateFromDiscriminatorValue, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // The exception's message can quote the body: only the type is carried on.
            throw new FormatException($"Not a Graph change notification collection ({ex.GetType().Name}).");
        }

        return (notifications?.Value ?? []).Select(ToNotification).ToList();
    }

    private static MailNotification ToNotification(ChangeNotification notification) => new(
        notification.ClientState,
        notification.SubscriptionId?.ToString(),
        notification.LifecycleEvent switch
        {
            null => null,
            LifecycleEventType.ReauthorizationRequired => MailLifecycleEvent.ReauthorizationRequired,
            LifecycleEventType.SubscriptionRemoved => MailLifecycleEvent.SubscriptionRemoved,
            LifecycleEventType.Missed => MailLifecycleEvent.Missed,
            _ => MailLifecycleEvent.Other,
        },
        notification.ResourceData?.AdditionalData is { } data && data.TryGetValue("id", out var id) ? id as string : null);
}
