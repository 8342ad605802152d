using System.Net;
using System.Net.Http.Json;

using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 18 item 10: the submission limits hold across instances (two local hosts sharing one Azurite stand for two
/// Flex Consumption instances), and a client is its address whatever the port of its connection.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SharedLimitsTests(Azurite azurite)
{
    [Fact]
    public async Task Two_hosts_share_one_per_client_limit_and_a_new_port_is_the_same_client()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        await using var first = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Intake__PerClientLimit"] = "3", ["Privacy__Intake__LimitTable"] = table });
        await using var second = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Intake__PerClientLimit"] = "3", ["Privacy__Intake__LimitTable"] = table });
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        using var a = new Flows(first);
        using var b = new Flows(second);
        var client = $"2001:db8::{Random.Shared.Next(1, 0xffff):x}";

        // One client behind the front end, each request on a new connection (a new source port), on either instance.
        async Task<HttpResponseMessage> SubmitAsync(Flows flows, int port)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "/api/requests")
            {
                Content = JsonContent.Create(new { type = "access", email = $"client.{Guid.NewGuid():N}@example.be", name = "An", language = "en" }),
            };
            message.Headers.Add("X-Forwarded-For", $"[{client}]:{port}");
            return await flows.Http.SendAsync(message);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await SubmitAsync(a, 50001)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SubmitAsync(b, 50002)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SubmitAsync(a, 50003)).StatusCode);

        var fourth = await SubmitAsync(b, 50004);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.True(fourth.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SubmitAsync(a, 50005)).StatusCode);
    }

    [Fact]
    public async Task Two_hosts_share_one_per_address_limit_and_the_refused_request_is_not_mailed()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        await using var first = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Intake__PerAddressLimit"] = "2", ["Privacy__Intake__LimitTable"] = table });
        await using var second = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Intake__PerAddressLimit"] = "2", ["Privacy__Intake__LimitTable"] = table });
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        using var a = new Flows(first);
        using var b = new Flows(second);
        var address = $"shared.{Guid.NewGuid():N}@example.nl";

        await a.SubmitAsync(email: address, type: "access");
        await b.SubmitAsync(email: address, type: "erasure");
        var third = await a.Http.PostAsJsonAsync("/api/requests", new { type = "restriction", email = address, name = "Jan", language = "nl" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        var fourth = await b.Http.PostAsJsonAsync("/api/requests", new { type = "restriction", email = address.Replace("@", "+x@", StringComparison.Ordinal), name = "Jan", language = "nl" });
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);

        Assert.Equal(2, (await a.CasesOfAsync(address)).Count);
    }
}

/// <summary>
/// When the limits' table cannot be reached, a request is still taken (decision 63: a privacy request is never lost to a
/// storage fault; the limit is a guard against floods, not a reason to refuse a person).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LimitOutageTests(Azurite azurite)
{
    [Fact]
    public async Task A_request_sent_while_the_limit_counters_are_down_is_accepted_and_mailed()
    {
        await using var host = new InProcessHost(azurite);
        await host.StartAsync();
        using var flows = new Flows(host);
        host.TableFaults.FailWhen(r => r.Uri.Path.Contains(host.LimitTable, StringComparison.OrdinalIgnoreCase));
        var address = $"outage.{Guid.NewGuid():N}@example.be";

        var response = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = address, name = "An", language = "en" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(host.TableFaults.Injected > 0, "the counters were not asked");
        var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("requestId").GetString()!;
        await host.Mailbox.WaitForAsync("verification", id);
    }
}

