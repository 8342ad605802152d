using Infomat.Privacy.Cases;
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

    /// <summary>The controller's calendar day at <paramref name="now"/> (Brussels time, as the due dates).</summary>
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Brussels).Date);

    /// <summary>Calendar days from today to the due date; negative when overdue.</summary>
    public static int DaysLeft(DateOnly dueDate, DateTimeOffset now) => dueDate.DayNumber - Today(now).DayNumber;

    /// <summary>
    /// Extends the deadline by <paramref name="months"/> (Art. 12(3): at most two further months in all, decided within
    /// the first month). Returns the new due date, or the reason it is not allowed.
    /// </summary>
    public static (DateOnly? DueDate, string? Refusal) Extend(Cases.PrivacyCase c, int months, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        var already = c.Extensions.Sum(e => e.Months);
        if (months < 1 || already + months > 2)
        {
            return (null, "ExtensionTooLong");
        }

        if (Today(now) > c.FirstDueDate)
        {
            return (null, "ExtensionTooLate");
        }

        if (c.Status.IsFinished())
        {
            return (null, "ExtensionClosed");
        }

        return (DueDate(c.ReceivedAt, c.Entity, 1 + already + months), null);
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
