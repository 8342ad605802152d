using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

using Azure.Data.Tables;

using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.IntegrationTests.Soak;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Options;

using MimeKit;

namespace Infomat.Privacy.IntegrationTests.Spike;

/// <summary>What happened to one request of the spike, seen from the requester's side.</summary>
public sealed class SpikeTrack(SpikeRequest request)
{
    public SpikeRequest Request { get; } = request;

    /// <summary>When the form was posted, or the mail delivered into the inbox (its receipt).</summary>
    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public int Status { get; set; }

    /// <summary>The form's 303 named the case, or the mail was delivered.</summary>
    public bool Accepted { get; set; }

    public string? CaseId { get; set; }

    public DateTimeOffset? VerificationAt { get; set; }

    public int ConfirmStatus { get; set; }
}

/// <summary>
/// A look at the case list by a browser that is a process of its own (<c>curl</c>, a new connection each time), right
/// after the driver's own look: its time from its own clock (curl's <c>time_total</c>, the connection included), and the
/// page's account of its steps (<c>Server-Timing</c>). Null figures when curl could not run.
/// </summary>
public sealed record BrowserLook(string Path, TimeSpan Took, int Status, double ConnectMs, double FirstByteMs, string? ServerTiming)
{
    /// <summary>The page's own account, read as the driver's look reads it (its steps, whether the list came from its copy).</summary>
    private readonly CaseListLook page = new(Path, Took, Status, -1, ServerTiming);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Took.TotalSeconds:F2} s ({Path}: {Status}, connect {ConnectMs:F0} ms, first byte {FirstByteMs:F0} ms, server {string.Join(", ", page.Steps.Select(s => $"{s.Key} {s.Value:F0}"))}{(page.FromCopy ? ", list from the copy" : "")})");
}

/// <summary>One look at the case list: the client's time, and the page's own account of it (its <c>Server-Timing</c> header).</summary>
public sealed record CaseListLook(string Path, TimeSpan Took, int Status, int Cases, string? ServerTiming = null)
{
    private readonly IReadOnlyDictionary<string, (double Ms, string? Description)> entries = ServerTimingHeader.Parse(ServerTiming);

    /// <summary>The server's steps in milliseconds (before, auth, list, page, gc), from <see cref="ServerTiming"/>.</summary>
    public IReadOnlyDictionary<string, double> Steps => entries.Where(e => e.Key is not ("pool" or "paused" or "poolwait" or "late" or "clock")).ToDictionary(e => e.Key, e => e.Value.Ms);

    /// <summary>The machine's monotonic clock (<see cref="Stopwatch"/> ticks) as the client handed the request over, and as its headers came.</summary>
    public (long Sent, long Headers)? ClientClock { get; init; }

