using System.Globalization;
using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using MsOptions = Microsoft.Extensions.Options.Options;

namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>
/// Issue 24: two years (2027 and 2028, and the months after until every case is answered) on a fake clock. Requests
/// generated from a seed are received, confirmed or not, decided by staff (in time or not), extended (in time or too
/// late) and expired by the requester's silence through the product's own case transitions, called as the activities and
/// the staff endpoints call them; the product's daily sweep (<see cref="CaseMaintenance"/>, 06:00 UTC as the Functions
/// timer) runs every day. Afterwards every date is checked against <see cref="LegalCalendar"/>, which shares no code with
/// the product. Nothing waits: the clock jumps from one event to the next.
/// </summary>
internal sealed class YearSimulation
{
    private static readonly DateTimeOffset Start = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastReceipt = new(2028, 12, 31, 22, 59, 0, TimeSpan.Zero);
    private static readonly RequestType[] Types = [RequestType.Access, RequestType.Portability, RequestType.Erasure, RequestType.Restriction];

    private readonly DataMap map = TestDataMaps.Real;
    private readonly PrivacyOptions options = new();
    private readonly FakeTimeProvider clock = new(Start);
    private readonly SimulatedRegister register = new();
    private readonly SimulatedMail mail;
    private readonly CaseMaintenance sweep;
    private readonly NoOrchestrations client = new();
    private readonly PriorityQueue<Func<Task>, (DateTimeOffset At, long Seq)> events = new();
    private readonly List<CasePlan> plans = [];
    private readonly List<string> refusedSteps = [];
    private readonly Func<PrivacyCase, PrivacyCase> plantedBug;
    private long seq;

    private YearSimulation(Func<PrivacyCase, PrivacyCase>? plantedBug)
    {
        mail = new SimulatedMail(clock);
        options.Staff.EscalationAddress = SimulationChecks.EscalationAddress;
        this.plantedBug = plantedBug ?? (c => c);
        sweep = new CaseMaintenance(register, mail, new KeyedHash(RandomNumberGenerator.GetBytes(32)), MsOptions.Create(options), clock,
            new PrivacyMetrics(new SimulatedMeters()), NullLogger<CaseMaintenance>.Instance, map);
    }

    /// <summary>
    /// Runs <paramref name="requests"/> requests generated from <paramref name="seed"/>. <paramref name="plantedBug"/>
    /// changes each new case before it is stored (to show that the checks catch a wrong date).
    /// </summary>
    public static async Task<SimulationReport> RunAsync(int requests, int seed, Func<PrivacyCase, PrivacyCase>? plantedBug = null)
    {
        var simulation = new YearSimulation(plantedBug);
        simulation.Generate(requests, seed);
        var end = await simulation.RunEventsAsync();
        return SimulationChecks.Check(simulation.plans, simulation.refusedSteps, simulation.register, simulation.mail, simulation.map, simulation.options, requests, seed, end);
    }

    // ---- The requests and how the people behave ----

    private void Generate(int requests, int seed)
    {
        var random = new Random(seed);
        var edges = EdgeCases.Rows;
        for (var i = 0; i < requests; i++)
        {
            // Every edge moment once when the run is large enough, then a third of the rest on edge moments again.
            EdgeCases.Row? edge = i < edges.Count && requests >= 2 * edges.Count ? edges[i]
                : random.NextDouble() < 0.3 ? edges[random.Next(edges.Count)]
                : null;
            var received = edge?.Received
                ?? Start.AddMinutes(random.NextInt64((long)(LastReceipt - Start).TotalMinutes));
            var scope = random.Next(10) switch
            {
                < 4 => ControllerScope.AllOf(map.ControllerCodes),
                < 7 => ControllerScope.Of("be"),
                _ => ControllerScope.Of("nl"),
            };
            var channel = random.Next(2) == 0 ? Channel.Form : Channel.Email;
            var plan = new CasePlan
            {
                Number = i + 1,
                Edge = edge?.Moment,
                Received = received,
                Scope = scope,
                Countries = [.. scope.Codes.Select(code => map.Controller(code).Country)],
                Channel = channel,
                Language = (Language)random.Next(3),
                Type = Types[random.Next(Types.Length)],
                DmarcPass = channel == Channel.Email && random.Next(10) < 6,
                // 12 % never confirm the address; the others within three days.
                ConfirmAfter = random.Next(100) < 12 ? null : TimeSpan.FromMinutes(5 + random.Next(3 * 24 * 60)),
                // 10 % are asked for more identification; half of those never send it.
                AskIdentification = random.Next(100) < 10,
                IdentificationReplyAfter = random.Next(2) == 0 ? null : TimeSpan.FromHours(2 + random.Next(5 * 24)),
                // Staff decide after 0-20 working days; 15 % not within the month (3 to 30 days after the due date).
                StaffWorkingDays = random.Next(100) < 15 ? null : random.Next(21),
                StaffDaysAfterDue = 3 + random.Next(28),
                StaffHour = 9 + random.Next(9),
                Reject = random.Next(100) < 8,
                // 20 % ask for an extension, on a day 0-45 after receipt (after the first due date: must be refused).
                ExtensionAfterDays = random.Next(100) < 20 ? random.Next(46) : null,
                ExtensionMonths = 1 + random.Next(2),
            };
            plans.Add(plan);
            At(received, () => ReceiveAsync(plan));
            if (plan.ExtensionAfterDays is { } days)
            {
                At(LegalCalendar.Brussels(LegalCalendar.BrusselsDay(received).AddDays(days), 11, 30), () => AskExtensionAsync(plan));
            }
        }
    }

