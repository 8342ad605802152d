using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using PublicHoliday;

namespace Infomat.Privacy.Deadlines;

/// <summary>
/// The answer deadline of GDPR Art. 12(3): one calendar month from receipt (the last day of the month when the
/// target month is shorter), moved to the next working day when it falls on a weekend or a public holiday
/// of the controller's country; a request to several controllers is due on the earliest of their dates.
/// </summary>
public static class DueDateCalculator
{
    private static readonly TimeZoneInfo Brussels = TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels");

    // Public holidays by the controller's country (Controller.Country in the data map). A controller in another
    // country needs one line here (the data map is refused at start-up otherwise); the PublicHoliday package has most of
    // Europe (e.g. FrancePublicHoliday).
    private static readonly Dictionary<string, Func<PublicHolidayBase>> Calendars = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BE"] = () => new BelgiumPublicHoliday(),
        ["NL"] = () => new DutchPublicHoliday(),
        ["LU"] = () => new LuxembourgPublicHoliday(),
    };

    /// <summary>The countries whose public holidays are known.</summary>
    public static IReadOnlyList<string> Countries => [.. Calendars.Keys];

    public static bool HasCalendar(string country) => Calendars.ContainsKey(country);

    /// <summary>
    /// Each controller's own due date for a request to <paramref name="scope"/>, on its own country's calendar, in the
    /// data map's order: <paramref name="months"/> calendar months from receipt, then
    /// <paramref name="furtherMonths"/> more from the end of that period (an Art. 12(3) extension), then moved to the
    /// controller's next working day.
    /// </summary>
    public static IReadOnlyList<(string Controller, DateOnly DueDate)> DueDates(DateTimeOffset receivedAt, ControllerScope scope, DataMap map, int months = 1, int furtherMonths = 0)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(map);
        return [.. scope.Codes.Select(code => (code, DueDate(receivedAt, map.Controller(code).Country, months, furtherMonths)))];
    }

    /// <summary>
    /// The due date of a request to <paramref name="scope"/>: the earliest of its controllers' own dates
    /// (<see cref="DueDates"/>), so the answer is in time for every one of them (decision 53).
    /// </summary>
    public static DateOnly DueDate(DateTimeOffset receivedAt, ControllerScope scope, DataMap map, int months = 1, int furtherMonths = 0) =>
        DueDates(receivedAt, scope, map, months, furtherMonths).Min(d => d.DueDate);

    /// <summary>
    /// The due date <paramref name="months"/> after receipt, plus <paramref name="furtherMonths"/> counted from the end of
    /// that period, on the calendar of <paramref name="country"/>. A period in months ends on the same date of its last
    /// month, or that month's last day when it is shorter (Regulation 1182/71 art. 3(2)(c)); only the final day moves
    /// off a weekend or public holiday (art. 3(4)).
    /// </summary>
    public static DateOnly DueDate(DateTimeOffset receivedAt, string country, int months = 1, int furtherMonths = 0)
    {
        var local = TimeZoneInfo.ConvertTime(receivedAt, Brussels);
        var due = DateOnly.FromDateTime(local.Date).AddMonths(months).AddMonths(furtherMonths);
        return NextWorkingDay(due, country);
    }

    /// <summary><paramref name="moment"/> in Brussels time, with its offset (the time the due dates are counted in).</summary>
    public static DateTimeOffset InBrussels(DateTimeOffset moment) => TimeZoneInfo.ConvertTime(moment, Brussels);

    /// <summary>The controller's calendar day at <paramref name="now"/> (Brussels time, as the due dates).</summary>
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Brussels).Date);

    /// <summary>Calendar days from today to the due date; negative when overdue.</summary>
    public static int DaysLeft(DateOnly dueDate, DateTimeOffset now) => dueDate.DayNumber - Today(now).DayNumber;

    /// <summary>
    /// Working days of <paramref name="country"/> left until the due date: those after today, up to and including the
    /// due date (0 on the due date itself, 2 on the day two working days before).
    /// </summary>
    public static int WorkingDaysLeft(DateOnly dueDate, DateTimeOffset now, string country)
    {
        var count = 0;
        for (var day = Today(now).AddDays(1); day <= dueDate; day = day.AddDays(1))
        {
            count += NextWorkingDay(day, country) == day ? 1 : 0;
        }

        return count;
    }

    public static DateOnly NextWorkingDay(DateOnly day, string country)
    {
        ArgumentNullException.ThrowIfNull(country);
        var calendar = Calendars.TryGetValue(country, out var make)
            ? make()
            : throw new ArgumentException($"No public-holiday calendar for country '{country}'.", nameof(country));
        var candidate = day;
        while (!calendar.IsWorkingDay(candidate.ToDateTime(TimeOnly.MinValue)))
        {
            candidate = candidate.AddDays(1);
        }

        return candidate;
    }
}
