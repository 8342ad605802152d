using Infomat.Privacy.Requests;
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

    public static DateOnly DueDate(DateTimeOffset receivedAt, EntityScope entity, int months = 1)
    {
        var local = TimeZoneInfo.ConvertTime(receivedAt, Brussels);
        var due = DateOnly.FromDateTime(local.Date).AddMonths(months);
        return NextWorkingDay(due, entity);
    }

    public static DateOnly NextWorkingDay(DateOnly day, EntityScope entity)
    {
        // A request to both entities is answered by the Belgian controller; Infomat Nederland's calendar applies to NL-only requests.
        PublicHolidayBase calendar = entity == EntityScope.Nl ? new DutchPublicHoliday() : new BelgiumPublicHoliday();
        var candidate = day;
        while (!calendar.IsWorkingDay(candidate.ToDateTime(TimeOnly.MinValue)))
        {
            candidate = candidate.AddDays(1);
        }

        return candidate;
    }
}
