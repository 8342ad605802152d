using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The case's rules, each tested once here: which step may happen when, and what a refused step says.</summary>
public sealed class CaseTransitionTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase NewCase(RequestType type = RequestType.Access, ObjectionScope? objection = null) =>
        PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl, "details", objection), Channel.Form, Received, Map);

    private static PrivacyCase Taken(CaseTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Changed!;
    }

    /// <summary>A verified case waiting for staff, as the approval activity leaves it.</summary>
    private static PrivacyCase AwaitingApproval(RequestType type = RequestType.Access, bool twoForErasure = true)
    {
        var c = Taken(NewCase(type).Verify(Received.AddMinutes(5)));
        c = Taken(c.PrepareApproval(new Dictionary<string, int> { ["be/crm"] = 2 }, twoForErasure));
        return Taken(c.RequestApproval(Received.AddMinutes(6)));
    }

    [Fact]
    public void A_confirmation_that_loses_the_race_with_the_expiry_does_not_mark_the_expired_case_confirmed()
    {
        // Review of decision 49: the page would say "confirmed" while the expiry notice says the opposite.
        var expired = NewCase() with { Status = CaseStatus.Expired };

        Assert.Equal(CaseRefusal.Finished, expired.Verify(Received.AddDays(7)).Refusal);
    }

    [Fact]
    public void A_second_verification_is_refused_and_keeps_the_first_time()
    {
        var c = Taken(NewCase().Verify(Received.AddMinutes(5)));

        var again = c.Verify(Received.AddMinutes(9));

        Assert.Equal(CaseRefusal.AlreadyVerified, again.Refusal);
        Assert.Equal(Received.AddMinutes(5), c.EmailVerifiedAt);
    }

    [Fact]
    public void A_second_run_of_the_approval_step_recording_late_neither_moves_an_approved_case_back_nor_restarts_its_wait()
    {
        // The step delivered twice (review of 5 December): both runs passed the check, the first recorded its mail and
        // staff approved from it; the second's record must not put the case back to waiting for the identity decision.
        var asked = AwaitingApproval();
        var working = Taken(Taken(asked.Approve(1, "Els", Received.AddMinutes(8), "link")).StartWork(Received.AddMinutes(8)));

        var late = working.RequestApproval(Received.AddMinutes(9));

        Assert.Equal(CaseRefusal.AlreadyDone, late.Refusal);
        Assert.Equal(CaseStatus.InProgress, working.Status);
        Assert.Equal(CaseRefusal.AlreadyDone, asked.RequestApproval(Received.AddMinutes(9)).Refusal);
        Assert.Equal(Received.AddMinutes(6), asked.ApprovalMailSentAt);

        // Decided before the mail was recorded: its time is kept (the audit says it went), the status stays.
        var decided = asked with { ApprovalMailSentAt = null };
        var recorded = Taken(decided.RequestApproval(Received.AddMinutes(9)));
        Assert.Equal((Received.AddMinutes(9), decided.Status), (recorded.ApprovalMailSentAt!.Value, recorded.Status));
    }

    [Fact]
    public void The_answer_is_claimed_once_until_it_is_sent_taken_back_or_its_claim_runs_out()
    {
        var c = AwaitingApproval();
        var at = Received.AddHours(2);

        var claimed = Taken(c.ClaimAnswer(at));

        // A second run of the step while the first sends: refused, up to the hold; then the claim no longer holds.
        Assert.Equal(CaseRefusal.UnderWay, claimed.ClaimAnswer(at.AddSeconds(30)).Refusal);
        Assert.Equal(CaseRefusal.UnderWay, claimed.ClaimAnswer(at + PrivacyCase.AnswerClaimHold - TimeSpan.FromSeconds(1)).Refusal);
        Assert.Equal(at + PrivacyCase.AnswerClaimHold, Taken(claimed.ClaimAnswer(at + PrivacyCase.AnswerClaimHold)).AnswerClaimedAt);

        // A failed send takes its own claim back (not one that ran out and was claimed again), and the retry claims at once.
        Assert.Equal(CaseRefusal.NotAsked, claimed.AnswerNotSent(at.AddSeconds(1)).Refusal);
        var released = Taken(claimed.AnswerNotSent(at));
        Assert.Null(released.AnswerClaimedAt);
        Assert.Null(released.ClaimAnswer(at.AddSeconds(5)).Refusal);

        // The acknowledgement has a claim of its own, under the same rule.
        var acknowledging = Taken(c.ClaimAcknowledgement(at));
        Assert.Equal(CaseRefusal.UnderWay, acknowledging.ClaimAcknowledgement(at.AddSeconds(30)).Refusal);
        Assert.Null(acknowledging.ClaimAnswer(at.AddSeconds(30)).Refusal);
        Assert.Null(Taken(acknowledging.AcknowledgementNotSent(at)).AcknowledgementClaimedAt);
        Assert.Equal(CaseRefusal.AlreadyDone, Taken(acknowledging.Acknowledge(at.AddSeconds(1))).ClaimAcknowledgement(at.AddHours(1)).Refusal);

        // Once the answer is recorded, every later run is told it is done.
        var answered = Taken(claimed.Complete(at.AddSeconds(2)));
        Assert.Equal(CaseRefusal.AlreadyDone, answered.ClaimAnswer(at.AddHours(1)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, answered.AnswerNotSent(at).Refusal);
    }

    [Fact]
    public void Asking_staff_moves_the_case_to_identity_approval_with_the_change_in_its_history()
    {
        var c = AwaitingApproval();

        Assert.Equal(CaseStatus.AwaitingIdentityApproval, c.Status);
        Assert.Equal([CaseStatus.AwaitingEmailVerification, CaseStatus.AwaitingIdentityApproval], c.History.Select(h => h.Status));
        Assert.False(c.NeedsApprovalRequest);
    }

    [Theory]
    [InlineData(RequestType.Erasure, true, 2)]
    [InlineData(RequestType.Erasure, false, 1)]
    [InlineData(RequestType.Access, true, 1)]
    [InlineData(RequestType.Restriction, true, 1)]
    public void Only_an_erasure_needs_two_approvers_and_only_when_configured(RequestType type, bool twoForErasure, int expected)
    {
        Assert.Equal(expected, AwaitingApproval(type, twoForErasure).ApprovalsRequired);
    }

    [Fact]
    public void An_erasure_is_decided_only_by_the_second_different_approver()
    {
        var c = AwaitingApproval(RequestType.Erasure);

        c = Taken(c.Approve(1, "Els", Received.AddHours(1), "verified-link"));
        Assert.Null(c.Decision);
        Assert.Equal(2, c.NextApprovalStage);

        var same = c.Approve(2, "Els", Received.AddHours(2), "verified-link");
        Assert.Equal(CaseRefusal.SameApprover, same.Refusal);
        Assert.Equal(CaseRefusal.SameApprover, c.ApprovalRefusal("Els"));

        c = Taken(c.Approve(2, "Jan", Received.AddHours(3), "known-details"));
        Assert.Equal(DecisionOutcome.Approve, c.Decision!.Outcome);
        Assert.Equal("Jan", c.Decision.DecidedBy);
        Assert.Equal(["Els", "Jan"], c.Approvals.Select(a => a.By));
    }

    [Fact]
    public void Two_approvals_under_one_object_id_are_one_person_whatever_name_they_show_and_two_object_ids_are_two()
    {
        // Issue 18 item 3: a signed-in name (preferred_username) can change or be missing; the Entra object id cannot.
        const string Els = "0c7e2b1a-5d0f-4f6e-9a43-3c2d8e1f7a01", Jan = "9b1d4e6f-2a3c-4b5d-8e7f-1a2b3c4d5e6f";
        var c = Taken(AwaitingApproval(RequestType.Erasure).Approve(1, "els.janssens@infomat.eu", Received.AddHours(1), "verified-link", byId: Els));

        // Els again after her account was renamed: still Els, the erasure still needs a colleague.
        Assert.Equal(CaseRefusal.SameApprover, c.Approve(2, "els.peeters@infomat.eu", Received.AddHours(2), "verified-link", byId: Els).Refusal);
        Assert.Equal(CaseRefusal.SameApprover, c.ApprovalRefusal("els.peeters@infomat.eu", Els));

        // Jan, whose token shows the same name (a shared display name, or none and a fallback): a different person.
        c = Taken(c.Approve(2, "els.janssens@infomat.eu", Received.AddHours(3), "known-details", byId: Jan));
        Assert.Equal(DecisionOutcome.Approve, c.Decision!.Outcome);
        Assert.Equal([Els, Jan], c.Approvals.Select(a => a.ById));
    }

    [Fact]
    public void A_request_from_the_address_a_colleague_signs_in_with_is_theirs_whatever_its_case_or_plus_tag()
    {
        // Nobody checks their own identity: An Peeters working in privacy, signed in as an.peeters@example.be.
        var c = AwaitingApproval(RequestType.Erasure);

        Assert.True(c.IsRequestOf(["An.Peeters@Example.BE"]));
        Assert.True(c.IsRequestOf(["els.janssens@infomat.eu", " an.peeters@example.be "]));
        Assert.True((c with { Email = "an.peeters+gdpr@example.be" }).IsRequestOf(["an.peeters@example.be"]));
        Assert.False(c.IsRequestOf(["els.janssens@infomat.eu"]));
        Assert.False(c.IsRequestOf(["an.peeters@example.nl", "peeters@example.be"]));
        Assert.False(c.IsRequestOf([]));
        // Once the identifiers are erased there is no address to compare.
        Assert.False((c with { Email = string.Empty }).IsRequestOf(["an.peeters@example.be"]));
    }

    [Fact]
    public void An_approval_recorded_before_ids_were_kept_is_identified_by_its_name()
    {
        // A register row written before this release: the approval has a name only.
        var old = System.Text.Json.JsonSerializer.Deserialize<IdentityApproval>(
            """{"stage":1,"by":"Els (no sign-in)","at":"2027-03-01T10:00:00+00:00","evidence":"verified-link"}""",
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        var c = AwaitingApproval(RequestType.Erasure) with { Approvals = [old] };

        Assert.Equal(CaseRefusal.SameApprover, c.ApprovalRefusal("Els (no sign-in)", "Els (no sign-in)"));
        Assert.Null(c.ApprovalRefusal("Jan (no sign-in)", "Jan (no sign-in)"));
    }

    [Fact]
    public void A_colleague_who_gave_the_first_approval_before_ids_were_kept_cannot_give_the_second_under_their_id()
    {
        // The release lands between the two approvals of an erasure: Els's first approval has her name only, her second
        // comes with her object id and the same name. She is still one person.
        var c = AwaitingApproval(RequestType.Erasure) with { Approvals = [new IdentityApproval(1, "els.janssens@infomat.eu", Received.AddHours(1), "verified-link")] };

        Assert.Equal(CaseRefusal.SameApprover, c.ApprovalRefusal("els.janssens@infomat.eu", "0c7e2b1a-5d0f-4f6e-9a43-3c2d8e1f7a01"));
        Assert.Null(c.ApprovalRefusal("jan.peeters@infomat.eu", "9b1d4e6f-2a3c-4b5d-8e7f-1a2b3c4d5e6f"));
    }

    [Fact]
    public void An_approval_from_a_page_that_showed_an_older_count_is_refused()
    {
        var c = Taken(AwaitingApproval(RequestType.Erasure).Approve(1, "Els", Received.AddHours(1), "verified-link"));

        // Jan's page was loaded before Els approved: it still says stage 1.
        Assert.Equal(CaseRefusal.ApprovalOutOfTurn, c.Approve(1, "Jan", Received.AddHours(2), "other").Refusal);
    }

    [Fact]
    public void An_approval_through_a_link_from_a_page_or_card_that_showed_an_earlier_count_or_none_is_refused_before_the_links_use()
    {
        // Els and Jan opened the same link's page at 0 of 2; Els approved from hers. The use "t1.approve.1" is spent.
        var opened = AwaitingApproval(RequestType.Erasure);
        var shown = opened.DecisionBasis;
        Assert.Equal("1.0.0", shown);
        var c = Taken(opened.ApproveThroughLink("t1", shown, "Els", Received.AddHours(1), "verified-link"));
        Assert.Contains("t1.approve.1", c.LinkUses);

        // Jan's page still shows 0 approvals: out of turn (not "link used", which would not tell him a colleague approved).
        Assert.Equal(CaseRefusal.ApprovalOutOfTurn, c.ApproveThroughLink("t1", shown, "Jan", Received.AddHours(2), "known-details").Refusal);
        // A count no page showed (higher than now, or not a number) is not "a colleague approved meanwhile".
        Assert.Equal(CaseRefusal.DecisionBasisChanged, c.ApproveThroughLink("t1", "3.0.0", "Jan", Received.AddHours(2), "known-details").Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, c.ApproveThroughLink("t1", "x.0.0", "Jan", Received.AddHours(2), "known-details").Refusal);
        // A page or card that says nothing (from before it carried what it showed) is not taken either.
        Assert.Equal(CaseRefusal.DecisionBasisChanged, c.ApproveThroughLink("t1", null, "Jan", Received.AddHours(2), "known-details").Refusal);
        // Els again, from her old page: the same person comes first, whatever her page showed.
        Assert.Equal(CaseRefusal.SameApprover, c.ApproveThroughLink("t1", shown, "Els", Received.AddHours(2), "verified-link").Refusal);

        // From a page showing the count as it is, Jan's approval is the second and decides.
        c = Taken(c.ApproveThroughLink("t1", c.DecisionBasis, "Jan", Received.AddHours(3), "known-details"));
        Assert.Equal(DecisionOutcome.Approve, c.Decision!.Outcome);
        Assert.Equal(["t1.approve.1", "t1.approve.2"], c.LinkUses);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.ApproveThroughLink("t1", c.DecisionBasis, "An", Received.AddHours(4), "other").Refusal);
    }

    [Fact]
    public void No_decision_is_taken_from_a_page_opened_before_a_colleague_asked_for_more_identification_or_the_requester_replied()
    {
        var opened = AwaitingApproval(RequestType.Access);
        var before = opened.DecisionBasis;
        // A colleague asks the requester for more identification.
        var asked = Taken(opened.RequestIdentification("Els", "Een factuurnummer.", Received.AddHours(1)));
        Assert.NotEqual(before, asked.DecisionBasis);

        // Jan, from the page he opened before: no refusal, no approval, no second request, no Art. 12(5) refusal.
        Assert.Equal(CaseRefusal.DecisionBasisChanged, asked.DecideAsShown(before, x => x.Reject("Jan", "Niet bevestigd.", Received.AddHours(2))).Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, asked.DecideAsShown(before, x => x.RefuseAsManifestlyUnfoundedOrExcessive("Jan", "Herhaald.", Received.AddHours(2))).Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, asked.DecideAsShown(before, x => x.RequestIdentification("Jan", "Een klantenkaart.", Received.AddHours(2))).Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, asked.ApproveThroughLink("t1", before, "Jan", Received.AddHours(2), "known-details").Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, asked.DecideAsShown(null, x => x.Reject("Jan", "Niet bevestigd.", Received.AddHours(2))).Refusal);

        // The requester replies: a page opened after the request but before the reply is out of date too.
        var afterAsk = asked.DecisionBasis;
        var replied = Taken(asked.IdentificationAnswered(Received.AddHours(3), attachments: 1));
        // The same reply read again (a redelivery) records nothing new, so pages opened since stay current.
        Assert.Equal(replied.DecisionBasis, Taken(replied.IdentificationAnswered(Received.AddHours(3), attachments: 1)).DecisionBasis);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, replied.DecideAsShown(afterAsk, x => x.Reject("Jan", "Niet bevestigd.", Received.AddHours(4))).Refusal);
        Assert.Equal(CaseRefusal.DecisionBasisChanged, replied.ApproveThroughLink("t1", afterAsk, "Jan", Received.AddHours(4), "additional-identification").Refusal);

        // From a page showing the case as it is, each decision is taken.
        var now = replied.DecisionBasis;
        Assert.Equal(DecisionOutcome.Reject, Taken(replied.DecideAsShown(now, x => x.Reject("Jan", "Niet bevestigd.", Received.AddHours(4)))).Decision!.Outcome);
        Assert.Equal(DecisionOutcome.Approve, Taken(replied.ApproveThroughLink("t1", now, "Jan", Received.AddHours(4), "additional-identification")).Decision!.Outcome);
        // Decided or closed comes first: the page then says by whom, not that it is out of date.
        var decided = Taken(replied.DecideAsShown(now, x => x.Reject("Jan", "Niet bevestigd.", Received.AddHours(4))));
        Assert.Equal(CaseRefusal.AlreadyDecided, decided.DecideAsShown(before, x => x.Reject("An", "Ook niet.", Received.AddHours(5))).Refusal);

        // A request for identification whose mail failed is taken back: a page opened before it stands again.
        var takenBack = Taken(asked.IdentificationRequestNotSent("t1.identification", opened, asked.IdentificationRequestedAt!.Value, "Els", Received.AddHours(1)));
        Assert.Equal(before, takenBack.DecisionBasis);
    }

    [Fact]
    public void Approvals_given_before_a_colleague_asked_for_more_identification_are_set_aside_and_each_step_is_audited()
    {
        // Review of 7 December: Bert approved an erasure (1 of 2), An found the identity short and asked for more, the
        // requester replied, and Carl's approval then made the decision with Bert's: one person had approved on the
        // evidence An found sufficient. Now the approvals before a request for identification are set aside (kept and
        // audited), and the approvals needed are given again on what the requester sent.
        var waiting = AwaitingApproval(RequestType.Erasure);
        Assert.Equal(2, waiting.ApprovalsRequired);
        var bert = Taken(waiting.Approve(1, "Bert", Received.AddHours(1), "verified-link"));
        var asked = Taken(bert.RequestIdentification("An", "Een factuurnummer.", Received.AddHours(2)));

        Assert.Empty(asked.Approvals);
        Assert.Equal(("Bert", "An"), (Assert.Single(asked.SetAsideApprovals).By, asked.SetAsideApprovals[0].SetAsideBy));
        // The decision page, the card and the case page say so.
        Assert.Contains("was set aside when An asked the requester for more identification", Mail.ApprovalCard.SetAsideLine(asked.SetAsideApprovals[0], Language.En), StringComparison.Ordinal);
        Assert.Contains("werd terzijde gelegd toen An de verzoeker", Mail.ApprovalCard.SetAsideLine(asked.SetAsideApprovals[0], Language.Nl), StringComparison.Ordinal);
        var replied = Taken(Taken(asked.IdentificationMailSent(Received.AddHours(2))).IdentificationAnswered(Received.AddHours(5), attachments: 1));
        // From the approval mail's link Bert used (each approval is a use of the link): the new round has uses of its own.
        var bertsLink = Taken(waiting.ApproveThroughLink("t1", waiting.DecisionBasis, "Bert", Received.AddHours(1), "verified-link"));
        Assert.Contains("t1.approve.1", bertsLink.LinkUses);
        var replied2 = Taken(Taken(Taken(bertsLink.RequestIdentification("An", "Een factuurnummer.", Received.AddHours(2))).IdentificationMailSent(Received.AddHours(2))).IdentificationAnswered(Received.AddHours(5), attachments: 1));
        Assert.Null(Taken(replied2.ApproveThroughLink("t1", replied2.DecisionBasis, "Carl", Received.AddHours(6), "additional-identification")).Decision);
        var carl = Taken(replied.ApproveThroughLink("t2", replied.DecisionBasis, "Carl", Received.AddHours(6), "additional-identification"));
        Assert.Null(carl.Decision);
        // Bert may approve again, now on what the requester sent.
        var both = Taken(carl.ApproveThroughLink("t2", carl.DecisionBasis, "Bert", Received.AddHours(7), "additional-identification"));
        Assert.Equal(DecisionOutcome.Approve, both.Decision!.Outcome);

        var trail = Trail(bert, asked, replied, carl, both);
        Assert.Equal(["Bert", "Carl", "Bert"], trail.Where(e => e.Action == AuditActions.IdentityApproved).Select(e => e.Actor));
        var setAside = Assert.Single(trail, e => e.Action == AuditActions.ApprovalSetAside);
        Assert.Equal(("An", Received.AddHours(2)), (setAside.Actor, setAside.At));

        // Asked but its mail not recorded as sent (its mail and its taking back both failed): the page and card say so.
        Assert.False(asked.IdentificationRequestMailed);
        Assert.Contains("not recorded as sent", Mail.ApprovalCard.NotMailedLine(asked, Language.En), StringComparison.Ordinal);
        Assert.Contains(Mail.ApprovalCard.NotMailedLine(asked, Language.En), Mail.ApprovalCard.State(asked, Language.En));
        Assert.True(Taken(asked.IdentificationMailSent(Received.AddHours(2))).IdentificationRequestMailed);

        // A request whose mail could not be sent is taken back with the approvals it set aside.
        var takenBack = Taken(asked.IdentificationRequestNotSent("t1.identification", bert, Received.AddHours(2), "An", Received.AddHours(2).AddSeconds(5)));
        Assert.Equal(bert.Approvals, takenBack.Approvals);
        Assert.Empty(takenBack.SetAsideApprovals);
    }

    [Fact]
    public void Each_request_for_more_identification_is_audited_with_the_colleague_who_asked()
    {
        // Review of 7 December: the trail kept the first request's key for whichever request was on the case, so a
        // second request (another colleague, after the requester's reply) never reached it.
        var waiting = AwaitingApproval();
        var first = Taken(Taken(waiting.RequestIdentification("Els", "Een factuurnummer.", Received.AddHours(1))).IdentificationMailSent(Received.AddHours(1)));
        var replied = Taken(first.IdentificationAnswered(Received.AddHours(3), attachments: 1));
        var second = Taken(Taken(replied.RequestIdentification("Jan", "Een klantenkaart.", Received.AddHours(4))).IdentificationMailSent(Received.AddHours(4)));
        // A third whose mail fails is taken back; the two before stay as they were, once each.
        var third = Taken(second.RequestIdentification("Piet", "Een rijbewijs.", Received.AddHours(5)));
        var takenBack = Taken(third.IdentificationRequestNotSent("t3.identification", second, Received.AddHours(5), "Piet", Received.AddHours(5).AddSeconds(5)));

        var trail = Trail(waiting, first, replied, second, third, takenBack);

        Assert.Equal([("Els", Received.AddHours(1)), ("Jan", Received.AddHours(4)), ("Piet", Received.AddHours(5))],
            trail.Where(e => e.Action == AuditActions.IdentificationRequested).Select(e => (e.Actor, e.At!.Value)));
        Assert.Single(trail, e => e.Action == AuditActions.IdentificationRequestWithdrawn);
        // A case as stored before this change (one request) keeps the key its event always had.
        Assert.Contains(Audit.CaseAudit.Entries(first, new KeyedHash(new byte[32])), e => e.Key == "identification-requested");
    }

    [Fact]
    public void A_case_that_fails_again_after_a_retry_has_each_change_of_status_in_its_trail()
    {
        // Review of 7 December: status events were keyed by the status alone, and the trail keeps one event per key, so
        // a case that failed, was retried and failed again showed the first failure only, and then nothing.
        var waiting = AwaitingApproval();
        var failed = Taken(waiting.Fail(Received.AddHours(1), "RequestApproval"));
        var retried = Taken(failed.Retry("Els", Received.AddHours(2)));
        var again = Taken(retried.Fail(Received.AddHours(3), "RequestApproval"));

        var trail = Trail(waiting, failed, retried, again);

        Assert.Equal([Received.AddHours(1), Received.AddHours(3)],
            trail.Where(e => e.Action == AuditActions.StatusChanged && e.Outcome == nameof(CaseStatus.Failed)).Select(e => e.At!.Value));
        Assert.Equal(trail.Count(e => e.Action == AuditActions.StatusChanged), again.History.Count - 1);
        // A case as stored before this change keeps the key each first status event always had.
        Assert.Contains(Audit.CaseAudit.Entries(failed, new KeyedHash(new byte[32])), e => e.Key == "status.Failed");
    }

    [Fact]
    public void A_failure_of_the_run_before_a_staff_retry_does_not_fail_the_retried_case_again()
    {
        // Review of 7 December: the old run's MarkFailed wrote Failed and the host died before its completion was saved;
        // staff retried; the old step's queue message then ran again and flagged the freshly retried case Failed.
        var waiting = AwaitingApproval();
        var failed = Taken(waiting.Fail(Received.AddHours(1), "RequestApproval", run: 0));
        var retried = Taken(failed.Retry("Els", Received.AddHours(2)));

        Assert.Equal(CaseRefusal.RunSuperseded, retried.Fail(Received.AddHours(3), "RequestApproval", run: 0).Refusal);
        // The retried run's own failure counts, and one whose run is not known (a run from before this) as before.
        Assert.Equal(CaseStatus.Failed, Taken(retried.Fail(Received.AddHours(3), "RequestApproval", run: 1)).Status);
        Assert.Equal(CaseStatus.Failed, Taken(retried.Fail(Received.AddHours(3), "RequestApproval")).Status);
    }

    /// <summary>The audit trail as appended over the case's states: each event once, under its key, as first seen.</summary>
    private static List<AuditEntry> Trail(params PrivacyCase[] states)
    {
        var hash = new KeyedHash(new byte[32]);
        var trail = new List<AuditEntry>();
        foreach (var state in states)
        {
            trail.AddRange(Audit.CaseAudit.Entries(state, hash).Where(e => trail.All(t => t.Key != e.Key)));
        }

        return trail;
    }

    [Fact]
    public void A_case_awaits_the_identity_decision_from_the_approval_request_until_it_is_decided_or_closed()
    {
        var verified = Taken(NewCase().Verify(Received.AddMinutes(5)));
        Assert.False(verified.AwaitsIdentityDecision);

        var waiting = AwaitingApproval();
        Assert.True(waiting.AwaitsIdentityDecision);
        // Asking the requester for more identification does not take the decision away from staff.
        Assert.True(Taken(waiting.RequestIdentification("Els", "Een factuurnummer.", Received.AddHours(1))).AwaitsIdentityDecision);

        Assert.False(Taken(waiting.Reject("Els", "Geen antwoord.", Received.AddHours(1))).AwaitsIdentityDecision);
        Assert.False(Taken(waiting.Fail(Received.AddHours(1), "TendApprovalWait")).AwaitsIdentityDecision);
    }

    [Fact]
    public void The_first_final_decision_stands_against_any_later_one()
    {
        var c = Taken(AwaitingApproval().Reject("Els", "Geen antwoord op onze vraag.", Received.AddHours(1)));

        Assert.Equal(CaseRefusal.AlreadyDecided, c.Approve(1, "Jan", Received.AddHours(2), "other").Refusal);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.Reject("Jan", "x", Received.AddHours(2)).Refusal);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.RequestIdentification("Jan", "x", Received.AddHours(2)).Refusal);
        Assert.Equal(DecisionOutcome.Reject, c.Decision!.Outcome);
    }

    [Fact]
    public void A_rejection_closes_the_case_once_the_mail_is_sent()
    {
        var c = Taken(AwaitingApproval().Reject("Els", "reason", Received.AddHours(1)));

        c = Taken(c.RejectionSent(Received.AddHours(1.5)));

        Assert.Equal(CaseStatus.Rejected, c.Status);
        Assert.Equal(CaseRefusal.AlreadyDone, c.RejectionSent(Received.AddHours(2)).Refusal);
    }

    [Fact]
    public void Work_starts_only_from_identity_approval()
    {
        var c = Taken(AwaitingApproval().Approve(1, "Els", Received.AddHours(1), "verified-link"));

        c = Taken(c.StartWork(Received.AddHours(1)));

        Assert.Equal(CaseStatus.InProgress, c.Status);
        Assert.Equal(CaseRefusal.WrongStatus, c.StartWork(Received.AddHours(2)).Refusal);
    }

    [Fact]
    public void Work_starts_on_an_approved_case_whose_approval_request_was_never_recorded()
    {
        // The approval mail went out, its record was lost, a colleague approved from the mail: the case still reads as
        // awaiting its address. Work must start, or the steps that need it (the Art. 15(4) review) are skipped.
        var lost = AwaitingApproval() with { Status = CaseStatus.AwaitingEmailVerification, ApprovalMailSentAt = null };
        var approved = Taken(lost.Approve(1, "Els", Received.AddHours(1), "verified-link"));

        Assert.Equal(CaseStatus.InProgress, Taken(approved.StartWork(Received.AddHours(1))).Status);
        // Not without an approval, nor after a refusal.
        Assert.Equal(CaseRefusal.WrongStatus, lost.StartWork(Received.AddHours(1)).Refusal);
        Assert.Equal(CaseRefusal.WrongStatus, Taken(lost.Reject("Els", "reason", Received.AddHours(1))).StartWork(Received.AddHours(1)).Refusal);
    }

    [Fact]
    public void A_case_flagged_failed_while_it_waits_on_the_requester_takes_their_confirmation_and_reply_and_resumes_with_them()
    {
        // A storage outage flags the case failed two hours after the link went; the requester confirms the next day.
        var sentLink = Taken(NewCase().VerificationMailSent(Received.AddMinutes(1)));
        var failed = Taken(sentLink.Fail(Received.AddHours(2), "LoadProgress"));
        Assert.True(failed.StillOpen);
        var confirmed = Taken(failed.Verify(Received.AddDays(1)));
        Assert.Equal(CaseStatus.Failed, confirmed.Status);
        // The confirmation page says it is held up, not that it goes on now.
        Assert.Equal(Localization.Texts.Format("VerifiedBodyHeldUp", Language.Nl, confirmed.Id, Localization.Texts.Date(confirmed.DueDate, Language.Nl))
            + " " + Localization.Texts.Format("VerifiedDue", Language.Nl, Localization.Texts.Date(confirmed.DueDate, Language.Nl)), Mail.PrivacyMails.VerifiedPageBody(confirmed, Language.Nl));
        // Staff retry: it resumes where it stood, confirmed, so its run goes on to the identity check rather than expiring.
        var resumed = Taken(confirmed.Retry("Els", Received.AddDays(8)));
        Assert.Equal(CaseStatus.AwaitingEmailVerification, resumed.Status);
        Assert.Equal(Received.AddDays(1), resumed.EmailVerifiedAt);
        Assert.Equal(CaseRefusal.StaffMustDecide, resumed.ExpireRefusal(Received.AddDays(8), TimeSpan.FromDays(7), Timeout));

        // Asked for identification, failed, answered in time: the reply is recorded and read as the requester's answer.
        var asked = Taken(IdentificationUnanswered().Fail(Received.AddDays(2), "TendApprovalWait"));
        Assert.True(asked.AwaitsIdentificationFrom("AN.PEETERS@example.be"));
        var answered = Taken(asked.IdentificationAnswered(Received.AddDays(3), 1));
        // Resumed a month later, it waits on staff, who have the reply: it does not expire for an answer that came.
        Assert.Equal(CaseRefusal.StaffMustDecide, Taken(answered.Retry("Els", Received.AddDays(30))).ExpireRefusal(Received.AddDays(30), TimeSpan.FromDays(7), Timeout));

        // A case that ended does not: an expired case whose notice failed stays expired.
        var expired = Taken(Taken(NewCase().VerificationMailSent(Received.AddMinutes(1))).Expire(Received.AddDays(8), TimeSpan.FromDays(7), Timeout));
        var noticeFailed = Taken(expired.Fail(Received.AddDays(8), "ExpireCase"));
        Assert.False(noticeFailed.StillOpen);
        Assert.Equal(CaseRefusal.Finished, noticeFailed.Verify(Received.AddDays(9)).Refusal);
    }

    private static readonly TimeSpan ReminderAfter = TimeSpan.FromDays(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromDays(14);

    /// <summary>The identification asked for was not sent: the case may expire (the requester's silence, not staff's).</summary>
    private static PrivacyCase IdentificationUnanswered() =>
        Taken(Taken(AwaitingApproval().RequestIdentification("Els", "Uw klantnummer.", Received.AddDays(1))).IdentificationMailSent(Received.AddDays(1)));

    private static PrivacyCase Reminded(PrivacyCase c, ApprovalWaitStep step, DateTimeOffset at) => Taken(c.RecordReminder(step.ReminderKey!, at));

    [Fact]
    public void Staff_not_deciding_gets_two_reminders_then_escalations_every_period_and_the_case_never_expires()
    {
        var c = AwaitingApproval();
        var sent = c.ApprovalMailSentAt!.Value;

        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, sent + ReminderAfter), c.ApprovalWaitAt(sent.AddHours(1), ReminderAfter, Timeout));
        var first = c.ApprovalWaitAt(sent + ReminderAfter, ReminderAfter, Timeout);
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Remind, "approval-1", sent + (2 * ReminderAfter)), first);
        c = Reminded(c, first, sent + ReminderAfter);
        // Sent once: looking again at the same moment finds nothing to send.
        Assert.Equal(ApprovalWaitAction.Wait, c.ApprovalWaitAt(sent + ReminderAfter, ReminderAfter, Timeout).Action);
        var second = c.ApprovalWaitAt(sent + (2 * ReminderAfter), ReminderAfter, Timeout);
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Remind, "approval-2", sent + Timeout), second);
        c = Reminded(c, second, sent + (2 * ReminderAfter));

        var escalation = c.ApprovalWaitAt(sent + Timeout, ReminderAfter, Timeout);
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Escalate, "approval-escalation-1", sent + Timeout + ReminderAfter), escalation);
        c = Reminded(c, escalation, sent + Timeout);
        // Weeks later (staff on holiday), the escalation due then is sent; the case is still open and cannot expire.
        var later = sent + Timeout + (10 * ReminderAfter) + TimeSpan.FromHours(3);
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Escalate, "approval-escalation-11", sent + Timeout + (11 * ReminderAfter)), c.ApprovalWaitAt(later, ReminderAfter, Timeout));
        Assert.Equal(CaseRefusal.StaffMustDecide, c.ExpireRefusal(later, TimeSpan.FromDays(7), Timeout));
        Assert.Equal(CaseRefusal.StaffMustDecide, c.Expire(later, TimeSpan.FromDays(7), Timeout).Refusal);
    }

    [Fact]
    public void After_a_long_stop_only_the_latest_reminder_due_is_sent()
    {
        var c = AwaitingApproval();
        var sent = c.ApprovalMailSentAt!.Value;

        // Both reminders' times passed while the host was down: one mail, the second reminder, not two.
        var step = c.ApprovalWaitAt(sent + (2 * ReminderAfter) + TimeSpan.FromHours(1), ReminderAfter, Timeout);

        Assert.Equal(ApprovalWaitAction.Remind, step.Action);
        Assert.Equal("approval-2", step.ReminderKey);
    }

    [Fact]
    public void While_the_requester_owes_identification_staff_are_not_reminded_and_the_case_expires_only_after_the_timeout()
    {
        var c = IdentificationUnanswered();
        var asked = c.IdentificationRequestedAt!.Value;

        Assert.True(c.AwaitsIdentification);
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, asked + Timeout), c.ApprovalWaitAt(asked + (3 * ReminderAfter), ReminderAfter, Timeout));
        Assert.Equal(CaseRefusal.StillWaiting, c.ExpireRefusal(asked + Timeout - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), Timeout));
        Assert.Equal(ApprovalWaitAction.Expire, c.ApprovalWaitAt(asked + Timeout, ReminderAfter, Timeout).Action);
        var expired = Taken(c.Expire(asked + Timeout, TimeSpan.FromDays(7), Timeout));
        Assert.Equal(CaseStatus.Expired, expired.Status);
        Assert.True(expired.NeedsExpiryNotice);
        Assert.False(Taken(expired.ExpiryNoticeSent(asked + Timeout)).NeedsExpiryNotice);
    }

    [Fact]
    public void A_request_for_identification_whose_mail_never_went_leaves_the_case_with_staff()
    {
        var c = Taken(AwaitingApproval().RequestIdentification("Els", "Uw klantnummer.", Received.AddDays(1)));

        Assert.False(c.AwaitsIdentification);
        Assert.Equal(CaseRefusal.StaffMustDecide, c.ExpireRefusal(Received.AddDays(60), TimeSpan.FromDays(7), Timeout));
        Assert.Equal(ApprovalWaitAction.Escalate, c.ApprovalWaitAt(Received.AddDays(1) + Timeout, ReminderAfter, Timeout).Action);
    }

    [Fact]
    public void The_requesters_reply_to_a_request_for_identification_puts_the_case_back_with_staff_under_new_reminder_keys()
    {
        var c = IdentificationUnanswered();
        var answered = c.IdentificationRequestedAt!.Value.AddDays(3);

        c = Taken(c.IdentificationAnswered(answered));

        Assert.False(c.AwaitsIdentification);
        Assert.Equal(CaseRefusal.StaffMustDecide, c.ExpireRefusal(answered + (3 * Timeout), TimeSpan.FromDays(7), Timeout));
        var first = c.ApprovalWaitAt(answered + ReminderAfter, ReminderAfter, Timeout);
        Assert.Equal(ApprovalWaitAction.Remind, first.Action);
        Assert.StartsWith("approval-1.", first.ReminderKey, StringComparison.Ordinal);
        Assert.Equal(CaseRefusal.NotAsked, AwaitingApproval().IdentificationAnswered(answered).Refusal);
    }

    [Fact]
    public void The_verification_link_is_owed_once_and_only_to_an_open_case_whose_address_is_not_confirmed()
    {
        // The intake sends it as it writes the case and the orchestration's first step when that failed (decision 81):
        // both ask this rule, so the link goes once, never to a proven sender, never for a finished case.
        var open = NewCase();
        Assert.True(open.NeedsVerificationMail);

        var sent = Taken(open.VerificationMailSent(Received));
        Assert.False(sent.NeedsVerificationMail);
        Assert.Equal(CaseRefusal.AlreadyDone, sent.VerificationMailSent(Received.AddMinutes(1)).Refusal);

        var proven = open with { EmailVerifiedAt = Received };
        Assert.False(proven.NeedsVerificationMail);
        Assert.Equal(CaseRefusal.AlreadyVerified, proven.VerificationMailSent(Received).Refusal);

        var finished = open with { Status = CaseStatus.Expired };
        Assert.False(finished.NeedsVerificationMail);
        Assert.Equal(CaseRefusal.Finished, finished.VerificationMailSent(Received).Refusal);
    }

    [Fact]
    public void An_unconfirmed_address_expires_the_case_only_once_the_verification_time_is_over()
    {
        // Counted from the verification mail: one that went a day late (our outage) does not shorten the requester's time.
        Assert.Equal(CaseRefusal.StillWaiting, NewCase().Expire(Received + TimeSpan.FromDays(30), TimeSpan.FromDays(7), Timeout).Refusal);
        var c = Taken(NewCase().VerificationMailSent(Received));
        var week = TimeSpan.FromDays(7);

        Assert.Equal(CaseRefusal.StillWaiting, c.Expire(Received + week - TimeSpan.FromSeconds(1), week, Timeout).Refusal);
        Assert.Equal(CaseStatus.Expired, Taken(c.Expire(Received + week, week, Timeout)).Status);
        // Confirmed a moment before the expiry step ran: the case waits on staff now, and staff never expire it.
        Assert.Equal(CaseRefusal.StaffMustDecide, Taken(c.Verify(Received + week - TimeSpan.FromSeconds(1))).Expire(Received + week, week, Timeout).Refusal);
    }

    [Fact]
    public void No_approval_reminder_once_decided_or_finished()
    {
        var decided = Taken(AwaitingApproval().Reject("Els", "reason", Received.AddHours(1)));
        var failed = Taken(AwaitingApproval().Fail(Received.AddDays(1)));

        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, null), decided.ApprovalWaitAt(Received.AddDays(30), ReminderAfter, Timeout));
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, null), failed.ApprovalWaitAt(Received.AddDays(30), ReminderAfter, Timeout));
    }

    [Fact]
    public void A_case_held_up_by_our_fault_before_its_address_was_confirmed_gets_a_new_link_when_retried_and_its_time_runs_from_it()
    {
        var verification = TimeSpan.FromDays(7);
        // The link went and the requester had it sent again three times (all they may); then a step failed, and staff
        // retried the case only after the link's seven days.
        var linked = Taken(NewCase().VerificationMailSent(Received.AddMinutes(1)));
        for (var i = 0; i < PrivacyCase.MaxVerificationResends; i++)
        {
            linked = Taken(linked.VerificationResent(verification, Received.AddHours(i + 1)));
        }

        Assert.Equal(CaseRefusal.ResendsUsedUp, linked.ResendRefusal(verification, Received.AddHours(5)));
        var failed = Taken(linked.Fail(Received.AddHours(1), "LoadProgress"));
        var retried = Taken(failed.Retry("Els", Received.AddDays(10)));

        // Not closed as "your address was not confirmed in time": the requester was held up by us, not slow.
        Assert.Equal(CaseStatus.AwaitingEmailVerification, retried.Status);
        Assert.NotNull(retried.ExpireRefusal(Received.AddDays(10), verification, Timeout));
        // A new link goes (the first one's token has expired), and the requester's seven days run from it.
        Assert.True(retried.NeedsVerificationMail);
        var relinked = Taken(retried.VerificationMailSent(Received.AddDays(10).AddMinutes(1)));
        Assert.Equal(Received.AddDays(17).AddMinutes(1), relinked.VerificationDeadline(verification, Received.AddDays(10)));
        Assert.NotNull(relinked.ExpireRefusal(Received.AddDays(16), verification, Timeout));
        Assert.Null(relinked.ExpireRefusal(Received.AddDays(18), verification, Timeout));
        // The new link may be sent again as a first one may, whatever the requester used of the earlier link.
        Assert.Null(relinked.ResendRefusal(verification, Received.AddDays(11)));
        // Both links are in the audit trail, each under a key of its own.
        var hash = new KeyedHash(new byte[32]);
        var sent = Audit.CaseAudit.Entries(relinked, hash).Where(e => e.Action == "mail-sent" && e.Outcome == "verification").ToList();
        Assert.Equal([Received.AddMinutes(1), Received.AddDays(10).AddMinutes(1)], sent.Select(e => e.At!.Value));
        Assert.Equal(2, sent.Select(e => e.Key).Distinct().Count());

        // A case whose address was confirmed while it was stopped (decision 106) gets no new link.
        var confirmedMeanwhile = Taken(Taken(failed.Verify(Received.AddHours(2))).Retry("Els", Received.AddDays(10)));
        Assert.False(confirmedMeanwhile.NeedsVerificationMail);
    }

    [Fact]
    public void A_failed_case_is_retried_from_where_it_stood_and_only_a_failed_case()
    {
        var failed = Taken(AwaitingApproval().Fail(Received.AddDays(1)));

        var retried = Taken(failed.Retry("Els", Received.AddDays(2)));

        Assert.Equal(CaseStatus.AwaitingIdentityApproval, retried.Status);
        Assert.Equal([new StaffRetry("Els", Received.AddDays(2))], retried.Retries);
        Assert.Equal(CaseRefusal.NotFailed, retried.Retry("Els", Received.AddDays(2)).Refusal);
        // Still owed an answer while failed: the due-date reminders and the overdue flag go on.
        Assert.True(failed.IsUnanswered);
        Assert.NotNull(failed.DueReminder(Received.AddDays(60), Map));
    }

    private static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(7);

    /// <summary>Closes a failed case as answered outside, from a page that showed its current failure.</summary>
    private static CaseTransition CloseOutside(PrivacyCase c, DateOnly day, string how, DateTimeOffset at) =>
        c.CloseAnsweredOutside("Els", day, how, c.FailedAt, LinkLifetime, at);

    /// <summary>An approved access case that failed afterwards.</summary>
    private static PrivacyCase ApprovedThenFailed(Func<PrivacyCase, PrivacyCase>? before = null)
    {
        var approved = Taken(AwaitingApproval().Approve(1, "Piet", Received.AddDays(1), "verified-link"));
        return Taken((before ?? (c => c))(approved).Fail(Received.AddDays(1), "DeliverExport"));
    }

    [Fact]
    public void A_failed_case_answered_outside_the_system_closes_as_answered_its_retention_starts_and_it_is_no_longer_flagged()
    {
        var failed = ApprovedThenFailed();
        var at = Received.AddDays(40);

        var closed = Taken(CloseOutside(failed, new DateOnly(2027, 4, 9), " Answered by mail from the DPO mailbox. ", at));

        Assert.Equal(CaseStatus.Completed, closed.Status);
        Assert.Equal(new AnswerOutside("Els", at, new DateOnly(2027, 4, 9), "Answered by mail from the DPO mailbox."), closed.AnsweredOutside);
        // Owed an answer before, not after: no reminder, no overdue flag; the register's retention runs from the close.
        Assert.NotNull(failed.DueReminder(at.AddDays(7), Map));
        Assert.False(closed.IsUnanswered);
        Assert.Null(closed.DueReminder(at.AddDays(7), Map));
        Assert.Equal(at, closed.RetentionStart);
        // The requester's page says staff sent the answer themselves, not that it went to their address.
        Assert.Equal(RequestProgress.AnsweredOutside, closed.Progress);
        // Once: a second click, or one on a case a colleague retried meanwhile, is refused; and only a failed case.
        Assert.Equal(CaseRefusal.NotFailed, CloseOutside(closed, new DateOnly(2027, 4, 9), "again", at).Refusal);
        Assert.Equal(CaseRefusal.NotFailed, CloseOutside(Taken(failed.Retry("Piet", at)), new DateOnly(2027, 4, 9), "x", at).Refusal);
        Assert.Equal(CaseRefusal.NotFailed, CloseOutside(AwaitingApproval(), new DateOnly(2027, 3, 2), "x", at).Refusal);
    }

    [Fact]
    public void A_failed_erasure_answered_outside_names_the_recipients_of_the_stores_that_held_the_person_and_an_access_case_none()
    {
        // The erasure found the person in the Belgian CRM only (2 records); it failed after its approvals.
        var erasure = Taken(Taken(Taken(AwaitingApproval(RequestType.Erasure).Approve(1, "Els", Received.AddDays(1), "verified-link", byId: "els"))
            .Approve(2, "Piet", Received.AddDays(1), "known-details", byId: "piet")).Fail(Received.AddDays(2), "EraseFromStore"));
        var expected = Map.RecipientsToInform(Map.Store("be/crm").Tables).Select(r => r.Key).ToList();
        Assert.NotEmpty(expected);

        Assert.Equal(expected, erasure.RecipientsToTellWhenAnsweredOutside(Map)!.Recipients.Select(r => r.Key));
        // Not the recipients of a store where the person was not found.
        var nowhere = erasure with { Holdings = new Dictionary<string, int> { ["be/crm"] = 0 } };
        Assert.Empty(nowhere.RecipientsToTellWhenAnsweredOutside(Map)!.Recipients);
        // Holdings never counted: every store of the controllers the request went to, more than the one store.
        var uncounted = erasure with { Holdings = null };
        var everyStore = Map.RecipientsToInform(Map.StoresOf(erasure.Entity).SelectMany(s => s.Tables)).Select(r => r.Key).ToList();
        Assert.Equal(everyStore, uncounted.RecipientsToTellWhenAnsweredOutside(Map)!.Recipients.Select(r => r.Key));
        Assert.True(everyStore.Count > expected.Count);
        // An access request changes nothing to tell of; a refused erasure neither.
        Assert.Null(ApprovedThenFailed().RecipientsToTellWhenAnsweredOutside(Map));
        var refused = Taken(Taken(AwaitingApproval(RequestType.Erasure).Reject("Els", "Niet bevestigd.", Received.AddDays(1))).Fail(Received.AddDays(2), "SendRejection"));
        Assert.Null(refused.RecipientsToTellWhenAnsweredOutside(Map));
    }

    [Fact]
    public void A_failed_case_without_an_identity_decision_is_not_closed_as_answered_outside_and_an_outdated_page_closes_nothing()
    {
        var undecided = Taken(AwaitingApproval().Fail(Received.AddDays(1), "TendApprovalWait"));
        var failedAgain = Taken(Taken(Taken(undecided.Retry("Piet", Received.AddDays(2))).Approve(1, "Piet", Received.AddDays(2), "verified-link")).Fail(Received.AddDays(3)));

        Assert.Equal(CaseRefusal.NotDecided, undecided.AnswerOutsideRefusal);
        Assert.Equal(CaseRefusal.NotDecided, CloseOutside(undecided, new DateOnly(2027, 3, 2), "mail", Received.AddDays(2)).Refusal);
        // The page opened at the first failure (it offered no close) is outdated once a colleague retried and it failed again.
        Assert.Equal(CaseRefusal.PageOutdated, failedAgain.CloseAnsweredOutside("Els", new DateOnly(2027, 3, 4), "mail", undecided.FailedAt, LinkLifetime, Received.AddDays(4)).Refusal);
        Assert.Equal(CaseRefusal.PageOutdated, failedAgain.CloseAnsweredOutside("Els", new DateOnly(2027, 3, 4), "mail", null, LinkLifetime, Received.AddDays(4)).Refusal);
        Assert.Null(CloseOutside(failedAgain, new DateOnly(2027, 3, 4), "mail", Received.AddDays(4)).Refusal);
    }

    [Fact]
    public void An_answer_outside_the_system_needs_how_in_at_most_2000_characters_and_a_day_between_the_receipt_and_today_in_Brussels()
    {
        var failed = ApprovedThenFailed();
        // 23:30 UTC on 30 April is 1 May in Brussels.
        var at = new DateTimeOffset(2027, 4, 30, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(CaseRefusal.ReasonRequired, CloseOutside(failed, new DateOnly(2027, 4, 1), "  ", at).Refusal);
        Assert.Equal(CaseRefusal.ReasonRequired, CloseOutside(failed, new DateOnly(2027, 4, 1), new string('x', PrivacyCase.MaxAnswerOutsideLength + 1), at).Refusal);
        Assert.Null(CloseOutside(failed, new DateOnly(2027, 4, 1), new string('x', PrivacyCase.MaxAnswerOutsideLength), at).Refusal);
        Assert.Equal(CaseRefusal.DateOutOfRange, CloseOutside(failed, new DateOnly(2027, 2, 28), "mail", at).Refusal);
        Assert.Equal(CaseRefusal.DateOutOfRange, CloseOutside(failed, new DateOnly(2027, 5, 2), "mail", at).Refusal);
        Assert.Null(CloseOutside(failed, new DateOnly(2027, 3, 1), "mail", at).Refusal);
        Assert.Null(CloseOutside(failed, new DateOnly(2027, 5, 1), "mail", at).Refusal);
    }

    [Fact]
    public void A_failed_case_answered_outside_closes_with_the_answer_it_was_due_a_refusal_or_an_expiry_notice()
    {
        var refused = Taken(Taken(AwaitingApproval().Reject("Piet", "identity not shown", Received.AddDays(2))).Fail(Received.AddDays(2), "SendRejection"));
        var excessive = Taken(Taken(AwaitingApproval().RefuseAsManifestlyUnfoundedOrExcessive("Piet", "the tenth request this month", Received.AddDays(2))).Fail(Received.AddDays(2), "SendRejection"));
        var expired = Taken(Taken(Taken(NewCase().VerificationMailSent(Received)).Expire(Received.AddDays(8), TimeSpan.FromDays(7), Timeout)).Fail(Received.AddDays(8), "ExpireCase"));
        var at = Received.AddDays(10);
        var day = new DateOnly(2027, 3, 11);

        var rejected = Taken(CloseOutside(refused, day, "refusal sent by letter", at));
        var rejectedExcessive = Taken(CloseOutside(excessive, day, "refusal sent by letter", at));
        var expiredClosed = Taken(CloseOutside(expired, day, "Art. 12(4) notice mailed by hand", at));

        Assert.Equal((CaseStatus.Rejected, RefusalGround.IdentityNotConfirmed), (rejected.Status, rejected.RejectedAs));
        Assert.Equal((CaseStatus.Rejected, RefusalGround.ManifestlyUnfoundedOrExcessive), (rejectedExcessive.Status, rejectedExcessive.RejectedAs));
        Assert.Equal(CaseStatus.Expired, expiredClosed.Status);
        // The notice was given by hand: nothing left for the reconciler to send, nothing to flag failed.
        Assert.True(Taken(expired.Retry("Piet", at)).NeedsWork);
        Assert.False(expiredClosed.NeedsExpiryNotice);
        Assert.False(expiredClosed.NeedsWork);
        Assert.Equal(CaseRefusal.Finished, expiredClosed.Fail(at).Refusal);
    }

    [Fact]
    public void A_zip_never_linked_is_withdrawn_when_the_case_is_answered_outside_one_whose_link_may_have_gone_runs_its_life()
    {
        var neverLinked = ApprovedThenFailed(c => Taken(c.ExportWritten("exports/x.zip")));
        var mayHaveGone = ApprovedThenFailed(c => Taken(Taken(c.ExportWritten("exports/y.zip")).ClaimAnswer(Received.AddDays(1))));
        var at = Received.AddDays(2);

        var withdrawn = Taken(CloseOutside(neverLinked, new DateOnly(2027, 3, 3), "sent the data on paper", at));
        var kept = Taken(CloseOutside(mayHaveGone, new DateOnly(2027, 3, 3), "sent the data on paper", at));

        Assert.True(neverLinked.ExportNeverLinked);
        Assert.Equal(("Els", at), (withdrawn.ExportRevokedBy, withdrawn.ExportRevokedAt));
        Assert.True(withdrawn.IsExportDueForDeletion(at));
        Assert.False(mayHaveGone.ExportNeverLinked);
        Assert.Null(kept.ExportRevokedAt);
        Assert.Equal(Received.AddDays(1) + LinkLifetime, kept.ExportExpiresAt);
        Assert.False(kept.IsExportDueForDeletion(Received.AddDays(7)));
        Assert.True(kept.IsExportDueForDeletion(Received.AddDays(8)));

        // A run's claim taken over after its hold (its host stopped mid-send), then the new run's send failing and its claim
        // taken back: the first run's link may still have gone, so the zip is not taken for never linked (review of 5 December).
        var first = Received.AddDays(1);
        var second = first + PrivacyCase.AnswerClaimHold + TimeSpan.FromSeconds(1);
        var takenOver = ApprovedThenFailed(c => Taken(Taken(Taken(c.ExportWritten("exports/z.zip")).ClaimAnswer(first)).ClaimAnswer(second)).AnswerNotSent(second).Changed!);
        Assert.Null(takenOver.AnswerClaimedAt);
        Assert.False(takenOver.ExportNeverLinked);
        Assert.Equal(first, takenOver.ExportLinkMayHaveGoneAt);
        Assert.Null(Taken(CloseOutside(takenOver, new DateOnly(2027, 3, 3), "sent the data on paper", at)).ExportRevokedAt);
    }

    [Fact]
    public void After_an_answer_outside_staff_text_goes_with_the_identifiers_open_tasks_are_closed_and_a_restriction_can_still_be_lifted()
    {
        var approved = Taken(AwaitingApproval(RequestType.Restriction).Approve(1, "Piet", Received.AddDays(1), "verified-link"));
        var withTask = Taken(approved.OpenTasks([new StaffTask("be/crm", StaffTaskKind.ReviewObjection, "be/crm", 1)], Received.AddDays(1)));
        var failed = Taken(withTask.Fail(Received.AddDays(1), "SendActionReport"));
        var at = Received.AddDays(2);

        var closed = Taken(CloseOutside(failed, new DateOnly(2027, 3, 3), "restricted by hand in the CRM", at));

        Assert.Equal(CaseStatus.Completed, closed.Status);
        // The open task was doable before the close, not after: its purpose was met outside this system.
        Assert.Null(failed.TaskRefusal("be/crm", StaffTaskOutcome.Upheld, null));
        Assert.Equal(CaseRefusal.Finished, closed.TaskRefusal("be/crm", StaffTaskOutcome.Upheld, null));
        // The restriction the case answered (by the system's steps before the failure, or by hand) can be lifted, Art. 18(3).
        Assert.Null(closed.LiftRefusal);
        var erased = Taken(closed.EraseIdentifiers("hash", at.AddDays(2), TimeSpan.FromDays(1)));
        Assert.Equal(string.Empty, erased.AnsweredOutside!.How);
        Assert.Equal(new DateOnly(2027, 3, 3), erased.AnsweredOutside.AnsweredOn);
    }

    [Fact]
    public void A_failed_withdrawal_of_consent_needs_no_identity_decision_to_be_closed_as_answered_outside()
    {
        var request = new ValidRequest(RequestType.WithdrawConsent, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl, null, null);
        var verified = Taken(PrivacyCase.Received(request, Channel.Form, Received, Map).Verify(Received.AddMinutes(5)));
        var failed = Taken(verified.Fail(Received.AddHours(1), "SendActionReport"));

        Assert.False(failed.NeedsIdentityApproval);
        Assert.Null(failed.AnswerOutsideRefusal);
        // Not before the address is confirmed: nothing was applied, and the requester may not be who they say.
        var unconfirmed = Taken(PrivacyCase.Received(request, Channel.Form, Received, Map).Fail(Received.AddHours(1), "SendVerification"));
        Assert.Equal(CaseRefusal.NotDecided, unconfirmed.AnswerOutsideRefusal);
        Assert.Equal(CaseStatus.Completed, Taken(CloseOutside(failed, new DateOnly(2027, 3, 2), "report sent by mail from the DPO mailbox", Received.AddDays(1))).Status);
    }

    [Fact]
    public void The_audit_trail_records_each_retry_and_an_answer_outside_by_whom_and_the_day_never_how()
    {
        var failed = ApprovedThenFailed();
        var again = Taken(Taken(Taken(failed.Retry("Piet", Received.AddDays(2))).Fail(Received.AddDays(3))).Retry("Jan", Received.AddDays(4)));
        var closed = Taken(CloseOutside(Taken(again.Fail(Received.AddDays(4))), new DateOnly(2027, 3, 5), "told her by phone and mail", Received.AddDays(5)));

        var entries = Audit.CaseAudit.Entries(closed, new KeyedHash(new byte[32]));

        Assert.Equal([("retried.1", "Piet"), ("retried.2", "Jan")], entries.Where(e => e.Action == "retried").Select(e => (e.Key, e.Actor)));
        var outside = Assert.Single(entries, e => e.Action == "answered-outside");
        Assert.Equal(("Els", "closed Completed answered-on=2027-03-05", Received.AddDays(5)), (outside.Actor, outside.Outcome, outside.At));
        Assert.DoesNotContain(entries, e => e.Outcome.Contains("phone", StringComparison.Ordinal));
    }

    [Fact]
    public void An_expired_case_whose_notice_could_not_go_is_flagged_failed_and_a_retry_brings_back_the_notice()
    {
        var expired = Taken(Taken(NewCase().VerificationMailSent(Received)).Expire(Received.AddDays(8), TimeSpan.FromDays(7), Timeout));

        var failed = Taken(expired.Fail(Received.AddDays(8)));
        var retried = Taken(failed.Retry("Els", Received.AddDays(9)));

        Assert.Equal(CaseStatus.Expired, retried.Status);
        Assert.True(retried.NeedsExpiryNotice);
        Assert.Equal(CaseRefusal.Finished, Taken(retried.ExpiryNoticeSent(Received.AddDays(9))).Fail(Received.AddDays(9)).Refusal);
    }

    [Fact]
    public void An_orchestration_is_restarted_at_most_three_times_without_the_case_moving_on()
    {
        var c = AwaitingApproval();
        for (var i = 1; i <= PrivacyCase.MaxAutomaticRestarts; i++)
        {
            c = Taken(c.RecordRestart(Received.AddHours(i)));
        }

        Assert.Equal(CaseRefusal.RestartsUsedUp, c.RecordRestart(Received.AddHours(4)).Refusal);
        // Once the case moves on (a new status), restarts are allowed again.
        c = Taken(Taken(c.Approve(1, "Els", Received.AddHours(5), "verified-link")).StartWork(Received.AddHours(5)));
        Assert.False(c.RecordRestart(Received.AddHours(6)).Refused);
    }

    [Fact]
    public void A_lost_signal_is_seen_by_comparing_the_wait_with_the_register()
    {
        var waiting = AwaitingApproval();
        var decided = Taken(waiting.Reject("Els", "reason", Received.AddHours(1)));

        Assert.False(waiting.HasMovedPast(new WaitingFor(CaseWait.IdentityDecision)));
        Assert.True(decided.HasMovedPast(new WaitingFor(CaseWait.IdentityDecision)));
        Assert.True(waiting.HasMovedPast(new WaitingFor(CaseWait.EmailVerification)));
        Assert.False(NewCase().HasMovedPast(new WaitingFor(CaseWait.EmailVerification)));

        // Asked for identification, the run looks again at the requester's deadline: their reply since is a move past it.
        var asked = Taken(Taken(waiting.RequestIdentification("Els", "Uw klantnummer.", Received.AddHours(1))).IdentificationMailSent(Received.AddHours(1)));
        var answered = Taken(asked.IdentificationAnswered(Received.AddHours(2)));
        Assert.False(asked.HasMovedPast(new WaitingFor(CaseWait.IdentityDecision, OnRequester: true)));
        Assert.True(answered.HasMovedPast(new WaitingFor(CaseWait.IdentityDecision, OnRequester: true)));
        Assert.False(answered.HasMovedPast(new WaitingFor(CaseWait.IdentityDecision)));
    }

    [Fact]
    public void A_rectification_gets_a_task_per_store_that_holds_data_and_waits_for_staff_until_each_is_done()
    {
        var c = Taken(Taken(AwaitingApproval(RequestType.Rectification).Approve(1, "Els", Received, "known-details")).StartWork(Received));
        var tasks = c.PlanTasks([("be/crm", 2), ("be/portal", 0), ("nl/crm", 1)]);
        Assert.Equal(["be/crm", "nl/crm"], tasks.Select(t => t.Key));

        Assert.False(c.AwaitsStaffTasks);
        c = Taken(c.OpenTasks(tasks, Received.AddHours(1)));
        Assert.Equal(CaseStatus.AwaitingStaffAction, c.Status);
        // The case page offers the tasks' link while they wait (not on a case flagged failed: its retry comes first).
        Assert.True(c.AwaitsStaffTasks);
        var failed = Taken(c.Fail(Received.AddHours(2), "ApplyActions"));
        Assert.False(failed.AwaitsStaffTasks);
        // Its tasks may still be recorded, but the run that waited on them ended: the report waits on the retry, and the
        // task page says so.
        Assert.False(c.TasksWaitOnRetry);
        Assert.True(failed.TasksWaitOnRetry);
        Assert.Null(failed.TaskRefusal("be/crm", StaffTaskOutcome.Done, null));
        Assert.False(Taken(failed.Retry("Jan", Received.AddHours(3))).TasksWaitOnRetry);
        Assert.Equal(CaseRefusal.AlreadyDone, c.OpenTasks(tasks, Received.AddHours(2)).Refusal);

        c = Taken(c.CompleteTask("be/crm", StaffTaskOutcome.Done, "Straatnaam verbeterd.", "Els", Received.AddHours(3)));
        Assert.Equal(CaseRefusal.TaskDone, c.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Jan", Received.AddHours(4)).Refusal);
        Assert.Equal(CaseRefusal.WrongStatus, c.ResumeAfterTasks(Received.AddHours(4)).Refusal);

        c = Taken(c.CompleteTask("nl/crm", StaffTaskOutcome.Done, "", "Jan", Received.AddHours(5)));
        Assert.Null(c.Tasks[1].Note);
        Assert.False(c.AwaitsStaffTasks);
        c = Taken(c.ResumeAfterTasks(Received.AddHours(5)));
        Assert.Equal(CaseStatus.InProgress, c.Status);
    }

    [Fact]
    public void An_objection_is_one_task_that_can_be_upheld_or_refused_with_reasons_but_not_marked_done()
    {
        var c = Taken(AwaitingApproval(RequestType.Objection).Approve(1, "Els", Received, "known-details"));
        c = Taken(c.OpenTasks(c.PlanTasks([("be/crm", 2), ("nl/crm", 0)]), Received));
        var task = Assert.Single(c.Tasks);
        Assert.Equal(StaffTaskKind.ReviewObjection, task.Kind);
        Assert.Equal(2, task.Records);

        Assert.Equal(CaseRefusal.WrongTaskOutcome, c.TaskRefusal("objection", StaffTaskOutcome.Done, null));
        Assert.Equal(CaseRefusal.ReasonRequired, c.TaskRefusal("objection", StaffTaskOutcome.Refused, " "));
        Assert.Equal(CaseRefusal.UnknownTask, c.TaskRefusal("be/crm", StaffTaskOutcome.Upheld, null));
        Assert.Null(c.TaskRefusal("objection", StaffTaskOutcome.Refused, "Dwingende gerechtvaardigde gronden."));
    }

    [Fact]
    public void A_rectification_in_no_store_opens_no_task_and_stays_in_progress()
    {
        var c = Taken(Taken(AwaitingApproval(RequestType.Rectification).Approve(1, "Els", Received, "known-details")).StartWork(Received));

        c = Taken(c.OpenTasks(c.PlanTasks([("be/crm", 0)]), Received));

        Assert.Empty(c.Tasks);
        Assert.Equal(CaseStatus.InProgress, c.Status);
    }

    [Fact]
    public void The_answer_completes_the_case_once()
    {
        var c = Taken(Taken(AwaitingApproval().Approve(1, "Els", Received, "known-details")).StartWork(Received));
        var expires = Received.AddDays(8);

        c = Taken(c.Complete(Received.AddDays(1), expires));

        Assert.Equal(CaseStatus.Completed, c.Status);
        Assert.Equal(expires, c.ExportExpiresAt);
        Assert.Equal(Received.AddDays(1), c.ClosedAt);
        Assert.Equal(CaseRefusal.AlreadyDone, c.Complete(Received.AddDays(2)).Refusal);
    }

    [Fact]
    public void Neither_expiry_nor_failure_overwrites_a_finished_case()
    {
        var completed = Taken(AwaitingApproval().Complete(Received.AddDays(1)));

        Assert.Equal(CaseRefusal.Finished, completed.Expire(Received.AddDays(20), TimeSpan.FromDays(7), Timeout).Refusal);
        Assert.Equal(CaseRefusal.Finished, completed.Fail(Received.AddDays(2)).Refusal);
        Assert.Equal(CaseRefusal.Finished, Taken(NewCase().Fail(Received)).Fail(Received).Refusal);
    }

    [Fact]
    public void A_recorded_decision_is_never_expired_whatever_the_clock_says()
    {
        var approved = Taken(AwaitingApproval().Approve(1, "Els", Received.AddDays(13), "verified-link"));

        Assert.Equal(CaseRefusal.AlreadyDecided, approved.Expire(Received.AddDays(30), TimeSpan.FromDays(7), Timeout).Refusal);
        Assert.Equal(CaseRefusal.AlreadyDecided, approved.ExpireRefusal(Received.AddDays(30), TimeSpan.FromDays(7), Timeout));
        Assert.Null(IdentificationUnanswered().ExpireRefusal(Received.AddDays(30), TimeSpan.FromDays(7), Timeout));
    }

    [Fact]
    public void No_decision_is_recorded_on_a_closed_case()
    {
        var expired = Taken(IdentificationUnanswered().Expire(Received.AddDays(16), TimeSpan.FromDays(7), Timeout));

        Assert.Equal(CaseRefusal.Finished, expired.Approve(1, "Els", Received.AddDays(15), "verified-link").Refusal);
        Assert.Equal(CaseRefusal.Finished, expired.Reject("Els", "reason", Received.AddDays(15)).Refusal);
        Assert.Equal(CaseRefusal.Finished, expired.RequestIdentification("Els", "Uw klantnummer.", Received.AddDays(15)).Refusal);
        Assert.Null(expired.Decision);
    }

    [Fact]
    public void Downloads_stop_at_the_limit_and_after_a_withdrawal()
    {
        var c = Taken(AwaitingApproval().ExportWritten("c/x.zip"));
        Assert.Equal(CaseRefusal.NoExport, AwaitingApproval().DownloadRefusal(5));

        c = Taken(c.RecordDownload(Received.AddDays(1), 2));
        c = Taken(c.RecordDownload(Received.AddDays(2), 2));
        Assert.Equal(CaseRefusal.DownloadsUsedUp, c.RecordDownload(Received.AddDays(3), 2).Refusal);

        var revoked = Taken(Taken(AwaitingApproval().ExportWritten("c/x.zip")).RevokeExport("Els", Received.AddDays(1)));
        Assert.Equal(CaseRefusal.ExportRevoked, revoked.RecordDownload(Received.AddDays(2), 5).Refusal);
        Assert.Equal(CaseRefusal.AlreadyDone, revoked.RevokeExport("Jan", Received.AddDays(2)).Refusal);
        Assert.Equal(CaseRefusal.NoExport, AwaitingApproval().RevokeExport("Els", Received).Refusal);
        // Deleted already (an erasure, or its link ended): nothing to withdraw, and the requester's page keeps saying why
        // it went (review of 5 December: a withdrawal then turned "erased as you asked" into "withdrawn by our staff").
        var erased = Taken(Taken(AwaitingApproval().ExportWritten("c/x.zip")).DeleteExport(Received.AddDays(1), ExportDeletionReason.Erasure, "PR-ERAS-URE0-0001"));
        Assert.Equal(CaseRefusal.NoExport, erased.RevokeExport("Els", Received.AddDays(2)).Refusal);
    }

    [Fact]
    public void A_failed_case_takes_the_identity_decision_again_after_a_retry_only_when_it_failed_before_it_ended()
    {
        var failed = Taken(AwaitingApproval().Fail(Received.AddDays(1), "TendApprovalWait"));
        Assert.True(failed.DecisionResumesOnRetry);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, Taken(failed.Retry("Els", Received.AddDays(2))).Status);

        // Expired (the identification asked for never came) and its Art. 12(4) notice could not go: flagged Failed, and
        // a retry leaves it expired, so its decision page must not say the link works again (review of 5 December).
        var asked = Taken(Taken(AwaitingApproval().RequestIdentification("Els", "Uw klantnummer.", Received)).IdentificationMailSent(Received));
        var expired = Taken(asked.Expire(Received.AddDays(30), TimeSpan.Zero, TimeSpan.Zero));
        var expiredFailed = Taken(expired.Fail(Received.AddDays(30), "ExpireCase"));
        Assert.False(expiredFailed.DecisionResumesOnRetry);
        Assert.Equal(CaseStatus.Expired, expiredFailed.StatusNamedWhenClosed);
        Assert.Equal(CaseStatus.Expired, Taken(expiredFailed.Retry("Els", Received.AddDays(31))).Status);
    }

    [Fact]
    public void A_zip_written_again_before_the_answer_replaces_the_withdrawn_one_and_each_keeps_its_audit_events()
    {
        var hash = new KeyedHash(new byte[32]);
        var downloaded = Taken(Taken(AwaitingApproval().ExportWritten("c/x.zip")).RecordDownload(Received.AddHours(30), 5));
        var revoked = Taken(downloaded.RevokeExport("Els", Received.AddDays(1)));
        Assert.Null(revoked.LiveExport);

        // A failed case retried: the old zip's record goes before the new write, what became of it stays on the case.
        var replaced = Taken(revoked.ReplaceExport(Received.AddDays(2)));
        Assert.Null(replaced.ExportBlobName);
        Assert.Equal(CaseRefusal.NoExport, replaced.DownloadRefusal(5));
        var old = Assert.Single(replaced.ReplacedExports);
        Assert.Equal((Received.AddDays(2), Received.AddDays(1), "Els", (ExportDeletion?)null), (old.At, old.RevokedAt, old.RevokedBy, old.Deleted));
        Assert.Equal([Received.AddHours(30)], old.Downloads);
        var rewritten = Taken(replaced.ExportWritten("c/x.zip"));
        Assert.Equal("c/x.zip", rewritten.LiveExport);
        Assert.Null(rewritten.DownloadRefusal(5));
        // The new zip has every download left; its first download is audited under a key of its own.
        Assert.Empty(rewritten.Downloads);
        rewritten = Taken(rewritten.RecordDownload(Received.AddDays(2).AddHours(1), 5));

        // Withdrawn again: a second event of its own, the first one's events unchanged.
        var again = Taken(rewritten.RevokeExport("Jan", Received.AddDays(3)));
        var keys = Audit.CaseAudit.Entries(again, hash).Select(e => e.Key).ToList();
        Assert.Contains("export-revoked", keys);
        Assert.Contains("export-replaced.1", keys);
        Assert.Contains("export-revoked.2", keys);
        Assert.Contains("download.1", keys);
        Assert.Contains("download.2", keys);
        Assert.Equal("Els", Audit.CaseAudit.Entries(again, hash).Single(e => e.Key == "export-revoked").Actor);

        // The zip the answer handed out is never replaced; a case without one has none to replace.
        Assert.Equal(CaseRefusal.AlreadyDone, Taken(rewritten.Complete(Received.AddDays(3), Received.AddDays(10))).ReplaceExport(Received.AddDays(4)).Refusal);
        Assert.Equal(CaseRefusal.NoExport, AwaitingApproval().ReplaceExport(Received).Refusal);
    }

    [Fact]
    public void A_zip_written_again_under_the_same_name_is_not_the_zip_read_before_it()
    {
        var written = Taken(AwaitingApproval().ExportWritten("c/x.zip", Received.AddHours(1)));
        var revoked = Taken(written.RevokeExport("Els", Received.AddDays(1)));

        // Read again with nothing written in between (withdrawn meanwhile, or even deleted): the same zip.
        Assert.True(written.RecordsSameExportAs(revoked));
        Assert.True(revoked.RecordsSameExportAs(revoked));

        // A retry moved its record and wrote the zip again under the same name: another zip, even once it is withdrawn
        // too. Mid-write (no zip recorded) it is not the same either.
        var replaced = Taken(revoked.ReplaceExport(Received.AddDays(2)));
        Assert.False(revoked.RecordsSameExportAs(replaced));
        var rewritten = Taken(replaced.ExportWritten("c/x.zip", Received.AddDays(2)));
        Assert.False(revoked.RecordsSameExportAs(rewritten));
        Assert.False(revoked.RecordsSameExportAs(Taken(rewritten.RevokeExport("Jan", Received.AddDays(3)))));

        // The sweep deleted the zip it read; a retry wrote it again and a colleague withdrew the new one before the sweep
        // recorded its delete: that record is refused (the new zip's blob is still there, and its withdrawal's own delete,
        // or the next sweep, records it).
        var withdrawnAgain = Taken(rewritten.RevokeExport("Jan", Received.AddDays(3)));
        Assert.Equal(CaseRefusal.NoExport, withdrawnAgain.RecordExportDeleted(Received.AddDays(3), revoked).Refusal);
        Assert.NotNull(withdrawnAgain.RecordExportDeleted(Received.AddDays(3), withdrawnAgain).Changed);

        // A case with no zip recorded has none to compare; another case is never the same.
        Assert.False(AwaitingApproval().RecordsSameExportAs(AwaitingApproval()));
        Assert.False(written.RecordsSameExportAs(AwaitingApproval().ExportWritten("c/x.zip", Received.AddHours(1)).Changed!));
    }

    /// <summary>
    /// Decision 135: the export step delivered twice. The second run read the case with no zip recorded; when it comes to
    /// record its own, the first run's is recorded, or a retry's build moved a record since. Its record is refused, and it
    /// keeps what it wrote only while the case hands that zip out.
    /// </summary>
    [Fact]
    public void A_zip_recorded_by_another_run_of_the_build_is_never_recorded_over_and_is_kept_only_while_handed_out()
    {
        var asRead = AwaitingApproval();
        var first = Taken(asRead.ExportWritten("c/x.zip", Received.AddHours(1), asRead));

        Assert.Equal(CaseRefusal.AlreadyDone, first.ExportWritten("c/x.zip", Received.AddHours(2), asRead).Refusal);
        Assert.True(first.HandsOut("c/x.zip", Received.AddHours(6)));
        Assert.False(first.HandsOut("c/other.zip", Received.AddHours(6)));
        // Its link ended (the sweep deletes it), or an erasure of the person is deleting the case's copies: not handed out.
        var linked = Taken(first.Complete(Received.AddHours(2), Received.AddDays(7)));
        Assert.True(linked.HandsOut("c/x.zip", Received.AddDays(7).AddSeconds(-1)));
        Assert.False(linked.HandsOut("c/x.zip", Received.AddDays(7)));
        Assert.False((first with { CopiesBeingErasedBy = ["PR-ERAS-URE0-0001"] }).HandsOut("c/x.zip", Received.AddHours(6)));

        // Withdrawn, or deleted (its link ended, an erasure): not handed out, so the second run's copy goes.
        var withdrawn = Taken(first.RevokeExport("Els", Received.AddHours(3)));
        Assert.Equal(CaseRefusal.AlreadyDone, withdrawn.ExportWritten("c/x.zip", Received.AddHours(4), asRead).Refusal);
        Assert.False(withdrawn.HandsOut("c/x.zip", Received.AddHours(6)));
        Assert.False(Taken(withdrawn.RecordExportDeleted(Received.AddHours(3), withdrawn)).HandsOut("c/x.zip", Received.AddHours(6)));

        // A staff retry's build moved the first zip's record and is writing its own: the second run's record is refused
        // (it holds what was collected before the retry), the retry's own goes through.
        var failed = Taken(first.WithStatus(CaseStatus.InProgress, Received.AddHours(2)).Fail(Received.AddHours(3), "DeliverExport"));
        var moved = Taken(Taken(failed.Retry("Els", Received.AddHours(4))).ReplaceExport(Received.AddHours(4)));
        Assert.Equal(CaseRefusal.AlreadyDone, moved.ExportWritten("c/x.zip", Received.AddHours(5), asRead).Refusal);
        Assert.False(moved.HandsOut("c/x.zip", Received.AddHours(6)));
        Assert.True(Taken(moved.ExportWritten("c/x.zip", Received.AddHours(5), moved)).HandsOut("c/x.zip", Received.AddHours(6)));

        // No zip recorded yet, but the case is no longer the run's: flagged failed (an erasure may mark it), or retried by
        // staff since the run read it (the retry collects again). A failed case's zip is not written again either.
        var running = AwaitingApproval().WithStatus(CaseStatus.InProgress, Received.AddHours(1));
        var flagged = Taken(running.Fail(Received.AddHours(2), "BuildExport"));
        Assert.Equal(CaseRefusal.WrongStatus, flagged.ExportWritten("c/x.zip", Received.AddHours(3), running).Refusal);
        var retriedSince = Taken(flagged.Retry("Els", Received.AddHours(3)));
        Assert.Equal(CaseRefusal.WrongStatus, retriedSince.ExportWritten("c/x.zip", Received.AddHours(4), running).Refusal);
        Assert.Equal(1, Taken(retriedSince.ExportWritten("c/x.zip", Received.AddHours(4), retriedSince)).ExportWrittenAfterRetries);
        Assert.Equal(CaseRefusal.WrongStatus, failed.ReplaceExport(Received.AddHours(4)).Refusal);
    }

    [Fact]
    public void The_verification_link_is_sent_again_at_most_the_allowed_times_and_only_while_the_requester_can_still_confirm()
    {
        var timeout = TimeSpan.FromDays(7);
        var c = Taken(NewCase().VerificationMailSent(Received));
        for (var i = 0; i < PrivacyCase.MaxVerificationResends; i++)
        {
            c = Taken(c.VerificationResent(timeout, Received.AddHours(1)));
        }

        Assert.Equal(CaseRefusal.ResendsUsedUp, c.VerificationResent(timeout, Received.AddHours(1)).Refusal);
        Assert.Equal(CaseRefusal.VerificationTimedOut, Taken(NewCase().VerificationMailSent(Received)).ResendRefusal(timeout, Received + timeout));
        Assert.Equal(CaseRefusal.WrongStatus, AwaitingApproval().ResendRefusal(timeout, Received));
    }

    [Fact]
    public void The_link_is_sent_again_only_once_the_first_went_and_while_it_may_be_sent_again()
    {
        // The link follows the answer (decision 86): until it is recorded the page says it is on its way, with no button,
        // and a resend posted meanwhile (a second tab, a hand-made post) is refused in the register, not sent beside it.
        var timeout = TimeSpan.FromDays(7);
        Assert.Equal(CaseRefusal.LinkNotSentYet, NewCase().ResendRefusal(timeout, Received));
        Assert.Equal(CaseRefusal.LinkNotSentYet, NewCase().VerificationResent(timeout, Received).Refusal);
        var sent = Taken(NewCase().VerificationMailSent(Received.AddSeconds(1)));
        Assert.Null(sent.ResendRefusal(timeout, Received.AddMinutes(1)));
        Assert.Equal(CaseRefusal.VerificationTimedOut, sent.ResendRefusal(timeout, Received.AddSeconds(1) + timeout));
        Assert.Equal(CaseRefusal.WrongStatus, AwaitingApproval().ResendRefusal(timeout, Received));
    }

    [Fact]
    public void An_extension_is_refused_after_the_first_month_beyond_two_months_on_a_closed_case_or_over_a_newer_due_date()
    {
        // Received 1 March 2027: first due date Thursday 1 April 2027.
        var c = AwaitingApproval();
        Assert.Equal(new DateOnly(2027, 4, 1), c.DueDate);

        Assert.Equal(CaseRefusal.ExtensionTooLate, c.ExtensionRefusal(1, new DateTimeOffset(2027, 4, 2, 8, 0, 0, TimeSpan.Zero)));
        Assert.Equal(CaseRefusal.ExtensionTooLong, c.ExtensionRefusal(3, Received.AddDays(1)));
        Assert.Equal(CaseRefusal.ExtensionClosed, Taken(c.Complete(Received.AddDays(1))).ExtensionRefusal(1, Received.AddDays(2)));
        // Flagged failed (a store down across the first weeks), it still owes the answer: staff may extend it.
        Assert.Null(Taken(c.Fail(Received.AddDays(1), "ApplyInStore")).ExtensionRefusal(1, Received.AddDays(2)));

        var extended = Taken(c.Extend(1, "Veel gegevens.", "Els", Received.AddDays(10), c.DueDate, Map));
        Assert.Equal(new DateOnly(2027, 4, 1), extended.FirstDueDate);
        Assert.True(extended.DueDate > c.DueDate);
        // A second extension of one more month is allowed, but not on the strength of a page that showed the old date
        // (a second click, another tab), nor of one that did not say which date it showed.
        Assert.Equal(CaseRefusal.ExtensionConflict, extended.Extend(1, "x", "Jan", Received.AddDays(11), c.DueDate, Map).Refusal);
        Assert.Equal(CaseRefusal.ExtensionConflict, extended.Extend(1, "x", "Jan", Received.AddDays(11), null, Map).Refusal);
        Assert.Equal(CaseRefusal.ExtensionConflict, c.Extend(1, "x", "Jan", Received.AddDays(11), null, Map).Refusal);
        Assert.Equal(CaseRefusal.ExtensionTooLong, extended.Extend(2, "x", "Jan", Received.AddDays(11), extended.DueDate, Map).Refusal);
        Assert.Null(extended.Extend(1, "x", "Jan", Received.AddDays(11), extended.DueDate, Map).Refusal);
    }

    [Fact]
    public void A_request_for_identification_whose_mail_could_not_be_sent_is_taken_back_with_its_link_use()
    {
        var before = AwaitingApproval();
        var asked = Taken(before.ThroughLink("t1.identification", x => x.RequestIdentification("Els", "Een factuurnummer.", Received.AddHours(1))));

        var back = Taken(asked.IdentificationRequestNotSent("t1.identification", before, Received.AddHours(1), "Els", Received.AddHours(1).AddSeconds(2)));

        Assert.Null(back.IdentificationRequestedAt);
        Assert.Null(back.IdentificationRequest);
        Assert.False(back.LinkUsed("t1.identification"));
        Assert.Equal([Received.AddHours(1).AddSeconds(2)], back.IdentificationRequestsNotSent);
        Assert.Contains(Audit.CaseAudit.Entries(back, new KeyedHash(new byte[32])), e => e.Action == "identification-request-withdrawn");
        // Once its mail is recorded as sent, or with nothing asked, there is nothing to take back.
        Assert.Equal(CaseRefusal.NotAsked, back.IdentificationRequestNotSent("t1.identification", before, Received.AddHours(1), "Els", Received.AddHours(2)).Refusal);
        var mailed = Taken(asked.IdentificationMailSent(Received.AddHours(1).AddSeconds(1)));
        Assert.Equal(CaseRefusal.AlreadyDone, mailed.IdentificationRequestNotSent("t1.identification", before, Received.AddHours(1), "Els", Received.AddHours(2)).Refusal);
        // A colleague asked meanwhile (their mail went): Els's take-back does not undo their request.
        var colleague = Taken(asked.ThroughLink("t2.identification", x => x.RequestIdentification("Jan", "Uw klantnummer.", Received.AddHours(1).AddSeconds(1))));
        Assert.Equal(CaseRefusal.NotAsked, colleague.IdentificationRequestNotSent("t1.identification", before, Received.AddHours(1), "Els", Received.AddHours(2)).Refusal);
    }

    [Fact]
    public void An_extension_whose_notice_could_not_be_sent_is_taken_back_no_longer_counts_and_the_same_one_can_be_asked_again()
    {
        var c = AwaitingApproval();
        var extended = Taken(c.Extend(2, "Veel gegevens.", "Els", Received.AddDays(10), c.DueDate, Map));
        var extension = extended.Extensions[^1];

        var back = Taken(extended.WithdrawExtension(extension, Received.AddDays(10).AddSeconds(5)));

        // The due date the requester knows, and the two further months are all still there to choose.
        Assert.Equal(c.DueDate, back.DueDate);
        Assert.Equal(0, back.ExtendedMonths);
        Assert.Null(back.ExtensionRefusal(2, Received.AddDays(11)));
        Assert.Equal(Received.AddDays(10).AddSeconds(5), Assert.Single(back.Extensions).WithdrawnAt);
        // Only the last extension, and only while the due date is still its own.
        Assert.Equal(CaseRefusal.ExtensionConflict, back.WithdrawExtension(extension, Received.AddDays(11)).Refusal);
        var again = Taken(back.Extend(2, "Veel gegevens.", "Els", Received.AddDays(11), back.DueDate, Map));
        Assert.Equal(extended.DueDate, again.DueDate);
        Assert.Equal(CaseRefusal.ExtensionConflict, again.WithdrawExtension(extension, Received.AddDays(11)).Refusal);

        // The audit trail says each step: extended, taken back, extended again to the same date (a key of its own).
        var audit = Audit.CaseAudit.Entries(again, new KeyedHash(new byte[32])).Where(e => e.Action.StartsWith("deadline-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["deadline-extended", "deadline-extension-withdrawn", "deadline-extended"], audit.Select(e => e.Action));
        Assert.Equal(3, audit.Select(e => e.Key).Distinct().Count());
    }

    [Theory]
    [InlineData(10, null)]
    [InlineData(7, "due-7.2027-04-01")]
    [InlineData(3, "due-7.2027-04-01")]
    [InlineData(2, "due-2.2027-04-01")]
    [InlineData(0, "due-2.2027-04-01")]
    [InlineData(-1, "overdue.2027-04-01")]
    public void Staff_are_reminded_a_week_and_two_days_before_the_due_date_and_flagged_when_overdue(int daysBefore, string? expectedKey)
    {
        var c = AwaitingApproval();
        var now = new DateTimeOffset(2027, 4, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddDays(-daysBefore);

        var reminder = c.DueReminder(now, Map);

        Assert.Equal(expectedKey, reminder?.Key);
        Assert.Equal(daysBefore < 0, reminder?.Overdue ?? false);
        // From two working days before, the escalation address is told too: while the date can still be met.
        Assert.Equal(expectedKey?.StartsWith("due-7", StringComparison.Ordinal) == false, reminder?.Escalate ?? false);
        if (reminder is { } r)
        {
            Assert.Null(Taken(c.RecordReminder(r.Key, now)).DueReminder(now, Map));
        }
    }

    [Theory]
    // Due Monday 5 July 2027 (both companies): two working days before is Thursday 1 July, not Saturday 3 July.
    [InlineData("both", "2027-06-05", "2027-07-01")]
    // Due Thursday 22 July 2027 at Infomat België: 21 July is a Belgian holiday, so the reminder goes on Monday 19 July;
    // at Infomat Nederland the 21st is a working day, so on Tuesday 20 July.
    [InlineData("be", "2027-06-22", "2027-07-19")]
    [InlineData("nl", "2027-06-22", "2027-07-20")]
    public void The_second_reminder_goes_two_working_days_before_the_due_date_on_the_due_controllers_calendar(string entity, string received, string reminderDay)
    {
        var scope = entity == "both" ? ControllerScope.AllOf(Map.ControllerCodes) : ControllerScope.Of(entity);
        var at = new DateTimeOffset(DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(2));
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, scope, Language.Nl, null, null), Channel.Form, at, Map);
        var day = DateOnly.Parse(reminderDay, System.Globalization.CultureInfo.InvariantCulture);
        var weekBefore = new DateTimeOffset(c.DueDate.AddDays(-7).ToDateTime(new TimeOnly(8, 0)), TimeSpan.FromHours(2));
        c = Taken(c.RecordReminder(c.DueReminder(weekBefore, Map)!.Value.Key, weekBefore));
        var dayBefore = new DateTimeOffset(day.AddDays(-1).ToDateTime(new TimeOnly(8, 0)), TimeSpan.FromHours(2));
        var onTheDay = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.FromHours(2));

        Assert.Null(c.DueReminder(dayBefore, Map));
        Assert.Equal($"due-2.{c.DueDate:yyyy-MM-dd}", c.DueReminder(onTheDay, Map)?.Key);
    }

    [Fact]
    public void An_overdue_case_is_flagged_again_every_week_to_the_escalation_address_while_it_stays_unanswered()
    {
        // Due Thursday 1 April 2027; staff away over Easter: nobody answered.
        var c = AwaitingApproval();
        DateTimeOffset Day(int month, int day) => new(2027, month, day, 8, 0, 0, TimeSpan.FromHours(2));

        var first = c.DueReminder(Day(4, 2), Map)!.Value;
        Assert.Equal(("overdue.2027-04-01", true, true), (first.Key, first.Overdue, first.Escalate));
        c = Taken(c.RecordReminder(first.Key, Day(4, 2)));
        Assert.Null(c.DueReminder(Day(4, 8), Map));

        var second = c.DueReminder(Day(4, 9), Map)!.Value;
        Assert.Equal(("overdue.2027-04-01.1", true, true), (second.Key, second.Overdue, second.Escalate));
        c = Taken(c.RecordReminder(second.Key, Day(4, 9)));
        Assert.Null(c.DueReminder(Day(4, 15), Map));
        Assert.Equal("overdue.2027-04-01.2", c.DueReminder(Day(4, 16), Map)?.Key);

        // Answered, nothing more.
        Assert.Null(Taken(c.Complete(Day(4, 10))).DueReminder(Day(4, 16), Map));
    }

    [Fact]
    public void After_an_extension_the_reminders_come_again_for_the_new_date()
    {
        var c = AwaitingApproval();
        var weekBefore = new DateTimeOffset(2027, 3, 26, 10, 0, 0, TimeSpan.Zero);
        c = Taken(c.RecordReminder(c.DueReminder(weekBefore, Map)!.Value.Key, weekBefore));
        c = Taken(c.Extend(1, "Veel gegevens.", "Els", weekBefore, c.DueDate, Map));

        var newWeekBefore = new DateTimeOffset(c.DueDate.AddDays(-7).ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        Assert.Equal($"due-7.{c.DueDate:yyyy-MM-dd}", c.DueReminder(newWeekBefore, Map)?.Key);
    }

    [Fact]
    public void A_finished_case_gets_no_due_date_reminder()
    {
        Assert.Null(Taken(AwaitingApproval().Complete(Received)).DueReminder(new DateTimeOffset(2027, 5, 1, 0, 0, 0, TimeSpan.Zero), Map));
    }

    [Fact]
    public void Identifiers_are_erased_only_from_a_case_closed_longer_than_the_retention_and_only_once()
    {
        var retention = TimeSpan.FromDays(5 * 365 + 1);
        var closed = Taken(Taken(AwaitingApproval().Reject("Els", "Niet de verzoeker.", Received.AddDays(1))).RejectionSent(Received.AddDays(1)));

        Assert.Equal(CaseRefusal.NotDueForErasure, closed.EraseIdentifiers("hash", Received.AddDays(30), retention).Refusal);
        Assert.Equal(CaseRefusal.NotDueForErasure, AwaitingApproval().EraseIdentifiers("hash", Received.AddYears(10), retention).Refusal);

        var erased = Taken(closed.EraseIdentifiers("hash", Received.AddYears(6), retention));
        Assert.Equal(string.Empty, erased.Email);
        Assert.Equal(string.Empty, erased.Name);
        Assert.Null(erased.Details);
        Assert.Null(erased.Decision!.Reason);
        Assert.Equal("hash", erased.SubjectHash);
        Assert.Equal(CaseRefusal.NotDueForErasure, erased.EraseIdentifiers("hash", Received.AddYears(7), retention).Refusal);
    }

    [Fact]
    public void A_retry_writes_a_withdrawn_zip_again_only_while_the_case_is_failed_and_its_answer_has_not_gone()
    {
        // Decision 140: the case page warns before such a retry.
        var zipped = ApprovedThenFailed(c => c with { ExportBlobName = "PR-1.zip", ExportWrittenAt = Received.AddDays(1) });
        Assert.False(zipped.RetryWritesWithdrawnExportAgain);

        var withdrawn = Taken(zipped.RevokeExport("Els", Received.AddDays(2)));
        Assert.True(withdrawn.RetryWritesWithdrawnExportAgain);
        Assert.False((withdrawn with { AnswerSentAt = Received.AddDays(1) }).RetryWritesWithdrawnExportAgain);
        Assert.False(Taken(withdrawn.Retry("Piet", Received.AddDays(3))).RetryWritesWithdrawnExportAgain);
        Assert.False((withdrawn with { ExportBlobName = null, ExportRevokedAt = null }).RetryWritesWithdrawnExportAgain);
    }

    [Fact]
    public void A_retry_from_a_page_opened_before_a_colleague_withdrew_the_zip_is_refused()
    {
        // Session 45's hunt: the retry form carried nothing of what its page showed, so a colleague's page opened before
        // another withdrew the zip (no warning on it) retried the case: the zip was written again and its link mailed.
        var zipped = ApprovedThenFailed(c => c with { ExportBlobName = "PR-1.zip", ExportWrittenAt = Received.AddDays(1) });
        var shownBefore = zipped.RetryBasis;
        var withdrawn = Taken(zipped.RevokeExport("Els", Received.AddDays(2)));

        Assert.Equal(CaseRefusal.RetryPageOutdated, withdrawn.Retry("Piet", Received.AddDays(3), shownBasis: shownBefore).Refusal);
        Assert.Null(withdrawn.Retry("Piet", Received.AddDays(3), shownBasis: withdrawn.RetryBasis).Refusal);
        Assert.Null(zipped.Retry("Piet", Received.AddDays(3), shownBasis: shownBefore).Refusal);
        // A form without the field (a page from before it) retries a case with nothing withdrawn, as before.
        Assert.Null(zipped.Retry("Piet", Received.AddDays(3), shownBasis: string.Empty).Refusal);
        Assert.Equal(CaseRefusal.RetryPageOutdated, withdrawn.Retry("Piet", Received.AddDays(3), shownBasis: string.Empty).Refusal);
    }
}
