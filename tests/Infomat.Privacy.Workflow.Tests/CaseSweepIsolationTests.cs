using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Issue 14, item 10: one case that cannot be swept (its mail or its register write fails) does not stop the daily
/// sweep: every other case is reminded and flagged, the overdue alert counts them, and the failure is counted and logged
/// by case id only.
/// </summary>
public sealed class CaseSweepIsolationTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private long overdueCounted;

    public CaseSweepIsolationTests()
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        Metrics = new PrivacyMetrics(meters);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == PrivacyMetrics.CasesOverdue)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref overdueCounted, value));
        listener.Start();
    }

    private PrivacyMetrics Metrics { get; }

    private static PrivacyCase OverdueCase(string email) =>
        PrivacyCase.Received(new ValidRequest(RequestType.Access, email, "Test Person", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null),
            Channel.Form, DateTimeOffset.UtcNow.AddDays(-45), TestDataMaps.Real);

    [Fact]
    public async Task A_failed_case_is_still_owed_an_answer_so_the_sweep_flags_it_overdue()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var failed = OverdueCase("failed.case@example.org");
        await h.Register.CreateAsync(failed, CancellationToken.None);
        await h.Register.ApplyAsync(failed.Id, x => x.Fail(DateTimeOffset.UtcNow, "SendAcknowledgement"), CancellationToken.None);
        var sweep = new CaseMaintenance(h.Register, h.Mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(h.Options), TimeProvider.System, Metrics, new ListLogger<CaseMaintenance>(), h.Map);

        var result = await sweep.RunAsync(h.Client, CancellationToken.None);

        Assert.Equal(1, result.OverdueFlags);
        Assert.Equal(1, Interlocked.Read(ref overdueCounted));
        Assert.Contains(h.Mail.Sent, m => m.Kind == MailKind.Reminder && m.RequestId == failed.Id);
    }

    [Fact]
    public async Task With_staff_away_the_escalation_address_hears_of_an_unanswered_case_before_its_due_date_and_weekly_once_overdue()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.EscalationAddress = "dpo@infomat.eu");
        // Received Monday 1 March 2027, due Thursday 1 April; nobody acts on it.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "away@example.org", "Test Person", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null),
            Channel.Form, new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real);
        await h.Register.CreateAsync(c, CancellationToken.None);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 30, 6, 0, 0, TimeSpan.Zero));
        var sweep = new CaseMaintenance(h.Register, h.Mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(h.Options), clock, Metrics, new ListLogger<CaseMaintenance>(), h.Map);
        IReadOnlyList<OutgoingMail> ToDpo() => [.. h.Mail.Sent.Where(m => m.RequestId == c.Id && m.To == "dpo@infomat.eu")];

        // Two working days before: the escalation address is told while the date can still be met, and until when it
        // can still be extended (Art. 12(3): within the first month).
        await sweep.RunAsync(h.Client, CancellationToken.None);
        var early = Assert.Single(ToDpo());
        var language = h.Options.Staff.Language;
        Assert.Contains(Localization.Texts.Format("MailDueSoonExtendable", language, Localization.Texts.Date(new DateOnly(2027, 4, 1), language)), early.TextBody, StringComparison.Ordinal);

        // Overdue, and still nobody: flagged the day after, and again a week later.
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 2, 6, 0, 0, TimeSpan.Zero));
        await sweep.RunAsync(h.Client, CancellationToken.None);
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 5, 6, 0, 0, TimeSpan.Zero));
        await sweep.RunAsync(h.Client, CancellationToken.None);
        Assert.Equal(2, ToDpo().Count);
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 9, 6, 0, 0, TimeSpan.Zero));
        await sweep.RunAsync(h.Client, CancellationToken.None);
        Assert.Equal(3, ToDpo().Count);
        Assert.DoesNotContain(ToDpo().Skip(1), m => m.TextBody.Contains(Localization.Texts.Format("MailDueSoonExtendable", language, Localization.Texts.Date(new DateOnly(2027, 4, 1), language)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_escalation_address_the_mail_service_refuses_does_not_repeat_the_overdue_mail_to_staff_each_day()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.EscalationAddress = "dpo@infomat.eu");
        h.Mail.Refuses = "dpo@infomat.eu";
        var overdue = OverdueCase("overdue.case@example.org");
        await h.Register.CreateAsync(overdue, CancellationToken.None);
        var log = new ListLogger<CaseMaintenance>();
        var sweep = new CaseMaintenance(h.Register, h.Mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(h.Options), TimeProvider.System, Metrics, log, h.Map);

        // Two daily runs: the first flags it (staff told, the escalation refused), the second sends nothing again.
        await sweep.RunAsync(h.Client, CancellationToken.None);
        await sweep.RunAsync(h.Client, CancellationToken.None);

        Assert.Single(h.Mail.Sent, m => m.RequestId == overdue.Id && m.To == h.Options.Staff.Address);
        Assert.Contains((await h.Register.GetAsync(overdue.Id, default))!.Reminders, r => r.Key.Contains("overdue", StringComparison.Ordinal));
        Assert.Equal(1, Interlocked.Read(ref overdueCounted));
        Assert.Contains(log.Lines, l => l.Contains(overdue.Id, StringComparison.Ordinal) && l.Contains("400 invalid recipient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_case_whose_mail_or_register_write_fails_does_not_stop_the_sweep_for_the_others_and_is_counted_by_id()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var mailFails = OverdueCase("mail.fails@example.org");
        var writeFails = OverdueCase("write.fails@example.org");
        var fine = new[] { OverdueCase("first.fine@example.org"), OverdueCase("second.fine@example.org") };
        // The failing cases come first in the listing: every case after them must still be swept.
        var register = new FaultyRegister(h.Register, writeFails.Id, [mailFails, writeFails, .. fine]);
        foreach (var c in register.Listed)
        {
            await h.Register.CreateAsync(c, CancellationToken.None);
        }

        var mail = new FaultyMail(h.Mail, mailFails.Id);
        var logs = new ListLogger<CaseMaintenance>();
        var sweep = new CaseMaintenance(register, mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(h.Options), TimeProvider.System, Metrics, logs, h.Map);

        var result = await sweep.RunAsync(h.Client, CancellationToken.None);

        Assert.Equal(2, result.OverdueFlags);
        Assert.Equal(2, result.FailedCases);
        Assert.Equal(2, Interlocked.Read(ref overdueCounted));
        foreach (var c in fine)
        {
            Assert.NotEmpty((await h.Register.GetAsync(c.Id, default))!.Reminders);
            Assert.Contains(h.Mail.Sent, m => m.Kind == MailKind.Reminder && m.RequestId == c.Id);
        }

        var logged = string.Join("\n", logs.Lines);
        Assert.Contains(mailFails.Id, logged, StringComparison.Ordinal);
        Assert.Contains(writeFails.Id, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.org", logged, StringComparison.Ordinal);

        // The next run sweeps the two that failed, once they can be; the others are not flagged twice.
        mail.Healed = register.Healed = true;
        var next = await sweep.RunAsync(h.Client, CancellationToken.None);
        Assert.Equal((2, 0), (next.OverdueFlags, next.FailedCases));
        Assert.Equal(4, Interlocked.Read(ref overdueCounted));
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    /// <summary>The in-memory register listing cases in a fixed order, whose writes to one case throw (storage unavailable).</summary>
    private sealed class FaultyRegister(InMemoryRegister inner, string failingCaseId, IReadOnlyList<PrivacyCase> listed) : ICaseRegister
    {
        public IReadOnlyList<PrivacyCase> Listed => listed;

        public bool Healed { get; set; }

        public Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken) => inner.CreateAsync(privacyCase, cancellationToken);

        public Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken) => inner.GetAsync(caseId, cancellationToken);

        public Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken) =>
            caseId == failingCaseId && !Healed ? throw new IOException("Service unavailable (503)") : inner.UpdateAsync(caseId, change, cancellationToken);

        public IAsyncEnumerable<string> ListUnfinishedAsync(CancellationToken cancellationToken) => inner.ListUnfinishedAsync(cancellationToken);

        public async IAsyncEnumerable<PrivacyCase> ListAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var c in listed)
            {
                yield return (await inner.GetAsync(c.Id, cancellationToken))!;
            }
        }

        public Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken) => inner.TryConsumeTokenAsync(tokenId, caseId, cancellationToken);

        public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) => inner.UsedForAsync(tokenId, cancellationToken);
    }

    /// <summary>Mail that cannot be sent for one case (the mail service refuses it).</summary>
    private sealed class FaultyMail(RecordingMail inner, string failingCaseId) : IMailSender
    {
        public bool Healed { get; set; }

        public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken) =>
            mail.RequestId == failingCaseId && !Healed ? throw new HttpRequestException("Mail service unavailable") : inner.SendAsync(mail, cancellationToken);
    }
}
