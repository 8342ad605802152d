using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// A fault on the wire of an Azure SDK client, added through its options: while armed, every request it matches is
/// answered with 503 Service Unavailable (as a storage account under pressure answers) without reaching the service.
/// </summary>
public sealed class StorageFaults : HttpPipelinePolicy
{
    private volatile Func<Request, bool>? failWhen;
    private volatile bool refuse;

    /// <summary>How many requests were answered with a 503.</summary>
    public int Injected => injected;

    private int injected;

    /// <summary>From now on, every request <paramref name="match"/> accepts gets a 503.</summary>
    public void FailWhen(Func<Request, bool> match)
    {
        refuse = false;
        failWhen = match;
    }

    /// <summary>From now on, every request <paramref name="match"/> accepts fails as a refused connection does (no answer at all).</summary>
    public void RefuseWhen(Func<Request, bool> match)
    {
        refuse = true;
        failWhen = match;
    }

    /// <summary>
    /// From now on, every request <paramref name="match"/> accepts reaches the service <paramref name="delay"/> late
    /// (storage under load), or at <see cref="Heal"/> if that comes first.
    /// </summary>
    public void DelayWhen(Func<Request, bool> match, TimeSpan delay)
    {
        this.delay = delay;
        delayWhen = match;
    }

    private volatile Func<Request, bool>? delayWhen;
    private TimeSpan delay;

    /// <summary>
    /// From now on, every request <paramref name="match"/> accepts waits until <paramref name="until"/> completes (or
    /// <see cref="Heal"/>) before it reaches the service: a step held back until the test lets it go, with no timer to
    /// race. A later call holds later requests only; those already held wait for their own gate.
    /// </summary>
    public void HoldWhen(Func<Request, bool> match, Task until)
    {
        holdUntil = until;
        holdWhen = match;
    }

    private volatile Func<Request, bool>? holdWhen;
    private volatile Task holdUntil = Task.CompletedTask;

    /// <summary>Cancelled by <see cref="Heal"/>: what is delayed or held then goes on at once.</summary>
    private volatile CancellationTokenSource healed = new();

    /// <summary>The wait this request must make before it reaches the service, if any.</summary>
    private Task? WaitFor(Request request)
    {
        var released = healed.Token;
        if (holdWhen is { } held && held(request))
        {
            return holdUntil.WaitAsync(released);
        }

        return delayWhen is { } slow && slow(request) ? Task.Delay(delay, released) : null;
    }

    private static async Task WaitOrHealedAsync(Task wait, CancellationToken cancellationToken)
    {
        try
        {
            await wait.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Healed: on at once.
        }
    }

    /// <summary>
    /// Once, for the next request <paramref name="match"/> accepts: <paramref name="before"/> runs before it reaches the
    /// service, <paramref name="after"/> after its answer came (a colleague's step landing inside one of the host's, at
    /// the very request where a race would bite). <see cref="AssertStepped"/> says whether it ran, and throws what it threw
    /// (inside the host a throw would be taken for a storage failure and logged by its type only).
    /// </summary>
    public void StepAround(Func<Request, bool> match, Func<Task>? before = null, Func<Task>? after = null)
    {
        (stepped, stepFailure) = (false, null);
        (stepBefore, stepAfter) = (before, after);
        stepWhen = match;
    }

    /// <summary>Fails unless the step of <see cref="StepAround"/> ran to its end; rethrows what the step threw.</summary>
    public void AssertStepped()
    {
        if (stepFailure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        if (!stepped)
        {
            throw new Xunit.Sdk.XunitException("The colleague's step did not run: no request matched.");
        }
    }

    private volatile Func<Request, bool>? stepWhen;
    private Func<Task>? stepBefore;
    private Func<Task>? stepAfter;
    private volatile bool stepped;
    private volatile Exception? stepFailure;

    /// <summary>The step's two halves for this request, if it is the one (taken once).</summary>
    private (Func<Task>? Before, Func<Task>? After) TakeStep(Request request)
    {
        if (stepWhen is not { } match || !match(request) || Interlocked.CompareExchange(ref stepWhen, null, match) != match)
        {
            return (null, null);
        }

        return (Guarded(stepBefore, last: stepAfter is null), Guarded(stepAfter, last: true));
    }

    /// <summary>A half of the step that records its failure (and, for the last half, that the step ran) before passing it on.</summary>
    private Func<Task>? Guarded(Func<Task>? half, bool last) => half is null ? null : async () =>
    {
        try
        {
            await half();
            stepped |= last;
        }
        catch (Exception ex)
        {
            stepFailure = ex;
            throw;
        }
    };

    /// <summary>Requests reach the service again, at once, those delayed or held included.</summary>
    public void Heal()
    {
        failWhen = null;
        delayWhen = null;
        holdWhen = null;
        var before = healed;
        healed = new CancellationTokenSource();
        before.Cancel();
    }

    /// <summary>A write (PUT, MERGE, POST, DELETE) to the row of one case in the case register's table.</summary>
    public static Func<Request, bool> CaseWrite(string caseId) => r =>
        r.Method != RequestMethod.Get
        && r.Uri.Path.Contains("/PrivacyCases(", StringComparison.Ordinal)
        && Uri.UnescapeDataString(r.Uri.Path).Contains($"PartitionKey='{caseId}'", StringComparison.Ordinal);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (WaitFor(message.Request) is { } wait)
        {
            WaitOrHealedAsync(wait, message.CancellationToken).GetAwaiter().GetResult();
        }

        var (before, after) = TakeStep(message.Request);
        before?.Invoke().GetAwaiter().GetResult();
        if (!Fail(message))
        {
            ProcessNext(message, pipeline);
        }

        after?.Invoke().GetAwaiter().GetResult();
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (WaitFor(message.Request) is { } wait)
        {
            await WaitOrHealedAsync(wait, message.CancellationToken);
        }

        var (before, after) = TakeStep(message.Request);
        if (before is not null)
        {
            await before();
        }

        if (!Fail(message))
        {
            await ProcessNextAsync(message, pipeline);
        }

        if (after is not null)
        {
            await after();
        }
    }

    private bool Fail(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (failWhen is not { } match || !match(message.Request))
        {
            return false;
        }

        Interlocked.Increment(ref injected);
        if (refuse)
        {
            // What the SDK's transport throws when the connection is refused.
            throw new RequestFailedException("Connection refused (injected)", new System.Net.Http.HttpRequestException("Connection refused"));
        }

        message.Response = new LocalHost.Faults.ServiceUnavailableResponse(message.Request.ClientRequestId);
        return true;
    }
}
