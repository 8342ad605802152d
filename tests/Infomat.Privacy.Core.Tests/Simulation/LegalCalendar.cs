namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>
/// The oracle's own calendar (issue 24): the answer deadline of GDPR Art. 12(3) worked out from written-down lists,
/// sharing no code with the product (no DueDateCalculator, no PublicHoliday package, no TimeZoneInfo).
/// <list type="bullet">
/// <item>Period: Regulation (EEC, Euratom) No 1182/71 art. 3(2)(c): a period in months ends on the same date of the last
/// month, or that month's last day when it has no such date; art. 3(4): when the last day is a public holiday, Saturday
/// or Sunday, the period ends with the next working day. Extensions (Art. 12(3), "two further months") run from the end
/// of the first period, before it moves off a weekend or holiday (as the product's decision 53 reads it).</item>
/// <item>Brussels time: EU summer time (Directive 2000/84/EC art. 1-3): CEST (UTC+2) from 01:00 UTC on the last Sunday
/// of March to 01:00 UTC on the last Sunday of October, CET (UTC+1) otherwise. The day of receipt is the Brussels date.</item>
/// </list>
/// </summary>
internal static class LegalCalendar
{
    // Belgium: the ten federal public holidays of the Wet van 4 januari 1974 betreffende de feestdagen / loi du 4 janvier
    // 1974 relative aux jours fériés (KB/AR 18 April 1974): 1 Jan, Easter Monday, 1 May, Ascension, Whit Monday, 21 July,
    // 15 Aug, 1 Nov, 11 Nov, 25 Dec. Easter 2027: 28 March; 2028: 16 April; 2029: 1 April. Written out by hand, weekend
    // days included (they change nothing).
    private static readonly HashSet<DateOnly> Belgium =
    [
        D(2027, 1, 1), D(2027, 3, 29), D(2027, 5, 1), D(2027, 5, 6), D(2027, 5, 17), D(2027, 7, 21), D(2027, 8, 15), D(2027, 11, 1), D(2027, 11, 11), D(2027, 12, 25),
        D(2028, 1, 1), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 25), D(2028, 6, 5), D(2028, 7, 21), D(2028, 8, 15), D(2028, 11, 1), D(2028, 11, 11), D(2028, 12, 25),
        D(2029, 1, 1), D(2029, 4, 2), D(2029, 5, 1), D(2029, 5, 10), D(2029, 5, 21), D(2029, 7, 21), D(2029, 8, 15), D(2029, 11, 1), D(2029, 11, 11), D(2029, 12, 25),
    ];

    // The Netherlands: the "algemeen erkende feestdagen" of the Algemene termijnenwet art. 3(1): Nieuwjaarsdag, tweede
    // Paasdag, Hemelvaartsdag, tweede Pinksterdag, the day the King's birthday is celebrated (27 April, 26 April when the
    // 27th is a Sunday, which does not happen in 2027-2029), 5 May (Bevrijdingsdag, every year) and both
    // Christmas days. Good Friday is not one.
    private static readonly HashSet<DateOnly> Netherlands =
    [
        D(2027, 1, 1), D(2027, 3, 29), D(2027, 4, 27), D(2027, 5, 5), D(2027, 5, 6), D(2027, 5, 17), D(2027, 12, 25), D(2027, 12, 26),
        D(2028, 1, 1), D(2028, 4, 17), D(2028, 4, 27), D(2028, 5, 5), D(2028, 5, 25), D(2028, 6, 5), D(2028, 12, 25), D(2028, 12, 26),
        D(2029, 1, 1), D(2029, 4, 2), D(2029, 4, 27), D(2029, 5, 5), D(2029, 5, 10), D(2029, 5, 21), D(2029, 12, 25), D(2029, 12, 26),
    ];

    /// <summary>The first and last day the lists above cover: the oracle refuses to answer outside them.</summary>
    public static readonly DateOnly From = D(2027, 1, 1);

    public static readonly DateOnly Until = D(2029, 12, 31);

    public static DateOnly D(int year, int month, int day) => new(year, month, day);

    public static bool IsHoliday(string country, DateOnly day) => Holidays(country).Contains(Covered(day));

    public static bool IsWorkingDay(string country, DateOnly day) =>
        day.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday && !IsHoliday(country, day);

    /// <summary>The first working day of <paramref name="country"/> on or after <paramref name="day"/> (art. 3(4)).</summary>
    public static DateOnly OnOrNextWorkingDay(string country, DateOnly day)
    {
        while (!IsWorkingDay(country, day))
        {
            day = day.AddDays(1);
        }

        return day;
    }

    /// <summary>The same date <paramref name="months"/> later, or the last day of that month when it is shorter (art. 3(2)(c)).</summary>
    public static DateOnly PlusMonths(DateOnly day, int months)
    {
        var index = (day.Year * 12) + (day.Month - 1) + months;
        int year = index / 12, month = (index % 12) + 1;
        return new DateOnly(year, month, Math.Min(day.Day, DaysIn(year, month)));
    }

    /// <summary>
    /// The legal due date at one controller for a request received on the Brussels day <paramref name="receipt"/>,
    /// extended by <paramref name="furtherMonths"/> (0 when not extended).
    /// </summary>
    public static DateOnly DueDate(string country, DateOnly receipt, int furtherMonths = 0) =>
        OnOrNextWorkingDay(country, PlusMonths(PlusMonths(receipt, 1), furtherMonths));

    /// <summary>The due date of a request to several controllers: the earliest of theirs, so it is in time for each.</summary>
    public static DateOnly DueDate(IEnumerable<string> countries, DateOnly receipt, int furtherMonths = 0) =>
        countries.Min(c => DueDate(c, receipt, furtherMonths));

    /// <summary>
    /// The working day two working days before <paramref name="due"/> on <paramref name="country"/>'s calendar, counting
    /// back from the day before it (due Thursday: Tuesday; due Monday: the Thursday before): from then, staff have two
    /// working days left, the due date being the second.
    /// </summary>
    public static DateOnly TwoWorkingDaysBefore(string country, DateOnly due)
    {
        var day = due;
        for (var counted = 0; counted < 2;)
        {
            day = day.AddDays(-1);
            counted += IsWorkingDay(country, day) ? 1 : 0;
        }

        return day;
    }

    /// <summary>The Brussels calendar day of an instant (CET/CEST by the EU rule, worked out without TimeZoneInfo).</summary>
    public static DateOnly BrusselsDay(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var summerStarts = LastSunday(utc.Year, 3).ToDateTime(new TimeOnly(1, 0));
        var summerEnds = LastSunday(utc.Year, 10).ToDateTime(new TimeOnly(1, 0));
        var offset = utc >= summerStarts && utc < summerEnds ? 2 : 1;
        return DateOnly.FromDateTime(utc.AddHours(offset));
    }

    /// <summary>The instant of a Brussels wall-clock time (a time that does not exist in March is read as summer time).</summary>
    public static DateTimeOffset Brussels(DateOnly day, int hour, int minute)
    {
        var local = day.ToDateTime(new TimeOnly(hour, minute));
        // Summer time from 02:00 local on the last Sunday of March (01:00 UTC) to 03:00 local on the last Sunday of
        // October (01:00 UTC); the October hour 02:00-03:00 that happens twice is read as summer time.
        var summerStartsLocal = LastSunday(day.Year, 3).ToDateTime(new TimeOnly(2, 0));
        var summerEndsLocal = LastSunday(day.Year, 10).ToDateTime(new TimeOnly(3, 0));
        var offset = local >= summerStartsLocal && local < summerEndsLocal ? 2 : 1;
        return new DateTimeOffset(local, TimeSpan.FromHours(offset));
    }

    public static DateOnly LastSunday(int year, int month)
    {
        var day = new DateOnly(year, month, DaysIn(year, month));
        while (day.DayOfWeek != DayOfWeek.Sunday)
        {
            day = day.AddDays(-1);
        }

        return day;
    }

    private static int DaysIn(int year, int month) =>
        month == 2 ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28)
        : month is 4 or 6 or 9 or 11 ? 30
        : 31;

    private static HashSet<DateOnly> Holidays(string country) => country.ToUpperInvariant() switch
    {
        "BE" => Belgium,
        "NL" => Netherlands,
        _ => throw new ArgumentException("The oracle has no holiday list for " + country, nameof(country)),
    };

    private static DateOnly Covered(DateOnly day) =>
        day >= From && day <= Until ? day : throw new ArgumentOutOfRangeException(nameof(day), day, "Outside the oracle's holiday lists (2027-2029).");
}
