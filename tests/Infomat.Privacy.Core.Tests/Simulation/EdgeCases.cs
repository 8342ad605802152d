namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>
/// The oracle table of issue 24: for each edge-case receipt moment, the legal due date at Infomat België (BE) and at
/// Infomat Nederland (NL). Worked out by hand from the holiday lists in <see cref="LegalCalendar"/> (Belgian federal
/// holidays, Wet van 4 januari 1974; Dutch holidays of the Algemene termijnenwet art. 3, 5 May every year) and
/// Regulation 1182/71 art. 3(2)(c) and 3(4); the weekdays were checked with a throwaway script over the same lists, never
/// with product code. A request to both companies is due on the earlier date. The receipt is the UTC instant; the
/// Brussels day beside it is the day the law counts from (00:01 Brussels is the previous day in UTC).
/// </summary>
internal static class EdgeCases
{
    /// <summary>One receipt moment and its legal due dates (weekdays in the comment).</summary>
    internal sealed record Row(string Moment, string ReceivedUtc, string BrusselsDay, string DueBe, string DueNl)
    {
        public DateTimeOffset Received => DateTimeOffset.Parse(ReceivedUtc, System.Globalization.CultureInfo.InvariantCulture);

        public DateOnly Day => DateOnly.Parse(BrusselsDay, System.Globalization.CultureInfo.InvariantCulture);

