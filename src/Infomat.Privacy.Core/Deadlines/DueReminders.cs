using System.Globalization;

namespace Infomat.Privacy.Deadlines;

/// <summary>A reminder of a legal date due now: its key (recorded once), the days left (negative: overdue), and whether it also goes to the escalation address.</summary>
public readonly record struct DueReminder(string Key, int DaysLeft, bool Overdue, bool Escalate);

/// <summary>
/// The one rule of reminders before a legal date, for a case (<c>PrivacyCase.DueReminder</c>) and for a mail still in
/// staff triage (<c>TriagedMail.DueReminder</c>): a week before, two working days before (on the calendar of the
/// controller whose date it is), and overdue from the day after, again every week. From two working days before, the
/// escalation address is told too: staff being away must not be what lets the date pass unnoticed.
/// </summary>
public static class DueReminders
{
    /// <summary>The reminder for <paramref name="dueDate"/> at <paramref name="now"/>, keyed by the date (a new date, a new series), or null when none is due.</summary>
    public static DueReminder? At(DateOnly dueDate, DateTimeOffset now, string country)
    {
        var daysLeft = DueDateCalculator.DaysLeft(dueDate, now);
        var kind = daysLeft < 0 ? "overdue"
            : daysLeft <= 14 && DueDateCalculator.WorkingDaysLeft(dueDate, now, country) <= 2 ? "due-2"
            : daysLeft <= 7 ? "due-7"
            : null;
        if (kind is null)
        {
            return null;
        }

        // Overdue: the first flag on the day after the due date, then one a week (days 8, 15, ... after it).
        var week = daysLeft < 0 ? (-daysLeft - 1) / 7 : 0;
        var key = week > 0
            ? $"{kind}.{dueDate:yyyy-MM-dd}.{week.ToString(CultureInfo.InvariantCulture)}"
            : $"{kind}.{dueDate:yyyy-MM-dd}";
        return new DueReminder(key, daysLeft, daysLeft < 0, kind != "due-7");
    }
}
