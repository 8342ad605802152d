using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Two identical submissions at the same moment (a double click, a retry) both miss the search for an open case: the
/// claim row decides which names the case. The claim was keyed by a five-minute window, so twins either side of a
/// window's turn claimed different rows and made two cases: the soak run saw it once in CI (R0001, two cases for one
/// request, its double submission at 02:00:00).
/// </summary>
public sealed class OpenRequestClaimTests
{
    private static readonly ValidRequest Request = new(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null);

    [Theory]
    [InlineData(0, 4, 59.9, 0.2)]
    [InlineData(0, 2, 29.9, 0.2)]
    [InlineData(0, 7, 10, 60)]
    public async Task Identical_requests_moments_apart_that_both_missed_the_search_make_one_case_at_any_time(int hour, int minute, double second, double apart)
    {
        var register = new InMemoryRegister();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, hour, minute, 0, TimeSpan.Zero).AddSeconds(second));
        var open = new OpenRequests(register, new KeyedHash(RandomNumberGenerator.GetBytes(32)), time);

        var first = await open.CreateOrJoinAsync(PrivacyCase.Received(Request, Channel.Form, time.GetUtcNow(), TestDataMaps.Real), Request, Task.FromResult<PrivacyCase?>(null), default);
        time.Advance(TimeSpan.FromSeconds(apart));
        var second2 = await open.CreateOrJoinAsync(PrivacyCase.Received(Request, Channel.Form, time.GetUtcNow(), TestDataMaps.Real), Request, Task.FromResult<PrivacyCase?>(null), default);

        Assert.True(first.Created);
        Assert.False(second2.Created);
        Assert.Equal(first.Case.Id, second2.Case.Id);
        Assert.Single(await register.ListAllAsync(default).ToListAsync());
    }

    [Theory]
    [InlineData(18)]
    [InlineData(3600)]
    public async Task The_same_submission_sent_again_after_its_case_was_answered_is_that_case(int secondsLater)
    {
        // The soak's duplicate: a double click's second post met a 503, and the page that came back was sent after the
        // first post's case was closed. Joining by content takes only an open case; the submission names its case.
        var (open, register, time) = New();
        var page = Submission.OfPage(Submission.NewPageId());
        var first = await open.RegisterAsync(Candidate(time), Request, page, default);
        await register.UpdateAsync(first.Case.Id, c => c.WithStatus(CaseStatus.Completed, time.GetUtcNow()), default);
        time.Advance(TimeSpan.FromSeconds(secondsLater));

        var again = await open.RegisterAsync(Candidate(time), Request with { Email = "An.Peeters@example.be" }, page, default);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.False(again.SubmissionAskedOtherwise);
        Assert.Equal(first.Case.Id, again.Case.Id);
        Assert.Single(await register.ListAllAsync(default).ToListAsync());
    }

    [Fact]
    public async Task A_submission_that_asks_something_else_is_a_new_case_from_the_page_and_refused_from_a_key()
    {
        var (open, register, time) = New();
        var page = Submission.OfPage(Submission.NewPageId());
        var key = Submission.OfKey("order-42");
        var access = await open.RegisterAsync(Candidate(time), Request, page, default);
        var keyed = await open.RegisterAsync(Candidate(time, RequestType.Erasure), Request with { Type = RequestType.Erasure }, key, default);

        // The page sent back with another right: a case of its own. The key with another right: refused, nothing written.
        var otherRight = await open.RegisterAsync(Candidate(time, RequestType.Objection), Request with { Type = RequestType.Objection, Objection = ObjectionScope.DirectMarketing }, page, default);
        var refused = await open.RegisterAsync(Candidate(time, RequestType.Rectification), Request with { Type = RequestType.Rectification, Details = "My name." }, key, default);
        // The same key for another person: their own case (the address is part of the name).
        var otherPerson = await open.RegisterAsync(Candidate(time, RequestType.Erasure, "jan.devries@example.nl"), Request with { Type = RequestType.Erasure, Email = "jan.devries@example.nl" }, key, default);

        Assert.True(otherRight.Created);
        Assert.NotEqual(access.Case.Id, otherRight.Case.Id);
        Assert.True(refused.SubmissionAskedOtherwise);
        Assert.Equal(keyed.Case.Id, refused.Case.Id);
        Assert.True(otherPerson.Created);
        Assert.NotEqual(keyed.Case.Id, otherPerson.Case.Id);
        Assert.Equal(4, (await register.ListAllAsync(default).ToListAsync()).Count);
    }

    [Fact]
    public async Task A_post_that_asks_what_an_open_case_asks_is_a_case_of_its_own_until_its_address_is_confirmed()
    {
        // Decision 84: the post used to join the open case and be answered with its reference (and so its status and
        // dates), whoever sent it. It is a case of its own; confirmed, it is answered by the open case confirmed before.
        var (open, register, time) = New();
        var earlier = await open.RegisterAsync(Candidate(time), Request, null, default);
        var fromPage = await open.RegisterAsync(Candidate(time), Request, Submission.OfPage(Submission.NewPageId()), default);
        var fromApi = await open.RegisterAsync(Candidate(time), Request, null, default);

        Assert.True(fromPage.Created);
        Assert.True(fromApi.Created);
        Assert.Equal(3, new[] { earlier.Case.Id, fromPage.Case.Id, fromApi.Case.Id }.Distinct().Count());
        // Nobody confirmed the earlier one yet: nothing answers the others.
        Assert.Null(await open.AnsweringAsync(fromPage.Case, default));

        await register.UpdateAsync(earlier.Case.Id, c => c with { EmailVerifiedAt = time.GetUtcNow() }, default);
        Assert.Equal(earlier.Case.Id, (await open.AnsweringAsync(fromPage.Case, default))?.Id);
        Assert.Equal(earlier.Case.Id, (await open.AnsweringAsync(fromApi.Case, default))?.Id);
        Assert.Null(await open.AnsweringAsync(earlier.Case, default));
    }

    [Fact]
    public async Task A_page_used_before_then_sent_twice_with_another_request_makes_one_case_for_it()
    {
        var (open, register, time) = New();
        var page = Submission.OfPage(Submission.NewPageId());
        var erasure = Request with { Type = RequestType.Erasure };
        var access = await open.RegisterAsync(Candidate(time), Request, page, default);

        var first = await open.RegisterAsync(Candidate(time, RequestType.Erasure), erasure, page, default);
        var second = await open.RegisterAsync(Candidate(time, RequestType.Erasure), erasure, page, default);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Case.Id, second.Case.Id);
        Assert.NotEqual(access.Case.Id, first.Case.Id);
        Assert.Equal(2, (await register.ListAllAsync(default).ToListAsync()).Count);
    }

    [Fact]
    public async Task A_key_sent_again_with_other_details_is_refused_so_the_new_details_are_not_lost_in_the_old_case()
    {
        var (open, register, time) = New();
        var key = Submission.OfKey(Guid.NewGuid().ToString());
        var rectification = Request with { Type = RequestType.Rectification, Details = "My job title is Finance director." };
        var first = await open.RegisterAsync(Candidate(time, RequestType.Rectification) with { Details = rectification.Details }, rectification, key, default);

        var edited = await open.RegisterAsync(Candidate(time, RequestType.Rectification), rectification with { Details = "My job title is CFO." }, key, default);
        var same = await open.RegisterAsync(Candidate(time, RequestType.Rectification) with { Details = rectification.Details }, rectification, key, default);

        Assert.True(edited.SubmissionAskedOtherwise);
        Assert.False(same.SubmissionAskedOtherwise);
        Assert.Equal(first.Case.Id, same.Case.Id);
        Assert.Single(await register.ListAllAsync(default).ToListAsync());
    }

    private static (OpenRequests Open, InMemoryRegister Register, FakeTimeProvider Time) New()
    {
        var register = new InMemoryRegister();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        return (new OpenRequests(register, new KeyedHash(RandomNumberGenerator.GetBytes(32)), time), register, time);
    }

    private static PrivacyCase Candidate(FakeTimeProvider time, RequestType type = RequestType.Access, string email = "an.peeters@example.be") =>
        PrivacyCase.Received(Request with { Type = type, Email = email, Objection = type == RequestType.Objection ? ObjectionScope.DirectMarketing : null }, Channel.Form, time.GetUtcNow(), TestDataMaps.Real);
}
