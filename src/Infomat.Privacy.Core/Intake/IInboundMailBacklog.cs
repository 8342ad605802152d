using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infomat.Privacy.Intake;

/// <summary>What the mailbox intake has to do; it carries mailbox ids only, never mail content.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MailWorkKind>))]
public enum MailWorkKind
{
    /// <summary>Read and handle one message (<see cref="MailWork.Id"/> is the mailbox's message id).</summary>
    Message,

    /// <summary>The mail service asked for the subscription to be reauthorised (<see cref="MailWork.Id"/> is the subscription id).</summary>
    Reauthorize,

    /// <summary>The subscription was removed: create it again.</summary>
    Resubscribe,

    /// <summary>Notifications may have been missed: run the delta sweep.</summary>
    Sweep,
}

/// <summary>One item of mailbox work, as it travels through the inbound queue (JSON, web casing, the kind by name).</summary>
public sealed record MailWork(MailWorkKind Kind, string? Id = null)
{
    public static MailWork Parse(string json) =>
        JsonSerializer.Deserialize<MailWork>(json, Json) ?? throw new FormatException("Empty mail work item.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// One item taken from the queue (local host): the work as JSON, how often it has been taken, and the receipt that
/// completing it needs. A plain record, so the host that drains the queue sees no storage SDK type.
/// </summary>
public sealed record ReceivedMailWork(string MessageId, string PopReceipt, string Body, long DequeueCount);

/// <summary>
/// The backlog of mailbox work: a queue between the notification endpoint (which answers at once) and the work of
/// reading and handling each message (the Functions queue trigger, or the local host's poller). An item that keeps
/// failing goes to the poison queue after <see cref="MaxDequeueCount"/> tries, as the Functions trigger does.
/// </summary>
public interface IInboundMailBacklog
{
    /// <summary>The queue the Functions app's trigger reads (a constant there, as the trigger attribute needs one).</summary>
    const string DefaultName = "mail-inbound";

    /// <summary>Tries before an item goes to the poison queue: host.json's <c>queues.maxDequeueCount</c>, matched by the local host.</summary>
    const int MaxDequeueCount = 5;

    /// <summary>
    /// How long a failed item waits before its next try: host.json's <c>queues.visibilityTimeout</c>, matched by the local
    /// host. The runtime's default (none) spent the five tries within a second, so a storage or Graph fault of a minute
    /// sent every mail notified meanwhile to the poison queue; five tries a minute apart ride out four minutes.
    /// </summary>
    static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    /// <summary>This queue's name; also the key under which the delta sweep keeps its link.</summary>
    string Name { get; }

    /// <summary>Queues each item, in order.</summary>
    Task EnqueueAsync(IEnumerable<MailWork> work, CancellationToken cancellationToken);

    /// <summary>Local host: takes up to <paramref name="max"/> items; each must be completed or it comes back after <paramref name="visibility"/>.</summary>
    Task<IReadOnlyList<ReceivedMailWork>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Removes an item that was handled.</summary>
    Task CompleteAsync(ReceivedMailWork message, CancellationToken cancellationToken);

    /// <summary>Moves an item that failed too often to the poison queue, where ops can look at it.</summary>
    Task PoisonAsync(ReceivedMailWork message, CancellationToken cancellationToken);

    /// <summary>
    /// How many items are not done: waiting, being handled, or set aside in the poison queue after failing every try
    /// (approximate counts, never fewer than there are). A poisoned mail is unread until ops move it back and it is handled.
    /// </summary>
    Task<int> PendingAsync(CancellationToken cancellationToken);
}
