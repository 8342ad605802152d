using System.Diagnostics.Metrics;
using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Closing;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The alerts in Azure (infra/app/monitoring.bicep) sum these counters: a failed case, a case past its due date and a
/// case closed as its address refused must each raise theirs exactly once.
/// </summary>
public sealed class CaseMetricsTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private readonly Dictionary<string, long> counted = [];

    public CaseMetricsTests()
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        Metrics = new PrivacyMetrics(meters);
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests' hosts count their own cases in parallel.
            if (instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (counted)
            {
                counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();
    }

    private PrivacyMetrics Metrics { get; }

    private long Counted(string name)
    {
        lock (counted)
        {
            return counted.GetValueOrDefault(name);
        }
    }

    private static PrivacyCase NewCase(DateTimeOffset receivedAt) =>
        PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null), Channel.Form, receivedAt, TestDataMaps.Real);

    [Fact]
    public async Task A_case_flagged_failed_is_counted_once_even_when_the_activity_runs_again()
    {
        var register = new InMemoryRegister();
        var c = NewCase(DateTimeOffset.UtcNow);
        await register.CreateAsync(c, CancellationToken.None);
        var activity = new MarkFailed(register, TimeProvider.System, Metrics);

        await activity.RunAsync(null!, new FailureInput(c.Id, "ApplyInStore"));
        await activity.RunAsync(null!, new FailureInput(c.Id, "ApplyInStore"));

        Assert.Equal(CaseStatus.Failed, (await register.GetAsync(c.Id, default))!.Status);
        Assert.Equal(1, Counted(PrivacyMetrics.CasesFailed));
    }

    [Fact]
    public async Task A_failure_step_of_the_run_before_a_staff_retry_run_again_leaves_the_retried_case_alone()
    {
        // The old run's MarkFailed flagged the case and its host died before the completion was saved; staff retried the
        // case; the old step's message then ran again. The retried case must stay in work, and not be counted again.
        var register = new InMemoryRegister();
        var c = NewCase(DateTimeOffset.UtcNow);
        await register.CreateAsync(c, CancellationToken.None);
        var activity = new MarkFailed(register, TimeProvider.System, Metrics);
        var stale = new FailureInput(c.Id, "ApplyInStore", Run: 0);
        await activity.RunAsync(null!, stale);
        await register.ApplyAsync(c.Id, x => x.Retry("Els", DateTimeOffset.UtcNow), default);

        await activity.RunAsync(null!, stale);

        Assert.NotEqual(CaseStatus.Failed, (await register.GetAsync(c.Id, default))!.Status);
        Assert.Equal(1, Counted(PrivacyMetrics.CasesFailed));
    }

    [Fact]
    public async Task A_case_past_its_due_date_is_counted_overdue_once_by_the_daily_sweep()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var late = NewCase(DateTimeOffset.UtcNow.AddDays(-45));
        var onTime = NewCase(DateTimeOffset.UtcNow.AddDays(-1));
        await h.Register.CreateAsync(late, CancellationToken.None);
        await h.Register.CreateAsync(onTime, CancellationToken.None);
        var sweep = new CaseMaintenance(h.Register, h.Mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(h.Options),
            TimeProvider.System, Metrics, NullLogger<CaseMaintenance>.Instance, h.Map);

        await sweep.RunAsync(h.Client, CancellationToken.None);
        await sweep.RunAsync(h.Client, CancellationToken.None);

        Assert.Equal(1, Counted(PrivacyMetrics.CasesOverdue));
        Assert.Equal(0, Counted(PrivacyMetrics.CasesFailed));
    }

    [Fact]
    public async Task A_case_closed_as_its_address_refused_is_counted_once_even_when_its_link_is_tried_again()
    {
        // Decision 141: a request closed without a person looking; ops are alerted of each (monitoring.bicep).
        var register = new InMemoryRegister();
        var c = NewCase(DateTimeOffset.UtcNow);
        await register.CreateAsync(c, CancellationToken.None);
        var mail = new RecordingMail { Refuses = c.Email };
        var verification = new Activities.Verification.VerificationMail(
            register, mail, new Tokens.LinkTokenService(RandomNumberGenerator.GetBytes(32), TimeProvider.System), TestDataMaps.Real,
            Options.Create(new Configuration.PrivacyOptions()), TimeProvider.System, Metrics, NullLogger<Activities.Verification.VerificationMail>.Instance);

        // Twice with the case as first read: the intake's try and the first step's, both refused.
        await Assert.ThrowsAsync<Mail.MailRefusedException>(() => verification.SendOnceAsync(c, default));
        await Assert.ThrowsAsync<Mail.MailRefusedException>(() => verification.SendOnceAsync(c, default));

        Assert.True((await register.GetAsync(c.Id, default))!.ClosedAsAddressRefused);
        Assert.Equal(1, Counted(PrivacyMetrics.CasesAddressRefused));
        Assert.Equal(0, Counted(PrivacyMetrics.CasesFailed));
    }

    [Fact]
    public async Task A_link_reported_undelivered_whose_time_ran_out_is_held_up_for_staff_counted_once_and_nobody_is_told_it_closed()
    {
        // Review of 7 December: the expiry step closed such a case on the requester's "silence" and mailed the Art. 12(4)
        // notice to the address that had just not taken the link.
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var sent = DateTimeOffset.UtcNow.AddDays(-8);
        var c = NewCase(sent.AddMinutes(-1));
        await register.CreateAsync(c, CancellationToken.None);
        await register.ApplyAsync(c.Id, x => x.VerificationMailSent(sent), CancellationToken.None);
        await register.ApplyAsync(c.Id, x => x.MailBounced(Mail.MailKind.Verification, "bounce/Technical", sent.AddHours(1)), CancellationToken.None);
        var expire = new ExpireCase(register, mail, TestDataMaps.Real, new FakeMailProgress(), Options.Create(new Configuration.PrivacyOptions()), TimeProvider.System, Metrics,
            NullLogger<ExpireCase>.Instance);

        Assert.False(await expire.RunAsync(null!, c.Id));
        Assert.False(await expire.RunAsync(null!, c.Id));

        var held = (await register.GetAsync(c.Id, default))!;
        Assert.Equal((CaseStatus.Failed, PrivacyCase.MailNotDeliveredStep), (held.Status, held.FailedStep));
        Assert.Equal(RequestProgress.HeldUpBeforeAddressConfirmed, held.Progress);
        Assert.Empty(mail.Sent);
        Assert.Equal(1, Counted(PrivacyMetrics.CasesFailed));
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }
}
