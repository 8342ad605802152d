using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Which of the person's earlier cases an erasure deletes the copies of (<see cref="PrivacyCase.ReachedBy"/>).</summary>
public sealed class ErasureReachTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly KeyedHash Hash = new(new byte[32]);

    private static PrivacyCase Case(RequestType type, string email, DateTimeOffset received, CaseStatus status = CaseStatus.AwaitingEmailVerification) =>
        PrivacyCase.Received(new ValidRequest(type, email, "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null), Channel.Form, received, TestDataMaps.Real)
            with { Status = status };

    [Theory]
    [InlineData(CaseStatus.AwaitingEmailVerification, ErasureReach.None)]
    [InlineData(CaseStatus.AwaitingIdentityApproval, ErasureReach.None)]
    [InlineData(CaseStatus.InProgress, ErasureReach.KeptWhileAnswered)]
    [InlineData(CaseStatus.AwaitingStaffAction, ErasureReach.KeptWhileAnswered)]
    [InlineData(CaseStatus.Completed, ErasureReach.Erased)]
    [InlineData(CaseStatus.Failed, ErasureReach.Erased)]
    [InlineData(CaseStatus.Expired, ErasureReach.Erased)]
    public void An_erasure_deletes_the_copies_of_the_persons_earlier_access_cases_except_one_still_being_answered(CaseStatus status, ErasureReach expected)
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));

        Assert.Equal(expected, Case(RequestType.Access, "An.Peeters@Example.be", Received, status).ReachedBy(erasure, subject));
    }

    [Fact]
    public void Another_persons_a_later_or_a_copyless_case_is_not_reached()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));

        Assert.Equal(ErasureReach.None, Case(RequestType.Access, "zoe.maes@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, Case(RequestType.Access, "an.peeters@example.be", Received.AddDays(6), CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, Case(RequestType.Objection, "an.peeters@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, erasure.ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, Case(RequestType.Portability, "an.peeters@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
    }
}