    /// <summary>The host's account of the same clock: where it began (its HTTP layer read the request) and as its page ended.</summary>
    public (long Start, long End)? HostClock => entries.TryGetValue("clock", out var clock)
        && clock.Description?.Split(' ') is [var start, var end]
        && long.TryParse(start, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
        && long.TryParse(end, NumberStyles.Integer, CultureInfo.InvariantCulture, out var e)
            ? (s, e)
            : null;

    /// <summary>From the client handing the request over until the host's HTTP layer read it (the kernel, the host's socket engine thread, the socket transport's I/O queue and thread-pool hops), by the machine's clock.</summary>
    public double? ToHostMs => ClientClock is { } client && HostClock is { } host ? Stopwatch.GetElapsedTime(client.Sent, host.Start).TotalMilliseconds : null;

    /// <summary>From the host's page ending (its body built) until its headers reached the client (the layout and the answer written, Kestrel's socket transport, the kernel, the client's thread blocked on its socket), by the machine's clock.</summary>
    public double? BackMs => ClientClock is { } client && HostClock is { } host ? Stopwatch.GetElapsedTime(host.End, client.Headers).TotalMilliseconds : null;

    /// <summary>
    /// When the answer's last data reached the client's kernel (the machine's clock, from its connection's
    /// <c>tcpi_last_data_recv</c>, which counts by the kernel's tick of a few milliseconds), or null off Linux.
    /// </summary>
    public long? ArrivedTicks { get; init; }

    /// <summary>
    /// The host's account of the previous answer on the same connection (its <c>prev</c> entry: written into the server,
    /// and sent by the kernel when the host could tell), or null.
    /// </summary>
    public (long Written, long? Sent)? PreviousAnswer => entries.TryGetValue("prev", out var prev)
        && prev.Description?.Split(' ') is [var written, var sent]
        && long.TryParse(written, NumberStyles.Integer, CultureInfo.InvariantCulture, out var w)
            ? (w, long.TryParse(sent, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : null)
            : null;

    /// <summary>Where this look's answer went in the host (the next look on the same connection's <see cref="PreviousAnswer"/>), or null.</summary>
    public (long Written, long? Sent)? Answered { get; init; }

    /// <summary>Of <see cref="BackMs"/>: from the host's page ending until its first middleware returned (the layout, the answer written into Kestrel).</summary>
    public double? WrittenMs => Answered is { } a && HostClock is { } host ? Stopwatch.GetElapsedTime(host.End, a.Written).TotalMilliseconds : null;

    /// <summary>Of <see cref="BackMs"/>: from the answer written into Kestrel until the kernel sent its data (Kestrel's socket transport: its I/O queue, the send).</summary>
    public double? SentMs => Answered is { Sent: { } sent } a ? Stopwatch.GetElapsedTime(a.Written, sent).TotalMilliseconds : null;

    /// <summary>Of <see cref="BackMs"/>: from the host's page ending until the answer's data reached the client's kernel (the layout, the answer written, Kestrel's socket transport, the kernel's send).</summary>
    public double? ToClientKernelMs => ArrivedTicks is { } arrived && HostClock is { } host ? Stopwatch.GetElapsedTime(host.End, arrived).TotalMilliseconds : null;

    /// <summary>
    /// The look less the time its client's thread took to wake once the answer was in its kernel (when measured and
    /// positive): what the host, the network and the kernel took, without the driver's own process (decision 144).
    /// </summary>
    public TimeSpan TookLessClientWake => ClientWakeMs is > 0 and var wake ? Took - TimeSpan.FromMilliseconds(wake) : Took;

    /// <summary>Of <see cref="BackMs"/>: from the data reaching the client's kernel until the client's thread, blocked on its socket, had the headers (the kernel waking it, a core for it).</summary>
    public double? ClientWakeMs => ArrivedTicks is { } arrived && ClientClock is { } client ? Stopwatch.GetElapsedTime(arrived, client.Headers).TotalMilliseconds : null;

    /// <summary>From the host's HTTP layer reading the request until its pipeline began (parsing, dispatch); null from a host that does not say.</summary>
    public double? KestrelMs => entries.TryGetValue("kestrel", out var kestrel) ? kestrel.Ms : null;

    /// <summary>The host's collector pauses since it started (ms) and its collections, as the page ended; null from a host without them.</summary>
    public (double Ms, int Collections)? HostPaused => entries.TryGetValue("paused", out var p)
        ? (p.Ms, int.Parse(p.Description?.Split(' ')[0] ?? "0", CultureInfo.InvariantCulture))
        : null;

    /// <summary>The host's collector ("server" or "workstation"), or null from a host that does not say.</summary>
    public string? HostCollector => entries.TryGetValue("paused", out var p) ? p.Description?.Split(" / ")[^1] : null;

    /// <summary>The host's collector pauses (ms) and collections since the look before (null for the first): a pause before this request entered the host's pipeline is among them.</summary>
    public (double Ms, int Collections)? HostPausedSinceLast { get; init; }

    /// <summary>The client process's worst late wake of a thread of its own in the 10 s before the look ended (<see cref="Infomat.Privacy.Http.Hosting.ThreadPoolDelay"/>): the machine not giving it a core.</summary>
    public double ClientLateMs { get; init; }

    /// <summary>How long the client's own process was paused for garbage collection during the look.</summary>
    public double ClientGcMs { get; init; }

    /// <summary>The list was shown from the host's copy (storage slower than its patience).</summary>
    public bool FromCopy => entries.TryGetValue("list", out var list) && list.Description == "copy";

    /// <summary>When the answer's headers reached the client, from the look's start (on the browser's own thread).</summary>
    public TimeSpan HeadersAfter { get; init; }

    /// <summary>How long the look waited for a thread of the client's own process before it began sending.</summary>
    public double ClientQueuedMs { get; init; }

    /// <summary>The client process's thread-pool starvation adjustments during the look.</summary>
    public long ClientStarved { get; init; }

    /// <summary>When the look opened a new connection: how long that took (a lost SYN is retried after a second).</summary>
    public double? ConnectMs { get; init; }

    /// <summary>What the kernel did with TCP, machine-wide, from the look's start until its headers came (null off Linux).</summary>
    public KernelNet? KernelOnTheWay { get; init; }

    /// <summary>Segments the colleague's connection retransmitted during the look (null when it opened a new one or off Linux).</summary>
    public long? ClientRetransmitted { get; init; }

    /// <summary>The colleague's connection's retransmission timeout after the look (ms).</summary>
    public double? ClientRtoMs { get; init; }

    /// <summary>Until the headers came, less the page's own steps: the way there, the host's pipeline and its threads, the way back.</summary>
    public double OnTheWayMs => HeadersAfter.TotalMilliseconds - ServerMs;

    /// <summary>After the headers came: the body, and the client's own wait for a thread to go on.</summary>
    public double AfterHeadersMs => (Took - HeadersAfter).TotalMilliseconds;

    private double ServerMs => Steps.Where(s => s.Key is not ("gc" or "kestrel")).Sum(s => s.Value);

    /// <summary>As the report shows it: the client's time, then the server's steps.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Took.TotalSeconds:F2} s (before {Step("before")}, auth {Step("auth")}, list {Step("list")}{(FromCopy ? " copy" : "")}, page {Step("page")}, gc {Step("gc")}, pool {Pool}, worst pool wait {Entry("poolwait")} and late wake {Entry("late")} in 10 s; host paused {(HostPausedSinceLast is { } p ? $"{p.Ms:F0} ms in {p.Collections} collections" : "?")} since the look before; on the way {OnTheWayMs:F0} (by the clock: to the host {Ms(ToHostMs)}, kestrel {Ms(KestrelMs)}, back {Ms(BackMs)}: written {Ms(WrittenMs)}, sent {Ms(SentMs)}, to the client's kernel {Ms(ToClientKernelMs)}, the client's thread woken {Ms(ClientWakeMs)}; client: queued {ClientQueuedMs:F0}, starved {ClientStarved}, gc {ClientGcMs:F0}, late wake {ClientLateMs:F0}, connect {(ConnectMs is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "reused")}, its connection retransmitted {(ClientRetransmitted is { } r ? r.ToString(CultureInfo.InvariantCulture) : "?")}, RTO {(ClientRtoMs is { } rto ? rto.ToString("F0", CultureInfo.InvariantCulture) : "?")} ms; kernel, machine-wide: {KernelOnTheWay?.ToString() ?? "?"}), after the headers {AfterHeadersMs:F0} ms)");

    private static string Ms(double? ms) => ms is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "?";

    private string Pool => entries.TryGetValue("pool", out var pool) ? pool.Description ?? "?" : "?";

    private string Entry(string name) => entries.TryGetValue(name, out var e) ? e.Ms.ToString("F0", CultureInfo.InvariantCulture) : "?";

    private string Step(string name) => Steps.TryGetValue(name, out var ms) ? ms.ToString("F0", CultureInfo.InvariantCulture) : "?";
}

/// <summary>Everything a spike run measured (the test judges it).</summary>
public sealed record SpikeResult(
    SpikeSettings Settings,
    IReadOnlyList<SpikeTrack> Tracks,
    IReadOnlyList<PrivacyCase> Register,
    int ServerErrors,
    int TransportErrors,
    int TooMany,
    TimeSpan SubmissionSpan,
    TimeSpan Seeding,
    long ContactsSeeded,
    long PeakResidentKb,
    IReadOnlyList<CaseListLook> DuringSpike,
    IReadOnlyList<CaseListLook> AtTheEnd,
    IReadOnlyList<BrowserLook> BrowserDuringSpike,
    (int Missing, int Failed) BrowserLooksLost,
    IReadOnlyDictionary<string, int> MailKinds,
    IReadOnlyDictionary<CaseStatus, int> ConfirmedCasesStatus,
    double MeanLoad,
    double MaxLoad,
    double HostCpuSeconds,
    double AzuriteCpuSeconds,
    double TaskHubAzuriteCpuSeconds,
    TaskHubPlace TaskHub,
    TimeSpan SpikeWall,
    TimeSpan Elapsed);

/// <summary>
/// Where the run's task hub was: its orchestrations (rows of <c>{TaskHub}Instances</c>) in the storage meant for it, and
/// whether the host's own storage (the register's) holds any of its tables. And what its queues held at the end (nearly
/// all of it the waiting cases' durable timers) with what a read of an empty queue then cost on that Azurite, which
/// goes through every message of the account on each read (decision 147).
/// </summary>
public sealed record TaskHubPlace(bool Apart, int Orchestrations, bool TablesInRegisterStorage, int QueuedMessages, double EmptyQueueReadMs);

/// <summary>
/// The spike of issue 21: the local host process (Azure Storage durable backend, its own Azurite) on PostgreSQL stores
/// with a BE CRM of a million contacts; requests of every right, NL/FR/EN, by form and by mail dropped in the inbox
/// folder, paced at <see cref="SpikeSettings.Rate"/> from many client addresses; half the requesters follow the
/// verification link from the mail folder. Measures what a requester and a colleague would notice.
/// </summary>
public sealed partial class SpikeRun(SpikeSettings settings, PostgresServer postgres, Action<string> log) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions RegisterJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "MailCorpus");

