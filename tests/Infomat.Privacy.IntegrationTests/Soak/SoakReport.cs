using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Infomat.Privacy.IntegrationTests.Soak;

/// <summary>What the host's faults injected (from its <c>/local/faults</c> route, summed over the process's lives).</summary>
public sealed record FaultCounts(int Storage503, int Mail503, int MailTimeouts, int StoreDownRefusals);

/// <summary>
/// The figures of a soak run. Those that must be 0 (lost, silently stuck, duplicate cases, duplicate answer mails, late
/// due dates, closed unanswered, expired after a confirmation) list each case they count, so a failure names its cases.
/// </summary>
public sealed class SoakReport
{
    public int Seed { get; set; }
    public int Requests { get; set; }
    public int FormRequests { get; set; }
    public int MailRequests { get; set; }
    public int DoubleSubmissions { get; set; }
    public int DuplicateMailDrops { get; set; }
    public int Submissions { get; set; }
    public int NotAccepted { get; set; }
    public int ErrorsSeenByPeople { get; set; }
    public int Kills { get; set; }
    public int StaffRetries { get; set; }
    public int Seconds { get; set; }
    public int InboxLeftOver { get; set; }
    public FaultCounts Faults { get; set; } = new(0, 0, 0, 0);
    public int CasesReceived { get; set; }

    /// <summary>Cases by outcome: Completed, Rejected, Expired, Failed, and "Open: " with what each waits on.</summary>
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    public List<string> Lost { get; } = [];
    public List<string> Stuck { get; } = [];
    public List<string> DuplicateCases { get; } = [];
    public List<string> DuplicateAnswerMails { get; } = [];
    public List<string> LateDueDates { get; } = [];
    public List<string> ClosedUnanswered { get; } = [];
    public List<string> ExpiredAfterConfirmation { get; } = [];

    public void Count(string outcome) => Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;

    public int Answered => Outcomes.GetValueOrDefault("Completed") + Outcomes.GetValueOrDefault("Rejected") + Outcomes.GetValueOrDefault("Expired");

    public int OpenWithAReason => Outcomes.Where(o => o.Key.StartsWith("Open: ", StringComparison.Ordinal)).Sum(o => o.Value);

    /// <summary>The figures that must be 0, by name.</summary>
    public IReadOnlyList<(string Figure, List<string> Cases)> MustBeZero =>
    [
        ("lost (accepted, no case)", Lost),
        ("silently stuck", Stuck),
        ("duplicate cases", DuplicateCases),
        ("duplicate answer mails", DuplicateAnswerMails),
        ("due dates later than receipt allows", LateDueDates),
        ("closed without an answer mail", ClosedUnanswered),
        ("expired after the requester confirmed", ExpiredAfterConfirmation),
    ];

    public bool Passed => MustBeZero.All(f => f.Cases.Count == 0);

    public string Table()
    {
        var s = new StringBuilder();
        void Row(string name, object value) => s.AppendLine(CultureInfo.InvariantCulture, $"  {name,-44} {value,8}");
        s.AppendLine(CultureInfo.InvariantCulture, $"Soak run: seed {Seed}, {Seconds} s");
        Row("requests (form / mail)", $"{Requests} ({FormRequests} / {MailRequests})");
        Row("double submissions / duplicate mail drops", $"{DoubleSubmissions} / {DuplicateMailDrops}");
        Row("host killed and restarted", Kills);
        Row("faults: storage 503 / mail 503 / mail timeout", $"{Faults.Storage503} / {Faults.Mail503} / {Faults.MailTimeouts}");
        Row("faults: store calls refused while down", Faults.StoreDownRefusals);
        Row("errors people met (and tried again)", ErrorsSeenByPeople);
        Row("requests never accepted (people gave up)", NotAccepted);
        Row("cases received", CasesReceived);
        Row("answered (completed, rejected, expired)", Answered);
        foreach (var (outcome, count) in Outcomes)
        {
            Row("  " + outcome, count);
        }

        Row("open with a reason", OpenWithAReason);
        Row("Failed and visible to staff", Outcomes.GetValueOrDefault("Failed"));
        Row("failed cases retried by staff during the run", StaffRetries);
        Row("mails left in the inbox (or failed/)", InboxLeftOver);
        foreach (var (figure, cases) in MustBeZero)
        {
            Row(figure + " (must be 0)", cases.Count);
        }

        foreach (var (figure, cases) in MustBeZero.Where(f => f.Cases.Count > 0))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{figure}:");
            foreach (var c in cases)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"  {c}");
            }
        }

        return s.ToString();
    }

    public string Json() => JsonSerializer.Serialize(
        new
        {
            Seed, Seconds, Requests, FormRequests, MailRequests, DoubleSubmissions, DuplicateMailDrops, Submissions, Kills, Faults,
            ErrorsSeenByPeople, NotAccepted, CasesReceived, Answered, Outcomes, OpenWithAReason, Failed = Outcomes.GetValueOrDefault("Failed"),
            StaffRetries, InboxLeftOver, Passed,
            Lost, SilentlyStuck = Stuck, DuplicateCases, DuplicateAnswerMails, LateDueDates, ClosedUnanswered, ExpiredAfterConfirmation,
        },
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
}