/// <summary>
/// Issue 18 item 9: another site cannot post the request form on a visitor's behalf (a mail cannon through their
/// browser); the form carries its own antiforgery token. The JSON API needs none.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FormAntiforgeryTests(Azurite azurite)
{
    [Fact]
    public async Task A_cross_site_form_post_without_the_token_is_refused_with_the_form_and_nothing_is_recorded()
    {
        await using var host = new LocalHostProcess(azurite);
        await host.StartAsync();
        using var flows = new Flows(host);
        var address = $"csrf.{Guid.NewGuid():N}@example.be";

        // What a page on another site makes the visitor's browser send: the fields, no token, no cookie of ours.
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/requests")
        {
            Content = Flows.Form(("type", "erasure"), ("email", address), ("name", "An"), ("language", "nl")),
        };
        crossSite.Headers.Add("Origin", "https://evil.example");
        var refused = await flows.Http.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Er is niets geregistreerd", page, StringComparison.Ordinal);
        Assert.Contains("name=\"__RequestVerificationToken\"", page, StringComparison.Ordinal);
        // The refused form keeps what was typed, so sending it again is one click.
        Assert.Contains(address, page, StringComparison.Ordinal);

        var asJson = await flows.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/requests")
        {
            Content = Flows.Form(("type", "erasure"), ("email", address), ("name", "An"), ("language", "en")),
            Headers = { { "Accept", "application/json" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, asJson.StatusCode);
        Assert.Equal("application/problem+json", asJson.Content.Headers.ContentType?.MediaType);

        await Task.Delay(1000);
        Assert.Empty(await flows.CasesOfAsync(address));
        Assert.DoesNotContain(host.Mailbox.All(), m => m.To.Mailboxes.Any(x => x.Address == address));

        // The same form sent from our own page (token and cookie) is taken.
        var accepted = await flows.PostFormAsync(("type", "erasure"), ("email", address), ("name", "An"), ("language", "nl"));
        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);
        Assert.Single(await flows.CasesOfAsync(address));

        // The JSON API stays token-free.
        var json = await flows.Http.PostAsJsonAsync("/api/requests", new { type = "access", email = address, name = "An", language = "en" });
        Assert.Equal(HttpStatusCode.Accepted, json.StatusCode);
    }
}

/// <summary>The counters' table against Azurite: instances racing on one counter, and the rows of ended windows.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubmissionCounterTableTests(Azurite azurite)
{
    private Adapters.Storage.TableSubmissionCounters Counters(string table, params Azure.Core.Pipeline.HttpPipelinePolicy[] policies) => new(
        new Adapters.Storage.StorageClients(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build(), policies),
        Microsoft.Extensions.Options.Options.Create(new Configuration.PrivacyOptions { Intake = { LimitTable = table } }));

    /// <summary>
    /// The count of <paramref name="key"/> in the window starting at <paramref name="start"/>, as a client of its own reads
    /// the key's row (its current window's count, or its window before's); null when the row holds no such window.
    /// </summary>
    private async Task<int?> CountInTableAsync(string table, string limit, string key, DateTimeOffset start, TimeSpan window)
    {
        var row = await new Azure.Data.Tables.TableClient(azurite.ConnectionString, table).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(limit, key);
        if (!row.HasValue)
        {
            return null;
        }

        var rowStart = row.Value!.GetDateTimeOffset("WindowStart");
        return rowStart == start ? row.Value.GetInt32("Count") : rowStart == start + window ? row.Value.GetInt32("PreviousCount") : null;
    }

    [Fact]
    public async Task A_new_key_costs_one_insert_and_a_key_counted_before_one_write_into_this_window_or_the_next()
    {
        // Issue 21 item 1: each limit read both windows' rows, then wrote (two round trips, three requests), twice a
        // request; then (decision 86) a new key was added while the window before was read (two requests). One row per
        // key now holds both windows: a new key is one insert, a key counted before one write with the ETag remembered,
        // also into the next window.
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var sent = new RequestLog();
        var counters = Counters(table, sent);
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromHours(1));
        var now = rule.Start(DateTimeOffset.UtcNow) + TimeSpan.FromMinutes(30);
        // The table is made at the first count.
        Assert.Null(await counters.TryCountAsync("client", "k0", rule, now, default));
        sent.Clear();
        Assert.Null(await counters.TryCountAsync("client", "k1", rule, now, default));
        Assert.Equal(["POST"], sent.Methods);

        sent.Clear();
        Assert.Null(await counters.TryCountAsync("client", "k1", rule, now, default));
        Assert.Equal(["PUT"], sent.Methods);

        sent.Clear();
        Assert.Null(await counters.TryCountAsync("client", "k2", rule, now, default));
        Assert.Equal(["POST"], sent.Methods);

        // The next window: the same row moves on, its count becoming the window before's.
        sent.Clear();
        Assert.Null(await counters.TryCountAsync("client", "k1", rule, now + rule.Window, default));
        Assert.Equal(["PUT"], sent.Methods);

        Assert.Equal(2, await CountInTableAsync(table, "client", "k1", rule.Start(now), rule.Window));
        Assert.Equal(1, await CountInTableAsync(table, "client", "k1", rule.Start(now) + rule.Window, rule.Window));
        Assert.Equal(1, await CountInTableAsync(table, "client", "k2", rule.Start(now), rule.Window));
    }

    [Fact]
    public async Task An_instance_whose_remembered_count_is_stale_reads_again_and_refuses_at_the_limit()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var (a, b) = (Counters(table), Counters(table));
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromHours(1));
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await a.TryCountAsync("address", "k", rule, now, default));
        }

        Assert.Null(await b.TryCountAsync("address", "k", rule, now, default));
        Assert.Null(await b.TryCountAsync("address", "k", rule, now, default));

        // A remembers 3; the row says 5.
        Assert.NotNull(await a.TryCountAsync("address", "k", rule, now, default));
        Assert.NotNull(await b.TryCountAsync("address", "k", rule, now, default));
        Assert.Equal(5, await CountInTableAsync(table, "address", "k", rule.Start(now), rule.Window));
    }

    [Fact]
    public async Task A_key_flooded_in_the_window_before_on_another_instance_is_refused_here_and_the_refusal_is_not_counted()
    {
        // A key this instance never saw is inserted; the row another instance made refuses the insert, and the row as
        // read (the window before full) refuses the request: a refused request is never counted.
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromMinutes(10));
        var start = rule.Start(DateTimeOffset.UtcNow);
        var other = Counters(table);
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await other.TryCountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5), default));
        }

        var here = Counters(table);
        var wait = await here.TryCountAsync("address", "k", rule, start + TimeSpan.FromSeconds(1), default);

        Assert.NotNull(wait);
        Assert.Null(await CountInTableAsync(table, "address", "k", start, rule.Window));
        // Later in the window the previous one weighs less: 5 x (1 - 0.3) + 0 + 1 <= 5 lets one through, counted once.
        Assert.Null(await here.TryCountAsync("address", "k", rule, start + TimeSpan.FromMinutes(3), default));
        Assert.Equal(1, await CountInTableAsync(table, "address", "k", start, rule.Window));
    }

    [Fact]
    public async Task A_count_written_into_the_window_before_just_after_it_ended_is_not_missed()
    {
        // A request counting at 23:59:59.999 may write a few seconds into the next window (it waits up to 5 s, and
        // clocks differ): it counts in the row's window before, and an instance that remembers the row as it was reads
        // it again, because its write over that version is refused.
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromMinutes(10));
        var start = rule.Start(DateTimeOffset.UtcNow);
        var (a, b) = (Counters(table), Counters(table));
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await b.TryCountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5), default));
        }

        // A, a second into the window: 3 x 0.998 + 0 + 1 <= 5, counted.
        Assert.Null(await a.TryCountAsync("address", "k", rule, start + TimeSpan.FromSeconds(1), default));
        // B's last two of the window before land after that.
        Assert.Null(await b.TryCountAsync("address", "k", rule, start - TimeSpan.FromMilliseconds(1), default));
        Assert.Null(await b.TryCountAsync("address", "k", rule, start - TimeSpan.FromMilliseconds(1), default));

        // 5 x 0.997 + 1 + 1 > 5: refused (with the window before remembered as 3 it would pass).
        Assert.NotNull(await a.TryCountAsync("address", "k", rule, start + TimeSpan.FromSeconds(2), default));
        Assert.Equal(1, await CountInTableAsync(table, "address", "k", start, rule.Window));
        Assert.Equal(5, await CountInTableAsync(table, "address", "k", start - rule.Window, rule.Window));
    }

    [Fact]
    public async Task A_count_taken_back_leaves_the_window_it_was_counted_in_even_after_the_row_moved_on()
    {
        // SubmissionLimits takes back an address's count when the client's limit refused the request at the same moment.
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromMinutes(10));
        var start = rule.Start(DateTimeOffset.UtcNow);
        var (a, b) = (Counters(table), Counters(table));
        Assert.Null(await a.TryCountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5), default));
        Assert.Null(await a.TryCountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5), default));
        // Another instance counts in the next window: the row moves on, its two counts now the window before's.
        Assert.Null(await b.TryCountAsync("address", "k", rule, start + TimeSpan.FromSeconds(1), default));

        // One of the first window's counts is taken back, by the instance whose row is out of date.
        await a.UncountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5));

        Assert.Equal(1, await CountInTableAsync(table, "address", "k", start - rule.Window, rule.Window));
        Assert.Equal(1, await CountInTableAsync(table, "address", "k", start, rule.Window));
        // The last count taken back too: nothing is left to keep, and the row goes.
        await b.UncountAsync("address", "k", rule, start + TimeSpan.FromSeconds(1));
        await a.UncountAsync("address", "k", rule, start - TimeSpan.FromMinutes(5));
        Assert.Null(await CountInTableAsync(table, "address", "k", start, rule.Window));
        Assert.Null(await CountInTableAsync(table, "address", "k", start - rule.Window, rule.Window));
    }

    [Fact]
    public async Task A_refusal_an_instance_remembers_is_decided_again_on_the_row_after_a_count_was_taken_back_elsewhere()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(3, TimeSpan.FromHours(1));
        var now = rule.Start(DateTimeOffset.UtcNow) + TimeSpan.FromMinutes(30);
        var (a, b) = (Counters(table), Counters(table));
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await a.TryCountAsync("address", "k", rule, now, default));
        }

        // Another instance takes one back (its client's limit refused that request): A's memory says 3, the row 2.
        await b.UncountAsync("address", "k", rule, now);

        Assert.Null(await a.TryCountAsync("address", "k", rule, now, default));
        Assert.Equal(3, await CountInTableAsync(table, "address", "k", rule.Start(now), rule.Window));
    }

    [Fact]
    public async Task A_key_back_after_two_windows_starts_afresh_and_a_request_far_behind_the_rows_window_is_still_counted()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(3, TimeSpan.FromMinutes(10));
        var start = rule.Start(DateTimeOffset.UtcNow);
        var counters = Counters(table);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await counters.TryCountAsync("address", "k", rule, start - (2 * rule.Window) + TimeSpan.FromMinutes(1), default));
        }

        // Two windows later nothing of that weighs: counted as the first of its window, no window before.
        Assert.Null(await counters.TryCountAsync("address", "k", rule, start + TimeSpan.FromMinutes(1), default));
        Assert.Equal(1, await CountInTableAsync(table, "address", "k", start, rule.Window));
        Assert.Equal(0, await CountInTableAsync(table, "address", "k", start - rule.Window, rule.Window));

        // A request whose window is two behind the row's (a window's length changed, a clock far off) is counted, in the
        // row's current window, and decided on it: two more fill the limit.
        var far = Counters(table);
        Assert.Null(await far.TryCountAsync("address", "k", rule, start - (2 * rule.Window), default));
        Assert.Null(await far.TryCountAsync("address", "k", rule, start - (2 * rule.Window), default));
        Assert.NotNull(await far.TryCountAsync("address", "k", rule, start - (2 * rule.Window), default));
        Assert.Equal(3, await CountInTableAsync(table, "address", "k", start, rule.Window));
    }

    [Fact]
    public async Task The_sweep_keeps_a_row_its_key_wrote_again_between_the_sweeps_look_and_its_delete()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromMinutes(10));
        var now = DateTimeOffset.UtcNow;
        var counting = Counters(table);
        Assert.Null(await counting.TryCountAsync("address", "k", rule, now.AddMinutes(-30), default));

        // The sweep found the row ended; right before its delete goes out, the key comes back and writes it for a new
        // window. (Made at that very request: a delete held back 500 ms while the key wrote after 150 ms lost the race in
        // a loaded CI run, the write taking longer than the delay.)
        var rewrite = new StorageFaults();
        rewrite.StepAround(
            r => r.Method == Azure.Core.RequestMethod.Delete,
            before: async () =>
            {
                if (await counting.TryCountAsync("address", "k", rule, now, default) is { } refused)
                {
                    throw new InvalidOperationException($"the key's request was refused ({refused})");
                }
            });

        var swept = await Counters(table, rewrite).DeleteEndedAsync(now, default);

        rewrite.AssertStepped();
        Assert.Equal(0, swept);
        Assert.Equal(1, await CountInTableAsync(table, "address", "k", rule.Start(now), rule.Window));
    }

    [Fact]
    public async Task However_many_requests_for_one_key_come_at_once_no_more_than_the_limit_pass()
    {
        // Requests that lost every race for the row were once let through uncounted (taken for a storage fault).
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(20, TimeSpan.FromHours(1));
        var now = DateTimeOffset.UtcNow;
        var instances = Enumerable.Range(0, 4).Select(_ => Counters(table)).ToList();
        var answers = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => Task.Run(() => instances[i % 4].TryCountAsync("client", "k", rule, now, default))));

        Assert.True(answers.Count(a => a is null) <= 20, $"{answers.Count(a => a is null)} of 120 let through at a limit of 20");
        Assert.Equal(answers.Count(a => a is null), await CountInTableAsync(table, "client", "k", rule.Start(now), rule.Window));
    }

    /// <summary>The methods of the requests a storage client sends, and how many were under way at once at most.</summary>
    private sealed class RequestLog : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> methods = new();
        private int underWay;
        private int mostAtOnce;

        public IReadOnlyList<string> Methods => [.. methods];

        public int MostAtOnce => mostAtOnce;

        public void Clear()
        {
            methods.Clear();
            mostAtOnce = 0;
        }

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            ArgumentNullException.ThrowIfNull(message);
            methods.Enqueue(message.Request.Method.Method);
            var now = Interlocked.Increment(ref underWay);
            InterlockedMax(ref mostAtOnce, now);
            try
            {
                // Long enough that two requests sent together are both under way.
                await Task.Delay(50);
                await ProcessNextAsync(message, pipeline);
            }
            finally
            {
                Interlocked.Decrement(ref underWay);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    [Fact]
    public async Task Racing_instances_count_every_request_so_exactly_the_limit_gets_through()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromHours(1));
        var now = DateTimeOffset.UtcNow;
        // Four "instances" (each its own client), twenty requests at once for one key.
        var instances = Enumerable.Range(0, 4).Select(_ => Counters(table)).ToList();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => instances[i % 4].TryCountAsync("address", "k1", rule, now, default))));

        Assert.Equal(5, answers.Count(a => a is null));
        Assert.All(answers.Where(a => a is not null), a => Assert.True(a > TimeSpan.Zero));
        // Another key is counted apart.
        Assert.Null(await instances[0].TryCountAsync("address", "k2", rule, now, default));
    }

    [Fact]
    public async Task Counters_of_windows_that_no_longer_matter_are_deleted_and_the_current_ones_kept()
    {
        var table = "limits" + Guid.NewGuid().ToString("N")[..12];
        var counters = Counters(table);
        var rule = new Intake.SubmissionWindow(5, TimeSpan.FromMinutes(10));
        var now = DateTimeOffset.UtcNow;
        await counters.TryCountAsync("client", "old", rule, now.AddMinutes(-30), default);
        await counters.TryCountAsync("client", "new", rule, now, default);

        Assert.Equal(1, await counters.DeleteEndedAsync(now, default));
        Assert.Equal(0, await counters.DeleteEndedAsync(now, default));
        // The current count is still there: four more, then refused.
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await counters.TryCountAsync("client", "new", rule, now, default));
        }

        Assert.NotNull(await counters.TryCountAsync("client", "new", rule, now, default));
    }
}
