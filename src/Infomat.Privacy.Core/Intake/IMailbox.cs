namespace Infomat.Privacy.Intake;

/// <summary>What the delta sweep found: the messages to look at, and where the next sweep starts.</summary>
public sealed record DeltaPage(IReadOnlyList<string> MessageIds, string? DeltaLink);

/// <summary>The few facts about a message the intake needs before reading it: its mailbox id, Message-ID, categories and when the mailbox received it.</summary>
public sealed record MailboxMessageInfo(string Id, string? InternetMessageId, IReadOnlyList<string> Categories, DateTimeOffset? ReceivedAt = null);

/// <summary>What the subscription check did.</summary>
public enum SubscriptionChange
{
    Unchanged,
    Created,
    Renewed,
}

/// <summary>The mailbox subscription after a check: its id (safe to log), when it expires and what the check changed.</summary>
public sealed record SubscriptionState(string Id, DateTimeOffset ExpiresAt, SubscriptionChange Change);

/// <summary>
/// The info@ mailbox as the intake uses it: the change-notification subscription on the inbox, a message's identity,
/// categories and MIME content, and the delta query that finds messages a notification missed. Ids and plain records
/// only, so the intake above it never sees the mail service's SDK.
/// </summary>
public interface IMailbox
{
    /// <summary>
    /// Makes sure one subscription for created inbox messages points at <paramref name="notificationUrl"/>: creates it
    /// when missing, renews it when it is about to expire, otherwise leaves it.
    /// </summary>
    Task<SubscriptionState> EnsureSubscriptionAsync(Uri notificationUrl, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Answers a reauthorisation request for the subscription. False when the subscription is gone.</summary>
    Task<bool> ReauthorizeAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>The message's identity and categories, or null when it no longer exists (deleted or moved).</summary>
    Task<MailboxMessageInfo?> GetInfoAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>The message as MIME (RFC 5322), streamed; the caller disposes it.</summary>
    Task<Stream> OpenMimeAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Adds categories to the message, keeping the ones it has (nothing is written when none is new).</summary>
    Task CategoriseAsync(MailboxMessageInfo message, IEnumerable<string> categories, CancellationToken cancellationToken);

    /// <summary>
    /// One delta sweep of the inbox: from <paramref name="deltaLink"/>, or (first sweep) from mail received after
    /// <paramref name="since"/>. Returns the ids of messages added or changed and the next delta link.
    /// </summary>
    Task<DeltaPage> DeltaAsync(string? deltaLink, DateTimeOffset since, CancellationToken cancellationToken);
}