    private void At(DateTimeOffset at, Func<Task> step) => events.Enqueue(step, (at, seq++));

    private async Task<DateTimeOffset> RunEventsAsync()
    {
        // The daily sweep at 06:00 UTC (the Functions timer "0 0 6 * * *"), every day until nothing is left open.
        var nextSweep = new DateTimeOffset(2027, 1, 1, 6, 0, 0, TimeSpan.Zero);
        var lastDay = LastReceipt.AddMonths(6);
        while (nextSweep <= lastDay)
        {
            while (events.TryPeek(out _, out var when) && when.At <= nextSweep)
            {
                var step = events.Dequeue();
                if (when.At > clock.GetUtcNow())
                {
                    clock.SetUtcNow(when.At);
                }

                await step();
            }

            clock.SetUtcNow(nextSweep);
            await sweep.RunAsync(client, CancellationToken.None);
            if (events.Count == 0 && nextSweep > LastReceipt && register.All.All(c => !c.IsUnanswered))
            {
                break;
            }

            nextSweep = nextSweep.AddDays(1);
        }

        return nextSweep;
    }

    private DateTimeOffset Now => clock.GetUtcNow();

    private Task<CaseUpdate> Apply(CasePlan plan, Func<PrivacyCase, CaseTransition> transition) =>
        register.ApplyAsync(plan.Id!, transition, CancellationToken.None);

    /// <summary>A step the person or staff take that the product must accept; a refusal is a miss (case and day).</summary>
    private Task Must(CasePlan plan, string step, Func<PrivacyCase, CaseTransition> transition) => Refused(plan, step, transition);

    private async Task<bool> Refused(CasePlan plan, string step, Func<PrivacyCase, CaseTransition> transition)
    {
        if ((await Apply(plan, transition)).Refusal is not { } refusal)
        {
            return false;
        }

        refusedSteps.Add($"case {plan.Id} on {Day(LegalCalendar.BrusselsDay(Now))}: {step} refused ({refusal})");
        return true;
    }

    // ---- Steps, each as the product's activity or endpoint takes it ----

    private async Task ReceiveAsync(CasePlan plan)
    {
        var request = new ValidRequest(plan.Type, $"person{plan.Number}@example.org", $"Person {plan.Number}", null, plan.Scope, plan.Language, null);
        var c = plantedBug(PrivacyCase.Received(request, plan.Channel, Now, map, plan.DmarcPass ? DmarcVerdict.Pass : null));
        plan.Id = c.Id;
        plan.FirstDueDateShown = c.DueDate;
        plan.VerifiedAtReceipt = c.EmailVerifiedAt is not null;
        await register.CreateAsync(c, CancellationToken.None);
        if (c.EmailVerifiedAt is not null)
        {
            At(Now.AddMinutes(2), () => AskStaffAsync(plan));
            return;
        }

        // SendVerification: the link goes out a minute later; the requester has Verification.Timeout from then.
        At(Now.AddMinutes(1), async () =>
        {
            await Must(plan, "verification mail", x => x.VerificationMailSent(Now));
            plan.VerificationMailAt = Now;
            At(Now + options.Verification.Timeout, () => ExpireIfSilentAsync(plan));
            if (plan.ConfirmAfter is { } after && after < options.Verification.Timeout)
            {
                At(Now + after, () => ConfirmAsync(plan));
            }
        });
    }

