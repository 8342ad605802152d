using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Each invoice is held until its own end: 31 December of its year + 10 (BE) or + 7 (NL), as the data map says.</summary>
public sealed class LegalHoldTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    private static LegalHold Hold(string store) => Map.Store(store).Tables.Single(t => t.Table == "invoices").Erasure.Hold!;

    [Theory]
    [InlineData("be/finance", "2016-01-04", "2026-12-31")]
    [InlineData("be/finance", "2016-12-30", "2026-12-31")]
    [InlineData("be/finance", "2024-02-29", "2034-12-31")]
    [InlineData("nl/finance", "2019-01-07", "2026-12-31")]
    [InlineData("nl/finance", "2019-12-31", "2026-12-31")]
    [InlineData("nl/finance", "2023-11-30", "2030-12-31")]
    public void An_invoice_is_held_until_31_December_of_its_year_plus_the_statutory_years(string store, string invoiceDate, string end) =>
        Assert.Equal(DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), Hold(store).EndOf(DateOnly.Parse(invoiceDate, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_January_and_a_December_invoice_of_the_same_year_end_on_the_same_day_and_both_end_the_day_after()
    {
        var nl = Hold("nl/finance");
        var january = new DateOnly(2019, 1, 2);
        var december = new DateOnly(2019, 12, 31);
        Assert.Equal(nl.EndOf(january), nl.EndOf(december));
        Assert.False(nl.HasEnded(january, Brussels(2026, 12, 31, 12, 0)));
        Assert.True(nl.HasEnded(december, Brussels(2027, 1, 1, 12, 0)));
    }

    [Theory]
    // The Functions timer on the last day (02:30 UTC is 03:30 in Brussels): still held (it was erased here before).
    [InlineData("2035-12-31T02:30:00Z", false)]
    // Just past midnight UTC at the start of the last day (already 31 December in both): held.
    [InlineData("2035-12-31T00:05:00Z", false)]
    // 30 December 23:30 UTC is 31 December 00:30 in Brussels: the last day, held.
    [InlineData("2035-12-30T23:30:00Z", false)]
    // The last minute of 31 December in Brussels (22:59 UTC): held.
    [InlineData("2035-12-31T22:59:00Z", false)]
    // 23:00 UTC on 31 December is midnight, 1 January 2036, in Brussels: the next Brussels day, ended, though UTC still says 31 December.
    [InlineData("2035-12-31T23:00:00Z", true)]
    [InlineData("2036-01-01T02:30:00Z", true)]
    public void A_record_is_held_all_its_last_day_in_Brussels_and_the_hold_ends_the_next_Brussels_day(string now, bool ended)
    {
        // A Belgian invoice of 2025: the report says "kept until 31 December 2035" (WBTW art. 60): still there all that day.
        var be = Hold("be/finance");
        var invoice = new DateOnly(2025, 6, 30);
        Assert.Equal(new DateOnly(2035, 12, 31), be.EndOf(invoice));
        Assert.Equal(ended, be.HasEnded(invoice, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void The_last_ended_day_is_yesterday_in_Brussels_whatever_the_day_in_UTC()
    {
        Assert.Equal(new DateOnly(2035, 12, 30), LegalHold.LastEndedDay(Brussels(2035, 12, 31, 0, 0)));
        Assert.Equal(new DateOnly(2035, 12, 31), LegalHold.LastEndedDay(new DateTimeOffset(2035, 12, 31, 23, 0, 0, TimeSpan.Zero)));
        // Summer time (UTC+2): 22:30 UTC on 30 June is 1 July in Brussels.
        Assert.Equal(new DateOnly(2036, 6, 30), LegalHold.LastEndedDay(new DateTimeOffset(2036, 6, 30, 22, 30, 0, TimeSpan.Zero)));
    }

    /// <summary>A moment on the Brussels clock in winter (UTC+1).</summary>
    private static DateTimeOffset Brussels(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.FromHours(1));

    [Fact]
    public void The_hold_names_the_statute_in_every_language()
    {
        Assert.Contains("art. 60 §3", Hold("be/finance").Law.Nl, StringComparison.Ordinal);
        Assert.Contains("III.88", Hold("be/finance").Law.Fr, StringComparison.Ordinal);
        Assert.Contains("AWR art. 52", Hold("nl/finance").Law.En, StringComparison.Ordinal);
        Assert.Equal((10, 7), (Hold("be/finance").Years, Hold("nl/finance").Years));
    }
}