    private readonly Azurite azurite = new();

    /// <summary>The task hub's own Azurite when the run puts it apart (decision 82), else null.</summary>
    private readonly Azurite? taskHubAzurite = settings.TaskHubApart ? new() : null;
    private readonly ConcurrentDictionary<string, bool> seenMail = new();
    private readonly ConcurrentDictionary<string, int> mailKinds = new();
    private readonly ConcurrentBag<Task> confirmations = [];
    private readonly ConcurrentBag<CaseListLook> during = [];
    private readonly ConcurrentBag<BrowserLook> browserDuring = [];

    /// <summary>The browser's looks that did not happen: curl not on the machine, or no account of its own from it.</summary>
    private int browserMissing;

    private int browserFailed;
    private readonly ConcurrentBag<double> loads = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// The colleague's browser: a client of its own (not the requesters' connections), timing each connection it opens.
    /// Its pool is never scavenged (no idle timeout, no lifetime): a scavenge checks an idle connection with an
    /// asynchronous zero-byte read, and the next look's answer then came through that read, completed on this process's
    /// thread pool, which the requesters' driver keeps busy. A 1.00-s look on 6 December had its answer in the client's
    /// kernel 2 ms after the host's page ended and its thread woken 964 ms later, with the pool starved meanwhile; a
    /// browser is a process of its own (decision 134).
    /// </summary>
    private readonly HttpClient colleague = new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectCallback = TimedConnect,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The milliseconds the colleague's last new connection took to open (0 until one opens).</summary>
    private static double lastConnectMs;