    private async Task ConfirmAsync(CasePlan plan)
    {
        // Confirmed within the requester's time: the product must accept it.
        if (await Refused(plan, "confirmation", x => x.Verify(Now)))
        {
            return;
        }

        At(Now.AddMinutes(2), () => AskStaffAsync(plan));
    }

    /// <summary>ExpireCase: closes the case only when the product's rule says the requester did not respond.</summary>
    private async Task ExpireIfSilentAsync(CasePlan plan)
    {
        var expired = await Apply(plan, x => x.Expire(Now, options.Verification.Timeout, options.Approval.Timeout));
        if (expired.Case.NeedsExpiryNotice)
        {
            await mail.SendAsync(PrivacyMails.Expired(expired.Case, map, options.NoticeLink(expired.Case.Language)), CancellationToken.None);
            await Must(plan, "expiry notice", x => x.ExpiryNoticeSent(Now));
            plan.ClosedAt = Now;
            plan.Closed = "expired";
        }
    }

    private async Task AskStaffAsync(CasePlan plan)
    {
        await Must(plan, "approval preparation", x => x.PrepareApproval(new Dictionary<string, int> { ["be/crm"] = 1 }, options.Approval.TwoApproversForErasure));
        await Must(plan, "approval request", x => x.RequestApproval(Now));
        var asked = LegalCalendar.BrusselsDay(Now);
        if (plan.AskIdentification)
        {
            At(LegalCalendar.Brussels(WeekdaysAfter(asked, 1), 10, 0), () => AskIdentificationAsync(plan));
            return;
        }

        At(DecisionMoment(plan, asked), () => DecideAsync(plan));
    }

    /// <summary>When staff decide: some working days after they were asked, or some days after the due date shown to them.</summary>
    private static DateTimeOffset DecisionMoment(CasePlan plan, DateOnly asked) =>
        LegalCalendar.Brussels(
            plan.StaffWorkingDays is { } days ? WeekdaysAfter(asked, days) : plan.FirstDueDateShown.AddDays(plan.StaffDaysAfterDue),
            plan.StaffHour,
            15);

    private async Task AskIdentificationAsync(CasePlan plan)
    {
        if (await Refused(plan, "request for identification", x => x.RequestIdentification("Els", "Please send a copy of a utility bill.", Now)))
        {
            return;
        }

        await Must(plan, "identification mail", x => x.IdentificationMailSent(Now));
        plan.IdentificationMailAt = Now;
        if (plan.IdentificationReplyAfter is { } after && after < options.Approval.Timeout)
        {
            At(Now + after, async () =>
            {
                await Must(plan, "identification reply", x => x.IdentificationAnswered(Now, 1));
                At(DecisionMoment(plan, LegalCalendar.BrusselsDay(Now)), () => DecideAsync(plan));
            });
        }

        // TendApprovalWait: the orchestration looks again when the product's rule says, and expires the case if it may.
        At(Now + options.Approval.Timeout, async () =>
        {
            var c = (await register.GetAsync(plan.Id!, CancellationToken.None))!;
            if (c.ApprovalWaitAt(Now, options.Approval.ReminderAfter, options.Approval.Timeout).Action == ApprovalWaitAction.Expire)
            {
                await ExpireIfSilentAsync(plan);
            }
        });
    }

    private async Task DecideAsync(CasePlan plan)
    {
        var c = (await register.GetAsync(plan.Id!, CancellationToken.None))!;
        if (c.Status.IsFinished())
        {
            return;
        }

        plan.DecidedOn = LegalCalendar.BrusselsDay(Now);
        plan.DueDateShownAtDecision = c.DueDate;
        if (plan.Reject)
        {
            await Must(plan, "rejection", x => x.Reject("Els", "The identity could not be confirmed.", Now));
            await Must(plan, "rejection mail", x => x.RejectionSent(Now.AddMinutes(1)));
            plan.ClosedAt = Now.AddMinutes(1);
            plan.Closed = "rejected";
            return;
        }

        await Must(plan, "approval", x => x.Approve(1, "Els", Now, "id-card"));
        if (c.ApprovalsRequired > 1)
        {
            await Must(plan, "second approval", x => x.Approve(2, "Jan", Now.AddMinutes(5), "id-card"));
        }

        await Must(plan, "start of work", x => x.StartWork(Now.AddMinutes(6)));
        await Must(plan, "answer", x => x.Complete(Now.AddMinutes(20)));
        plan.ClosedAt = Now.AddMinutes(20);
        plan.Closed = "answered";
    }

