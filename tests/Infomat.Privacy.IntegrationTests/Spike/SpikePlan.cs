using System.Globalization;

namespace Infomat.Privacy.IntegrationTests.Spike;

/// <summary>
/// The size and pace of a spike run, from the environment: <c>BENCH_SPIKE_REQUESTS</c> (unset: the small run of
/// scripts/test.sh), <c>BENCH_SPIKE_RATE</c> (requests a second), <c>BENCH_SPIKE_ROWS</c> (contacts in the BE CRM),
/// <c>BENCH_SPIKE_TASKHUB=shared</c> (the task hub in the register's Azurite instead of one of its own).
/// </summary>
public sealed record SpikeSettings(int Requests, double Rate, int Rows, int Seed, bool TaskHubApart = true)
{
    /// <summary>
    /// The small run of scripts/test.sh (80 requests at 2 a second on 50,000 contacts): the benchmark's code runs in every
    /// test run, in about a minute and a half, at a pace a CI machine busy with the other tests still follows.
    /// </summary>
    public const int SmallRequests = 80;

    public const double SmallRate = 2;

    /// <summary>The pace: 10,000 requests (an hour of a publicised incident's load) in about 33 minutes (decision 77).</summary>
    public const double FullRate = 5;

    public bool Small => Requests == SmallRequests;

    public TimeSpan Window => TimeSpan.FromSeconds(Requests / Rate);

    public static SpikeSettings FromEnvironment()
    {
        var requests = Read("BENCH_SPIKE_REQUESTS", SmallRequests);
        var rate = double.TryParse(Environment.GetEnvironmentVariable("BENCH_SPIKE_RATE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 ? r
            : requests == SmallRequests ? SmallRate : FullRate;
        // The small run seeds 50,000 contacts (seconds, not the 20 of a million): the full run's store size is its own.
        var rows = Read("BENCH_SPIKE_ROWS", requests == SmallRequests ? 50_000 : 1_000_000);
        // The task hub in an Azurite of its own, as scripts/run.sh runs it (decision 82); "shared" puts it beside the register.
        var apart = Environment.GetEnvironmentVariable("BENCH_SPIKE_TASKHUB") != "shared";
        return new SpikeSettings(requests, rate, rows, Read("BENCH_SPIKE_SEED", 21), apart);
    }

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

public enum SpikeChannel
{
    Form,
    Mail,
}

/// <summary>One request of the spike: a distinct requester, a right, a language, a channel, and whether the requester confirms the address.</summary>
public sealed record SpikeRequest(int Index, string Type, string? Objection, string Language, string Entity, SpikeChannel Channel, bool Confirms, string ClientAddress, TimeSpan SubmitAt)
{
    public string Name => $"Spike R{Index:D5}";

    public string Email => $"spike.r{Index:D5}@example.org";

    public string Right => Objection is null ? Type : $"{Type}({Objection})";
}

/// <summary>Draws the requests of a spike from its seed: every right, NL/FR/EN, form and mail, exactly half confirming.</summary>
public static class SpikePlanner
{
    private static readonly (string Type, string? Objection)[] Rights =
    [
        ("access", null), ("portability", null), ("erasure", null), ("restriction", null),
        ("objection", "direct-marketing"), ("objection", "other"), ("withdraw-consent", null), ("rectification", null),
    ];

    private static readonly string[] Languages = ["nl", "fr", "en"];

    public static IReadOnlyList<SpikeRequest> Plan(SpikeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(settings.Seed);
        // Exactly half confirm, drawn independently of right, language and channel.
        var confirms = Enumerable.Range(0, settings.Requests).Select(i => i < settings.Requests / 2).OrderBy(_ => random.Next()).ToArray();
        var requests = new List<SpikeRequest>(settings.Requests);
        for (var i = 0; i < settings.Requests; i++)
        {
            var (type, objection) = Rights[i % Rights.Length];
            var language = Languages[i / Rights.Length % Languages.Length];
            // Alternating per block so every right comes by both channels; an objection to other processing only by the
            // form (the mail corpus's objections are to direct marketing).
            var channel = (i % Rights.Length + (i / Rights.Length)) % 2 == 0 || objection == "other" ? SpikeChannel.Form : SpikeChannel.Mail;
            var entity = new[] { "be", "nl", "both" }[random.Next(3)];
            // A spike comes from many addresses: about four requests per client address (the per-client limit is 20 in
            // ten minutes), as the Azure front end names them in X-Forwarded-For.
            var c = i / 4;
            var client = string.Create(CultureInfo.InvariantCulture, $"10.{1 + (c / 62_500 % 250)}.{c / 250 % 250}.{1 + (c % 250)}");
            var at = TimeSpan.FromSeconds(i / settings.Rate);
            requests.Add(new SpikeRequest(i + 1, type, objection, language, entity, channel, confirms[i], client, at));
        }

        return requests;
    }
}
