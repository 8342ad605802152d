using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

public sealed class DueDateCalculatorTests
{
    private static readonly Stores.DataMap Map = TestDataMaps.Real;
    private static readonly ControllerScope Be = ControllerScope.Of("be");
    private static readonly ControllerScope Nl = ControllerScope.Of("nl");
    private static readonly ControllerScope Both = ControllerScope.AllOf(Map.ControllerCodes);

    private static DateTimeOffset Brussels(int y, int m, int d, int h = 12) => new(y, m, d, h, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public void One_calendar_month_from_receipt_on_a_working_day()
    {
        // 10 March 2026 (Tuesday) -> 10 April 2026 (Friday).
        Assert.Equal(new DateOnly(2026, 4, 10), DueDateCalculator.DueDate(Brussels(2026, 3, 10), Be, Map));
    }

    [Fact]
    public void Received_on_the_31st_is_due_on_the_last_day_of_a_shorter_month()
    {
        // 31 March 2026 -> 30 April 2026 (Thursday).
        Assert.Equal(new DateOnly(2026, 4, 30), DueDateCalculator.DueDate(new DateTimeOffset(2026, 3, 31, 10, 0, 0, TimeSpan.FromHours(2)), Be, Map));
    }

    [Fact]
    public void A_due_date_on_a_weekend_moves_to_Monday()
    {
        // 26 November 2026 -> 26 December 2026 is a Saturday -> Monday 28 December.
        Assert.Equal(new DateOnly(2026, 12, 28), DueDateCalculator.DueDate(Brussels(2026, 11, 26), Both, Map));
    }

    [Fact]
    public void Belgian_and_Dutch_holidays_differ()
    {
        // 21 July (Belgian national day) 2027 is a Wednesday: a holiday in Belgium, not in the Netherlands.
        Assert.Equal(new DateOnly(2027, 7, 22), DueDateCalculator.DueDate(Brussels(2027, 6, 21), Be, Map));
        Assert.Equal(new DateOnly(2027, 7, 21), DueDateCalculator.DueDate(Brussels(2027, 6, 21), Nl, Map));
        // King's Day, 27 April 2027 (Tuesday): a holiday in the Netherlands only.
        Assert.Equal(new DateOnly(2027, 4, 28), DueDateCalculator.DueDate(Brussels(2027, 3, 27), Nl, Map));
    }

    [Fact]
    public void A_request_to_both_companies_is_due_on_the_earlier_of_their_own_dates()
    {
        // Issue 17: received Monday 21 June 2027; 21 July is a holiday in Belgium only, so Infomat België's date is
        // Thursday 22 July but Infomat Nederland's is Wednesday 21 July: a request to both is due on the 21st.
        Assert.Equal(
            [("be", new DateOnly(2027, 7, 22)), ("nl", new DateOnly(2027, 7, 21))],
            DueDateCalculator.DueDates(Brussels(2027, 6, 21), Both, Map).Select(d => (d.Controller, d.DueDate)));
        Assert.Equal(new DateOnly(2027, 7, 21), DueDateCalculator.DueDate(Brussels(2027, 6, 21), Both, Map));
        // King's Day (27 April 2027) is Dutch only: the Belgian date, the 27th, is the earlier one.
        Assert.Equal(new DateOnly(2027, 4, 27), DueDateCalculator.DueDate(Brussels(2027, 3, 27), Both, Map));
        // 11 November 2027 (Thursday), Armistice Day in Belgium only.
        Assert.Equal(new DateOnly(2027, 11, 11), DueDateCalculator.DueDate(Brussels(2027, 10, 11), Both, Map));
    }

    [Fact]
    public void Receipt_late_in_the_evening_counts_in_Brussels_time_not_UTC()
    {
        // 23:30 UTC on 9 March is already 00:30 on 10 March in Brussels: received on the 10th, due on 10 April.
        var justAfterMidnight = new DateTimeOffset(2026, 3, 9, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2026, 4, 10), DueDateCalculator.DueDate(justAfterMidnight, Be, Map));
    }

