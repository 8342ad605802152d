using Infomat.Privacy.Cases;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>What one reconciliation did (counts only).</summary>
public sealed record ReconcileResult(int Open, int Started, int Restarted, int Resignalled, int FlaggedFailed, int Errors);

/// <summary>
/// Starts, signals and reconciles case orchestrations (instance id = case id). The register is the source of truth and
/// the orchestration only carries it out, so an orchestration that stopped while its case is open (a failure outside its
/// own handling, a terminated instance, a release whose code no longer replays the old history) is purged and started
/// again, and continues where the register says. Nothing here sees personal data: case ids and counts.
/// </summary>
public sealed partial class CaseWorkflow(ICaseRegister register, PrivacyMetrics metrics, TimeProvider time, ILogger<CaseWorkflow> log)
{
    /// <summary>
    /// How many open cases a reconciliation looks at (and starts) at once: a restart with hundreds of open cases is done
    /// in seconds, without flooding the engine and the storage account while the host answers new requests.
    /// </summary>
    public const int ReconcileParallelism = 4;

    /// <summary>
    /// How long a reconciliation waits before it starts a case it found without an orchestration: the case's writer,
    /// maybe another process, sends the verification link (up to <see cref="NewCases.MailPatience"/>) and records it
    /// before it starts the case (decision 81); started earlier, the case's first step would find no link recorded and
    /// send a second. Two starts that do race make one run on the Azure Storage provider (<c>ConcurrentStartTests</c>).
    /// </summary>
    public static readonly TimeSpan WriterGrace = NewCases.MailPatience + TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the case, as stored now, still has work for a run: false for a case gone or finished (one its link's refusal
    /// closed, decision 141: no run is started for it). Asked before a start made without the writer (the reconciliation)
    /// and by the writer when its link was refused.
    /// </summary>
    public async Task<bool> NeedsRunAsync(string caseId, CancellationToken cancellationToken) =>
        await register.GetAsync(caseId, cancellationToken) is { NeedsWork: true };

    /// <summary>Makes sure the case's orchestration runs: started when it has none, started again when it stopped while the case is open.</summary>
    public Task EnsureRunningAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken) =>
        EnsureRunningAsync(client, caseId, beforeStart: null, cancellationToken);

