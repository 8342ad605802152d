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
            with
            {
                Status = status,
                // Answered: its zip was written and its link went (the link's end is set when it goes).
                ExportBlobName = status == CaseStatus.Completed ? "x/export.zip" : null,
                ExportExpiresAt = status == CaseStatus.Completed ? received.AddDays(9) : null,
            };

    [Theory]
    [InlineData(CaseStatus.AwaitingEmailVerification, ErasureReach.None)]
    [InlineData(CaseStatus.AwaitingIdentityApproval, ErasureReach.None)]
    [InlineData(CaseStatus.InProgress, ErasureReach.KeptWhileAnswered)]
    [InlineData(CaseStatus.AwaitingStaffAction, ErasureReach.KeptWhileAnswered)]
    [InlineData(CaseStatus.Completed, ErasureReach.Erased)]
    // Refused, expired or joined before anything was collected: no copy ever existed, and the report must not say one was deleted.
    [InlineData(CaseStatus.Rejected, ErasureReach.None)]
    [InlineData(CaseStatus.Expired, ErasureReach.None)]
    [InlineData(CaseStatus.Joined, ErasureReach.None)]
    public void An_erasure_deletes_the_copies_of_the_persons_earlier_access_cases_except_one_still_being_answered(CaseStatus status, ErasureReach expected)
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));

        Assert.Equal(expected, Case(RequestType.Access, "An.Peeters@Example.be", Received, status).ReachedBy(erasure, subject));
    }

    [Fact]
    public void A_failed_case_that_collected_has_its_copies_deleted_and_is_answered_again_and_one_that_had_not_is_not_reached()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));
        var collecting = Case(RequestType.Access, "an.peeters@example.be", Received).WithStatus(CaseStatus.InProgress, Received.AddDays(1));
        var waiting = Case(RequestType.Access, "an.peeters@example.be", Received).WithStatus(CaseStatus.AwaitingIdentityApproval, Received.AddDays(1));

        // Still owed its answer: a retry collects again, from the stores as the erasure left them.
        Assert.Equal(ErasureReach.ErasedAnsweredAgain, collecting.Fail(Received.AddDays(2), "CollectFromStore").Changed!.ReachedBy(erasure, subject));
        // It failed before it collected anything: nothing to delete, nothing to report.
        Assert.Equal(ErasureReach.None, waiting.Fail(Received.AddDays(2), "TendApprovalWait").Changed!.ReachedBy(erasure, subject));
    }

    [Fact]
    public void Another_persons_a_later_or_a_copyless_case_is_not_reached()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));

        // Answered by staff outside this system before any zip was written (decision 118): no copy ever existed.
        var answeredOutside = Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed)
            with { AnsweredOutside = new AnswerOutside("Els", Received.AddDays(2), new DateOnly(2027, 3, 3), "Per brief."), ExportBlobName = null, ExportExpiresAt = null };
        Assert.Equal(ErasureReach.None, answeredOutside.ReachedBy(erasure, subject));
        // One whose zip was written but never linked (withdrawn at the close): no file or link the requester had.
        Assert.Equal(ErasureReach.None, (answeredOutside with { ExportBlobName = "x/export.zip", ExportRevokedAt = Received.AddDays(2) }).ReachedBy(erasure, subject));
        // One whose link went before it failed: its file is deleted, and the report says so.
        Assert.Equal(ErasureReach.Erased, (answeredOutside with { ExportBlobName = "x/export.zip", ExportExpiresAt = Received.AddDays(9) }).ReachedBy(erasure, subject));

        Assert.Equal(ErasureReach.None, Case(RequestType.Access, "zoe.maes@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, Case(RequestType.Access, "an.peeters@example.be", Received.AddDays(6), CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, Case(RequestType.Objection, "an.peeters@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.None, erasure.ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, Case(RequestType.Portability, "an.peeters@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
    }
}
