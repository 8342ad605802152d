using System.Diagnostics;

using Azure.Storage.Queues;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// A durable task hub's queues on an Azurite, as the benchmarks look at them (decision 147): what they hold (once the
/// orchestrations settled, nearly all the waiting cases' durable timers), and what a read of an empty queue costs
/// beside it, since Azurite goes through every message of the account on each read.
/// </summary>
public static class TaskHubQueues
{
    /// <summary>The task hub's queues (its control and work-item queues) and the messages they hold, visible or not.</summary>
    public static async Task<(int Messages, IReadOnlyList<QueueClient> Queues)> ListAsync(string connectionString, string taskHub)
    {
        ArgumentNullException.ThrowIfNull(taskHub);
        var service = new QueueServiceClient(connectionString);
        var messages = 0;
        var queues = new List<QueueClient>();
        await foreach (var queue in service.GetQueuesAsync(prefix: taskHub.ToLowerInvariant()))
        {
            var client = service.GetQueueClient(queue.Name);
            messages += (await client.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            queues.Add(client);
        }

        return (messages, queues);
    }

    /// <summary>Milliseconds of a read of an empty queue of the same account (<paramref name="probe"/>, made if needed), the median of five.</summary>
    public static async Task<double> EmptyReadMsAsync(string connectionString, string probe)
    {
        var queue = new QueueServiceClient(connectionString).GetQueueClient(probe);
        await queue.CreateIfNotExistsAsync();
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var began = Stopwatch.GetTimestamp();
            await queue.ReceiveMessagesAsync(32);
            times.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
        }

        return times.Order().ElementAt(2);
    }
}
