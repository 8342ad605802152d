using System.Diagnostics.Metrics;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Workflow.Activities;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The "case failed" alert in Azure sums this counter: one failed case must raise it exactly once.</summary>
public sealed class CaseMetricsTests
{
    [Fact]
    public async Task A_case_flagged_failed_is_counted_once_even_when_the_activity_runs_again()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var failed = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests' hosts count their own cases in parallel.
            if (instrument.Meter.Scope == meters && instrument.Name == PrivacyMetrics.CasesFailed)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failed, value));
        listener.Start();

        var register = new InMemoryRegister();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, EntityScope.Both, Language.Nl, null, null), Channel.Form, DateTimeOffset.UtcNow);
        await register.CreateAsync(c, CancellationToken.None);
        var activity = new MarkFailed(register, TimeProvider.System, new PrivacyMetrics(meters));

        await activity.RunAsync(null!, c.Id);
        await activity.RunAsync(null!, c.Id);

        Assert.Equal(CaseStatus.Failed, (await register.GetAsync(c.Id, default))!.Status);
        Assert.Equal(1, Interlocked.Read(ref failed));
    }
}