    /// <summary>The colleague's last connection, for its own retransmissions (<see cref="KernelNet.SocketInfo"/>).</summary>
    private static System.Net.Sockets.Socket? lastSocket;

    private static ValueTask<Stream> TimedConnect(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        // Connected on the browser's own thread, synchronously: no continuation waits for the driver's thread pool.
        var start = Stopwatch.GetTimestamp();
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(context.DnsEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Volatile.Write(ref lastConnectMs, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Volatile.Write(ref lastSocket, socket);
        return ValueTask.FromResult<Stream>(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true));
    }

    private Dictionary<int, SpikeTrack> tracks = [];
    private LocalHostProcess host = null!;
    private int serverErrors;
    private int transportErrors;
    private int tooMany;
    private long peakResidentKb;
    private double lastLoad;

    public async Task<SpikeResult> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        await azurite.InitializeAsync();
        if (taskHubAzurite is not null)
        {
            await taskHubAzurite.InitializeAsync();
        }

        // The stores: a database of its own, the BE CRM seeded with settings.Rows contacts before the host starts; the
        // host then creates the other demo stores (small) as it does on a first start.
        var connectionString = await postgres.CreateDatabaseAsync("s");
        var full = DataMapLoader.Load(DataMapFiles.Default);
        var crm = full with { Stores = [full.Store("be/crm")] };
        using var catalog = new SqlStoreCatalog(crm, Options.Create(new StoreOptions { Provider = "postgres", PostgresConnectionString = connectionString }), new KeyedHash(new byte[32]));
        var seeding = Stopwatch.StartNew();
        await DemoStores.SeedAsync(crm, catalog.Dialect, settings.Rows, new StoreOptions().DemoSeed, default);
        seeding.Stop();
        long contacts;
        await using (var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString))
        {
            await using (var analyze = dataSource.CreateCommand("ANALYZE"))
            {
                await analyze.ExecuteNonQueryAsync();
            }

            await using var count = dataSource.CreateCommand("SELECT count(*) FROM be_crm.contacts");
            contacts = Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        log($"spike: be/crm seeded with {contacts:N0} contacts in {seeding.Elapsed.TotalSeconds:F1} s");

        host = new LocalHostProcess(azurite, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            // The product's list patience (the test hosts' default waits for a fresh list).
            ["Privacy__Staff__ListPatience"] = new Configuration.StaffOptions().ListPatience.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Stores__Provider"] = "postgres",
            ["Stores__PostgresConnectionString"] = connectionString,
        });
        if (taskHubAzurite is not null)
        {
            host.Set("LocalHost__Durable__ConnectionString", taskHubAzurite.ConnectionString);
        }

        await host.StartAsync();
        http.BaseAddress = new Uri(host.BaseUrl);
        colleague.BaseAddress = new Uri(host.BaseUrl);
        // The client's own thread pool: a look that waited for a thread in this process shows as such (issue 21 item 3).
        Infomat.Privacy.Http.Hosting.ThreadPoolStarvation.Start();
        // And how late a thread of this process wakes: a client not given a core waits for its answer's bytes too.
        Infomat.Privacy.Http.Hosting.ThreadPoolDelay.Start();

        // The list's first read after a start reads the whole table; a colleague opened it before the spike.
        await LookAtCasesAsync("/cases");

        var plan = SpikePlanner.Plan(settings);
        tracks = plan.ToDictionary(r => r.Index, r => new SpikeTrack(r));
        log($"spike: {plan.Count} requests ({plan.Count(r => r.Channel == SpikeChannel.Form)} form, {plan.Count(r => r.Channel == SpikeChannel.Mail)} mail, {plan.Count(r => r.Confirms)} confirming) at {settings.Rate} a second");

        using var stop = new CancellationTokenSource();
        using var listStop = new CancellationTokenSource();
        // The colleague looking at the list is a person with a browser of their own: each look sends from a thread of its
        // own (LookAtCasesAsync), not from the driver's (10,000 requesters, the mail folder's scan).
        var watchers = new[] { WatchMailAsync(stop.Token), WatchMemoryAsync(stop.Token), Task.Run(() => WatchCaseListAsync(listStop.Token)), ProgressAsync(stop.Token) };

        var start = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        var (hostCpu, azuriteCpu) = (ProcessCpu.Seconds(host.ProcessId), ProcessCpu.Seconds(azurite.ProcessId));
        var hubCpu = ProcessCpu.Seconds(taskHubAzurite?.ProcessId);
        var wall = Stopwatch.StartNew();
        var submissions = new List<Task>(plan.Count);
        foreach (var r in plan)
        {
            var wait = start + r.SubmitAt - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            submissions.Add(SubmitAsync(tracks[r.Index]));
        }

        await Task.WhenAll(submissions);
        var sent = tracks.Values.Where(t => t.SentAt is not null).Select(t => t.SentAt!.Value).ToList();
        var span = sent.Count > 1 ? sent.Max() - sent.Min() : TimeSpan.Zero;
        log($"spike: submitted in {span.TotalSeconds:F0} s; waiting for the verification mails");