    [Fact]
    public void Leap_years_give_the_29th_of_February_and_other_years_the_28th()
    {
        // 29 January 2028 -> 29 February 2028 (Tuesday, leap year); 31 January 2027 -> 28 February 2027 is a Sunday -> 1 March.
        Assert.Equal(new DateOnly(2028, 2, 29), DueDateCalculator.DueDate(Brussels(2028, 1, 29), Be, Map));
        Assert.Equal(new DateOnly(2027, 3, 1), DueDateCalculator.DueDate(Brussels(2027, 1, 31), Be, Map));
    }

    [Fact]
    public void A_holiday_then_a_weekend_moves_past_both()
    {
        // Received 25 November 2027 -> 25 December 2027: Christmas (Saturday), 26th Sunday (Tweede Kerstdag) -> Monday 27.
        Assert.Equal(new DateOnly(2027, 12, 27), DueDateCalculator.DueDate(Brussels(2027, 11, 25), Nl, Map));
        // Received 28 February 2027 -> 28 March is Easter Sunday, 29 March Easter Monday (both countries) -> Tuesday 30.
        Assert.Equal(new DateOnly(2027, 3, 30), DueDateCalculator.DueDate(Brussels(2027, 2, 28), Be, Map));
        Assert.Equal(new DateOnly(2027, 3, 30), DueDateCalculator.DueDate(Brussels(2027, 2, 28), Nl, Map));
    }

    private static Cases.PrivacyCase Case(DateTimeOffset received) =>
        Cases.PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An", null, Be, Language.Nl, null, null), Channel.Form, received, Map);

    [Fact]
    public void An_extension_within_the_first_month_moves_the_due_date_by_whole_months_from_receipt()
    {
        var c = Case(Brussels(2026, 11, 26));

        var one = c.Extend(1, "complex", "staff", Brussels(2026, 12, 10), c.DueDate, Map).Changed?.DueDate;
        var two = c.Extend(2, "complex", "staff", Brussels(2026, 12, 28), c.DueDate, Map).Changed?.DueDate;

        // 26 January 2027 (Tuesday); 26 February 2027 (Friday).
        Assert.Equal(new DateOnly(2027, 1, 26), one);
        Assert.Equal(new DateOnly(2027, 2, 26), two);
    }

    [Theory]
    // Received 31 January 2027: the first month ends on 28 February; two further months end on 28 April (Wednesday),
    // not on 30 April (receipt + 3 months); one further month on 28 March (Sunday) -> Easter Monday 29 -> Tuesday 30
    // March, not on 31 March.
    [InlineData(2027, 1, 31, 2, 2027, 4, 28)]
    [InlineData(2027, 1, 31, 1, 2027, 3, 30)]
    // Received 30 December 2026: the first month ends on 30 January 2027; two further months on 30 March (Tuesday).
    [InlineData(2026, 12, 30, 2, 2027, 3, 30)]
    // Received 29 February 2028: the first month ends on 29 March; two further months on 29 May 2028 (Monday).
    [InlineData(2028, 2, 29, 2, 2028, 5, 29)]
    // Received 31 March 2027: the first month ends on 30 April; one further month on 30 May (Sunday) -> Monday 31 May.
    [InlineData(2027, 3, 31, 1, 2027, 5, 31)]
    public void An_extension_adds_its_months_to_the_end_of_the_first_month_not_to_the_receipt(int y, int m, int d, int months, int ey, int em, int ed)
    {
        // Art. 12(3): the period "may be extended by two further months" - further to the first, whose end (Regulation
        // 1182/71 art. 3(2)(c)) is the last day of a shorter month; the weekend and holiday shift applies to the last day only.
        var c = Case(Brussels(y, m, d));
        Assert.Equal(new DateOnly(ey, em, ed), c.ExtendedDueDate(months, Map));
    }

