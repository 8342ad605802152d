using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

public sealed class CaseListFilterTests
{
    private static readonly DateOnly Today = new(2026, 12, 2);
    private static readonly string[] Controllers = ["be", "nl"];

    private static CaseListEntry Entry(string reference, CaseStatus status, int daysLeft, RequestType right = RequestType.Access, string entity = "both", Channel channel = Channel.Form)
    {
        ControllerScope.TryParse(entity, Controllers, out var scope);
        return new CaseListEntry(reference, [right], scope!, channel, status, Today.AddDays(daysLeft));
    }

    private static CaseListFilter? Parse(params (string Key, string Value)[] query) =>
        CaseListFilter.Parse(k => query.FirstOrDefault(q => q.Key == k).Value, Controllers, out _);

    [Theory]
    [InlineData("state", "late")]
    [InlineData("right", "forget-me")]
    [InlineData("company", "fr")]
    [InlineData("channel", "fax")]
    public void An_unknown_filter_value_is_refused_by_the_name_of_its_field(string field, string value)
    {
        Assert.Null(CaseListFilter.Parse(k => k == field ? value : null, Controllers, out var invalid));
        Assert.Equal(field, invalid);
    }

    [Fact]
    public void Overdue_due_this_week_and_waiting_for_staff_are_decided_on_the_due_date_and_status()
    {
        var overdue = Entry("PR-A", CaseStatus.InProgress, -1);
        var dueToday = Entry("PR-B", CaseStatus.AwaitingIdentityApproval, 0);
        var dueIn6 = Entry("PR-C", CaseStatus.AwaitingStaffAction, 6);
        var dueIn7 = Entry("PR-D", CaseStatus.InProgress, 7);
        var failedLate = Entry("PR-E", CaseStatus.Failed, -3);
        var answeredLate = Entry("PR-F", CaseStatus.Completed, -10);

        IReadOnlyList<CaseListEntry> all = [overdue, dueToday, dueIn6, dueIn7, failedLate, answeredLate];
        string[] In(CaseListState s) => [.. all.Where(e => CaseListFilter.IsIn(e, s, Today)).Select(e => e.Reference)];

        // A failed case still owes an answer: it is open and, past its date, overdue; an answered one never is.
        Assert.Equal(["PR-A", "PR-E"], In(CaseListState.Overdue));
        Assert.Equal(["PR-B", "PR-C"], In(CaseListState.DueThisWeek));
        Assert.Equal(["PR-B", "PR-C"], In(CaseListState.WaitingForStaff));
        Assert.Equal(["PR-E"], In(CaseListState.Failed));
        Assert.Equal(["PR-A", "PR-B", "PR-C", "PR-D", "PR-E"], In(CaseListState.Open));
        Assert.Equal(6, In(CaseListState.All).Length);
    }

    [Fact]
    public void Right_company_channel_and_reference_narrow_the_list_and_a_case_for_both_companies_is_in_each()
    {
        var both = Entry("PR-ABCD-EFGH-JKLM", CaseStatus.InProgress, 5, RequestType.Erasure, "both", Channel.Email);
        var be = Entry("PR-ZZZZ-EFGH-JKLM", CaseStatus.InProgress, 5, RequestType.Access, "be", Channel.Form);

        Assert.True(Parse(("company", "nl"))!.Matches(both, Today));
        Assert.False(Parse(("company", "nl"))!.Matches(be, Today));
        Assert.True(Parse(("right", "erasure"), ("channel", "email"))!.Matches(both, Today));
        Assert.False(Parse(("right", "erasure"))!.Matches(be, Today));
        Assert.True(Parse(("q", "abcd"))!.Matches(both, Today));
        Assert.False(Parse(("q", "abcd"))!.Matches(be, Today));
        Assert.Equal("state=overdue&right=erasure&company=nl&channel=email&q=ABCD", Parse(("state", "overdue"), ("right", "erasure"), ("company", "NL"), ("channel", "email"), ("q", "abcd"))!.ToQuery());
    }

    [Fact]
    public void Open_cases_are_counted_by_the_week_their_due_date_falls_in_with_the_overdue_first()
    {
        CaseListEntry[] entries =
        [
            Entry("a", CaseStatus.InProgress, -1), Entry("b", CaseStatus.Failed, -20),
            Entry("c", CaseStatus.InProgress, 0), Entry("d", CaseStatus.InProgress, 6),
            Entry("e", CaseStatus.InProgress, 7), Entry("f", CaseStatus.InProgress, 200),
            Entry("g", CaseStatus.Completed, 3),
        ];

        Assert.Equal([2, 2, 1, 0, 0, 0, 0, 0, 1], CaseListFilter.ByDueWeek(entries, Today));
    }

    [Fact]
    public void A_cases_list_entry_holds_what_the_list_shows_of_it_and_no_personal_data()
    {
        var received = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An Peeters", "Brouwerij Peeters NV", ControllerScope.Of("be"), Language.Nl, "Wis alles."),
            Channel.Email, received, TestDataMaps.Real) with
        {
            AlsoRights = [RequestType.Objection],
            Extensions = [new DeadlineExtension(2, new DateOnly(2026, 11, 2), new DateOnly(2027, 1, 2), "Complex.", "Staff One", received.AddDays(3))],
            Decision = new IdentityDecision(DecisionOutcome.ManifestlyUnfoundedOrExcessive, received.AddDays(4), "Staff One", "Herhaald."),
        };
        c = c.WithStatus(CaseStatus.Rejected, received.AddDays(5));

        var entry = CaseListEntry.Of(c);

        Assert.Equal((c.Id, CaseStatus.Rejected, Channel.Email, c.DueDate, received), (entry.Reference, entry.Status, entry.Channel, entry.DueDate, entry.ReceivedAt));
        Assert.Equal([RequestType.Erasure, RequestType.Objection], entry.Rights);
        Assert.Equal(2, entry.ExtendedMonths);
        Assert.Equal(received.AddDays(5), entry.ClosedAt);
        Assert.Equal(RefusalGround.ManifestlyUnfoundedOrExcessive, entry.RejectedAs);
        // What the register keeps beside the case for the list: nothing that names or reaches the person.
        var stored = System.Text.Json.JsonSerializer.Serialize(entry);
        Assert.DoesNotContain("peeters", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Wis alles", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Herhaald", stored, StringComparison.Ordinal);
    }
}

