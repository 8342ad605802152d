using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Queues;
using Infomat.Privacy.Adapters.Storage;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>What the mailbox intake has to do; it carries Graph ids only, never mail content.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MailWorkKind>))]
public enum MailWorkKind
{
    /// <summary>Read and handle one message (<see cref="MailWork.Id"/> is the Graph message id).</summary>
    Message,

    /// <summary>Graph asked for the subscription to be reauthorised (<see cref="MailWork.Id"/> is the subscription id).</summary>
    Reauthorize,

    /// <summary>The subscription was removed: create it again.</summary>
    Resubscribe,

    /// <summary>Notifications may have been missed: run the delta sweep.</summary>
    Sweep,
}

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
/// The <c>mail-inbound</c> storage queue between the Graph notification endpoint (which answers at once) and the work
/// of reading and handling each message (the Functions queue trigger, or the local host's poller). A message that keeps
/// failing goes to <c>mail-inbound-poison</c> after <see cref="MaxDequeueCount"/> tries, as the Functions trigger does.
/// </summary>
public sealed class InboundMailBacklog(StorageClients storage, IOptions<GraphMailOptions> options)
{
    public const string DefaultQueueName = "mail-inbound";
    public const int MaxDequeueCount = 5;

    public string QueueName => options.Value.Queue;

    public string PoisonQueueName => QueueName + "-poison";

    private volatile bool created;

    public async Task EnqueueAsync(IEnumerable<MailWork> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var queue = await QueueAsync(QueueName, cancellationToken);
        foreach (var item in work)
        {
            await queue.SendMessageAsync(item.ToJson(), cancellationToken);
        }
    }

    /// <summary>Local host: takes up to <paramref name="max"/> items; each must be completed or it comes back after <paramref name="visibility"/>.</summary>
    public async Task<IReadOnlyList<ReceivedMailWork>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var queue = await QueueAsync(QueueName, cancellationToken);
        var received = await queue.ReceiveMessagesAsync(max, visibility, cancellationToken);
        return received.Value.Select(m => new ReceivedMailWork(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount)).ToList();
    }

    public async Task CompleteAsync(ReceivedMailWork message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var queue = await QueueAsync(QueueName, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }

    /// <summary>Moves a message that failed too often to the poison queue, where ops can look at it.</summary>
    public async Task PoisonAsync(ReceivedMailWork message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var poison = await QueueAsync(PoisonQueueName, cancellationToken);
        await poison.SendMessageAsync(message.Body, cancellationToken);
        await CompleteAsync(message, cancellationToken);
    }

    public async Task<int> CountAsync(string queueName, CancellationToken cancellationToken)
    {
        var queue = await QueueAsync(queueName, cancellationToken);
        var properties = await queue.GetPropertiesAsync(cancellationToken);
        return properties.Value.ApproximateMessagesCount;
    }

    private async Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken)
    {
        var queue = storage.Queues.GetQueueClient(name);
        if (!created || name != QueueName)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created |= name == QueueName;
        }

        return queue;
    }
}
