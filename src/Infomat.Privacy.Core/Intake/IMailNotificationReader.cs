namespace Infomat.Privacy.Intake;

/// <summary>A lifecycle event of the mailbox subscription, as the mail service announces it.</summary>
public enum MailLifecycleEvent
{
    /// <summary>The subscription must be reauthorised soon.</summary>
    ReauthorizationRequired,

    /// <summary>The subscription was removed.</summary>
    SubscriptionRemoved,

    /// <summary>Notifications were missed.</summary>
    Missed,

    /// <summary>An event this system does not act on.</summary>
    Other,
}

/// <summary>
/// One change or lifecycle notification for the info@ inbox, reduced to what the intake acts on: ids only, never mail
/// content. <see cref="LifecycleEvent"/> is null for a change notification, whose message is <see cref="MessageId"/>.
/// </summary>
public sealed record MailNotification(string? ClientState, string? SubscriptionId, MailLifecycleEvent? LifecycleEvent, string? MessageId);

/// <summary>Reads the body the mail service posts to the notification endpoint.</summary>
public interface IMailNotificationReader
{
    /// <summary>The notifications in <paramref name="body"/>. Throws <see cref="FormatException"/> when it is not a notification collection.</summary>
    Task<IReadOnlyList<MailNotification>> ReadAsync(Stream body, CancellationToken cancellationToken);
}
