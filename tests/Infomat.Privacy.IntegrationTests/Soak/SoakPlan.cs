using System.Globalization;

namespace Infomat.Privacy.IntegrationTests.Soak;

/// <summary>The size and seed of a soak run, from the environment (<c>SOAK_CASES</c>, <c>SOAK_SEED</c>, <c>SOAK_KILLS</c>).</summary>
public sealed record SoakSettings(int Cases, int Seed, int Kills, double StorageFailureRate)
{
    /// <summary>The small run of scripts/test.sh.</summary>
    public const int DefaultCases = 16;

    public static SoakSettings FromEnvironment()
    {
        var cases = Read("SOAK_CASES", DefaultCases);
        // Share of storage tries answered 503 (each try: the SDK retries three times, the activities four more).
        var storage = double.TryParse(Environment.GetEnvironmentVariable("SOAK_STORAGE_FAULTS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and < 1 ? rate : 0.1;
        return new SoakSettings(cases, Read("SOAK_SEED", 14), Read("SOAK_KILLS", Math.Max(1, cases / 60)), storage);
    }

    /// <summary>How long requests keep coming in (faults run for this plus <see cref="FaultTail"/>).</summary>
    public TimeSpan SubmissionWindow => TimeSpan.FromSeconds(Math.Max(15, Cases * 0.3));

    public TimeSpan FaultTail => TimeSpan.FromSeconds(Cases <= 40 ? 10 : 45);

    /// <summary>A requester who never confirms the address sees the case expire after this.</summary>
    public TimeSpan VerificationTimeout => TimeSpan.FromSeconds(Cases <= 40 ? 30 : 120);

    /// <summary>Staff who leave a decision open are reminded after this (and the reminders prove the wait is alive).</summary>
    public TimeSpan ReminderAfter => TimeSpan.FromSeconds(20);

    /// <summary>How long one entity store stays unreachable (in the middle of the fault window).</summary>
    public TimeSpan StoreOutage => TimeSpan.FromSeconds(Cases <= 40 ? 12 : 30);

    public TimeSpan ReconcileInterval => TimeSpan.FromSeconds(10);

    /// <summary>
    /// The cap on how long, after the faults end and the verification deadline passes, cases may take to settle
    /// (<c>SOAK_SETTLE_SECONDS</c>). The local engine runs about four activities a second when busy (two at a time, and it
    /// looks for a free slot every 500 ms), a case takes a dozen, and every kill starts the work in flight again.
    /// </summary>
    public TimeSpan SettleTail => TimeSpan.FromSeconds(Read("SOAK_SETTLE_SECONDS", Cases <= 40 ? 60 : 5 * Cases + 300));

    /// <summary>No unsettled case moving for this long ends the wait: longer than any timer they wait on (verification, reminders).</summary>
    public TimeSpan Quiet => VerificationTimeout + TimeSpan.FromSeconds(90);

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

public enum SoakChannel
{
    Form,
    Mail,
}

/// <summary>What the requester does with the verification link.</summary>
public enum RequesterBehaviour
{
    Confirms,

    /// <summary>Confirms a moment before or after the link's deadline (the decision at the timeout's edge).</summary>
    ConfirmsAtTheEdge,

    /// <summary>Never confirms: the case must expire with a notice.</summary>
    NeverConfirms,
}

/// <summary>What staff do with the identity decision.</summary>
public enum StaffBehaviour
{
    Approve,
    Reject,

    /// <summary>Never decides (on holiday): the case must stay open, reminded, with a live wait.</summary>
    Idle,
}

/// <summary>
/// One request a person means to make (it must become exactly one case), and how the people around it behave.
/// <see cref="Name"/> ("Soak R0042") is how the case is found in the register, whatever channel brought it.
/// </summary>
public sealed record SoakRequest(
    int Index,
    string Type,
    string? Objection,
    string Language,
    string Entity,
    string Email,
    SoakChannel Channel,
    bool SenderVerified,
    RequesterBehaviour Requester,
    StaffBehaviour Staff,
    bool LeaveTasksOpen,
    bool Duplicate,
    TimeSpan MailAge,
    TimeSpan SubmitAt,
    double EdgeOffsetSeconds)
{
    public string Name => $"Soak R{Index:D4}";

    public string Right => Objection is null ? Type : $"{Type}({Objection})";

    public bool NeedsVerification => Channel == SoakChannel.Form || !SenderVerified;
}

/// <summary>Draws the requests of a run from its seed: every right, NL/FR/EN, both channels, duplicates and edges.</summary>
public static class SoakPlanner
{
    private static readonly (string Type, string? Objection)[] Rights =
    [
        ("access", null), ("portability", null), ("erasure", null), ("restriction", null),
        ("objection", "direct-marketing"), ("objection", "other"), ("withdraw-consent", null), ("rectification", null),
    ];

    private static readonly string[] Languages = ["nl", "fr", "en"];

    private static readonly string[] DemoPeople =
        ["an.peeters@example.be", "sophie.dubois@example.be", "jan.devries@example.nl", "zoe.maes@example.be", "alexis.papadopoulos@example.nl"];

    public static IReadOnlyList<SoakRequest> Plan(SoakSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(settings.Seed);
        // The demo people hold data in the stores; each (person, right) once, so no request joins another one's case.
        var demo = new Queue<string>(DemoPeople.SelectMany(p => Rights.Select(r => p + "|" + r.Type)).OrderBy(_ => random.Next()));
        var requests = new List<SoakRequest>();
        for (var i = 1; i <= settings.Cases; i++)
        {
            var (type, objection) = Rights[(i - 1) % Rights.Length];
            var language = Languages[(i - 1) / Rights.Length % Languages.Length];
            // Alternating per block, so every right comes by both channels; an objection to other processing only by the
            // form (the mail corpus's objections are to direct marketing, and the classifier sends an unclear one to staff).
            var channel = ((i - 1) % Rights.Length + ((i - 1) / Rights.Length)) % 2 == 0 || objection == "other" ? SoakChannel.Form : SoakChannel.Mail;
            var email = $"soak.r{i:D4}@example.org";
            if (random.NextDouble() < 0.35)
            {
                var pick = demo.FirstOrDefault(d => d.EndsWith("|" + type, StringComparison.Ordinal));
                if (pick is not null)
                {
                    demo = new Queue<string>(demo.Where(d => d != pick));
                    email = pick.Split('|')[0];
                }
            }

            var verified = channel == SoakChannel.Mail && random.NextDouble() < 0.7;
            var roll = random.NextDouble();
            var requester = roll < 0.08 ? RequesterBehaviour.NeverConfirms : roll < 0.18 ? RequesterBehaviour.ConfirmsAtTheEdge : RequesterBehaviour.Confirms;
            roll = random.NextDouble();
            var staff = roll < 0.08 ? StaffBehaviour.Reject : roll < 0.12 ? StaffBehaviour.Idle : StaffBehaviour.Approve;
            var entity = channel == SoakChannel.Mail ? "both" : new[] { "be", "nl", "both", "both" }[random.Next(4)];
            // A mail that reached the mailbox earlier (the host was down, or busy): the legal clock runs from then.
            // Only for proven senders: an unproven one's verification deadline runs from receipt too, and the soak's short
            // timeout would expire it at once.
            var mailAge = channel == SoakChannel.Mail && verified && random.NextDouble() < 0.4 ? TimeSpan.FromMinutes(random.Next(60, 3 * 24 * 60)) : TimeSpan.Zero;
            requests.Add(new SoakRequest(
                i, type, objection, language, entity, email, channel, verified, requester, staff,
                LeaveTasksOpen: random.NextDouble() < 0.1,
                Duplicate: random.NextDouble() < 0.12,
                MailAge: mailAge,
                SubmitAt: TimeSpan.FromSeconds(random.NextDouble() * settings.SubmissionWindow.TotalSeconds),
                EdgeOffsetSeconds: (random.NextDouble() * 6) - 3));
        }

        // The small run must have each kind of trouble at least once.
        if (settings.Cases <= 40 && requests.Count >= 6)
        {
            requests[0] = requests[0] with { Duplicate = true, Requester = RequesterBehaviour.Confirms };
            requests[1] = requests[1] with { Duplicate = true, SenderVerified = true, MailAge = TimeSpan.FromDays(2) };
            requests[2] = requests[2] with { Requester = RequesterBehaviour.ConfirmsAtTheEdge };
            requests[4] = requests[4] with { Requester = RequesterBehaviour.NeverConfirms };
        }

        return requests;
    }
}
