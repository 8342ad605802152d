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
}
