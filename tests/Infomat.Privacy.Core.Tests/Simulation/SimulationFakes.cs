using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>The case register in memory: the same contract as the Azure Tables one (create once, update by change).</summary>
internal sealed class SimulatedRegister : ICaseRegister
{
    private readonly ConcurrentDictionary<string, PrivacyCase> cases = new(StringComparer.Ordinal);

    public IEnumerable<PrivacyCase> All => cases.Values;

    public Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(privacyCase);
        return cases.TryAdd(privacyCase.Id, privacyCase) ? Task.CompletedTask : throw new InvalidOperationException("Case exists: " + privacyCase.Id);
    }

    public Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken) =>
        Task.FromResult(cases.TryGetValue(caseId, out var c) ? c : null);

    public Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = cases[caseId];
        var changed = change(current) ?? current;
        cases[caseId] = changed;
        return Task.FromResult(changed);
    }

    public async IAsyncEnumerable<string> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var c in cases.Values.Where(c => c.NeedsWork).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            yield return c.Id;
        }
    }

    public async IAsyncEnumerable<PrivacyCase> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var c in cases.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList())
        {
            yield return c;
        }
    }

    public Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>Records each mail with the (fake) time it was sent.</summary>
internal sealed class SimulatedMail(TimeProvider time) : IMailSender
{
    public List<(OutgoingMail Mail, DateTimeOffset At)> Sent { get; } = [];

    public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        Sent.Add((mail, time.GetUtcNow()));
        return Task.CompletedTask;
    }
}

/// <summary>The daily sweep's metrics go nowhere here.</summary>
internal sealed class SimulatedMeters : IMeterFactory
{
    private readonly List<Meter> meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in meters)
        {
            meter.Dispose();
        }
    }
}

/// <summary>
/// The durable client the daily sweep asks about finished histories: the simulation runs no orchestrations, so it knows
/// no instance (nothing to purge). Anything else is not used by the sweep and throws.
/// </summary>
internal sealed class NoOrchestrations() : DurableTaskClient("simulation")
{
    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult<OrchestrationMetadata?>(null);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
