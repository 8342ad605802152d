using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.MailNotifications;

/// <summary>
/// The info@infomat.eu mailbox through Graph, after the notification endpoint has queued the work: each message is
/// read as MIME and handled by <see cref="MailIntake"/> once (a message already categorised or already recorded is not
/// handled again), then given the Outlook category and its case reference. Also keeps the subscription alive and runs
/// the delta sweep that finds what notifications missed.
/// </summary>
public sealed partial class GraphIntake(
    IMailbox mailbox,
    IInboundMailBacklog queue,
    MailIntake intake,
    ICaseRegister register,
    IDeltaLinkStorage deltaLinks,
    IIntakeLock locks,
    PrivacyMetrics metrics,
    IMailSender staffMail,
    IOptions<MailboxIntakeOptions> intakeOptions,
    IOptions<PrivacyOptions> privacyOptions,
    TimeProvider time,
    ILogger<GraphIntake> log) : IMailIntakeProgress
{
    public const string NotificationsRoute = "api/mail/notifications";

    /// <summary>The storage queue the Functions app's trigger reads (a constant, as the trigger attribute needs one).</summary>
    public const string InboundQueue = IInboundMailBacklog.DefaultName;

    private MailboxIntakeOptions Options => intakeOptions.Value;

    /// <summary>Whether the mailbox intake is on (<c>Mail:Graph:Mailbox</c> is set).</summary>
    public bool Enabled => Options.Enabled;

    /// <summary>Where Graph posts notifications: see <see cref="NotificationUrlFor"/>.</summary>
    public Uri NotificationUrl => NotificationUrlFor(privacyOptions.Value.PublicBaseUrl, Options.ClientState);

    /// <summary>
    /// The public base URL plus the notification route, and a fingerprint of the clientState (never the secret itself).
    /// A subscription is found again by this URL, so after the clientState is rotated the app creates a new subscription
    /// carrying the new secret instead of renewing the old one, whose notifications it now refuses.
    /// </summary>
    public static Uri NotificationUrlFor(Uri publicBaseUrl, string? clientState)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("graph-client-state:" + clientState));
        return new Uri(publicBaseUrl, $"{NotificationsRoute}?clientStateId={Convert.ToHexStringLower(digest)[..12]}");
    }

    /// <summary>Does one queued item, as the queue holds it (JSON). Throws when Graph or storage fails, so the queue tries again.</summary>
    public Task ProcessAsync(string item, DurableTaskClient client, CancellationToken cancellationToken) =>
        ProcessAsync(MailWork.Parse(item), client, cancellationToken);

    /// <summary>
    /// Does one queued item on its <paramref name="dequeueCount"/>-th try (the Functions trigger and the local host's
    /// poller both call this). A failure is thrown on, so the queue tries again; on the last try
    /// (<see cref="IInboundMailBacklog.MaxDequeueCount"/>) it is first counted and told (<see cref="PoisonedAsync"/>),
    /// as the item then goes to the poison queue. Nothing reads that queue but the redrive: its items must stay there,
    /// for ops to move back and for the mail intake's progress (decision 95) to wait on them.
    /// </summary>
    public async Task HandleQueuedAsync(string item, long dequeueCount, DurableTaskClient client, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessAsync(item, client, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && dequeueCount >= IInboundMailBacklog.MaxDequeueCount)
        {
            // Any failure but the host stopping, a Graph or storage timeout (a TaskCanceledException) too.
            try
            {
                await PoisonedAsync(item, cancellationToken);
            }
            catch (Exception untold) when (!cancellationToken.IsCancellationRequested)
            {
                // Counted already (the ops alert fires); the item still goes to the poison queue.
                PoisonedUntold(log, untold.GetType().Name);
            }

            throw;
        }
    }

    /// <summary>Does one queued item. Throws when Graph or storage fails, so the queue tries again.</summary>
    public async Task ProcessAsync(MailWork work, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        switch (work.Kind)
        {
            case MailWorkKind.Message when work.Id is { Length: > 0 } id:
                await HandleMessageAsync(id, client, cancellationToken);
                break;
            case MailWorkKind.Reauthorize when work.Id is { Length: > 0 } id:
                if (!await mailbox.ReauthorizeAsync(id, cancellationToken))
                {
                    await EnsureSubscriptionAsync(cancellationToken);
                }
                else
                {
                    Reauthorized(log, id);
                }

                break;
            case MailWorkKind.Resubscribe:
                await EnsureSubscriptionAsync(cancellationToken);
                break;
            case MailWorkKind.Sweep:
                await SweepAsync(cancellationToken);
                break;
            default:
                Malformed(log, work.Kind);
                break;
        }
    }

    /// <summary>
    /// An item that failed every try and goes to the poison queue (<c>mail-inbound-poison</c>): counted for the ops alert
    /// (<see cref="PrivacyMetrics.MailPoisoned"/>) and, for a mail, staff are told to handle it by hand, so it does not
    /// wait there unseen. Ops can move the item back to the inbound queue once the cause is fixed.
    /// </summary>
    public async Task PoisonedAsync(string item, CancellationToken cancellationToken)
    {
        metrics.MailWorkPoisoned();
        MailWork work;
        try
        {
            work = MailWork.Parse(item);
        }
        catch (System.Text.Json.JsonException)
        {
            Malformed(log, MailWorkKind.Message);
            return;
        }

        PoisonedItem(log, work.Kind);
        if (work.Kind == MailWorkKind.Message && work.Id is { Length: > 0 } id)
        {
            var o = privacyOptions.Value;
            await log.SendToStaffAsync(staffMail, o.Staff, "Mailbox message " + id, "failed every try", to => PrivacyMails.MailNotHandled(PrivacyMails.MailProblem.FailedEveryTry, id, time.GetUtcNow(), to, o.Staff.Language), cancellationToken);
        }
    }

    public async Task<MailIntakeResult?> HandleMessageAsync(string messageId, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var message = await mailbox.GetInfoAsync(messageId, cancellationToken);
        if (message is null)
        {
            // Gone before it was read. Handled earlier (then deleted by staff)? Fine. Otherwise staff must look for it.
            Gone(log);
            if (await register.UsedForAsync(GraphMarkerFor(messageId), cancellationToken) is null)
            {
                var o = privacyOptions.Value;
                await log.SendToStaffAsync(staffMail, o.Staff, "Mailbox message " + messageId, "gone before handled", to => PrivacyMails.MailNotHandled(PrivacyMails.MailProblem.Gone, messageId, time.GetUtcNow(), to, o.Staff.Language), cancellationToken);
            }

            return null;
        }

        if (message.Categories.Contains(Options.Category, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        // Seen before (notified twice, or found again by the sweep)? Then only make sure it carries its category.
        MailIntakeResult result;
        if (message.InternetMessageId is { Length: > 0 } internetId
            && await register.UsedForAsync(MailIntake.MarkerFor(internetId), cancellationToken) is { } earlier)
        {
            result = new MailIntakeResult(MailOutcome.AlreadyHandled, earlier == "-" ? null : earlier, "message handled before");
        }
        else
        {
            await using var mime = await mailbox.OpenMimeAsync(messageId, cancellationToken);
            result = await intake.HandleAsync(mime, message.ReceivedAt, client, cancellationToken);
        }

        if (CategoriesFor(result) is { Count: > 0 } categories)
        {
            await mailbox.CategoriseAsync(message, categories, cancellationToken);
        }

        // Remembered by the mailbox's id too, so a notification that comes again after staff deleted the mail is no alarm.
        await register.TryConsumeTokenAsync(GraphMarkerFor(messageId), result.CaseId ?? "-", cancellationToken);
        return result;
    }

    /// <summary>The register key that records a mailbox message (by its Graph id) as handled.</summary>
    private static string GraphMarkerFor(string messageId) =>
        "graph." + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId)))[..40];

    /// <summary>Mails that became or joined a case get the category and the case reference; triage mail the category alone.</summary>
    private List<string> CategoriesFor(MailIntakeResult result) =>
        result.CaseId is { } caseId ? [Options.Category, caseId]
        : result.Outcome == MailOutcome.SentToTriage ? [Options.Category]
        : [];

    /// <summary>
    /// Creates the subscription when missing, renews it when due. Every instance does this at start-up: the check and the
    /// creation happen under a lock shared by all instances, so two cold starts make one subscription, not two.
    /// </summary>
    public async Task<SubscriptionState> EnsureSubscriptionAsync(CancellationToken cancellationToken)
    {
        await using var held = await locks.AcquireAsync(queue.Name + ".subscription", TimeSpan.FromMinutes(2), cancellationToken)
            ?? throw new TimeoutException("Another instance held the mailbox subscription lock for two minutes; the check runs again at the next timer.");
        var state = await mailbox.EnsureSubscriptionAsync(NotificationUrl, time.GetUtcNow(), cancellationToken);
        Subscription(log, state.Id, state.Change, state.ExpiresAt);
        return state;
    }

    /// <summary>The latest moment this instance has found the mailbox read through (such a moment stays true), in UTC ticks.</summary>
    private long readThroughTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>
    /// The moment before which every mail the mailbox received has been handled: the start of the last complete sweep
    /// (less <see cref="MailSweep.Settle"/>) once the inbound queue and its poison queue are empty, since that sweep queued
    /// every inbox mail received before it that earlier sweeps had not, and an empty queue means each was handled.
    /// While items are queued or poisoned, the last moment this instance found; before any sweep, none. With the mailbox
    /// intake off no mail is read, so nothing can be waiting.
    /// </summary>
    /// <remarks>
    /// Not covered: mail that reaches the inbox later with an older receipt time (moved there from Junk by hand): left to
    /// staff, as before. A sweep that restarts after the mail service forgot its delta link (410) looks back to the last
    /// complete sweep (<see cref="MailSweep.LookBackFrom"/>), so its moment stays true.
    /// </remarks>
    public async Task<DateTimeOffset> ReadThroughAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return time.GetUtcNow();
        }

        // The sweep's moment first, then the queue: items its sweep queued are then either still counted or handled.
        if (await deltaLinks.ReadSweptAsync(queue.Name, cancellationToken) is { } swept && await queue.PendingAsync(cancellationToken) == 0)
        {
            var through = (swept - MailSweep.Settle).UtcTicks;
            var known = Interlocked.Read(ref readThroughTicks);
            while (through > known && Interlocked.CompareExchange(ref readThroughTicks, through, known) != known)
            {
                known = Interlocked.Read(ref readThroughTicks);
            }
        }

        return new DateTimeOffset(Interlocked.Read(ref readThroughTicks), TimeSpan.Zero);
    }

    /// <summary>
    /// Queues every inbox message the delta query reports since the last sweep; returns how many. Once all is queued,
    /// records when it began (<see cref="ReadThroughAsync"/>).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        // No link (the first sweep, or the link was lost): from the first-sweep look-back, or the last complete sweep.
        var deltaLink = await deltaLinks.ReadAsync(queue.Name, cancellationToken);
        DeltaPage page;
        SweepStart? start = null;
        try
        {
            start = deltaLink is null ? await LookBackFromAsync(started, cancellationToken) : null;
            page = await mailbox.DeltaAsync(deltaLink, start?.From ?? started, cancellationToken);
        }
        catch (DeltaLinkExpiredException)
        {
            // The mail service forgot where the last sweep stopped (410): start again from before the last complete
            // sweep (or the first-sweep look-back, when that goes further). Mail handled meanwhile carries its category
            // or marker, so looking again costs a read, not a second case.
            start = await LookBackFromAsync(started, cancellationToken);
            DeltaReset(log, started - start.From);
            deltaLink = null;
            page = await mailbox.DeltaAsync(null, start.From, cancellationToken);
        }

        await queue.EnqueueAsync(page.MessageIds.Select(id => new MailWork(MailWorkKind.Message, id)), cancellationToken);
        if (page.DeltaLink is { Length: > 0 } next && next != deltaLink)
        {
            await deltaLinks.WriteAsync(queue.Name, next, cancellationToken);
        }

        if (page.DeltaLink is { Length: > 0 })
        {
            // A round of the delta query is complete when it ends with a delta link.
            await deltaLinks.WriteSweptAsync(queue.Name, started, cancellationToken);
            if (start?.UnreadSince is { } unreadSince)
            {
                // Once, after the sweep that read from start.From completed (an attempt that failed says nothing: the
                // next one looks from the same last sweep again), and never in the way of the read.
                await TellNotSweptAsync(unreadSince, start.From, cancellationToken);
            }
        }

        Swept(log, page.MessageIds.Count);
        return page.MessageIds.Count;
    }

    /// <summary>From when a sweep without a delta link asks for mail (<see cref="MailSweep.LookBackFrom"/>).</summary>
    private async Task<SweepStart> LookBackFromAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        MailSweep.LookBackFrom(now, await deltaLinks.ReadSweptAsync(queue.Name, cancellationToken), Options.FirstSweepLookback);

    /// <summary>
    /// The intake was stopped for longer than a sweep looks back: ops get an error log and staff a mail naming the
    /// stretch of mail it did not read. A mail that cannot go is logged too (ops have the stretch from the log).
    /// </summary>
    private async Task TellNotSweptAsync(DateTimeOffset unreadSince, DateTimeOffset from, CancellationToken cancellationToken)
    {
        NotSwept(log, unreadSince, from);
        try
        {
            var o = privacyOptions.Value;
            await log.SendToStaffAsync(staffMail, o.Staff, "Mailbox sweep", "not swept", to => PrivacyMails.MailNotSwept(unreadSince, from, to, o.Staff.Language), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            NotSweptNotTold(log, ex.GetType().Name);
        }
    }

    [LoggerMessage(154, LogLevel.Error, "The mailbox was not swept from {UnreadSince:o} to {From:o} (the intake was stopped for longer than a sweep looks back); staff are told")]
    private static partial void NotSwept(ILogger logger, DateTimeOffset unreadSince, DateTimeOffset from);

    [LoggerMessage(155, LogLevel.Error, "The staff mail naming the mail not swept could not be sent ({Error}); the stretch is in the log before this one")]
    private static partial void NotSweptNotTold(ILogger logger, string error);

    [LoggerMessage(70, LogLevel.Information, "Graph subscription {SubscriptionId}: {Change}, expires {ExpiresAt:o}")]
    private static partial void Subscription(ILogger logger, string subscriptionId, SubscriptionChange change, DateTimeOffset expiresAt);

    [LoggerMessage(71, LogLevel.Information, "Graph subscription {SubscriptionId} reauthorised")]
    private static partial void Reauthorized(ILogger logger, string subscriptionId);

    [LoggerMessage(72, LogLevel.Information, "Delta sweep queued {Count} messages")]
    private static partial void Swept(ILogger logger, int count);

    [LoggerMessage(73, LogLevel.Information, "A notified message no longer exists in the mailbox")]
    private static partial void Gone(ILogger logger);

    [LoggerMessage(75, LogLevel.Warning, "Delta link expired: the sweep starts again from {LookBack} ago (the last complete sweep, or the first-sweep look-back)")]
    private static partial void DeltaReset(ILogger logger, TimeSpan lookBack);

    [LoggerMessage(187, LogLevel.Error, "A mail work item failed every try and goes to the poison queue, but the staff mail naming it could not be sent ({Error}); the item stays in the poison queue")]
    private static partial void PoisonedUntold(ILogger logger, string error);

    [LoggerMessage(76, LogLevel.Error, "Mail work item of kind {Kind} failed every try and goes to the poison queue; staff are told for a mail")]
    private static partial void PoisonedItem(ILogger logger, MailWorkKind kind);

    [LoggerMessage(74, LogLevel.Warning, "Mail work item of kind {Kind} without an id was dropped")]
    private static partial void Malformed(ILogger logger, MailWorkKind kind);
}