    /// <summary>
    /// As <see cref="EnsureRunningAsync(DurableTaskClient, string, CancellationToken)"/>, after <paramref name="beforeStart"/>
    /// (a new case's verification link), holding the case's start lock throughout: this process's reconciliation does not
    /// start the case in between. When <paramref name="beforeStart"/> returns false (the link's refusal closed the case:
    /// decision 141), nothing is started.
    /// </summary>
    public async Task EnsureRunningAsync(DurableTaskClient client, string caseId, Func<Task<bool>>? beforeStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var _ = await StartLock.TakeAsync(caseId, cancellationToken);
        if (beforeStart is not null && !await beforeStart())
        {
            return;
        }

        var instance = await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken);
        if (instance is null)
        {
            await StartAsync(client, caseId, cancellationToken);
        }
        else if (IsStopped(instance))
        {
            await RestartStoppedAsync(client, caseId, cancellationToken);
        }
    }

    /// <summary>
    /// Tells the case's orchestration that a step was recorded in the register (the event carries no data). The step
    /// stands without it: when the task hub cannot take the signal now (its storage down), this is logged and the
    /// person's page still says the step was done; the reconciliation sends the signal again within minutes (a run
    /// waiting on a step the register has moved past) and a waiting run's timer reads the register. Returns whether
    /// the orchestration was told.
    /// </summary>
    public async Task<bool> SignalAsync(DurableTaskClient client, string caseId, string eventName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await EnsureRunningAsync(client, caseId, cancellationToken);
            await client.RaiseEventAsync(caseId, eventName, eventPayload: null, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            SignalNotSent(log, caseId, eventName, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(156, LogLevel.Warning, "Case {CaseId}: its orchestration could not be told of {Event} ({Error}); the step is recorded, the reconciliation signals it again")]
    private static partial void SignalNotSent(ILogger logger, string caseId, string @event, string error);

    /// <summary>
    /// Stops the orchestration of a case that closed outside it (a request joined to an earlier one when its address was
    /// confirmed, decision 84): terminated when it runs. Best effort: a run left waiting finds the case closed when its
    /// wait's timer fires, and ends.
    /// </summary>
    public async Task EndAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            using var _ = await StartLock.TakeAsync(caseId, cancellationToken);
            if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken) is { } running && !IsStopped(running))
            {
                await client.TerminateInstanceAsync(caseId, cancellation: cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EndFailed(log, caseId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// A staff member resumes a failed case (the case page): the case goes back to the status it had before it failed and
    /// a new orchestration carries on from what the register records. Refused (and nothing started) when it is not failed.
    /// </summary>
    public async Task<CaseUpdate> RetryAsync(DurableTaskClient client, string caseId, string by, CancellationToken cancellationToken) =>
        (await RetryAndStartAsync(client, caseId, by, cancellationToken)).Update;

    /// <summary>
    /// As <see cref="RetryAsync"/>, and whether the new run could not be started now (<c>StartPending</c>): the retry is
    /// recorded by then, so a task hub that does not answer is not an error for the page; logged, and the reconciliation
    /// starts the case within minutes, as it does any open case without a running orchestration.
    /// </summary>
    public async Task<(CaseUpdate Update, bool StartPending)> RetryAndStartAsync(DurableTaskClient client, string caseId, string by, CancellationToken cancellationToken, string? shownBasis = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var at = time.GetUtcNow();
        using var _ = await StartLock.TakeAsync(caseId, cancellationToken);
        var stopped = await StoppedErasuresAsync(await register.GetAsync(caseId, cancellationToken), cancellationToken);
        var update = await register.ApplyAsync(caseId, c => c.Retry(by, at, stopped, shownBasis), cancellationToken);
        if (update.Refused)
        {
            return (update, false);
        }

        // A fault of a moment is tried again once, a second later; a longer one is left to the reconciliation.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The failed run may still be finishing (it records Failed, then returns): let it end before the new one
                // starts. Not cancelled by a colleague who closes the page: the retry is recorded and its run must follow.
                if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, CancellationToken.None) is { } running && !IsStopped(running))
                {
                    await client.TerminateInstanceAsync(caseId, cancellation: CancellationToken.None);
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await client.WaitForInstanceCompletionAsync(caseId, getInputsAndOutputs: false, wait.Token);
                }

                await ReplaceStoppedAsync(client, caseId, CancellationToken.None);
                Retried(log, caseId);
                return (update, false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RetryNotStarted(log, caseId, ex.GetType().Name, attempt);
                if (attempt >= RetryStartAttempts)
                {
                    return (update, true);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
        }
    }

    /// <summary>How often a staff retry tries to start the case's new run before leaving it to the reconciliation.</summary>
    private const int RetryStartAttempts = 2;

    /// <summary>
    /// The erasures that hold a staff retry of <paramref name="c"/> now (<see cref="PrivacyCase.ErasuresHoldingRetry"/>),
    /// for the page that refused it: the erasures that marked it and still run.
    /// </summary>
    public async Task<IReadOnlyList<string>> ErasuresHoldingRetryAsync(PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.ErasuresHoldingRetry(await StoppedErasuresAsync(c, cancellationToken));
    }

    /// <summary>The erasures marking <paramref name="c"/> that no longer run (<see cref="PrivacyCase.ErasureStopped"/>): their marks lapse.</summary>
    private async Task<IReadOnlyList<string>> StoppedErasuresAsync(PrivacyCase? c, CancellationToken cancellationToken)
    {
        var stopped = new List<string>();
        foreach (var eraser in c?.CopiesBeingErasedBy ?? [])
        {
            if (PrivacyCase.ErasureStopped(await register.GetAsync(eraser, cancellationToken)))
            {
                stopped.Add(eraser);
            }
        }

        return stopped;
    }

    /// <summary>
    /// Compares every open case with its orchestration: no instance → started; a stopped instance → started again (or,
    /// after <see cref="PrivacyCase.MaxAutomaticRestarts"/> restarts within a day without progress, the case flagged Failed
    /// for staff);
    /// an instance waiting on a step the register shows done (its signal lost) → signalled again. One case that cannot be
    /// reconciled does not stop the others. At most <see cref="ReconcileParallelism"/> cases are looked at, and started, at once.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        int open = 0, started = 0, restarted = 0, resignalled = 0, flagged = 0, errors = 0;
        var missing = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ReconcileParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(register.ListUnfinishedAsync(cancellationToken), parallel, async (caseId, ct) =>
        {
            Interlocked.Increment(ref open);
            try
            {
                using var _ = await StartLock.TakeAsync(caseId, ct);
                var instance = await client.GetInstanceAsync(caseId, getInputsAndOutputs: true, ct);
                if (instance is null)
                {
                    // Its writer may be starting it this very moment (another process): looked at again after the pass.
                    missing.Enqueue(caseId);
                }
                else if (IsStopped(instance))
                {
                    if (await RestartStoppedAsync(client, caseId, ct))
                    {
                        Interlocked.Increment(ref restarted);
                    }
                    else
                    {
                        Interlocked.Increment(ref flagged);
                    }
                }
                else if (ReadWaiting(instance) is { } waiting
                    && await register.GetAsync(caseId, ct) is { } c && c.HasMovedPast(waiting))
                {
                    await client.RaiseEventAsync(caseId, CaseEvents.For(waiting.Step), eventPayload: null, ct);
                    Resignalled(log, caseId, waiting.Step);
                    Interlocked.Increment(ref resignalled);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                ReconcileFailed(log, caseId, ex.GetType().Name);
                Interlocked.Increment(ref errors);
            }
        });

        if (!missing.IsEmpty)
        {
            // One wait for all of them (a restarted host may have hundreds), long enough for a writer to send the link
            // and start its case, then each still without an instance is started: two starts at once would leave the
            // instance unable to run.
            await Task.Delay(WriterGrace, time, cancellationToken);
            await Parallel.ForEachAsync(missing, parallel, async (caseId, ct) =>
            {
                try
                {
                    using var _ = await StartLock.TakeAsync(caseId, ct);
                    // Its writer may have closed it meanwhile (its link refused for good): then there is nothing to run.
                    if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, ct) is null && await NeedsRunAsync(caseId, ct))
                    {
                        await StartAsync(client, caseId, ct);
                        Interlocked.Increment(ref started);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    ReconcileFailed(log, caseId, ex.GetType().Name);
                    Interlocked.Increment(ref errors);
                }
            });
        }

        var result = new ReconcileResult(open, started, restarted, resignalled, flagged, errors);
        Reconciled(log, result.Open, result.Started, result.Restarted, result.Resignalled, result.FlaggedFailed, result.Errors);
        return result;
    }

    private static bool IsStopped(OrchestrationMetadata instance) =>
        instance.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    private static WaitingFor? ReadWaiting(OrchestrationMetadata instance)
    {
        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Running || string.IsNullOrEmpty(instance.SerializedCustomStatus))
        {
            return null;
        }

        try
        {
            return instance.ReadCustomStatusAs<WaitingFor>();
        }
        catch (System.Text.Json.JsonException)
        {
            // A custom status written by another release: nothing to compare.
            return null;
        }
    }

    /// <summary>
    /// The case is open but its orchestration stopped: start it again, or flag the case Failed when restarts did not
    /// help (then it is visible on the case list, counted and alerted, and staff retry it). True when restarted.
    /// </summary>
    private async Task<bool> RestartStoppedAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken)
    {
        // Another path (a signal, a staff retry) may have started it since it was read: then it is left alone.
        if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken) is { } current && !IsStopped(current))
        {
            return true;
        }

        var at = time.GetUtcNow();
        var update = await register.ApplyAsync(caseId, c => c.RecordRestart(at), cancellationToken);
        if (update.Refusal == CaseRefusal.RestartsUsedUp)
        {
            if (!(await register.ApplyAsync(caseId, c => c.Fail(at, "Orchestration"), cancellationToken)).Refused)
            {
                metrics.CaseFailed();
                FlaggedFailed(log, caseId, PrivacyCase.MaxAutomaticRestarts);
            }

            return false;
        }

        if (update.Refused)
        {
            // Finished meanwhile: nothing to run.
            return false;
        }

        await ReplaceStoppedAsync(client, caseId, cancellationToken);
        metrics.OrchestrationRestarted();
        Restarted(log, caseId);
        return true;
    }

    /// <summary>Purges the case's stopped instance (its history holds ids only), if any, and starts a new one; a running one is left alone.</summary>
    private async Task ReplaceStoppedAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, cancellationToken) is { } existing)
        {
            if (!IsStopped(existing))
            {
                return;
            }

            await client.PurgeInstanceAsync(caseId, cancellation: cancellationToken);
        }

        await StartAsync(client, caseId, cancellationToken);
    }

    private async Task StartAsync(DurableTaskClient client, string caseId, CancellationToken cancellationToken)
    {
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(PrivacyRequestOrchestrator), caseId, new StartOrchestrationOptions(caseId), cancellationToken);
        Started(log, caseId);
    }

    [LoggerMessage(164, LogLevel.Information, "Orchestration started for case {CaseId}")]
    private static partial void Started(ILogger logger, string caseId);

    [LoggerMessage(11, LogLevel.Information, "Reconciled {Open} open cases: {Started} started, {Restarted} restarted, {Resignalled} signalled again, {Flagged} flagged Failed, {Errors} errors")]
    private static partial void Reconciled(ILogger logger, int open, int started, int restarted, int resignalled, int flagged, int errors);

    [LoggerMessage(12, LogLevel.Warning, "Case {CaseId}: its orchestration had stopped while the case is open; started again from the register")]
    private static partial void Restarted(ILogger logger, string caseId);

    [LoggerMessage(13, LogLevel.Warning, "Case {CaseId}: a lost {Step} signal was sent again")]
    private static partial void Resignalled(ILogger logger, string caseId, CaseWait step);

    [LoggerMessage(14, LogLevel.Error, "Case {CaseId}: its orchestration stopped again after {Restarts} restarts within a day without progress; flagged Failed for staff")]
    private static partial void FlaggedFailed(ILogger logger, string caseId, int restarts);

    [LoggerMessage(15, LogLevel.Warning, "Case {CaseId} could not be reconciled ({Error}); tried again at the next run")]
    private static partial void ReconcileFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(185, LogLevel.Warning, "Case {CaseId}: retried by staff, but its orchestration could not be started (attempt {Attempt}: {Error}); tried once more, then left to the reconciliation")]
    private static partial void RetryNotStarted(ILogger logger, string caseId, string error, int attempt);

    [LoggerMessage(16, LogLevel.Information, "Case {CaseId}: retried by staff, orchestration started again")]
    private static partial void Retried(ILogger logger, string caseId);

    [LoggerMessage(136, LogLevel.Warning, "Case {CaseId}: joined to an earlier request, but its orchestration could not be stopped ({Error}); it ends when its wait's timer fires")]
    private static partial void EndFailed(ILogger logger, string caseId, string error);
}