        // Every accepted request's verification mail (the delays past the limit are measured too), or at most this long.
        await UntilAsync(() => tracks.Values.All(t => !t.Accepted || t.VerificationAt is not null), TimeSpan.FromSeconds(settings.Small ? 120 : 900));
        await listStop.CancelAsync();

        // The confirming requesters' cases move on (acknowledgement, approval request or the right applied at once).
        var confirmedStatus = new Dictionary<CaseStatus, int>();
        await UntilAsync(() => confirmations.All(c => c.IsCompleted), TimeSpan.FromSeconds(60));
        var settleUntil = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(settings.Small ? 30 : 180);
        List<PrivacyCase> register;
        while (true)
        {
            register = await ReadRegisterAsync();
            var confirmed = tracks.Values.Where(t => t.ConfirmStatus == 200).Select(t => t.CaseId).ToHashSet();
            confirmedStatus = register.Where(c => confirmed.Contains(c.Id)).GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count());
            if (confirmedStatus.GetValueOrDefault(CaseStatus.AwaitingEmailVerification) == 0 || DateTimeOffset.UtcNow > settleUntil)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        // The staff list at the end: three looks each (the median is the figure), with every case of the spike in it.
        var atTheEnd = new List<CaseListLook>();
        for (var i = 0; i < 3; i++)
        {
            atTheEnd.Add(await LookAtCasesAsync("/cases"));
            atTheEnd.Add(await LookAtCasesAsync("/cases?state=waiting-for-staff"));
        }

        ReadMemory();
        (hostCpu, azuriteCpu) = (ProcessCpu.Seconds(host.ProcessId) - hostCpu, ProcessCpu.Seconds(azurite.ProcessId) - azuriteCpu);
        hubCpu = ProcessCpu.Seconds(taskHubAzurite?.ProcessId) - hubCpu;
        wall.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(watchers);
        var artifacts = Path.Combine(Repo.Root, "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "benchmark-spike-host.log"), host.Output);
        var taskHub = await TaskHubPlaceAsync();

        return new SpikeResult(
            settings, [.. tracks.Values.OrderBy(t => t.Request.Index)], register, serverErrors, transportErrors, tooMany, span, seeding.Elapsed, contacts,
            peakResidentKb, [.. during], atTheEnd, [.. browserDuring], (browserMissing, browserFailed), new Dictionary<string, int>(mailKinds), confirmedStatus,
            loads.IsEmpty ? 0 : loads.Average(), loads.IsEmpty ? 0 : loads.Max(), hostCpu, azuriteCpu, hubCpu, taskHub, wall.Elapsed, clock.Elapsed);
    }

