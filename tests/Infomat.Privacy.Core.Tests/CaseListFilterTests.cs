using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;

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
}