/// <summary>
/// One start at a time per case in this process: two starts of the same instance at once (a signal and the reconciler,
/// say) would each write a start event, which leaves the instance unable to run. Across processes, only the writer of
/// a case starts it and the reconciler looks twice. One gate per case, held only while someone holds or waits for it:
/// a start that takes long (decision 85 lets it go on after the answer) holds up no other case. (It was a fixed set of
/// 64 gates chosen by the id's hash: a slow start then held up every case that hashed to its gate.)
/// </summary>
internal static class StartLock
{
    private static readonly Dictionary<string, Gate> Gates = new(StringComparer.Ordinal);

    public static async Task<IDisposable> TakeAsync(string caseId, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (Gates)
        {
            if (!Gates.TryGetValue(caseId, out var existing))
            {
                existing = new Gate();
                Gates.Add(caseId, existing);
            }

            gate = existing;
            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(caseId, gate);
            throw;
        }

        return new Release(caseId, gate);
    }

    private static void Leave(string caseId, Gate gate)
    {
        lock (Gates)
        {
            if (--gate.Users == 0)
            {
                Gates.Remove(caseId);
                gate.Dispose();
            }
        }
    }

    private sealed class Gate : IDisposable
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }

        public void Dispose() => Semaphore.Dispose();
    }

    private sealed class Release(string caseId, Gate gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Semaphore.Release();
                Leave(caseId, gate);
            }
        }
    }
}
