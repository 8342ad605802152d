using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The info@ mailbox through Graph when things go wrong (issue 14, item 8): a mail that vanished before it was handled,
/// a mail that failed every try, an expired delta link. None may end nowhere.
/// </summary>
public sealed class GraphIntakeFaultTests : IDisposable
{
    private readonly InMemoryRegister register = new();
    private readonly RecordingMail mail = new();
    private readonly FakeMailbox mailbox = new();
    private readonly RecordingBacklog queue = new();
    private readonly MemoryDeltaLinks deltaLinks = new();
    private readonly PrivacyOptions options = new();
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private long poisoned;

    public GraphIntakeFaultTests()
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == PrivacyMetrics.MailPoisoned)
            {
                Interlocked.Add(ref poisoned, value);
            }
        });
        listener.Start();
        Metrics = new PrivacyMetrics(meters);
    }

    private PrivacyMetrics Metrics { get; }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    private GraphIntake Graph(TimeProvider? time = null)
    {
        var hash = new KeyedHash(RandomNumberGenerator.GetBytes(32));
        var o = Options.Create(options);
        var intakeOptions = Options.Create(new MailboxIntakeOptions { Enabled = true, ClientState = new string('s', 40), OwnAddresses = ["info@infomat.eu"] });
        var intake = new MailIntake(
            register, TestWorkflows.Of(register), TestWorkflows.NewCases(register, mail, TimeProvider.System, options), new OpenRequests(register, hash, TimeProvider.System), hash, mail,
            new MimeKitInboundMailParser(Options.Create(new MailOptions())), TestDataMaps.Real, o, intakeOptions, TimeProvider.System, NullLogger<MailIntake>.Instance,
            new Http.Triage.TriagedMails(new InMemoryTriagedMails(), new Tokens.LinkTokenService(RandomNumberGenerator.GetBytes(32), TimeProvider.System), o),
            new SubmissionLimits(new InMemorySubmissionCounters(), hash, o, TimeProvider.System, NullLogger<SubmissionLimits>.Instance));
        return new GraphIntake(mailbox, queue, intake, register, deltaLinks, new NoLock(), Metrics, mail, intakeOptions, o, time ?? TimeProvider.System, NullLogger<GraphIntake>.Instance);
    }

    [Fact]
    public async Task A_notified_mail_that_is_gone_before_it_was_handled_is_reported_to_staff()
    {
        var result = await Graph().HandleMessageAsync("AAMk-gone", new FakeDurableClient(), default);

        Assert.Null(result);
        var told = Assert.Single(mail.Sent);
        Assert.Equal(options.Staff.Address, told.To);
        Assert.Equal(MailKind.StaffTask, told.Kind);
    }

    [Fact]
    public async Task A_mail_handled_and_then_deleted_by_staff_raises_nothing_when_notified_again()
    {
        var graph = Graph();
        var bytes = MailIntakeFaultTests.Bytes(MailIntakeFaultTests.Message("jan.devries@example.nl", "Subject access request", "Under the GDPR I would like a copy of my personal data."));
        mailbox.Messages["AAMk-1"] = bytes;
        var first = await graph.HandleMessageAsync("AAMk-1", new FakeDurableClient(), default);
        mailbox.Messages.TryRemove("AAMk-1", out _);

        var again = await graph.HandleMessageAsync("AAMk-1", new FakeDurableClient(), default);

        Assert.Equal(MailOutcome.CaseCreated, first!.Outcome);
        Assert.Null(again);
        Assert.Empty(mail.Sent);
    }

    [Fact]
    public async Task A_mail_that_failed_every_try_reaches_staff_and_is_counted_for_the_ops_alert()
    {
        await Graph().PoisonedAsync(new MailWork(MailWorkKind.Message, "AAMk-broken").ToJson(), default);

        var told = Assert.Single(mail.Sent);
        Assert.Equal(options.Staff.Address, told.To);
        Assert.Equal(1, Interlocked.Read(ref poisoned));
    }

    [Fact]
    public async Task A_queued_mail_failing_its_last_try_is_told_and_counted_and_still_fails_so_it_stays_in_the_poison_queue()
    {
        // Graph does not answer for the message: the queue tries the item five times, then moves it to the poison queue,
        // where it stays until ops redrive it. Only the last try tells staff and counts it; each try's failure goes on.
        mailbox.Broken = true;
        var item = new MailWork(MailWorkKind.Message, "AAMk-stuck").ToJson();
        var graph = Graph();

        for (var attempt = 1; attempt < IInboundMailBacklog.MaxDequeueCount; attempt++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => graph.HandleQueuedAsync(item, attempt, new FakeDurableClient(), default));
        }

        Assert.Empty(mail.Sent);
        Assert.Equal(0, Interlocked.Read(ref poisoned));

        await Assert.ThrowsAsync<HttpRequestException>(() => graph.HandleQueuedAsync(item, IInboundMailBacklog.MaxDequeueCount, new FakeDurableClient(), default));

        var told = Assert.Single(mail.Sent);
        Assert.Equal(options.Staff.Address, told.To);
        Assert.Equal(1, Interlocked.Read(ref poisoned));
        // The sweep or ops' redrive may still handle it: staff check before handling it by hand, and are not told it has
        // no category (it may have been handled but for that last step).
        Assert.Contains("dan werd hij intussen verwerkt", told.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("zonder de categorie", told.TextBody, StringComparison.Ordinal);

        // A Graph call that timed out on the last try (a TaskCanceledException, not the host stopping) is told and counted too.
        mailbox.Broken = false;
        mailbox.TimesOut = true;
        await Assert.ThrowsAsync<TaskCanceledException>(() => graph.HandleQueuedAsync(item, IInboundMailBacklog.MaxDequeueCount, new FakeDurableClient(), default));
        Assert.Equal(2, mail.Sent.Count);
        Assert.Equal(2, Interlocked.Read(ref poisoned));
        mailbox.TimesOut = false;
        mailbox.Broken = true;

        // When the staff mail fails too, the item still fails (to the poison queue), counted for the ops alert.
        mail.Down = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => graph.HandleQueuedAsync(item, IInboundMailBacklog.MaxDequeueCount + 1, new FakeDurableClient(), default));
        Assert.Equal(3, Interlocked.Read(ref poisoned));
    }

    [Fact]
    public async Task With_several_staff_mailboxes_a_gone_mail_and_a_poisoned_one_are_told_to_each()
    {
        options.Staff.Address = "privacy-staff@infomat.eu; backup-staff@infomat.eu";

        await Graph().HandleMessageAsync("AAMk-gone", new FakeDurableClient(), default);
        await Graph().PoisonedAsync(new MailWork(MailWorkKind.Message, "AAMk-broken").ToJson(), default);

        Assert.Equal(
            ["backup-staff@infomat.eu", "backup-staff@infomat.eu", "privacy-staff@infomat.eu", "privacy-staff@infomat.eu"],
            mail.Sent.Select(m => m.To).Order());
    }

    [Fact]
    public async Task The_mailbox_counts_as_read_only_up_to_a_complete_sweep_whose_mail_has_all_been_handled()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var graph = Graph(clock);

        // Never swept: nothing can be vouched for.
        Assert.Equal(DateTimeOffset.MinValue, await graph.ReadThroughAsync(default));

        // A sweep queues two mails; while they wait, still nothing.
        mailbox.Delta = ["AAMk-1", "AAMk-2"];
        var first = clock.GetUtcNow();
        await graph.SweepAsync(default);
        Assert.Equal(DateTimeOffset.MinValue, await graph.ReadThroughAsync(default));

        // Both handled: every mail received before the sweep began (less the time a sweep may need to see one) is read.
        queue.Queued.Clear();
        Assert.Equal(first - MailSweep.Settle, await graph.ReadThroughAsync(default));

        // The mail service answers 503 for an hour: its sweeps fail, and the moment does not move.
        mailbox.Unavailable = true;
        clock.Advance(TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<HttpRequestException>(() => graph.SweepAsync(default));
        Assert.Equal(first - MailSweep.Settle, await graph.ReadThroughAsync(default));

        // Back: a sweep queues one more mail; until it is handled the moment stays where it was, then it moves on.
        mailbox.Unavailable = false;
        mailbox.Delta = ["AAMk-3"];
        var second = clock.GetUtcNow();
        await graph.SweepAsync(default);
        Assert.Equal(first - MailSweep.Settle, await graph.ReadThroughAsync(default));
        queue.Queued.Clear();
        Assert.Equal(second - MailSweep.Settle, await Graph(clock).ReadThroughAsync(default));
    }

    [Fact]
    public async Task A_mail_in_the_poison_queue_counts_as_unread_until_it_is_moved_back_and_handled()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        mailbox.Delta = ["AAMk-reply"];
        var swept = clock.GetUtcNow();
        await Graph(clock).SweepAsync(default);

        // The reply failed every try (Graph throttled its download) and went to the poison queue: the queue is empty.
        queue.Queued.Clear();
        queue.Poisoned = 1;
        Assert.Equal(DateTimeOffset.MinValue, await Graph(clock).ReadThroughAsync(default));

        // Ops move it back and it is handled.
        queue.Poisoned = 0;
        Assert.Equal(swept - MailSweep.Settle, await Graph(clock).ReadThroughAsync(default));
    }

    [Fact]
    public async Task A_delta_round_that_ends_without_a_delta_link_is_not_a_complete_sweep()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        mailbox.Delta = [];
        mailbox.NoDeltaLink = true;
        await Graph(clock).SweepAsync(default);

        Assert.Equal(DateTimeOffset.MinValue, await Graph(clock).ReadThroughAsync(default));
    }

    [Fact]
    public async Task With_the_mailbox_intake_off_no_mail_can_be_waiting()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var o = Options.Create(options);
        var graph = new GraphIntake(
            mailbox, queue, null!, register, deltaLinks, new NoLock(), Metrics, mail, Options.Create(new MailboxIntakeOptions { Enabled = false }), o, clock, NullLogger<GraphIntake>.Instance);

        Assert.Equal(clock.GetUtcNow(), await graph.ReadThroughAsync(default));
    }

    [Fact]
    public async Task An_expired_delta_link_starts_the_sweep_again_instead_of_failing_for_ever()
    {
        await deltaLinks.WriteAsync(queue.Name, "https://graph.example/delta?$deltatoken=expired", default);
        mailbox.ExpiredLinks.Add("https://graph.example/delta?$deltatoken=expired");
        mailbox.Delta = ["AAMk-missed"];

        var count = await Graph().SweepAsync(default);

        Assert.Equal(1, count);
        Assert.Contains(queue.Queued, w => w.Id == "AAMk-missed");
        Assert.Equal("https://graph.example/delta?$deltatoken=fresh", await deltaLinks.ReadAsync(queue.Name, default));
    }

    [Fact]
    public async Task A_sweep_restarting_after_a_forgotten_delta_link_looks_back_to_the_last_complete_sweep_so_no_mail_of_the_gap_is_lost()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 12, 17, 0, 0, TimeSpan.Zero));
        var graph = Graph(clock);
        var swept = clock.GetUtcNow();
        await graph.SweepAsync(default);
        queue.Queued.Clear();
        Assert.Equal(swept - MailSweep.Settle, await graph.ReadThroughAsync(default));

        // The intake is down over a long weekend (no notification, no sweep). A request reaches the mailbox on Friday
        // evening; on Tuesday the mail service has forgotten the last sweep's delta link (410).
        mailbox.Received["AAMk-friday"] = swept.AddHours(1);
        mailbox.Received["AAMk-monday"] = swept.AddDays(3);
        clock.Advance(TimeSpan.FromDays(4));
        mailbox.ExpiredLinks.Add("https://graph.example/delta?$deltatoken=fresh");

        var restarted = clock.GetUtcNow();
        await graph.SweepAsync(default);

        // Both are queued (the first-sweep look-back of a day alone would have left Friday's unread for ever), and only
        // once they are handled does the mailbox count as read up to the new sweep.
        Assert.Equal(["AAMk-friday", "AAMk-monday"], queue.Queued.Select(w => w.Id).Order());
        Assert.Equal(swept - MailSweep.Settle, mailbox.LastSince);
        Assert.Equal(swept - MailSweep.Settle, await graph.ReadThroughAsync(default));
        queue.Queued.Clear();
        Assert.Equal(restarted - MailSweep.Settle, await graph.ReadThroughAsync(default));
    }

    [Fact]
    public async Task After_an_outage_longer_than_a_sweep_looks_back_staff_are_told_which_mail_was_not_read()
    {
        options.Staff.Language = Requests.Language.En;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var swept = clock.GetUtcNow();
        await Graph(clock).SweepAsync(default);
        queue.Queued.Clear();
        mailbox.Received["AAMk-january"] = swept.AddDays(2);
        mailbox.Received["AAMk-march"] = swept.AddDays(50);
        clock.Advance(TimeSpan.FromDays(60));
        mailbox.ExpiredLinks.Add("https://graph.example/delta?$deltatoken=fresh");

        await Graph(clock).SweepAsync(default);

        Assert.Equal(["AAMk-march"], queue.Queued.Select(w => w.Id));
        Assert.Equal(clock.GetUtcNow() - MailSweep.MaxLookBack, mailbox.LastSince);
        var told = Assert.Single(mail.Sent);
        Assert.Equal((MailKind.StaffTask, options.Staff.Address), (told.Kind, told.To));
        Assert.Contains("from 4 January 2027 09:55 to 29 January 2027 10:00", told.TextBody, StringComparison.Ordinal);
        Assert.Contains("(35 days)", told.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_of_mail_not_swept_that_cannot_go_does_not_stop_the_read_and_goes_once_per_outage()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        await Graph(clock).SweepAsync(default);
        mailbox.Received["AAMk-march"] = clock.GetUtcNow().AddDays(50);
        clock.Advance(TimeSpan.FromDays(60));
        mailbox.ExpiredLinks.Add("https://graph.example/delta?$deltatoken=fresh");
        mail.Down = true;

        // The mail service is down: the sweep still reads the 35 days and completes.
        await Graph(clock).SweepAsync(default);
        Assert.Contains(queue.Queued, w => w.Id == "AAMk-march");
        Assert.Empty(mail.Sent);

        // The next sweeps go on from the new delta link: nothing more is said, whatever the mail service does.
        mail.Down = false;
        mailbox.ExpiredLinks.Clear();
        clock.Advance(TimeSpan.FromMinutes(15));
        await Graph(clock).SweepAsync(default);
        Assert.Empty(mail.Sent);
    }

    [Fact]
    public async Task The_first_sweep_ever_looks_back_the_first_sweep_look_back()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2027, 3, 12, 17, 0, 0, TimeSpan.Zero));
        mailbox.Received["AAMk-old"] = clock.GetUtcNow().AddDays(-3);
        mailbox.Received["AAMk-recent"] = clock.GetUtcNow().AddHours(-3);

        await Graph(clock).SweepAsync(default);

        Assert.Equal(["AAMk-recent"], queue.Queued.Select(w => w.Id));
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromDays(1), mailbox.LastSince);
    }

    private sealed class FakeMailbox : IMailbox
    {
        public ConcurrentDictionary<string, byte[]> Messages { get; } = new();

        public ConcurrentBag<string> ExpiredLinks { get; } = [];

        public IReadOnlyList<string> Delta { get; set; } = [];

        /// <summary>The delta query's last page carries no delta link (an answer without a body).</summary>
        public bool NoDeltaLink { get; set; }

        /// <summary>Graph does not answer for a message: reading it fails as a 503 does.</summary>
        public bool Broken { get; set; }

        /// <summary>Graph takes the connection and never answers: reading it times out as HttpClient does.</summary>
        public bool TimesOut { get; set; }

        /// <summary>The mail service is down: the delta query fails as a 503 does.</summary>
        public bool Unavailable { get; set; }

        public Task<SubscriptionState> EnsureSubscriptionAsync(Uri notificationUrl, DateTimeOffset now, CancellationToken cancellationToken) =>
            Task.FromResult(new SubscriptionState("s-1", now.AddDays(3), SubscriptionChange.Unchanged));

        public Task<bool> ReauthorizeAsync(string subscriptionId, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<MailboxMessageInfo?> GetInfoAsync(string messageId, CancellationToken cancellationToken)
        {
            if (Broken)
            {
                throw new HttpRequestException("Graph is not answering", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }

            if (TimesOut)
            {
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.");
            }

            if (!Messages.TryGetValue(messageId, out var bytes))
            {
                return Task.FromResult<MailboxMessageInfo?>(null);
            }

            var parsed = MimeKit.MimeMessage.Load(new MemoryStream(bytes));
            return Task.FromResult<MailboxMessageInfo?>(new MailboxMessageInfo(messageId, "<" + parsed.MessageId + ">", [], DateTimeOffset.UtcNow));
        }

        public Task<Stream> OpenMimeAsync(string messageId, CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream(Messages[messageId]));

        public Task CategoriseAsync(MailboxMessageInfo message, IEnumerable<string> categories, CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>Mail in the inbox by when it was received: a delta query from a point in time reports those received since.</summary>
        public ConcurrentDictionary<string, DateTimeOffset> Received { get; } = new();

        /// <summary>The point in time the last delta query without a link started from.</summary>
        public DateTimeOffset? LastSince { get; private set; }

        public Task<DeltaPage> DeltaAsync(string? deltaLink, DateTimeOffset since, CancellationToken cancellationToken)
        {
            if (Unavailable)
            {
                throw new HttpRequestException("Service Unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }

            if (deltaLink is not null && ExpiredLinks.Contains(deltaLink))
            {
                throw new DeltaLinkExpiredException();
            }

            IReadOnlyList<string> ids = Delta;
            if (deltaLink is null)
            {
                LastSince = since;
                ids = [.. Delta, .. Received.Where(r => r.Value >= since).Select(r => r.Key)];
            }

            return Task.FromResult(new DeltaPage(ids, NoDeltaLink ? null : "https://graph.example/delta?$deltatoken=fresh"));
        }
    }

    private sealed class RecordingBacklog : IInboundMailBacklog
    {
        public ConcurrentQueue<MailWork> Queued { get; } = new();

        public string Name => "mail-inbound";

        public Task EnqueueAsync(IEnumerable<MailWork> work, CancellationToken cancellationToken)
        {
            foreach (var w in work)
            {
                Queued.Enqueue(w);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ReceivedMailWork>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CompleteAsync(ReceivedMailWork message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PoisonAsync(ReceivedMailWork message, CancellationToken cancellationToken) => throw new NotSupportedException();

        /// <summary>Items that failed every try and wait in the poison queue.</summary>
        public int Poisoned { get; set; }

        public Task<int> PendingAsync(CancellationToken cancellationToken) => Task.FromResult(Queued.Count + Poisoned);
    }

    private sealed class MemoryDeltaLinks : IDeltaLinkStorage
    {
        private readonly ConcurrentDictionary<string, string> links = new();

        public Task<string?> ReadAsync(string name, CancellationToken cancellationToken) => Task.FromResult(links.TryGetValue(name, out var l) ? l : null);

        public Task WriteAsync(string name, string deltaLink, CancellationToken cancellationToken)
        {
            links[name] = deltaLink;
            return Task.CompletedTask;
        }

        public Task<DateTimeOffset?> ReadSweptAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(links.TryGetValue(name + ".swept-at", out var at) ? DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture) : (DateTimeOffset?)null);

        public Task WriteSweptAsync(string name, DateTimeOffset startedAt, CancellationToken cancellationToken)
        {
            links[name + ".swept-at"] = startedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
    }

    private sealed class NoLock : IIntakeLock
    {
        public Task<IAsyncDisposable?> AcquireAsync(string name, TimeSpan wait, CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable?>(new Nothing());

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
