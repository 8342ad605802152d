using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

using Azure.Data.Tables;

using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.TestSupport;

using MimeKit;

namespace Infomat.Privacy.IntegrationTests.Soak;

/// <summary>One mail the host sent (from the pickup folder).</summary>
public sealed record SentMail(string File, string Kind, string RequestId, string To);

/// <summary>
/// The soak run of issue 14: the local host against its own Azurite with faults injected (storage 503s, mail 503s and
/// timeouts, one store down for a while, the process killed and restarted at random moments), a few hundred requests
/// across every right and both channels with double submissions and duplicate mails, requesters and staff acting on
/// their mails (some at the verification deadline's edge, some never), then the register and the mail folder judged.
/// </summary>
public sealed partial class SoakRun(SoakSettings settings, Action<string> log) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions RegisterJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly string[] AnswerKinds = ["export-ready", "action-report", "rejection"];

    private readonly Azurite azurite = new();
    private readonly Random random = new(settings.Seed);
    private readonly ConcurrentDictionary<string, SentMail> mails = new();
    private readonly ConcurrentDictionary<string, SoakTrack> byCase = new();
    private readonly ConcurrentDictionary<string, bool> acted = new();
    private readonly ConcurrentBag<Task> actions = [];
    private readonly List<FaultCounts> faultsPerLife = [];
    private FaultCounts currentFaults = new(0, 0, 0, 0);
    private LocalHostProcess host = null!;
    private SoakPeople people = null!;
    private Dictionary<int, SoakTrack> tracks = [];
    private int kills;
    private int staffRetries;

    public async Task<SoakReport> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        await azurite.InitializeAsync();
        var plan = SoakPlanner.Plan(settings);
        tracks = plan.ToDictionary(r => r.Index, r => new SoakTrack(r));
        // The host starts first (its start takes a few seconds); requests come from then on.
        var lead = TimeSpan.FromSeconds(15);
        var start = DateTimeOffset.UtcNow + lead;
        var faultsUntil = start + settings.SubmissionWindow + settings.FaultTail;
        var outageFrom = start + ((faultsUntil - start - settings.StoreOutage) / 2);
        host = new LocalHostProcess(azurite, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.DurableTask"] = Environment.GetEnvironmentVariable("SOAK_DURABLE_LOG") ?? "Warning",
            ["Privacy__Intake__PerClientLimit"] = "100000",
            ["Privacy__Intake__PerAddressLimit"] = "100000",
            ["Privacy__Verification__Timeout"] = Span(settings.VerificationTimeout),
            ["Privacy__Approval__ReminderAfter"] = Span(settings.ReminderAfter),
            ["Privacy__Approval__Timeout"] = Span(settings.ReminderAfter * 3),
            ["LocalHost__ReconcileInterval"] = Span(settings.ReconcileInterval),
            ["LocalHost__Faults__Enabled"] = "true",
            ["LocalHost__Faults__Seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["LocalHost__Faults__Until"] = faultsUntil.ToString("O"),
            ["LocalHost__Faults__StorageFailureRate"] = settings.StorageFailureRate.ToString(CultureInfo.InvariantCulture),
            ["LocalHost__Faults__MailFailureRate"] = "0.1",
            ["LocalHost__Faults__MailTimeoutRate"] = "0.05",
            ["LocalHost__Faults__MailTimeout"] = "00:00:03",
            ["LocalHost__Faults__StoreDown"] = "be/crm",
            ["LocalHost__Faults__StoreDownFrom"] = outageFrom.ToString("O"),
            ["LocalHost__Faults__StoreDownUntil"] = (outageFrom + settings.StoreOutage).ToString("O"),
        });
        people = new SoakPeople(() => host.BaseUrl, TimeSpan.FromMinutes(3));
        await host.StartAsync();
        log($"soak: {settings.Cases} requests, seed {settings.Seed}, storage 503 on {settings.StorageFailureRate:P0} of tries, {settings.Kills} kill(s), faults until {faultsUntil:HH:mm:ss}Z, store be/crm down {outageFrom:HH:mm:ss}Z for {settings.StoreOutage.TotalSeconds} s");

        using var stop = new CancellationTokenSource();
        var watcher = WatchMailAsync(stop.Token);
        var monitor = MonitorFaultsAsync(stop.Token);
        var chaos = ChaosAsync(start, faultsUntil);
        await Task.Delay(Max(TimeSpan.Zero, start - DateTimeOffset.UtcNow));
        await Task.WhenAll(plan.Select(r => SubmitAsync(r, start)));
        await chaos;
        log($"soak: submitted at {clock.Elapsed.TotalSeconds:F0} s; settling");

        // Every request then ends, or waits on a person who does not act. The local engine runs two activities at a time,
        // so a few hundred cases take minutes to drain: the wait goes on while the unsettled cases move, and stops when
        // none has moved for longer than any of their timers (what is left then is stuck), or at the cap.
        await SettleAsync(faultsUntil + settings.VerificationTimeout + settings.SettleTail, settings.Quiet);
        foreach (var failed in (await ReadRegisterAsync()).Where(c => c.Status == CaseStatus.Failed))
        {
            // Staff work the case list: a failed case is retried from its page.
            if (await people.RetryAsync(failed.Id))
            {
                staffRetries++;
            }
        }

        await SettleAsync(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(staffRetries > 0 ? 45 : 5), settings.Quiet);
        await Task.WhenAll(actions);
        await ScanMailAsync();
        var report = await JudgeAsync(clock.Elapsed);
        // The host's log (ids and counts only, no personal data) beside the report, for whoever reads a failure.
        var artifacts = Path.Combine(Repo.Root, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "soak-host.log"), host.Output);
        await stop.CancelAsync();
        await Task.WhenAll(watcher, monitor);
        return report;
    }

    private async Task SubmitAsync(SoakRequest r, DateTimeOffset start)
    {
        await Task.Delay(Max(TimeSpan.Zero, start + r.SubmitAt - DateTimeOffset.UtcNow));
        var track = tracks[r.Index];
        if (r.Channel == SoakChannel.Form)
        {
            // A double submission: the same page's form sent twice at once (a double click); each post that meets an
            // error is sent again from the page that came back, which carries the same submission.
            var submission = await people.OpenFormAsync(r.Language);
            var ids = await Task.WhenAll(Enumerable.Range(0, r.Duplicate ? 2 : 1).Select(_ => people.SubmitFormAsync(r, track, submission)));
            foreach (var id in ids.OfType<string>())
            {
                byCase[id] = track;
            }

            return;
        }

        var receivedAt = DateTimeOffset.UtcNow - r.MailAge;
        var message = SoakMail.For(r, receivedAt.AddMinutes(-1), settings.Seed);
        await SoakMail.DropAsync(message, host.InboxDirectory, $"soak-{r.Index:D4}-a.eml", receivedAt);
        lock (track.Gate)
        {
            track.Accepted = true;
            track.ReceivedBy = receivedAt;
            track.Submissions++;
        }

        if (r.Duplicate)
        {
            // The same message delivered again (a duplicate notification): once at once, once a while later.
            await SoakMail.DropAsync(message, host.InboxDirectory, $"soak-{r.Index:D4}-b.eml", receivedAt);
            await Task.Delay(TimeSpan.FromSeconds(5 + random.Next(10)));
            await SoakMail.DropAsync(message, host.InboxDirectory, $"soak-{r.Index:D4}-c.eml", receivedAt);
        }
    }

    /// <summary>Kills the host process (no shutdown) at random moments of the fault window and starts it again.</summary>
    private async Task ChaosAsync(DateTimeOffset start, DateTimeOffset faultsUntil)
    {
        var window = (faultsUntil - start).TotalSeconds;
        var moments = Enumerable.Range(0, settings.Kills).Select(_ => start.AddSeconds(5 + (random.NextDouble() * (window - 10)))).Order().ToList();
        foreach (var moment in moments)
        {
            await Task.Delay(Max(TimeSpan.Zero, moment - DateTimeOffset.UtcNow));
            await host.StopAsync();
            lock (faultsPerLife)
            {
                faultsPerLife.Add(currentFaults);
                currentFaults = new(0, 0, 0, 0);
            }

            kills++;
            log($"soak: host killed at {DateTimeOffset.UtcNow:HH:mm:ss}Z");
            await Task.Delay(TimeSpan.FromSeconds(1 + random.Next(4)));
            await host.StartAsync();
        }
    }

    private async Task MonitorFaultsAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var counts = await http.GetFromJsonAsync<FaultCounts>(host.BaseUrl + "/local/faults", cancellationToken);
                if (counts is not null)
                {
                    lock (faultsPerLife)
                    {
                        currentFaults = counts.Storage503 >= currentFaults.Storage503 ? counts : currentFaults;
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchMailAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ScanMailAsync();
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads new mails from the pickup folder and has their readers act on them.</summary>
    private async Task ScanMailAsync()
    {
        foreach (var file in Directory.GetFiles(host.MailDirectory, "*.eml").Order(StringComparer.Ordinal))
        {
            if (mails.ContainsKey(file))
            {
                continue;
            }

            var message = await MimeMessage.LoadAsync(file);
            var mail = new SentMail(file, message.Headers["X-Infomat-Kind"] ?? string.Empty, message.Headers["X-Infomat-Request-Id"] ?? string.Empty, message.To.Mailboxes.FirstOrDefault()?.Address ?? string.Empty);
            if (mails.TryAdd(file, mail))
            {
                actions.Add(ActOnAsync(mail, message.TextBody ?? string.Empty));
            }
        }
    }

    private async Task ActOnAsync(SentMail mail, string text)
    {
        try
        {
            await ActAsync(mail, text);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or Azure.RequestFailedException)
        {
            // A mail without the expected link (a due-date reminder is also a "reminder"), or the register not readable yet.
            log($"soak: no action on a {mail.Kind} mail ({ex.GetType().Name})");
        }
    }

    private async Task ActAsync(SentMail mail, string text)
    {
        var track = await TrackOfAsync(mail.RequestId);
        if (track is null)
        {
            return;
        }

        var r = track.Request;
        var baseUrl = host.BaseUrl;
        switch (mail.Kind)
        {
            case "verification" when r.Requester != RequesterBehaviour.NeverConfirms && acted.TryAdd(mail.RequestId + "/verify", true):
                if (r.Requester == RequesterBehaviour.ConfirmsAtTheEdge && await ReadCaseAsync(mail.RequestId) is { } c)
                {
                    var edge = c.ReceivedAt + settings.VerificationTimeout + TimeSpan.FromSeconds(r.EdgeOffsetSeconds);
                    await Task.Delay(Max(TimeSpan.Zero, edge - DateTimeOffset.UtcNow));
                }
                else
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2000)));
                }

                await people.ConfirmAsync(mail.RequestId, Mailbox.Link(ToMessage(text), baseUrl + "/verify?token="), track);
                break;

            case "approval-request" or "reminder" when r.Staff != StaffBehaviour.Idle && !Has(track, track.Decided, mail.RequestId) && acted.TryAdd(mail.File, true):
                // Staff act on the request, or on a reminder when their first try did not go through.
                if (mail.Kind == "approval-request" || !acted.ContainsKey(mail.RequestId + "/deciding"))
                {
                    acted.TryAdd(mail.RequestId + "/deciding", true);
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(3000)));
                    await people.DecideAsync(mail.RequestId, Mailbox.Link(ToMessage(text), baseUrl + "/approvals?token="), track);
                    acted.TryRemove(mail.RequestId + "/deciding", out _);
                }

                break;

            case "staff-task" when ToMessage(text).TextBody?.Contains("/review?token=", StringComparison.Ordinal) == true:
                // The review of an access export's free text (Art. 15(4)): a colleague withholds nothing and builds it.
                if (!r.LeaveTasksOpen && !Has(track, track.TasksDone, mail.RequestId) && acted.TryAdd(mail.File, true))
                {
                    await people.ReviewAsync(mail.RequestId, Mailbox.Link(ToMessage(text), baseUrl + "/review?token="), track);
                }

                break;

            case "staff-task" when !r.LeaveTasksOpen && !Has(track, track.TasksDone, mail.RequestId) && acted.TryAdd(mail.File, true):
                await people.DoTasksAsync(mail.RequestId, Mailbox.Link(ToMessage(text), baseUrl + "/tasks?token="), track);
                break;
        }
    }

    private static bool Has(SoakTrack track, HashSet<string> cases, string caseId)
    {
        lock (track.Gate)
        {
            return cases.Contains(caseId);
        }
    }

    private static MimeMessage ToMessage(string text) => new() { Body = new TextPart("plain") { Text = text } };

    /// <summary>The planned request a case belongs to, by the name the soak gave its requester.</summary>
    private async Task<SoakTrack?> TrackOfAsync(string caseId)
    {
        if (byCase.TryGetValue(caseId, out var known))
        {
            return known;
        }

        if (!CaseIds.IsWellFormed(caseId) || await ReadCaseAsync(caseId) is not { } c || SoakName().Match(c.Name) is not { Success: true } m)
        {
            return null;
        }

        var track = tracks.GetValueOrDefault(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        if (track is not null)
        {
            byCase[caseId] = track;
        }

        return track;
    }

    private TableClient Cases => new(azurite.ConnectionString, "PrivacyCases");

    private async Task<PrivacyCase?> ReadCaseAsync(string caseId)
    {
        var row = await Cases.GetEntityIfExistsAsync<TableEntity>(caseId, "case");
        return row.HasValue ? JsonSerializer.Deserialize<PrivacyCase>(row.Value!.GetString("Data"), RegisterJson) : null;
    }

    private async Task<List<PrivacyCase>> ReadRegisterAsync()
    {
        var all = new List<PrivacyCase>();
        try
        {
            await foreach (var row in Cases.QueryAsync<TableEntity>(e => e.RowKey == "case"))
            {
                all.Add(JsonSerializer.Deserialize<PrivacyCase>(row.GetString("Data"), RegisterJson)!);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No case yet.
        }

        return all;
    }

    /// <summary>
    /// Waits until every request is answered, closed, failed, or waits on a person who will not act; at most until
    /// <paramref name="until"/>, and not longer than <paramref name="quiet"/> after the unsettled cases last moved.
    /// </summary>
    private async Task SettleAsync(DateTimeOffset until, TimeSpan quiet)
    {
        var nextProgress = DateTimeOffset.UtcNow;
        var lastMove = DateTimeOffset.UtcNow;
        var lastState = "";
        while (DateTimeOffset.UtcNow < until && DateTimeOffset.UtcNow - lastMove < quiet)
        {
            var register = await ReadRegisterAsync();
            var byRequest = register.Select(c => (Case: c, Match: SoakName().Match(c.Name))).Where(x => x.Match.Success)
                .ToLookup(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x => x.Case);
            var open = tracks.Values.Where(t => !Settled(t, [.. byRequest[t.Request.Index]])).ToList();
            var unsettled = open.Count;
            if (unsettled == 0 && Directory.GetFiles(host.InboxDirectory, "*.eml").Length == 0)
            {
                return;
            }

            // A move: any unsettled case took a step (a status, a mail recorded, a link used) since the last look.
            var state = string.Join(";", open.SelectMany(t => byRequest[t.Request.Index]).Select(c => $"{c.Id}:{c.Status}:{c.History.Count}:{c.AcknowledgedAt}:{c.ApprovalMailSentAt}:{c.Holdings?.Count}:{c.ExportBlobName}:{c.AnswerSentAt}:{c.Restarts.Count}"));
            if (state != lastState)
            {
                lastState = state;
                lastMove = DateTimeOffset.UtcNow;
            }

            if (DateTimeOffset.UtcNow >= nextProgress)
            {
                // Whether the unsettled cases still move (throughput) or stand still (a hang) is read from these lines.
                nextProgress = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
                log($"soak: settling, {unsettled} request(s) unsettled; register: " +
                    string.Join(", ", register.GroupBy(c => c.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }

    private static bool Settled(SoakTrack t, List<PrivacyCase> cases)
    {
        if (cases.Count == 0)
        {
            return !t.Accepted;
        }

        return cases.All(c => c.Status.IsFinished()
            || (c.Status == CaseStatus.AwaitingIdentityApproval && t.Request.Staff == StaffBehaviour.Idle)
            || (c.Status == CaseStatus.AwaitingStaffAction && t.Request.LeaveTasksOpen));
    }

    private async Task<SoakReport> JudgeAsync(TimeSpan elapsed)
    {
        var register = await ReadRegisterAsync();
        var soakCases = register.Select(c => (Case: c, Match: SoakName().Match(c.Name))).Where(x => x.Match.Success)
            .Select(x => (x.Case, Track: tracks[int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture)])).ToList();
        var answers = mails.Values.Where(m => AnswerKinds.Contains(m.Kind)).GroupBy(m => m.RequestId).ToDictionary(g => g.Key, g => g.Count());
        var report = new SoakReport { Seed = settings.Seed, Requests = tracks.Count, Kills = kills, StaffRetries = staffRetries, Seconds = (int)elapsed.TotalSeconds };
        lock (faultsPerLife)
        {
            var lives = faultsPerLife.Append(currentFaults).ToList();
            report.Faults = new FaultCounts(lives.Sum(f => f.Storage503), lives.Sum(f => f.Mail503), lives.Sum(f => f.MailTimeouts), lives.Sum(f => f.StoreDownRefusals));
        }

        report.Submissions = tracks.Values.Sum(t => t.Submissions);
        report.FormRequests = tracks.Values.Count(t => t.Request.Channel == SoakChannel.Form);
        report.MailRequests = tracks.Values.Count(t => t.Request.Channel == SoakChannel.Mail);
        report.DoubleSubmissions = tracks.Values.Count(t => t.Request.Duplicate && t.Request.Channel == SoakChannel.Form);
        report.DuplicateMailDrops = tracks.Values.Count(t => t.Request.Duplicate && t.Request.Channel == SoakChannel.Mail);
        report.NotAccepted = tracks.Values.Count(t => !t.Accepted);
        report.ErrorsSeenByPeople = tracks.Values.Sum(t => t.ServerErrors);
        report.CasesReceived = soakCases.Count;
        report.InboxLeftOver = Directory.GetFiles(host.InboxDirectory, "*.eml").Length
            + (Directory.Exists(Path.Combine(host.InboxDirectory, "failed")) ? Directory.GetFiles(Path.Combine(host.InboxDirectory, "failed")).Length : 0);

        foreach (var t in tracks.Values)
        {
            var cases = soakCases.Where(x => x.Track == t).Select(x => x.Case).ToList();
            if (t.Accepted && cases.Count == 0)
            {
                report.Lost.Add($"R{t.Request.Index:D4} ({t.Request.Channel}, {t.Request.Right})");
            }

            if (cases.Count > 1)
            {
                report.DuplicateCases.Add($"R{t.Request.Index:D4} ({t.Request.Channel}, {t.Request.Right}): {string.Join(", ", cases.Select(c => $"{c.Id} {c.Status}"))}");
            }
        }

        var map = TestDataMaps.Real;
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        var caseList = await http.GetStringAsync("/cases");
        foreach (var (c, t) in soakCases)
        {
            var answerMails = answers.GetValueOrDefault(c.Id);
            var key = $"{c.Id} (R{t.Request.Index:D4}, {t.Request.Channel}, {t.Request.Right})";
            if (answerMails > 1)
            {
                report.DuplicateAnswerMails.Add($"{key}: {answerMails} answer mails");
            }

            if (t.ReceivedBy is { } receivedBy && c.FirstDueDate > Deadlines.DueDateCalculator.DueDate(receivedBy, c.Entity, map))
            {
                report.LateDueDates.Add($"{key}: due {c.FirstDueDate:yyyy-MM-dd}, received by {receivedBy:yyyy-MM-dd HH:mm}Z allows {Deadlines.DueDateCalculator.DueDate(receivedBy, c.Entity, map):yyyy-MM-dd}");
            }

            switch (c.Status)
            {
                case CaseStatus.Completed or CaseStatus.Rejected or CaseStatus.Expired:
                    report.Count(c.Status.ToString());
                    if (answerMails == 0)
                    {
                        report.ClosedUnanswered.Add($"{key}: {c.Status} without an answer mail");
                    }

                    if (c.Status == CaseStatus.Expired && t.Confirmed.Contains(c.Id))
                    {
                        report.ExpiredAfterConfirmation.Add(
                            $"{key}: requester {t.Request.Requester} ({t.Request.EdgeOffsetSeconds:+0.0;-0.0} s), {t.ConfirmNotes.GetValueOrDefault(c.Id)}; received {c.ReceivedAt:HH:mm:ss.f}Z, " +
                            $"history {string.Join(" > ", c.History.Select(h => $"{h.Status} {h.At:HH:mm:ss.f}"))}");
                    }

                    break;

                case CaseStatus.Failed:
                    report.Count("Failed");
                    if (!caseList.Contains(c.Id, StringComparison.Ordinal))
                    {
                        report.Stuck.Add($"{key}: Failed but not on the staff case list");
                    }

                    break;

                default:
                    var why = await WhyOpenAsync(http, c, t);
                    if (why.StartsWith("stuck", StringComparison.Ordinal))
                    {
                        report.Stuck.Add($"{key}: {c.Status}, {why}");
                    }
                    else
                    {
                        report.Count("Open: " + why);
                    }

                    break;
            }
        }

        return report;
    }

    /// <summary>Why an open case is open: it waits on a person (and its orchestration is alive to go on), or it is stuck.</summary>
    private static async Task<string> WhyOpenAsync(HttpClient http, PrivacyCase c, SoakTrack t)
    {
        string runtime;
        string? waits = null;
        try
        {
            using var response = await http.GetAsync($"/local/orchestrations/{c.Id}");
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                runtime = json.RootElement.GetProperty("runtimeStatus").GetString() ?? "?";
                waits = json.RootElement.GetProperty("customStatus").ValueKind == JsonValueKind.String ? json.RootElement.GetProperty("customStatus").GetString() : null;
            }
            else
            {
                runtime = "none";
            }
        }
        catch (HttpRequestException)
        {
            runtime = "unknown";
        }

        if (runtime is not ("Running" or "Pending"))
        {
            return $"stuck: no live orchestration ({runtime})";
        }

        return c.Status switch
        {
            CaseStatus.AwaitingEmailVerification when t.Confirmed.Contains(c.Id) => "stuck: waits for a confirmation the requester gave",
            CaseStatus.AwaitingEmailVerification when DateTimeOffset.UtcNow > c.ReceivedAt + TimeSpan.FromMinutes(10) => "stuck: verification deadline long past",
            CaseStatus.AwaitingEmailVerification => "waiting on the requester (address)",
            CaseStatus.AwaitingIdentityApproval when t.Decided.Contains(c.Id) => "stuck: waits for a decision staff gave",
            CaseStatus.AwaitingIdentityApproval => "waiting on staff (identity decision)",
            CaseStatus.AwaitingStaffAction when t.TasksDone.Contains(c.Id) => "stuck: waits for tasks staff did",
            CaseStatus.AwaitingStaffAction => "waiting on staff (tasks)",
            _ => $"stuck: {c.Status} with nobody to act (orchestration {runtime}, waits on {waits ?? "no event"}; last step {c.History.LastOrDefault()?.At:HH:mm:ss}Z)",
        };
    }

    private static string Span(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [GeneratedRegex("^Soak R([0-9]{4})")]
    private static partial Regex SoakName();

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await azurite.DisposeAsync();
    }
}
