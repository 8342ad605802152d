using System.Globalization;

using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

using Xunit.Abstractions;

namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>
/// Issue 24: every date, reminder and flag on its legal day across 2027 and 2028, on a fake clock. The small run
/// (<c>SIMULATION_REQUESTS</c>, default 120; seed <c>SIMULATION_SEED</c>, default 2027) runs with every test run;
/// <c>scripts/simulate-year.sh</c> runs the full one and prints its report (<c>SIMULATION_REPORT</c> names the file).
/// </summary>
public sealed class YearSimulationTests(ITestOutputHelper output)
{
    private static readonly Stores.DataMap Map = TestDataMaps.Real;

    private static readonly (string Name, ControllerScope Scope)[] Scopes =
    [
        ("be", ControllerScope.Of("be")),
        ("nl", ControllerScope.Of("nl")),
        ("both", ControllerScope.AllOf(Map.ControllerCodes)),
    ];

    /// <summary>Each edge moment of the oracle table whose due date <paramref name="dueDate"/> gets wrong, for BE, NL and both.</summary>
    private static List<string> TableMisses(Func<DateTimeOffset, ControllerScope, DateOnly> dueDate) =>
    [
        .. from row in EdgeCases.Rows
           from scope in Scopes
           let legal = scope.Name == "both" ? new[] { row.Due("be"), row.Due("nl") }.Min() : row.Due(scope.Name)
           let got = dueDate(row.Received, scope.Scope)
           where got != legal
           select $"{row.Moment} ({scope.Name}): {got:yyyy-MM-dd}, the law gives {legal:yyyy-MM-dd}",
    ];

    /// <summary>The planted bug: noon in Brussels on the receipt's UTC date, so the due date counts from the UTC day.</summary>
    private static DateTimeOffset UtcDayAsReceipt(DateTimeOffset received) =>
        new(DateTime.SpecifyKind(received.UtcDateTime.Date.AddHours(12), DateTimeKind.Unspecified), TimeSpan.FromHours(1));

    [Fact]
    public void Every_edge_moment_of_the_oracle_table_is_due_on_its_legal_day_at_each_company()
    {
        Assert.Empty(TableMisses((received, scope) => DueDateCalculator.DueDate(received, scope, Map)));
    }

    [Fact]
    public void The_oracle_table_is_consistent_with_its_own_calendar_and_covers_every_edge_case_of_the_issue()
    {
        foreach (var row in EdgeCases.Rows)
        {
            Assert.Equal(row.Day, LegalCalendar.BrusselsDay(row.Received));
            Assert.Equal(row.Due("be"), LegalCalendar.DueDate("BE", row.Day));
            Assert.Equal(row.Due("nl"), LegalCalendar.DueDate("NL", row.Day));
        }

        var days = EdgeCases.Rows.Select(r => r.Day).ToHashSet();
        string[] named =
        [
            "2027-01-31", "2028-01-31", "2028-02-29", "2027-03-28", "2027-10-31", "2028-03-26", "2028-10-29", "2028-04-16",
            "2027-07-21", "2028-07-21", "2027-11-11", "2027-04-27", "2028-04-27", "2027-05-05", "2028-05-05",
        ];
        Assert.All(named, d => Assert.Contains(DateOnly.Parse(d, CultureInfo.InvariantCulture), days));
        Assert.Contains(EdgeCases.Rows, r => r.Moment.EndsWith("00:01", StringComparison.Ordinal));
        Assert.Contains(EdgeCases.Rows, r => r.Moment.EndsWith("23:59", StringComparison.Ordinal));
    }

    [Fact]
    public void A_due_date_counted_from_the_UTC_day_is_caught_at_the_moments_just_after_midnight_in_Brussels()
    {
        // The planted bug of issue 24: the receipt's UTC date taken as the day of receipt.
        var misses = TableMisses((received, scope) =>
            DueDateCalculator.DueDate(UtcDayAsReceipt(received), scope, Map));

        Assert.NotEmpty(misses);
        Assert.All(misses, m => Assert.Contains(", 00:01 (", m, StringComparison.Ordinal));
        Assert.Contains(misses, m => m.StartsWith("29 February 2028, 00:01 (be): 2028-03-28", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_simulated_years_land_every_due_date_reminder_flag_extension_and_expiry_on_its_legal_day()
    {
        var requests = int.TryParse(Environment.GetEnvironmentVariable("SIMULATION_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 120;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SIMULATION_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 2027;

        var report = await YearSimulation.RunAsync(requests, seed);

        output.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("SIMULATION_REPORT") is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, report.ToString());
        }

        Assert.True(report.Misses.Count == 0, report.ToString());
        Assert.Equal(0, report.LateWhereStaffActedInTime);
        // The run exercised what it claims to check (a seed that produced none of these would prove nothing).
        Assert.True(report.EdgeMoments > 0 && report.OverdueFlags > 0 && report.TwoWorkingDayReminders > 0 && report.ExtensionsGranted > 0, report.ToString());
    }

    [Fact]
    public async Task The_simulation_fails_naming_the_case_and_day_when_due_dates_are_counted_from_the_UTC_day()
    {
        // The same planted bug inside the run: each new case gets the due date of its receipt's UTC day.
        var report = await YearSimulation.RunAsync(120, 2027, c => c with
        {
            DueDate = DueDateCalculator.DueDate(UtcDayAsReceipt(c.ReceivedAt), c.Entity, Map),
        });

        output.WriteLine(report.ToString());
        Assert.Contains(report.Misses, m => m.Contains("29 February 2028, 00:01", StringComparison.Ordinal) && m.Contains("due date 2028-03-28, the law gives 2028-03-29", StringComparison.Ordinal));
    }
}
