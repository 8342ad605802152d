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
    public void An_erasure_asked_of_one_company_does_not_reach_the_answer_another_company_alone_gave()
    {
        // Review of 7 December: an erasure asked of Infomat België deleted the zip Infomat Nederland alone had answered
        // an access request with, and its download page then said it was deleted "as you asked". A zip with the data of
        // both companies holds the one the erasure covers, so it goes.
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5)) with { Entity = ControllerScope.Of("be") };
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));

        Assert.Equal(ErasureReach.None, (Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed) with { Entity = ControllerScope.Of("nl") }).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, (Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed) with { Entity = ControllerScope.Of("be") }).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, (Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed) with { Entity = ControllerScope.Of("nl") })
            .ReachedBy(erasure with { Entity = ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes) }, subject));
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

    /// <summary>An access case that wrote its zip, then failed delivering it: a staff retry answers it again.</summary>
    private static PrivacyCase FailedWithZip() =>
        (Case(RequestType.Access, "an.peeters@example.be", Received) with { ExportBlobName = "x/export.zip", ExportWrittenAt = Received.AddDays(1) })
            .WithStatus(CaseStatus.InProgress, Received.AddDays(1)).Fail(Received.AddDays(2), "DeliverExport").Changed!;

    [Fact]
    public void While_an_erasure_deletes_a_failed_cases_copies_a_staff_retry_is_refused_and_once_it_recorded_them_deleted_the_retry_goes_ahead()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));
        var marked = FailedWithZip().BeginErasingCopies(erasure, subject).Changed!;

        Assert.Equal([erasure.Id], marked.CopiesBeingErasedBy);
        Assert.Equal(CaseRefusal.CopiesBeingErased, marked.Retry("Els", Received.AddDays(6)).Refusal);
        // The same erasure's step run again goes ahead and changes nothing.
        Assert.Equal(CaseRefusal.AlreadyDone, marked.BeginErasingCopies(erasure, subject).Refusal);

        var erased = marked.CopiesErased(Received.AddDays(6), erasure.Id).Changed!;
        Assert.Empty(erased.CopiesBeingErasedBy);
        Assert.Equal(new ExportDeletion(Received.AddDays(6), ExportDeletionReason.Erasure, erasure.Id), erased.ExportDeleted);
        Assert.Equal(CaseRefusal.AlreadyDone, erased.CopiesErased(Received.AddDays(7), erasure.Id).Refusal);
        Assert.False(erased.Retry("Els", Received.AddDays(7)).Refused);
    }

    [Fact]
    public void Two_erasures_of_the_same_person_each_hold_the_case_until_each_recorded_its_deletes()
    {
        var first = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var second = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(6));
        var subject = Hash.Subject(EmailAddresses.Normalise(first.Email));
        var both = FailedWithZip().BeginErasingCopies(first, subject).Changed!.BeginErasingCopies(second, subject).Changed!;

        var firstDone = both.CopiesErased(Received.AddDays(7), first.Id).Changed!;

        Assert.Equal([second.Id], firstDone.CopiesBeingErasedBy);
        Assert.Equal(CaseRefusal.CopiesBeingErased, firstDone.Retry("Els", Received.AddDays(7), [first.Id]).Refusal);
        // The refusal names the erasure still running, not one that stopped (the first, had it failed before its record).
        Assert.Equal([second.Id], both.ErasuresHoldingRetry([first.Id]));
        Assert.Equal([first.Id, second.Id], both.ErasuresHoldingRetry([]));
        Assert.Empty(both.ErasuresHoldingRetry([first.Id, second.Id]));
        Assert.False(both.Retry("Els", Received.AddDays(7), [first.Id, second.Id]).Refused);
        var bothDone = firstDone.CopiesErased(Received.AddDays(7), second.Id).Changed!;
        Assert.Equal(first.Id, bothDone.ExportDeleted?.ErasureCaseId);
        Assert.False(bothDone.Retry("Els", Received.AddDays(7)).Refused);
    }

    [Fact]
    public void An_erasures_mark_lapses_once_that_erasure_no_longer_runs_and_its_late_record_then_changes_nothing()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5)).WithStatus(CaseStatus.InProgress, Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));
        var marked = FailedWithZip().BeginErasingCopies(erasure, subject).Changed!;

        // Still running: the mark holds.
        Assert.False(PrivacyCase.ErasureStopped(erasure));
        Assert.Equal(CaseRefusal.CopiesBeingErased, marked.Retry("Els", Received.AddDays(6), []).Refusal);
        // Failed, closed, or no longer in the register: it deletes nothing more.
        var failed = erasure.Fail(Received.AddDays(6), "EraseEarlierCopies").Changed!;
        Assert.True(PrivacyCase.ErasureStopped(failed));
        Assert.True(PrivacyCase.ErasureStopped(null));

        var retried = marked.Retry("Els", Received.AddDays(6), [erasure.Id]).Changed!;
        Assert.Empty(retried.CopiesBeingErasedBy);
        Assert.Equal(CaseStatus.InProgress, retried.Status);
        // The retried run writes its zip again; a late record of the stopped erasure must not call that one deleted.
        var rewritten = retried.ReplaceExport(Received.AddDays(6)).Changed!.ExportWritten("x/export.zip", Received.AddDays(6).AddMinutes(5)).Changed!;
        Assert.Equal(CaseRefusal.AlreadyDone, rewritten.CopiesErased(Received.AddDays(6).AddMinutes(6), erasure.Id).Refusal);
    }

    [Fact]
    public void A_zip_written_before_a_staff_retry_that_collected_again_is_written_again_unless_its_link_may_have_gone()
    {
        var retried = FailedWithZip().Retry("Els", Received.AddDays(3)).Changed!;

        Assert.False(FailedWithZip().ExportPredatesRetry);
        Assert.True(retried.ExportPredatesRetry);
        Assert.False(retried.ReplaceExport(Received.AddDays(3)).Changed!.ExportWritten("x/export.zip", Received.AddDays(3).AddMinutes(5)).Changed!.ExportPredatesRetry);
        // Its link may have reached the requester: that zip is their answer and stands.
        Assert.False((retried with { AnswerClaimedAt = Received.AddDays(2) }).ExportPredatesRetry);
        Assert.True((retried with { AnswerClaimedAt = Received.AddDays(2) }).RecordedZipStands);
        Assert.True((retried with { AnswerClaimedAt = Received.AddDays(2) }).AnswersWithZipFromBeforeRetry);
        Assert.False(retried.RecordedZipStands);
        Assert.False(retried.AnswersWithZipFromBeforeRetry);
        // Written again by the retried run: it stands, and holds what that run collected.
        var rewritten = retried.ReplaceExport(Received.AddDays(3)).Changed!.ExportWritten("x/export.zip", Received.AddDays(3).AddMinutes(5)).Changed!;
        Assert.True(rewritten.RecordedZipStands);
        Assert.False(rewritten.AnswersWithZipFromBeforeRetry);
        // Counted by retries, not by two hosts' clocks: a zip written before the retry on a host whose clock ran ahead.
        var ahead = (FailedWithZip() with { ExportWrittenAt = Received.AddDays(30), ExportWrittenAfterRetries = 0 }).Retry("Els", Received.AddDays(3)).Changed!;
        Assert.True(ahead.ExportPredatesRetry);
    }

    [Fact]
    public void A_case_answered_outside_whose_replaced_zips_never_had_a_link_is_not_reached_and_one_that_may_have_is()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));
        var outside = Case(RequestType.Access, "an.peeters@example.be", Received, CaseStatus.Completed)
            with { AnsweredOutside = new AnswerOutside("Els", Received.AddDays(2), new DateOnly(2027, 3, 3), "Per brief."), ExportExpiresAt = null };
        var neverLinked = new ReplacedExport(Received.AddDays(1), null, null, null) { NeverLinked = true };

        Assert.Equal(ErasureReach.None, (outside with { ReplacedExports = [neverLinked] }).ReachedBy(erasure, subject));
        Assert.Equal(ErasureReach.Erased, (outside with { ReplacedExports = [neverLinked with { NeverLinked = false }] }).ReachedBy(erasure, subject));
        // Replaced before this was kept: taken as linked.
        Assert.Equal(ErasureReach.Erased, (outside with { ReplacedExports = [neverLinked with { NeverLinked = null }] }).ReachedBy(erasure, subject));
        // The rewrite (after the staff retry) records it: a never-linked zip replaced, then one whose link went.
        var failed = FailedWithZip().Retry("Els", Received.AddDays(3)).Changed!;
        Assert.True(failed.ReplaceExport(Received.AddDays(3)).Changed!.ReplacedExports[0].NeverLinked);
        Assert.False((failed with { ExportExpiresAt = Received.AddDays(9) }).ReplaceExport(Received.AddDays(3)).Changed!.ReplacedExports[0].NeverLinked);
    }

    [Fact]
    public void A_case_retried_since_the_erasure_listed_it_is_being_answered_again_and_is_not_marked()
    {
        var erasure = Case(RequestType.Erasure, "an.peeters@example.be", Received.AddDays(5));
        var subject = Hash.Subject(EmailAddresses.Normalise(erasure.Email));
        var retried = FailedWithZip().Retry("Els", Received.AddDays(6)).Changed!;

        Assert.Equal(CaseRefusal.WrongStatus, retried.BeginErasingCopies(erasure, subject).Refusal);
        Assert.Equal(ErasureReach.KeptWhileAnswered, retried.ReachedBy(erasure, subject));
        Assert.Empty(retried.CopiesBeingErasedBy);
    }
}
