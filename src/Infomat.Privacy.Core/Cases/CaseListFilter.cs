using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

/// <summary>Which cases the staff list shows (issue 22): the state filters, in the order the page offers them.</summary>
public enum CaseListState
{
    All,
    Open,
    Overdue,
    DueThisWeek,
    WaitingForStaff,
    Failed,
}

/// <summary>
/// What the staff case list (and its CSV) needs to know of a case to filter, count and show it: ids, rights, company,
/// channel, status and dates, no personal data. The register keeps this beside each case, written with it, so the list
/// reads these few values rather than every whole case (decision 74).
/// </summary>
public sealed record CaseListEntry(string Reference, IReadOnlyList<RequestType> Rights, ControllerScope Entity, Channel Channel, CaseStatus Status, DateOnly DueDate)
{
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Months the deadline was extended by (Art. 12(3)), in all.</summary>
    public int ExtendedMonths { get; init; }

    /// <summary>When the case reached a finished status (<see cref="PrivacyCase.ClosedAt"/>).</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>For a rejected case: the ground of the refusal.</summary>
    public RefusalGround? RejectedAs { get; init; }

    /// <summary>
    /// For a case staff answered outside this system (decision 118): the day the answer was sent, which
    /// <see cref="ClosedAt"/> (when staff recorded it) is not.
    /// </summary>
    public DateOnly? AnsweredOutsideOn { get; init; }

    public static CaseListEntry Of(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new CaseListEntry(c.Id, c.Rights, c.Entity, c.Channel, c.Status, c.DueDate)
        {
            ReceivedAt = c.ReceivedAt,
            ExtendedMonths = c.ExtendedMonths,
            ClosedAt = c.ClosedAt,
            RejectedAs = c.RejectedAs,
            AnsweredOutsideOn = c.AnsweredOutside?.AnsweredOn,
        };
    }
}

/// <summary>
/// The staff case list's filters and the counts of what needs attention: the one place that decides what "overdue",
/// "due this week" and "waiting for staff" mean for the list (issue 22). Query values are wire values; an unknown one is
/// refused by name rather than silently ignored.
/// </summary>
public sealed record CaseListFilter(CaseListState State = CaseListState.All, RequestType? Right = null, string? Company = null, Channel? Channel = null, string? Reference = null)
{
    /// <summary>The query parameter names, for the page's form and links.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["state", "right", "company", "channel", "q"];

    /// <summary>Days within which an open case counts as due this week (today and the six days after).</summary>
    public const int WeekDays = 7;

    /// <summary>The filter the query asks for, or null with the name of the first parameter whose value is not understood.</summary>
    public static CaseListFilter? Parse(Func<string, string?> query, IReadOnlyList<string> controllerCodes, out string? invalid)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(controllerCodes);
        invalid = null;
        var state = CaseListState.All;
        if (Value(query("state")) is { } s && !TryState(s, out state))
        {
            invalid = "state";
            return null;
        }

        RequestType? right = null;
        if (Value(query("right")) is { } r)
        {
            if (!RequestTypes.TryParse(r, out var parsed))
            {
                invalid = "right";
                return null;
            }

            right = parsed;
        }

        var company = Value(query("company"))?.ToLowerInvariant();
        if (company is not null && !controllerCodes.Contains(company, StringComparer.Ordinal))
        {
            invalid = "company";
            return null;
        }

        Channel? channel = null;
        switch (Value(query("channel")))
        {
            case null:
                break;
            case "form":
                channel = Requests.Channel.Form;
                break;
            case "email":
                channel = Requests.Channel.Email;
                break;
            default:
                invalid = "channel";
                return null;
        }

        var reference = Value(query("q"))?.ToUpperInvariant();
        if (reference is { Length: > 40 })
        {
            invalid = "q";
            return null;
        }

        return new CaseListFilter(state, right, company, channel, reference);
    }

    /// <summary>The wire value of each state (<c>state=</c>).</summary>
    public static string Wire(CaseListState state) => state switch
    {
        CaseListState.Open => "open",
        CaseListState.Overdue => "overdue",
        CaseListState.DueThisWeek => "due-this-week",
        CaseListState.WaitingForStaff => "waiting-for-staff",
        CaseListState.Failed => "failed",
        _ => "all",
    };

    /// <summary>True when the case is in <paramref name="state"/> on <paramref name="today"/>.</summary>
    public static bool IsIn(CaseListEntry entry, CaseListState state, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var open = entry.Status.IsUnanswered();
        var daysLeft = entry.DueDate.DayNumber - today.DayNumber;
        return state switch
        {
            CaseListState.Open => open,
            CaseListState.Overdue => open && daysLeft < 0,
            CaseListState.DueThisWeek => open && daysLeft is >= 0 and < WeekDays,
            CaseListState.WaitingForStaff => entry.Status is CaseStatus.AwaitingIdentityApproval or CaseStatus.AwaitingStaffAction,
            CaseListState.Failed => entry.Status == CaseStatus.Failed,
            _ => true,
        };
    }

    /// <summary>True when the case passes every filter.</summary>
    public bool Matches(CaseListEntry entry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return IsIn(entry, State, today)
            && (Right is not { } right || entry.Rights.Contains(right))
            && (Company is null || entry.Entity.Codes.Contains(Company, StringComparer.Ordinal))
            && (Channel is not { } channel || entry.Channel == channel)
            && (Reference is null || entry.Reference.Contains(Reference, StringComparison.Ordinal));
    }

    /// <summary>The query string of this filter (without paging), for links that keep it.</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        if (State != CaseListState.All)
        {
            parts.Add("state=" + Wire(State));
        }

        if (Right is { } right)
        {
            parts.Add("right=" + right.ToWire());
        }

        if (Company is not null)
        {
            parts.Add("company=" + Uri.EscapeDataString(Company));
        }

        if (Channel is { } channel)
        {
            parts.Add("channel=" + (channel == Requests.Channel.Email ? "email" : "form"));
        }

        if (Reference is not null)
        {
            parts.Add("q=" + Uri.EscapeDataString(Reference));
        }

        return string.Join('&', parts);
    }

    /// <summary>
    /// Open cases by the week their due date falls in: index 0 holds the overdue ones, then one per week from today
    /// (today and the six days after, and so on), the last also holding everything due later.
    /// </summary>
    public static int[] ByDueWeek(IEnumerable<CaseListEntry> entries, DateOnly today, int weeks = 8)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var counts = new int[weeks + 1];
        foreach (var e in entries.Where(e => e.Status.IsUnanswered()))
        {
            var daysLeft = e.DueDate.DayNumber - today.DayNumber;
            counts[daysLeft < 0 ? 0 : Math.Min(weeks, 1 + (daysLeft / WeekDays))]++;
        }

        return counts;
    }

    private static string? Value(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();

    private static bool TryState(string wire, out CaseListState state)
    {
        foreach (var candidate in Enum.GetValues<CaseListState>())
        {
            if (Wire(candidate) == wire)
            {
                state = candidate;
                return true;
            }
        }

        state = CaseListState.All;
        return false;
    }
}