        public DateOnly Due(string controller) =>
            DateOnly.Parse(controller == "be" ? DueBe : DueNl, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static readonly IReadOnlyList<Row> Rows =
    [
        new("31 January 2027, 00:01", "2027-01-30T23:01Z", "2027-01-31", "2027-03-01", "2027-03-01"),  // Mon / Mon
        new("31 January 2027, 23:59", "2027-01-31T22:59Z", "2027-01-31", "2027-03-01", "2027-03-01"),  // Mon / Mon
        new("31 January 2028, 00:01", "2028-01-30T23:01Z", "2028-01-31", "2028-02-29", "2028-02-29"),  // Tue / Tue
        new("31 January 2028, 23:59", "2028-01-31T22:59Z", "2028-01-31", "2028-02-29", "2028-02-29"),  // Tue / Tue
        new("29 January 2028 (due 29 February), 00:01", "2028-01-28T23:01Z", "2028-01-29", "2028-02-29", "2028-02-29"),  // Tue / Tue
        new("29 January 2028 (due 29 February), 23:59", "2028-01-29T22:59Z", "2028-01-29", "2028-02-29", "2028-02-29"),  // Tue / Tue
        new("29 February 2028, 00:01", "2028-02-28T23:01Z", "2028-02-29", "2028-03-29", "2028-03-29"),  // Wed / Wed
        new("29 February 2028, 23:59", "2028-02-29T22:59Z", "2028-02-29", "2028-03-29", "2028-03-29"),  // Wed / Wed
        new("DST night, Easter Sunday 2027 (day before Easter Monday), 00:01", "2027-03-27T23:01Z", "2027-03-28", "2027-04-28", "2027-04-28"),  // Wed / Wed
        new("DST night, Easter Sunday 2027 (day before Easter Monday), 23:59", "2027-03-28T21:59Z", "2027-03-28", "2027-04-28", "2027-04-28"),  // Wed / Wed
        new("DST night October 2027, 00:01", "2027-10-30T22:01Z", "2027-10-31", "2027-11-30", "2027-11-30"),  // Tue / Tue
        new("DST night October 2027, 23:59", "2027-10-31T22:59Z", "2027-10-31", "2027-11-30", "2027-11-30"),  // Tue / Tue
        new("DST night March 2028, 00:01", "2028-03-25T23:01Z", "2028-03-26", "2028-04-26", "2028-04-26"),  // Wed / Wed
        new("DST night March 2028, 23:59", "2028-03-26T21:59Z", "2028-03-26", "2028-04-26", "2028-04-26"),  // Wed / Wed
        new("DST night October 2028, 00:01", "2028-10-28T22:01Z", "2028-10-29", "2028-11-29", "2028-11-29"),  // Wed / Wed
        new("DST night October 2028, 23:59", "2028-10-29T22:59Z", "2028-10-29", "2028-11-29", "2028-11-29"),  // Wed / Wed
        new("Easter Sunday 2028 (day before Easter Monday), 00:01", "2028-04-15T22:01Z", "2028-04-16", "2028-05-16", "2028-05-16"),  // Tue / Tue
        new("Easter Sunday 2028 (day before Easter Monday), 23:59", "2028-04-16T21:59Z", "2028-04-16", "2028-05-16", "2028-05-16"),  // Tue / Tue
        new("a month before Easter Monday 2028 (due on it), 00:01", "2028-03-16T23:01Z", "2028-03-17", "2028-04-18", "2028-04-18"),  // Tue / Tue
        new("a month before Easter Monday 2028 (due on it), 23:59", "2028-03-17T22:59Z", "2028-03-17", "2028-04-18", "2028-04-18"),  // Tue / Tue
        new("21 July 2027 (BE only), 00:01", "2027-07-20T22:01Z", "2027-07-21", "2027-08-23", "2027-08-23"),  // Mon / Mon
        new("21 July 2027 (BE only), 23:59", "2027-07-21T21:59Z", "2027-07-21", "2027-08-23", "2027-08-23"),  // Mon / Mon
        new("21 July 2028 (BE only), 00:01", "2028-07-20T22:01Z", "2028-07-21", "2028-08-21", "2028-08-21"),  // Mon / Mon
        new("21 July 2028 (BE only), 23:59", "2028-07-21T21:59Z", "2028-07-21", "2028-08-21", "2028-08-21"),  // Mon / Mon
        new("a month before 21 July 2027 (due on it), 00:01", "2027-06-20T22:01Z", "2027-06-21", "2027-07-22", "2027-07-21"),  // Thu / Wed
        new("a month before 21 July 2027 (due on it), 23:59", "2027-06-21T21:59Z", "2027-06-21", "2027-07-22", "2027-07-21"),  // Thu / Wed
        new("a month before 21 July 2028 (due on it), 00:01", "2028-06-20T22:01Z", "2028-06-21", "2028-07-24", "2028-07-21"),  // Mon / Fri
        new("a month before 21 July 2028 (due on it), 23:59", "2028-06-21T21:59Z", "2028-06-21", "2028-07-24", "2028-07-21"),  // Mon / Fri
        new("11 November 2027 (BE only), 00:01", "2027-11-10T23:01Z", "2027-11-11", "2027-12-13", "2027-12-13"),  // Mon / Mon
        new("11 November 2027 (BE only), 23:59", "2027-11-11T22:59Z", "2027-11-11", "2027-12-13", "2027-12-13"),  // Mon / Mon
        new("a month before 11 November 2027 (due on it), 00:01", "2027-10-10T22:01Z", "2027-10-11", "2027-11-12", "2027-11-11"),  // Fri / Thu
        new("a month before 11 November 2027 (due on it), 23:59", "2027-10-11T21:59Z", "2027-10-11", "2027-11-12", "2027-11-11"),  // Fri / Thu
        new("a month before 11 November 2028, 00:01", "2028-10-10T22:01Z", "2028-10-11", "2028-11-13", "2028-11-13"),  // Mon / Mon
        new("a month before 11 November 2028, 23:59", "2028-10-11T21:59Z", "2028-10-11", "2028-11-13", "2028-11-13"),  // Mon / Mon
        new("27 April 2027 (NL only), 00:01", "2027-04-26T22:01Z", "2027-04-27", "2027-05-27", "2027-05-27"),  // Thu / Thu
        new("27 April 2027 (NL only), 23:59", "2027-04-27T21:59Z", "2027-04-27", "2027-05-27", "2027-05-27"),  // Thu / Thu
        new("27 April 2028 (NL only), 00:01", "2028-04-26T22:01Z", "2028-04-27", "2028-05-29", "2028-05-29"),  // Mon / Mon
        new("27 April 2028 (NL only), 23:59", "2028-04-27T21:59Z", "2028-04-27", "2028-05-29", "2028-05-29"),  // Mon / Mon
        new("a month before 27 April 2027 (due on it), 00:01", "2027-03-26T23:01Z", "2027-03-27", "2027-04-27", "2027-04-28"),  // Tue / Wed
        new("a month before 27 April 2027 (due on it), 23:59", "2027-03-27T22:59Z", "2027-03-27", "2027-04-27", "2027-04-28"),  // Tue / Wed
        new("a month before 27 April 2028 (due on it), 00:01", "2028-03-26T22:01Z", "2028-03-27", "2028-04-27", "2028-04-28"),  // Thu / Fri
        new("a month before 27 April 2028 (due on it), 23:59", "2028-03-27T21:59Z", "2028-03-27", "2028-04-27", "2028-04-28"),  // Thu / Fri
        new("5 May 2027 (NL only), 00:01", "2027-05-04T22:01Z", "2027-05-05", "2027-06-07", "2027-06-07"),  // Mon / Mon
        new("5 May 2027 (NL only), 23:59", "2027-05-05T21:59Z", "2027-05-05", "2027-06-07", "2027-06-07"),  // Mon / Mon
        new("5 May 2028 (NL only), 00:01", "2028-05-04T22:01Z", "2028-05-05", "2028-06-06", "2028-06-06"),  // Tue / Tue
        new("5 May 2028 (NL only), 23:59", "2028-05-05T21:59Z", "2028-05-05", "2028-06-06", "2028-06-06"),  // Tue / Tue
        new("a month before 5 May 2027 (due on it), 00:01", "2027-04-04T22:01Z", "2027-04-05", "2027-05-05", "2027-05-07"),  // Wed / Fri
        new("a month before 5 May 2027 (due on it), 23:59", "2027-04-05T21:59Z", "2027-04-05", "2027-05-05", "2027-05-07"),  // Wed / Fri
        new("a month before 5 May 2028 (due on it), 00:01", "2028-04-04T22:01Z", "2028-04-05", "2028-05-05", "2028-05-08"),  // Fri / Mon
        new("a month before 5 May 2028 (due on it), 23:59", "2028-04-05T21:59Z", "2028-04-05", "2028-05-05", "2028-05-08"),  // Fri / Mon
        new("a month before Christmas 2028, 00:01", "2028-11-24T23:01Z", "2028-11-25", "2028-12-26", "2028-12-27"),  // Tue / Wed
        new("a month before Christmas 2028, 23:59", "2028-11-25T22:59Z", "2028-11-25", "2028-12-26", "2028-12-27"),  // Tue / Wed
        new("31 December 2028, 00:01", "2028-12-30T23:01Z", "2028-12-31", "2029-01-31", "2029-01-31"),  // Wed / Wed
        new("31 December 2028, 23:59", "2028-12-31T22:59Z", "2028-12-31", "2029-01-31", "2029-01-31"),  // Wed / Wed
        new("DST night, Easter Sunday 2027, 03:01 (just after the clocks went forward)", "2027-03-28T01:01Z", "2027-03-28", "2027-04-28", "2027-04-28"),  // Wed / Wed
        new("DST night October 2027, 01:59 (just before the hour repeats)", "2027-10-30T23:59Z", "2027-10-31", "2027-11-30", "2027-11-30"),  // Tue / Tue
    ];
}
