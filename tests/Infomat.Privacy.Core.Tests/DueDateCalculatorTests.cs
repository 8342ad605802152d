using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

public sealed class DueDateCalculatorTests
{
    private static DateTimeOffset Brussels(int y, int m, int d, int h = 12) => new(y, m, d, h, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public void One_calendar_month_from_receipt_on_a_working_day()
    {
        // 10 March 2026 (Tuesday) -> 10 April 2026 (Friday).
        Assert.Equal(new DateOnly(2026, 4, 10), DueDateCalculator.DueDate(Brussels(2026, 3, 10), EntityScope.Be));
    }

    [Fact]
    public void Received_on_the_31st_is_due_on_the_last_day_of_a_shorter_month()
    {
        // 31 March 2026 -> 30 April 2026 (Thursday).
        Assert.Equal(new DateOnly(2026, 4, 30), DueDateCalculator.DueDate(new DateTimeOffset(2026, 3, 31, 10, 0, 0, TimeSpan.FromHours(2)), EntityScope.Be));
    }

    [Fact]
    public void A_due_date_on_a_weekend_moves_to_Monday()
    {
        // 26 November 2026 -> 26 December 2026 is a Saturday -> Monday 28 December.
        Assert.Equal(new DateOnly(2026, 12, 28), DueDateCalculator.DueDate(Brussels(2026, 11, 26), EntityScope.Both));
    }

    [Fact]
    public void Belgian_and_Dutch_holidays_differ()
    {
        // 21 July (Belgian national day) 2027 is a Wednesday: a holiday in Belgium, not in the Netherlands.
        Assert.Equal(new DateOnly(2027, 7, 22), DueDateCalculator.DueDate(Brussels(2027, 6, 21), EntityScope.Be));
        Assert.Equal(new DateOnly(2027, 7, 21), DueDateCalculator.DueDate(Brussels(2027, 6, 21), EntityScope.Nl));
        // King's Day, 27 April 2027 (Tuesday): a holiday in the Netherlands only.
        Assert.Equal(new DateOnly(2027, 4, 28), DueDateCalculator.DueDate(Brussels(2027, 3, 27), EntityScope.Nl));
    }

    [Fact]
    public void Receipt_late_in_the_evening_counts_in_Brussels_time_not_UTC()
    {
        // 23:30 UTC on 9 March is already 00:30 on 10 March in Brussels: received on the 10th, due on 10 April.
        var justAfterMidnight = new DateTimeOffset(2026, 3, 9, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2026, 4, 10), DueDateCalculator.DueDate(justAfterMidnight, EntityScope.Be));
    }
}