    /// <summary>The staff endpoint's extension: the product's refusal rule, the transition, then the notice at once.</summary>
    private async Task AskExtensionAsync(CasePlan plan)
    {
        var c = plan.Id is null ? null : await register.GetAsync(plan.Id, CancellationToken.None);
        if (c is null || !c.IsUnanswered)
        {
            return;
        }

        var attempt = new ExtensionAttempt(LegalCalendar.BrusselsDay(Now), plan.ExtensionMonths);
        plan.Extension = attempt;
        if (c.ExtensionRefusal(plan.ExtensionMonths, Now) is { } refusal)
        {
            attempt.Refusal = refusal.ToString();
            return;
        }

        var extended = await Apply(plan, x => x.Extend(plan.ExtensionMonths, "Many records in several systems.", "Els", Now, c.DueDate, map));
        if (extended.Refused)
        {
            attempt.Refusal = extended.Refusal.ToString();
            return;
        }

        var extension = extended.Case.Extensions[^1];
        attempt.NewDueDate = extension.NewDueDate;
        await mail.SendAsync(PrivacyMails.ExtensionNotice(extended.Case, map, extension, options.NoticeLink(extended.Case.Language)), CancellationToken.None);
    }

    private static DateOnly WeekdaysAfter(DateOnly day, int weekdays)
    {
        for (var left = weekdays; left > 0;)
        {
            day = day.AddDays(1);
            left -= day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0 : 1;
        }

        return day;
    }

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Text(DateOnly day, Language language) => Texts.Date(day, language);
}

/// <summary>What the generator decided for one request, and what happened to it (kept by the simulation, not the product).</summary>
internal sealed class CasePlan
{
    public int Number { get; init; }
    public string? Edge { get; init; }
    public DateTimeOffset Received { get; init; }
    public required ControllerScope Scope { get; init; }
    public required IReadOnlyList<string> Countries { get; init; }
    public Channel Channel { get; init; }
    public Language Language { get; init; }
    public RequestType Type { get; init; }
    public bool DmarcPass { get; init; }
    public TimeSpan? ConfirmAfter { get; init; }
    public bool AskIdentification { get; init; }
    public TimeSpan? IdentificationReplyAfter { get; init; }
    public int? StaffWorkingDays { get; init; }
    public int StaffDaysAfterDue { get; init; }
    public int StaffHour { get; init; }
    public bool Reject { get; init; }
    public int? ExtensionAfterDays { get; init; }
    public int ExtensionMonths { get; init; }

    public string? Id { get; set; }
    public DateOnly FirstDueDateShown { get; set; }
    public DateTimeOffset? VerificationMailAt { get; set; }
    public DateTimeOffset? IdentificationMailAt { get; set; }
    public DateOnly? DecidedOn { get; set; }
    public DateOnly? DueDateShownAtDecision { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? Closed { get; set; }
    public ExtensionAttempt? Extension { get; set; }

    /// <summary>True when the address counted as confirmed at receipt (a mail whose DMARC verdict sufficed).</summary>
    public bool VerifiedAtReceipt { get; set; }

    /// <summary>
    /// Whether the requester never confirmed the address, or (having confirmed it) never sent the identification staff
    /// asked for: the only silences that may end a case.
    /// </summary>
    public Silence RequesterSilent
    {
        get
        {
            var confirmation = !VerifiedAtReceipt && ConfirmAfter is null;
            return new Silence(confirmation, !confirmation && AskIdentification && IdentificationReplyAfter is null);
        }
    }
}

/// <summary>Which silence of the requester may end the case.</summary>
internal sealed record Silence(bool Confirmation, bool Identification)
{
    public bool Any => Confirmation || Identification;
}

/// <summary>One request for an extension: the Brussels day it was asked, the months, and what the product answered.</summary>
internal sealed class ExtensionAttempt(DateOnly day, int months)
{
    public DateOnly Day { get; } = day;
    public int Months { get; } = months;
    public string? Refusal { get; set; }
    public DateOnly? NewDueDate { get; set; }
}
