using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Infomat.LocalHost;

/// <summary>
/// Local host, when <c>Mail:Graph:Mailbox</c> is set: what the Functions app's queue trigger and timers do. Reads the
/// <c>mail-inbound</c> queue every <c>PollInterval</c> (a failing item comes back and goes to the poison queue after
/// five tries), checks the subscription every <c>RenewInterval</c> and runs the delta sweep every <c>SweepInterval</c>.
/// </summary>
internal sealed partial class GraphMailboxWorker(
    GraphIntake graph, IInboundMailBacklog queue, DurableTaskClient client, IOptions<MailboxIntakeOptions> options, TimeProvider time, ILogger<GraphMailboxWorker> log)
    : BackgroundService
{
    private static readonly TimeSpan Visibility = IInboundMailBacklog.RetryAfter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        var nextRenewal = DateTimeOffset.MinValue;
        var nextSweep = time.GetUtcNow() + o.SweepInterval;
        using var timer = new PeriodicTimer(o.PollInterval, time);
        do
        {
            var now = time.GetUtcNow();
            await Guarded("subscription", now >= nextRenewal, () => graph.EnsureSubscriptionAsync(stoppingToken), () => nextRenewal = now + o.RenewInterval);
            await Guarded("sweep", now >= nextSweep, () => graph.SweepAsync(stoppingToken), () => nextSweep = now + o.SweepInterval);
            await Guarded("queue", true, () => DrainAsync(stoppingToken), () => { });
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        while (await queue.ReceiveAsync(16, Visibility, stoppingToken) is { Count: > 0 } batch)
        {
            foreach (var message in batch)
            {
                try
                {
                    await graph.HandleQueuedAsync(message.Body, message.DequeueCount, client, stoppingToken);
                    await queue.CompleteAsync(message, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A timeout too (a TaskCanceledException). On the last try the intake told staff; the item moves to the poison queue, as the Functions runtime moves it.
                    ItemFailed(log, message.DequeueCount, ex.GetType().Name);
                    if (message.DequeueCount >= IInboundMailBacklog.MaxDequeueCount)
                    {
                        await queue.PoisonAsync(message, stoppingToken);
                    }
                }
            }
        }
    }

    private async Task Guarded(string what, bool due, Func<Task> work, Action done)
    {
        if (!due)
        {
            return;
        }

        try
        {
            await work();
            done();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged by type only: Graph errors can quote what they were given.
            StepFailed(log, what, ex.GetType().Name);
        }
    }

    [LoggerMessage(90, LogLevel.Warning, "Mailbox item failed on try {Try} ({Error}); it comes back, or goes to the poison queue after five tries")]
    private static partial void ItemFailed(ILogger logger, long @try, string error);

    [LoggerMessage(91, LogLevel.Warning, "Mailbox {What} failed ({Error}); tried again on the next tick")]
    private static partial void StepFailed(ILogger logger, string what, string error);
}
