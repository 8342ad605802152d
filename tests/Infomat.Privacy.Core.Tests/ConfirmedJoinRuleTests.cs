using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Decision 84: a request from the form or the API is a case of its own; when its address is confirmed it joins the
/// open request of that address that asks the same and was confirmed before (<see cref="PrivacyCase.JoinedOnConfirmation"/>,
/// <see cref="PrivacyCase.Verify(DateTimeOffset, PrivacyCase?)"/>): one answer for the person, and nothing about the
/// other case for a sender who never proved the address.
/// </summary>
public sealed class ConfirmedJoinRuleTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DataMap Map = TestDataMaps.Real;
    private static readonly ValidRequest Request = new(RequestType.Erasure, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Fr, null, null);

    private static PrivacyCase Taken(CaseTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Changed!;
    }

    private static PrivacyCase Sent(ValidRequest request, DateTimeOffset at) => Taken(PrivacyCase.Received(request, Channel.Form, at, Map).VerificationMailSent(at));

    private static PrivacyCase Confirmed(ValidRequest request, DateTimeOffset at) => Taken(Sent(request, at).Verify(at.AddMinutes(5)));

    private static PrivacyCase Refused(PrivacyCase confirmed, DateTimeOffset at)
    {
        var asked = Taken(Taken(confirmed.PrepareApproval(new Dictionary<string, int> { ["be/crm"] = 1 }, false)).RequestApproval(at));
        return Taken(Taken(asked.Reject("Staff One", "The identity does not match.", at)).RejectionSent(at));
    }

    [Fact]
    public void The_request_joins_the_earliest_open_confirmed_request_of_the_address_that_asks_the_same()
    {
        var earlier = Confirmed(Request, Received);
        var later = Confirmed(Request, Received.AddDays(1));
        var mine = Sent(Request with { Email = "AN.Peeters@example.be " }, Received.AddDays(2));

        Assert.Same(earlier, mine.JoinedOnConfirmation([later, earlier]));

        var at = Received.AddDays(2).AddHours(1);
        var joined = Taken(mine.Verify(at, earlier));
        Assert.Equal(CaseStatus.Joined, joined.Status);
        Assert.Equal(earlier.Id, joined.JoinedCaseId);
        Assert.Equal(at, joined.EmailVerifiedAt);
        Assert.Equal(at, joined.ClosedAt);
        Assert.True(joined.Status.IsFinished());
        Assert.False(joined.Status.IsUnanswered());
        Assert.False(joined.NeedsWork);
        Assert.Equal(RequestProgress.JoinedEarlierRequest, joined.Progress);
        Assert.Equal(CaseStatus.Joined, joined.History[^1].Status);
    }

    [Fact]
    public void A_request_not_confirmed_finished_failed_or_asking_anything_else_is_not_joined()
    {
        var mine = Sent(Request, Received.AddDays(2));
        var open = Confirmed(Request, Received);
        PrivacyCase[] others =
        [
            Sent(Request, Received),                                                              // nobody confirmed its address
            Taken(open.Fail(Received.AddHours(1), "collect")),                                     // failed: waits for staff
            Refused(open, Received.AddHours(2)),                                                   // answered
            Confirmed(Request with { Type = RequestType.Access }, Received),                       // another right
            Confirmed(Request with { Entity = ControllerScope.Of("be") }, Received),               // another controller
            Confirmed(Request with { Email = "jan.devries@example.nl" }, Received),                // another person
            Confirmed(Request with { AlsoRights = [RequestType.Objection], Objection = ObjectionScope.DirectMarketing }, Received),
            mine,                                                                                  // itself
            Confirmed(Request, Received.AddDays(3)),                                              // received after it
            Taken(open.Extend(2, "Many stores to search.", "Staff One", Received.AddDays(1), open.DueDate, Map)), // due after it
        ];

        Assert.All(others, other => Assert.False(mine.IsAnsweredBy(other)));
        Assert.Null(mine.JoinedOnConfirmation(others));
        Assert.True(mine.IsAnsweredBy(open));
    }

    [Fact]
    public void An_earlier_request_confirmed_after_a_later_one_goes_on_too_so_no_deadline_is_lost()
    {
        // The later request's link was opened first: it goes on alone. The earlier one, confirmed next, does not join a
        // request received after it (whose legal date falls later): both go on.
        var earlier = Sent(Request, Received);
        var later = Confirmed(Request, Received.AddDays(1));
        Assert.Null(earlier.JoinedOnConfirmation([later]));
        Assert.Equal(CaseStatus.AwaitingEmailVerification, Taken(earlier.Verify(Received.AddDays(1).AddHours(1), later)).Status);
    }

    [Fact]
    public void Details_the_open_request_does_not_have_are_not_lost_in_it()
    {
        // A rectification's corrections are its details: new ones make a request of their own.
        var rectification = Request with { Type = RequestType.Rectification, Details = "My job title is Finance director." };
        var open = Confirmed(rectification, Received);

        Assert.True(Sent(rectification with { Details = " My job title is Finance director. " }, Received.AddDays(1)).IsAnsweredBy(open));
        Assert.False(Sent(rectification with { Details = "My job title is CFO." }, Received.AddDays(1)).IsAnsweredBy(open));
        // Nothing added: the open request answers it.
        Assert.True(Sent(Request, Received.AddDays(1)).IsAnsweredBy(Confirmed(Request with { Details = "Please also erase my newsletter address." }, Received)));
    }

    [Fact]
    public void Confirmed_when_the_open_request_no_longer_answers_it_the_request_goes_on_alone()
    {
        var open = Confirmed(Request, Received);
        var mine = Sent(Request, Received.AddDays(1));
        // Read before the write: meanwhile the open request was answered.
        var answered = Refused(open, Received.AddHours(2));

        var verified = Taken(mine.Verify(Received.AddDays(1).AddHours(1), answered));
        Assert.Equal(CaseStatus.AwaitingEmailVerification, verified.Status);
        Assert.Null(verified.JoinedCaseId);
        Assert.NotNull(verified.EmailVerifiedAt);
        Assert.Equal(CaseRefusal.AlreadyVerified, verified.Verify(Received.AddDays(1).AddHours(2), open).Refusal);
    }

    [Fact]
    public void The_join_is_audited_with_the_case_it_joined_and_no_personal_data()
    {
        var hash = new KeyedHash(new byte[32]);
        var open = Confirmed(Request, Received);
        var joined = Taken(Sent(Request, Received.AddDays(1)).Verify(Received.AddDays(1).AddHours(1), open));

        var entry = Assert.Single(CaseAudit.Entries(joined, hash), e => e.Key == "joined");
        Assert.Equal("case=" + open.Id, entry.Outcome);
        Assert.DoesNotContain("peeters", string.Join(' ', CaseAudit.Entries(joined, hash).Select(e => e.Outcome)), StringComparison.OrdinalIgnoreCase);
    }
}
