using System.Collections.Concurrent;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// What happens the moment a case is written, whatever wrote it (the form or JSON, a mail, a triaged mail made a case by
/// staff): its verification link goes at once, then its orchestration is started (decision 81), unless the mail service
/// refused the link for good and that closed the case (decision 141). The link is what the
/// requester waits for, and in a spike the durable engine's queues hold the orchestration's first steps for minutes. The
/// mail goes before the start, so the orchestration, which sends it when it did not go here, never races this send; the
/// case's start lock and <see cref="CaseWorkflow.WriterGrace"/> keep the reconciliation from starting the case meanwhile.
/// </summary>
public sealed partial class NewCases(VerificationMail verification, CaseWorkflow workflow, PrivacyMetrics metrics, ILogger<NewCases> log)
    : IHostedLifecycleService
{
    /// <summary>
    /// Cases at most being begun after their answer at once: past it, the answer waits for its begin as before decision 86
    /// (a flood is slowed down, and what this process holds stays bounded).
    /// </summary>
    public const int MaxAfterAnswer = 256;

    /// <summary>How long a begin after the answer waits for the start before leaving it running untracked (decision 85's path).</summary>
    public static readonly TimeSpan AfterAnswerStartPatience = TimeSpan.FromMinutes(2);

    /// <summary>Cases begun after their answer whose link or start is still under way (decision 86), by id.</summary>
    private readonly ConcurrentDictionary<string, Task> afterAnswer = new(StringComparer.Ordinal);

    /// <summary>Set once the host is stopping: from then on an answer waits for its own begin.</summary>
    private volatile bool stopping;

    /// <summary>
    /// How long the writer waits for the mail service before leaving the mail to the orchestration: a request is not held
    /// up by a mail outage (SendGrid's own client waits far longer).
    /// </summary>
    public static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the writer waits, after the link, for the orchestration's start before it answers: in a spike the
    /// durable engine's storage takes tens of seconds to take a start, and the person (or the next mail in the inbox)
    /// would wait for it. The start goes on in the background; if it never lands (the process dies), the case is in the
    /// register with its link recorded and the reconciliation starts it (<see cref="CaseWorkflow.WriterGrace"/>).
    /// </summary>
    public static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends the case's verification link (when it needs one) and starts its orchestration, under the case's start lock
    /// (not when the link's refusal closed the case).
    /// A mail that cannot go now is logged by error type and left to the orchestration's first step; a start that fails
    /// within <see cref="StartPatience"/> after the link throws, as
    /// <see cref="CaseWorkflow.EnsureRunningAsync(DurableTaskClient, string, CancellationToken)"/> does; one still under way
    /// then goes on in the background (a failure is logged, and the reconciliation starts the case).
    /// Callers pass a token that a client who goes away does not cancel: the case is written, and must be begun.
    /// </summary>
    public Task BeginAsync(DurableTaskClient client, PrivacyCase created, CancellationToken cancellationToken) =>
        BeginAsync(client, created, StartPatience, cancellationToken);

    private async Task BeginAsync(DurableTaskClient client, PrivacyCase created, TimeSpan startPatience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        var linked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var begin = workflow.EnsureRunningAsync(client, created.Id, async () =>
        {
            try
            {
                return await SendLinkAsync(created, cancellationToken);
            }
            finally
            {
                linked.TrySetResult();
            }
        }, cancellationToken);

        // The link first (it has its own patience), then the start for a few seconds more.
        if (await Task.WhenAny(begin, linked.Task) != begin
            && await Task.WhenAny(begin, Task.Delay(startPatience, CancellationToken.None)) != begin)
        {
            StartLeftRunning(log, created.Id);
            _ = begin.ContinueWith(
                t => StartFailedLater(log, created.Id, t.Exception?.GetBaseException().GetType().Name ?? "Canceled"),
                CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
            return;
        }

        await begin;
    }

    /// <summary>
    /// Begins a case written by the form or the API after its answer (decision 86): the person's answer waits for the
    /// register write alone, not for the mail service and the durable engine. The same <see cref="BeginAsync(DurableTaskClient, PrivacyCase, CancellationToken)"/> runs, in
    /// the same order under the same lock; a process that dies before it ends leaves the case to the reconciliation
    /// (<see cref="CaseWorkflow.WriterGrace"/>) and its link to the orchestration's first step, as for a writer that dies
    /// while the person waits. A host that stops waits for the cases under way (<see cref="StoppingAsync"/>); past <see cref="MaxAfterAnswer"/> under way, the answer waits for its own.
    /// </summary>
    public async Task BeginAfterAnswerAsync(DurableTaskClient client, PrivacyCase created)
    {
        ArgumentNullException.ThrowIfNull(created);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (stopping || afterAnswer.Count >= MaxAfterAnswer || !afterAnswer.TryAdd(created.Id, done.Task))
        {
            // Too many under way (or this case already is, or the host is stopping and drains no more): this answer
            // waits for its begin, as before.
            await BeginLoggedAsync(client, created, StartPatience);
            return;
        }

        _ = Task.Run(async () =>
        {
            var began = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // Nobody waits for it now: the start is waited for long enough that a host that stops drains it.
                await BeginLoggedAsync(client, created, AfterAnswerStartPatience);
            }
            finally
            {
                afterAnswer.TryRemove(new KeyValuePair<string, Task>(created.Id, done.Task));
                done.TrySetResult();
            }

            metrics.IntakeStep("begin", System.Diagnostics.Stopwatch.GetElapsedTime(began));
        });
    }

    private async Task BeginLoggedAsync(DurableTaskClient client, PrivacyCase created, TimeSpan startPatience)
    {
        try
        {
            await BeginAsync(client, created, startPatience, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            BeginFailed(log, created.Id, ex.GetType().Name);
        }
    }

    /// <summary>How many cases begun after their answer are still under way (for a drain and for tests).</summary>
    public int UnderWay => afterAnswer.Count;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A host that stops (a deployment, a scale-in) first lets the cases begun after their answer finish their link and
    /// start, for as long as the host gives it; what is cut off is the reconciliation's. This runs before any hosted
    /// service stops, so the durable engine's client and sidecar are still there.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // From now on an answer waits for its own begin: the drain has a fixed set to wait for.
        stopping = true;
        try
        {
            await AllBegunAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LeftAtStop(log, afterAnswer.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Completes when every case begun after its answer until now has its link and start done (or failed).</summary>
    public Task AllBegunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(afterAnswer.Values.ToArray()).WaitAsync(cancellationToken);

    /// <summary>Sends the link when the case needs one; false when the mail service refused it for good and that closed the case (nothing to start).</summary>
    private async Task<bool> SendLinkAsync(PrivacyCase created, CancellationToken cancellationToken)
    {
        if (!created.NeedsVerificationMail)
        {
            return true;
        }

        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var run = true;
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(MailPatience);
            await verification.SendOnceAsync(created, patience.Token);
        }
        catch (MailRefusedException)
        {
            // Logged and on record by VerificationMail, which closed the case as its address refused (decision 141): no run
            // is started for it. Its close refused (the case changed meanwhile), a case still open is started as usual.
            run = await workflow.NeedsRunAsync(created.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            MailLeftToOrchestration(log, created.Id, ex.GetType().Name);
        }

        metrics.IntakeStep("verification-mail", System.Diagnostics.Stopwatch.GetElapsedTime(began));
        return run;
    }

    [LoggerMessage(137, LogLevel.Information, "Case {CaseId}: its orchestration's start takes longer than the writer waits; it goes on in the background")]
    private static partial void StartLeftRunning(ILogger logger, string caseId);

    [LoggerMessage(138, LogLevel.Warning, "Case {CaseId}: its orchestration's start failed in the background ({Error}); the reconciliation starts it")]
    private static partial void StartFailedLater(ILogger logger, string caseId, string error);

    [LoggerMessage(140, LogLevel.Warning, "Case {CaseId}: its link and start after the answer failed ({Error}); the reconciliation starts it")]
    private static partial void BeginFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(141, LogLevel.Warning, "The host stopped with {Count} new cases still being begun; the reconciliation starts them")]
    private static partial void LeftAtStop(ILogger logger, int count);

    [LoggerMessage(133, LogLevel.Warning, "Case {CaseId}: the verification mail was not sent and recorded as the case was written ({Error}); the orchestration's first step sends it unless recorded")]
    private static partial void MailLeftToOrchestration(ILogger logger, string caseId, string error);
}
