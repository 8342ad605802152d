using Azure.Storage.Queues;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// The <c>mail-inbound</c> storage queue between the Graph notification endpoint (which answers at once) and the work
/// of reading and handling each message (the Functions queue trigger, or the local host's poller). A message that keeps
/// failing goes to <c>mail-inbound-poison</c> after <see cref="MaxDequeueCount"/> tries, as the Functions trigger does.
/// </summary>
public sealed class InboundMailBacklog(StorageClients storage, IOptions<GraphMailOptions> options) : IInboundMailBacklog
{
    public const string DefaultQueueName = IInboundMailBacklog.DefaultName;
    public const int MaxDequeueCount = IInboundMailBacklog.MaxDequeueCount;

    public string Name => options.Value.Queue;

    public string PoisonQueueName => Name + "-poison";

    private volatile bool created;

    public async Task EnqueueAsync(IEnumerable<MailWork> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var queue = await QueueAsync(Name, cancellationToken);
        foreach (var item in work)
        {
            await queue.SendMessageAsync(item.ToJson(), cancellationToken);
        }
    }

    /// <summary>Local host: takes up to <paramref name="max"/> items; each must be completed or it comes back after <paramref name="visibility"/>.</summary>
    public async Task<IReadOnlyList<ReceivedMailWork>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var queue = await QueueAsync(Name, cancellationToken);
        var received = await queue.ReceiveMessagesAsync(max, visibility, cancellationToken);
        return received.Value.Select(m => new ReceivedMailWork(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount)).ToList();
    }

    public async Task CompleteAsync(ReceivedMailWork message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var queue = await QueueAsync(Name, cancellationToken);
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

    /// <summary>
    /// Moves every item of the poison queue back to the queue (after ops fixed what made them fail); returns how many.
    /// </summary>
    /// <remarks>
    /// Each item is sent to the queue before it is deleted from the poison queue: a failure in between leaves it in both,
    /// which is harmless (the intake handles a message once, by its Message-ID marker), never in neither.
    /// </remarks>
    public async Task<int> RedriveAsync(CancellationToken cancellationToken)
    {
        var poison = await QueueAsync(PoisonQueueName, cancellationToken);
        var queue = await QueueAsync(Name, cancellationToken);
        var moved = 0;
        while (true)
        {
            var batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), cancellationToken)).Value;
            if (batch.Length == 0)
            {
                return moved;
            }

            foreach (var item in batch)
            {
                await queue.SendMessageAsync(item.Body.ToString(), cancellationToken);
                await poison.DeleteMessageAsync(item.MessageId, item.PopReceipt, cancellationToken);
                moved++;
            }
        }
    }

    public async Task<int> PendingAsync(CancellationToken cancellationToken) =>
        await CountAsync(Name, cancellationToken) + await CountAsync(PoisonQueueName, cancellationToken);

    public async Task<int> CountAsync(string queueName, CancellationToken cancellationToken)
    {
        var queue = await QueueAsync(queueName, cancellationToken);
        var properties = await queue.GetPropertiesAsync(cancellationToken);
        return properties.Value.ApproximateMessagesCount;
    }

    private async Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken)
    {
        var queue = storage.Queues.GetQueueClient(name);
        if (!created || name != Name)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created |= name == Name;
        }

        return queue;
    }
}