    [Fact]
    public void An_extension_is_refused_after_the_first_month_or_beyond_two_months_in_all()
    {
        var c = Case(Brussels(2026, 11, 26));
        var extended = c with
        {
            DueDate = new DateOnly(2027, 1, 26),
            Extensions = [new Cases.DeadlineExtension(1, c.DueDate, new DateOnly(2027, 1, 26), "complex", "staff", Brussels(2026, 12, 1))],
        };

        Assert.Equal(Cases.CaseRefusal.ExtensionTooLate, c.ExtensionRefusal(1, Brussels(2026, 12, 29)));
        Assert.Equal(Cases.CaseRefusal.ExtensionTooLong, c.ExtensionRefusal(3, Brussels(2026, 12, 1)));
        Assert.Equal(Cases.CaseRefusal.ExtensionTooLong, extended.ExtensionRefusal(2, Brussels(2026, 12, 2)));
        // The first month is measured from the original due date, not the extended one.
        Assert.Equal(Cases.CaseRefusal.ExtensionTooLate, extended.ExtensionRefusal(1, Brussels(2027, 1, 5)));
        Assert.Equal(new DateOnly(2027, 2, 26), extended.ExtendedDueDate(1, Map));
        Assert.Equal([(1, new DateOnly(2027, 2, 26))], extended.ExtensionOptions(Brussels(2026, 12, 20), Map));
    }

    [Fact]
    public void An_extension_may_be_decided_all_of_the_first_due_date_in_Brussels_and_the_texts_say_so()
    {
        // Session 45's hunt: the rule lets staff extend on the first due date itself, while the page after a failed notice
        // said "try again before <that date>", the refusal "before the first month ends" and the acknowledgement "we will
        // tell you before then": read on that day, staff would not retry and the answer would go out late.
        var c = Case(new DateTimeOffset(2026, 1, 30, 10, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal(new DateOnly(2026, 3, 2), c.DueDate);
        Assert.Null(c.ExtensionRefusal(1, new DateTimeOffset(2026, 3, 2, 21, 0, 0, TimeSpan.Zero)));
        Assert.Equal(Cases.CaseRefusal.ExtensionTooLate, c.ExtensionRefusal(1, new DateTimeOffset(2026, 3, 2, 23, 30, 0, TimeSpan.Zero)));

        var day = new Dictionary<Language, string> { [Language.En] = "2 March 2026", [Language.Nl] = "2 maart 2026", [Language.Fr] = "2 mars 2026" };
        var inclusive = new Dictionary<Language, string> { [Language.En] = "at the latest", [Language.Nl] = "uiterlijk", [Language.Fr] = "au plus tard" };
        var before = new Dictionary<Language, string> { [Language.En] = "before", [Language.Nl] = "vóór", [Language.Fr] = "avant" };
        foreach (var l in new[] { Language.En, Language.Nl, Language.Fr })
        {
            Assert.Equal(day[l], Localization.Texts.Date(c.FirstDueDate, l));
            foreach (var text in new[]
            {
                Localization.Texts.Format("ExtensionNotSent", l, day[l], day[l]),
                Localization.Texts.Format("ExtensionTooLate", l, day[l]),
                Localization.Texts.Format("MailAckBody", l, c.Id, "access", "30 January 2026", day[l]),
            })
            {
                Assert.Contains(inclusive[l], text, StringComparison.Ordinal);
                Assert.DoesNotContain(before[l] + " ", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Days_left_count_in_Brussels_days()
    {
        Assert.Equal(2, DueDateCalculator.DaysLeft(new DateOnly(2026, 12, 28), Brussels(2026, 12, 26, 23)));
        Assert.Equal(-1, DueDateCalculator.DaysLeft(new DateOnly(2026, 12, 28), new DateTimeOffset(2026, 12, 28, 23, 30, 0, TimeSpan.Zero)));
    }
}
