using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using PublicHoliday;

namespace Infomat.Privacy.Deadlines;

/// <summary>
/// The answer deadline of GDPR Art. 12(3): one calendar month from receipt (the last day of the month when the
/// target month is shorter), moved to the next working day when it falls on a weekend or a public holiday
/// of the controller's country.
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
    /// The country whose calendar sets the deadline of a request to <paramref name="scope"/>: the first controller's
    /// (the data map's order), so a request to every controller follows Infomat België's calendar, as it always has.
    /// </summary>
    public static string CalendarCountry(ControllerScope scope, DataMap map)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(map);
        return map.Controller(scope.Codes[0]).Country;
    }

    public static DateOnly DueDate(DateTimeOffset receivedAt, ControllerScope scope, DataMap map, int months = 1) =>
        DueDate(receivedAt, CalendarCountry(scope, map), months);

    /// <summary>The due date <paramref name="months"/> after receipt, on the calendar of <paramref name="country"/>.</summary>
    public static DateOnly DueDate(DateTimeOffset receivedAt, string country, int months = 1)
    {
        var local = TimeZoneInfo.ConvertTime(receivedAt, Brussels);
        var due = DateOnly.FromDateTime(local.Date).AddMonths(months);
        return NextWorkingDay(due, country);
    }

    /// <summary>The controller's calendar day at <paramref name="now"/> (Brussels time, as the due dates).</summary>
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Brussels).Date);

    /// <summary>Calendar days from today to the due date; negative when overdue.</summary>
    public static int DaysLeft(DateOnly dueDate, DateTimeOffset now) => dueDate.DayNumber - Today(now).DayNumber;

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