    private async Task SubmitAsync(SpikeTrack track)
    {
        var r = track.Request;
        try
        {
            if (r.Channel == SpikeChannel.Mail)
            {
                await DropMailAsync(track);
                return;
            }

            // The browser opens the form (antiforgery cookie and token), then posts it.
            using var get = new HttpRequestMessage(HttpMethod.Get, $"/privacy?lang={r.Language}");
            get.Headers.Add("X-Forwarded-For", r.ClientAddress);
            using var page = await http.SendAsync(get);
            if (Counted(page.StatusCode))
            {
                return;
            }

            var html = await page.Content.ReadAsStringAsync();
            var token = AntiforgeryToken().Match(html);
            var cookies = page.Headers.TryGetValues("Set-Cookie", out var set) ? string.Join("; ", set.Select(c => c.Split(';')[0])) : string.Empty;
            (string, string)[] fields =
            [
                ("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
                ("submission", SubmissionId().Match(html).Groups[1].Value),
                ("type", r.Type), ("email", r.Email), ("name", r.Name), ("entity", r.Entity), ("language", r.Language),
                ("details", r.Type is "rectification" ? "Spike: my job title is now Finance director." : r.Objection == "other" ? "Spike: I object to the profiling for customer satisfaction surveys." : string.Empty),
                ("objection", r.Objection ?? string.Empty),
            ];
            using var post = new HttpRequestMessage(HttpMethod.Post, "/api/requests") { Content = Flows.Form(fields) };
            post.Headers.Add("X-Forwarded-For", r.ClientAddress);
            post.Headers.Add("Cookie", cookies);
            track.SentAt = DateTimeOffset.UtcNow;
            using var response = await http.SendAsync(post);
            track.AnsweredAt = DateTimeOffset.UtcNow;
            track.Status = (int)response.StatusCode;
            if (Counted(response.StatusCode))
            {
                return;
            }

            if (response.StatusCode == HttpStatusCode.SeeOther && response.Headers.Location is { } location && RequestOf().Match(location.OriginalString) is { Success: true } m)
            {
                track.CaseId = m.Groups[1].Value;
                track.Accepted = true;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref transportErrors);
        }
    }

    /// <summary>True (and counted) for a 5xx or a 429.</summary>
    private bool Counted(HttpStatusCode status)
    {
        if ((int)status >= 500)
        {
            Interlocked.Increment(ref serverErrors);
            return true;
        }

        if (status == HttpStatusCode.TooManyRequests)
        {
            Interlocked.Increment(ref tooMany);
            return true;
        }

        return false;
    }

    /// <summary>A mail from the realistic corpus with the spike requester as sender; its DMARC fails, so the address must be confirmed.</summary>
    private async Task DropMailAsync(SpikeTrack track)
    {
        var r = track.Request;
        var file = r.Type == "withdraw-consent" ? "withdraw" : r.Type;
        var message = await MimeMessage.LoadAsync(Path.Combine(Corpus, $"{file}-{r.Language}.eml"));
        message.From.Clear();
        message.From.Add(new MailboxAddress(r.Name, r.Email));
        message.MessageId = $"spike-{settings.Seed}-{r.Index:D5}@spike.example";
        var receivedAt = DateTimeOffset.UtcNow;
        message.Date = receivedAt.AddMinutes(-1);
        message.Headers["Authentication-Results"] = (message.Headers["Authentication-Results"] ?? string.Empty).Replace("dmarc=pass", "dmarc=fail", StringComparison.Ordinal);
        await SoakMail.DropAsync(message, host.InboxDirectory, $"spike-{r.Index:D5}.eml", receivedAt);
        track.SentAt = receivedAt;
        track.Accepted = true;
    }

    private async Task WatchMailAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ScanMailAsync();
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// New mails in the pickup folder: the sending time is in the file name (the host's clock, to the millisecond);
    /// a verification mail is matched to its requester by the address it went to, and a confirming requester acts on it.
    /// </summary>
    private async Task ScanMailAsync()
    {
        foreach (var path in Directory.EnumerateFiles(host.MailDirectory, "*.eml"))
        {
            var name = Path.GetFileName(path);
            if (!seenMail.TryAdd(name, true) || MailName().Match(name) is not { Success: true } m)
            {
                continue;
            }

            var kind = m.Groups["kind"].Value;
            mailKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
            if (kind != "verification")
            {
                continue;
            }

            var at = DateTimeOffset.ParseExact(m.Groups["at"].Value, "yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var message = await MimeMessage.LoadAsync(path);
            var to = message.To.Mailboxes.FirstOrDefault()?.Address ?? string.Empty;
            if (Requester().Match(to) is not { Success: true } who || !tracks.TryGetValue(int.Parse(who.Groups[1].Value, CultureInfo.InvariantCulture), out var track))
            {
                continue;
            }

            track.VerificationAt ??= at;
            track.CaseId ??= m.Groups["id"].Value;
            if (track.Request.Confirms)
            {
                var link = Mailbox.Link(message, host.BaseUrl + "/verify?token=");
                confirmations.Add(ConfirmAsync(track, link));
            }
        }
    }

    private async Task ConfirmAsync(SpikeTrack track, Uri link)
    {
        // A person reads the mail a moment later.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 3000)));
        try
        {
            using var response = await http.PostAsync("/verify", Flows.Form(("token", Mailbox.Token(link))));
            track.ConfirmStatus = (int)response.StatusCode;
            Counted(response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref transportErrors);
        }
    }

    /// <summary>The host's peak resident memory (VmHWM) and the machine's load, once a second.</summary>
    private async Task WatchMemoryAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ReadMemory();
            if (File.Exists("/proc/loadavg") && double.TryParse((await File.ReadAllTextAsync("/proc/loadavg", CancellationToken.None)).Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load))
            {
                loads.Add(load);
                Volatile.Write(ref lastLoad, load);
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

    private void ReadMemory()
    {
        if (host.ProcessId is not { } pid)
        {
            return;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal) && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out var kb))
                {
                    Interlocked.Exchange(ref peakResidentKb, Math.Max(Interlocked.Read(ref peakResidentKb), kb));
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the look and the read.
        }
    }

    /// <summary>A colleague opens the case list (and a filter) every few seconds while the spike runs.</summary>
    private async Task WatchCaseListAsync(CancellationToken cancellationToken)
    {
        var filter = false;
        CaseListLook? before = null;
        // The last look, kept back until the next one on the same connection says where its answer went in the host.
        CaseListLook? pending = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var look = await LookAtCasesAsync(filter ? "/cases?state=waiting-for-staff" : "/cases");
            if (look.HostPaused is { } now && before?.HostPaused is { } then)
            {
                look = look with { HostPausedSinceLast = (now.Ms - then.Ms, now.Collections - then.Collections) };
            }

            if (pending is not null)
            {
                during.Add(look.ConnectMs is null && look.PreviousAnswer is { } previous ? pending with { Answered = previous } : pending);
            }

            pending = look;
            before = look.HostPaused is null ? before : look;
            if (await BrowserLookAsync(look.Path, cancellationToken) is { } browser)
            {
                browserDuring.Add(browser);
            }

            filter = !filter;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (pending is not null)
        {
            during.Add(pending);
        }
    }

    /// <summary>
    /// A look at the case list by the colleague's browser: a thread of its own sending synchronously, as a browser is a
    /// process of its own. The driver's thread pool (10,000 requesters, the mail folder's scan) starved at times, and a look
    /// queued behind it waited for a thread of this process, not for the host (887 ms of a 0.93-s look on 6 December).
    /// </summary>
    private Task<CaseListLook> LookAtCasesAsync(string path)
    {
        var asked = Stopwatch.StartNew();
        var look = new TaskCompletionSource<CaseListLook>(TaskCreationOptions.RunContinuationsAsynchronously);
        var browser = new Thread(() =>
        {
            try
            {
                look.SetResult(Look(path, asked));
            }
            catch (Exception ex)
            {
                look.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "colleague's browser",
        };
        browser.Start();
        return look.Task;
    }

    /// <summary>
    /// The same look from a browser that is a process of its own: <c>curl</c>, timed by its own clock (decision 144). The
    /// driver's look runs in the process of 10,000 requesters, where a thread was woken 940 ms after its answer had
    /// arrived (7 December) with the host's page done in 6 ms; no colleague's browser shares a process with them. Null
    /// when curl is not there or did not answer.
    /// </summary>
    private async Task<BrowserLook?> BrowserLookAsync(string path, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No curlrc (-q, first) and no proxy: the machine's settings are not the browser's. The headers on stdout (-D -),
        // the body discarded, then curl's own times on a last line of their own.
        foreach (var arg in new[] { "-q", "-s", "--noproxy", "*", "-o", "/dev/null", "-D", "-", "--max-time", "60", "-w", "\ncurl %{http_code} %{time_connect} %{time_starttransfer} %{time_total}\n", new Uri(new Uri(host.BaseUrl), path).AbsoluteUri })
        {
            start.ArgumentList.Add(arg);
        }

        Process? curl;
        try
        {
            curl = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No curl on this machine: the report says so, and the full run misses its limit.
            Interlocked.Increment(ref browserMissing);
            return null;
        }

        if (curl is null)
        {
            Interlocked.Increment(ref browserFailed);
            return null;
        }

        using (curl)
        {
            try
            {
                var output = curl.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = curl.StandardError.ReadToEndAsync(cancellationToken);
                await curl.WaitForExitAsync(cancellationToken);
                var lines = (await output).Split('\n', StringSplitOptions.TrimEntries);
                _ = await errors;
                var timing = lines.Where(l => l.StartsWith("Server-Timing:", StringComparison.OrdinalIgnoreCase)).Select(l => l["Server-Timing:".Length..].Trim()).ToList();
                if (lines.LastOrDefault(l => l.StartsWith("curl ", StringComparison.Ordinal))?.Split(' ') is not [_, var code, var connect, var firstByte, var total]
                    || !int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var status)
                    || !double.TryParse(connect, NumberStyles.Float, CultureInfo.InvariantCulture, out var connectS)
                    || !double.TryParse(firstByte, NumberStyles.Float, CultureInfo.InvariantCulture, out var firstByteS)
                    || !double.TryParse(total, NumberStyles.Float, CultureInfo.InvariantCulture, out var totalS))
                {
                    Interlocked.Increment(ref browserFailed);
                    return null;
                }

                if (status == 0)
                {
                    // No answer at all (curl's 000: refused, reset, timed out).
                    Interlocked.Increment(ref transportErrors);
                }
                else
                {
                    Counted((HttpStatusCode)status);
                }

                return new BrowserLook(path, TimeSpan.FromSeconds(totalS), status, connectS * 1000, firstByteS * 1000, timing.Count == 0 ? null : string.Join(", ", timing));
            }
            catch (OperationCanceledException)
            {
                // The spike ended while this look was under way: it is not one of its looks.
                try
                {
                    curl.Kill();
                }
                catch (InvalidOperationException)
                {
                    // It had ended by itself meanwhile.
                }

                return null;
            }
        }
    }

    private CaseListLook Look(string path, Stopwatch watch)
    {
        // How long this look waited for its thread to run (not for the driver's thread pool, which it no longer uses).
        var queued = watch.Elapsed;
        var starvedBefore = Infomat.Privacy.Http.Hosting.ThreadPoolStarvation.Count;
        var clientPausedBefore = GC.GetTotalPauseDuration();
        var connectBefore = Volatile.Read(ref lastConnectMs);
        // The probes' own reads are not the look's time: the first pair's is taken off the look's figures, the second
        // pair is read after the headers came (HeadersAfter is taken before it) and taken off the whole look's.
        var probing = Stopwatch.StartNew();
        var kernelBefore = KernelNet.Read();
        var socketBefore = KernelNet.SocketInfo(Volatile.Read(ref lastSocket));
        var probed = probing.Elapsed;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            var sentTicks = Stopwatch.GetTimestamp();
            using var response = colleague.Send(request, HttpCompletionOption.ResponseHeadersRead);
            var headersTicks = Stopwatch.GetTimestamp();
            var headersAt = watch.Elapsed - probed;
            probing.Restart();
            // The connection's own account first: how long ago its last data reached this machine's kernel, read now.
            var socketAfter = KernelNet.SocketInfo(Volatile.Read(ref lastSocket));
            var socketReadTicks = Stopwatch.GetTimestamp();
            var kernelAfter = KernelNet.Read();
            probed += probing.Elapsed;
            using var reader = new StreamReader(response.Content.ReadAsStream());
            var page = reader.ReadToEnd();
            watch.Stop();
            Counted(response.StatusCode);
            var total = CaseCount().Match(page) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            var timing = response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(", ", values) : null;
            var connect = Volatile.Read(ref lastConnectMs);
            return new CaseListLook(path, watch.Elapsed - probed, (int)response.StatusCode, total, timing)
            {
                HeadersAfter = headersAt,
                ClientClock = (sentTicks, headersTicks),
                ClientQueuedMs = queued.TotalMilliseconds,
                ClientStarved = Infomat.Privacy.Http.Hosting.ThreadPoolStarvation.Count - starvedBefore,
                ClientGcMs = (GC.GetTotalPauseDuration() - clientPausedBefore).TotalMilliseconds,
                ConnectMs = connect != connectBefore ? connect : null,
                ClientLateMs = Infomat.Privacy.Http.Hosting.ThreadPoolDelay.Worst().Late.TotalMilliseconds,
                KernelOnTheWay = kernelAfter is not null && kernelBefore is not null ? kernelAfter.Since(kernelBefore) : null,
                ClientRetransmitted = socketAfter is { } a && socketBefore is { } b && connect == connectBefore ? a.TotalRetrans - b.TotalRetrans : null,
                ClientRtoMs = socketAfter?.RtoMs,
                // The colleague's one connection (one look at a time), the one this look's answer came on.
                ArrivedTicks = socketAfter is { } received ? socketReadTicks - (long)(received.LastDataReceivedMs * Stopwatch.Frequency / 1000) : null,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.Increment(ref transportErrors);
            return new CaseListLook(path, watch.Elapsed, 0, -1);
        }
    }

    private async Task ProgressAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var values = tracks.Values;
            log(string.Create(CultureInfo.InvariantCulture,
                $"spike: {DateTimeOffset.UtcNow:HH:mm:ss}Z sent {values.Count(t => t.SentAt is not null)}, accepted {values.Count(t => t.Accepted)}, verification mails {values.Count(t => t.VerificationAt is not null)}, confirmed {values.Count(t => t.ConfirmStatus == 200)}; 5xx {serverErrors}, transport {transportErrors}, 429 {tooMany}; host peak {Interlocked.Read(ref peakResidentKb) / 1024} MB; load {Volatile.Read(ref lastLoad):F1}; CPU s host {ProcessCpu.Seconds(host.ProcessId):F0}, Azurite {ProcessCpu.Seconds(azurite.ProcessId):F0}{(taskHubAzurite is null ? "" : $", task hub's Azurite {ProcessCpu.Seconds(taskHubAzurite.ProcessId):F0}")}"));
        }
    }

    private static async Task UntilAsync(Func<bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done() && DateTime.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<TaskHubPlace> TaskHubPlaceAsync()
    {
        var instancesTable = host.TaskHub + "Instances";
        var orchestrations = 0;
        await foreach (var _ in new TableClient((taskHubAzurite ?? azurite).ConnectionString, instancesTable).QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            orchestrations++;
        }

        var inRegisterStorage = false;
        await foreach (var _ in new TableServiceClient(azurite.ConnectionString).QueryAsync(t => t.Name == instancesTable))
        {
            inRegisterStorage = true;
        }

        var hubStorage = (taskHubAzurite ?? azurite).ConnectionString;
        var (queued, _) = await TaskHubQueues.ListAsync(hubStorage, host.TaskHub!);
        return new TaskHubPlace(taskHubAzurite is not null, orchestrations, inRegisterStorage, queued, await TaskHubQueues.EmptyReadMsAsync(hubStorage, "spikeprobe"));
    }

    private async Task<List<PrivacyCase>> ReadRegisterAsync()
    {
        var all = new List<PrivacyCase>();
        var cases = new TableClient(azurite.ConnectionString, "PrivacyCases");
        await foreach (var row in cases.QueryAsync<TableEntity>(e => e.RowKey == "case"))
        {
            all.Add(JsonSerializer.Deserialize<PrivacyCase>(row.GetString("Data"), RegisterJson)!);
        }

        return all;
    }

    [GeneratedRegex("^(?<at>[0-9]{8}T[0-9]{9})-(?<id>PR-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})-(?<kind>[a-z-]+)-[0-9a-f]{6}\\.eml$")]
    private static partial Regex MailName();

    [GeneratedRegex("^spike\\.r([0-9]{5})@example\\.org$", RegexOptions.IgnoreCase)]
    private static partial Regex Requester();

    [GeneratedRegex("request=([A-Za-z0-9-]+)")]
    private static partial Regex RequestOf();

    [GeneratedRegex("name=\"submission\" value=\"([0-9a-f]{32})\"")]
    private static partial Regex SubmissionId();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<p>([0-9]+) verzoeken voldoen\\.</p>")]
    private static partial Regex CaseCount();

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        colleague.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await azurite.DisposeAsync();
        if (taskHubAzurite is not null)
        {
            await taskHubAzurite.DisposeAsync();
        }
    }
}
