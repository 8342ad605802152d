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
    public void A_January_and_a_December_invoice_of_the_same_year_end_on_the_same_day_and_it_ends_that_day()
    {
        var nl = Hold("nl/finance");
        var january = new DateOnly(2019, 1, 2);
        var december = new DateOnly(2019, 12, 31);
        Assert.Equal(nl.EndOf(january), nl.EndOf(december));
        Assert.False(nl.HasEnded(december, new DateOnly(2026, 12, 30)));
        Assert.True(nl.HasEnded(january, new DateOnly(2026, 12, 31)));
    }

    [Fact]
    public void The_hold_names_the_statute_in_every_language()
    {
        Assert.Contains("art. 60 §3", Hold("be/finance").Law.Nl, StringComparison.Ordinal);
        Assert.Contains("III.88", Hold("be/finance").Law.Fr, StringComparison.Ordinal);
        Assert.Contains("AWR art. 52", Hold("nl/finance").Law.En, StringComparison.Ordinal);
        Assert.Equal((10, 7), (Hold("be/finance").Years, Hold("nl/finance").Years));
    }
}
