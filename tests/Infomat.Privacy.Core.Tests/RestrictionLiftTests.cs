using System.Security.Cryptography;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 17 item 7: staff lift a restriction only after the requester was told why (Art. 18(3)).</summary>
public sealed class RestrictionLiftTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase Case(RequestType type, Language language = Language.En)
    {
        var c = PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), language, null, null),
            Channel.Form, Received, Map);
        return (c with { EmailVerifiedAt = Received, Decision = new IdentityDecision(DecisionOutcome.Approve, Received, "Els", null) })
            .WithStatus(CaseStatus.InProgress, Received.AddHours(1));
    }

    private static PrivacyCase Restricted(Language language = Language.En) => Case(RequestType.Restriction, language).Complete(Received.AddHours(2)).Changed!;

    [Fact]
    public void A_restriction_lifted_years_later_keeps_the_case_s_identifiers_and_trail_for_the_full_periods_from_the_lift()
    {
        var identifiers = Retention.SystemRetention.CaseIdentifiers;
        var whole = Retention.SystemRetention.Case;
        var closed = Received.AddHours(2);
        var noticed = Received.AddYears(4);
        var c = Restricted().RestrictionLiftNotified("Els", "Uw adres is juist, blijkt uit uw factuur.", noticed).Changed!;
        c = c.RestrictionLifted(new Dictionary<string, int> { ["be/crm"] = 2 }, noticed.AddMinutes(1)).Changed!;

        // Five years after the closing, but one after the lift the person was told of: a claim about the lift can still come.
        Assert.Equal(noticed.AddMinutes(1), c.RetentionStart);
        Assert.False(c.IsDueForIdentifierErasure(closed + identifiers + TimeSpan.FromDays(1), identifiers));
        Assert.True(c.IsDueForIdentifierErasure(noticed.AddMinutes(1) + identifiers + TimeSpan.FromDays(1), identifiers));
        var erased = c.EraseIdentifiers("hash", noticed.AddMinutes(1) + identifiers + TimeSpan.FromDays(1), identifiers).Changed!;
        Assert.False(erased.IsDueForRemoval(closed + whole + TimeSpan.FromDays(1), whole));
        Assert.True(erased.IsDueForRemoval(noticed.AddMinutes(1) + whole + TimeSpan.FromDays(1), whole));

        // A case with no later step counts from its closing, as before.
        Assert.Equal(closed, Restricted().RetentionStart);
        Assert.True(Restricted().IsDueForIdentifierErasure(closed + identifiers + TimeSpan.FromDays(1), identifiers));
    }

    [Fact]
    public void Another_restriction_of_the_person_in_force_keeps_its_companies_records_restricted_and_the_lift_changes_only_the_others()
    {
        var lifting = Restricted();
        var subject = "subject-hash";
        var other = Restricted() with { Id = "PR-OTHR-0000-0001" };
        Assert.True(other.RestrictsUntilLifted);
        Assert.Equal(["PR-OTHR-0000-0001:be,nl"], Shown(lifting.LiftKeptBy([other], subject)));

        // Not once its own lift was announced, nor when it found nothing, was refused, is someone else's, restricts
        // other companies only, is not approved yet (nothing of it restricted, and it may never be), or its address was
        // erased (no page can lift it; this lift, whose notice reaches the person, ends it too).
        var otherAnnounced = other.RestrictionLiftNotified("Els", "Reason.", Received.AddDays(1)).Changed!;
        Assert.False(otherAnnounced.RestrictsUntilLifted);
        Assert.Empty(lifting.LiftKeptBy([otherAnnounced], subject));
        Assert.Empty(lifting.LiftKeptBy([other with { FoundNothing = true }], subject));
        Assert.Empty(lifting.LiftKeptBy([other with { Status = CaseStatus.Rejected, Decision = new IdentityDecision(DecisionOutcome.Reject, Received, "Els", "No.") }], subject));
        Assert.Empty(lifting.LiftKeptBy([other with { Email = "jan.devries@example.nl" }], subject));
        Assert.Empty((lifting with { Entity = ControllerScope.Of("be") }).LiftKeptBy([other with { Entity = ControllerScope.Of("nl") }], subject));
        Assert.Empty(lifting.LiftKeptBy([other with { Decision = null }], subject));
        Assert.Empty(lifting.LiftKeptBy([other with { Email = string.Empty, SubjectHash = subject, IdentifiersErasedAt = Received.AddYears(5) }], subject));
        // Approved and still running (its stores may be restricted already): it holds them.
        Assert.Equal(["PR-OTHR-0000-0001:be,nl"], Shown(lifting.LiftKeptBy([other.WithStatus(CaseStatus.InProgress, Received.AddHours(3))], subject)));
        // Two others on different companies: each named with its own; a company two cover is named once, under the first.
        var beOnly = other with { Entity = ControllerScope.Of("be") };
        var nlOther = other with { Id = "PR-OTHR-0000-0002", Entity = ControllerScope.Of("nl") };
        Assert.Equal(["PR-OTHR-0000-0001:be", "PR-OTHR-0000-0002:nl"], Shown(lifting.LiftKeptBy([nlOther, beOnly], subject)));
        Assert.Equal(["PR-OTHR-0000-0001:be,nl"], Shown(lifting.LiftKeptBy([nlOther, other], subject)));

        // It covers one company of two: that company's stores stay restricted, the other's are lifted.
        var keep = lifting.LiftKeptBy([beOnly], subject);
        var kept = lifting.RestrictionLiftNotified("Els", "Your address is correct.", Received.AddDays(1), keep).Changed!;
        Assert.Equal(Map.StoresOf(ControllerScope.Of("nl")).Select(s => s.Key), kept.StoresToLift(Map).Select(s => s.Key));
        Assert.Equal(Map.StoresOf(lifting.Entity).Select(s => s.Key), lifting.RestrictionLiftNotified("Els", "Reason.", Received.AddDays(1)).Changed!.StoresToLift(Map).Select(s => s.Key));
        // Finishing later: another request approved since that covers the company the notice said would be lifted stops it;
        // one covering only what the notice named as kept does not.
        Assert.Equal("PR-NEWR-0000-0002", kept.LiftNowKeptBeyondNotice([new KeptUnder(other.Id, ["be"]), new KeptUnder("PR-NEWR-0000-0002", ["nl"])]));
        Assert.Null(kept.LiftNowKeptBeyondNotice([new KeptUnder(other.Id, ["be"])]));
        Assert.Null(kept.LiftNowKeptBeyondNotice([]));

        // The audit names the request that keeps them (an id, no data) and the stores lifted.
        var done = kept.RestrictionLifted(new Dictionary<string, int> { ["nl/crm"] = 1 }, Received.AddDays(1)).Changed!;
        Assert.False(done.RestrictsUntilLifted);
        var audit = CaseAudit.Entries(done, new KeyedHash(RandomNumberGenerator.GetBytes(32))).Single(e => e.Key == "restriction-lifted");
        Assert.Equal($"kept-by={other.Id} stores=nl/crm:1", audit.Outcome);
    }

    [Fact]
    public void A_lift_gives_way_to_another_lift_of_the_person_being_sent_at_the_same_time()
    {
        var lifting = Restricted();
        var other = Restricted() with { Id = "PR-OTHR-0000-0001" };
        var now = Received.AddDays(1);
        var sending = other.ClaimRestrictionLiftNotice("Jan", "Reason.", now).Changed!;

        Assert.Equal(other.Id, lifting.LiftUnderWayBy([sending], "subject-hash", now.AddSeconds(5)));
        // Not once its claim ran out (the send never reported back), once its notice is recorded, for someone else, or
        // on other companies only.
        Assert.Null(lifting.LiftUnderWayBy([sending], "subject-hash", now + PrivacyCase.RestrictionLiftClaimHold));
        Assert.Null(lifting.LiftUnderWayBy([other.RestrictionLiftNotified("Jan", "Reason.", now).Changed!], "subject-hash", now.AddSeconds(5)));
        Assert.Null(lifting.LiftUnderWayBy([sending with { Email = "jan.devries@example.nl" }], "subject-hash", now.AddSeconds(5)));
        Assert.Null((lifting with { Entity = ControllerScope.Of("be") }).LiftUnderWayBy([sending with { Entity = ControllerScope.Of("nl") }], "subject-hash", now.AddSeconds(5)));
        Assert.Null(lifting.LiftUnderWayBy([other], "subject-hash", now));
    }

    private static string[] Shown(IReadOnlyList<KeptUnder> kept) => [.. kept.Select(k => k.By + ":" + string.Join(",", k.Entities))];

    [Theory]
    [InlineData(Language.En, "nonetheless stays restricted, because your request PR-OTHR-0000-0001 also asks for that restriction (Art. 18(1) GDPR)", "For your data at {nl}, we are lifting the restriction once this message has gone", "we are lifting it for your data")]
    [InlineData(Language.Nl, "blijft echter beperkt, omdat u met uw verzoek PR-OTHR-0000-0001 ook om die beperking hebt gevraagd (art. 18, lid 1, AVG)", "Voor uw gegevens bij {nl} heffen we de beperking op zodra dit bericht is verstuurd", "we heffen ze op voor uw gegevens")]
    [InlineData(Language.Fr, "reste toutefois limité, car votre demande PR-OTHR-0000-0001 porte aussi sur cette limitation (art. 18, paragraphe 1, RGPD)", "Pour vos données chez {nl}, nous levons la limitation dès l'envoi de ce message", "nous la levons pour vos données")]
    public void The_notice_of_a_lift_kept_by_another_request_says_where_the_records_stay_restricted_and_where_they_are_lifted(Language language, string kept, string liftedPart, string wholeLift)
    {
        var c = Restricted(language);

        var whole = PrivacyMails.RestrictionLiftNotice(c, Map, "Reason.", kept: [new KeptUnder("PR-OTHR-0000-0001", ["be", "nl"])]).TextBody;
        var part = PrivacyMails.RestrictionLiftNotice(c, Map, "Reason.", kept: [new KeptUnder("PR-OTHR-0000-0001", ["be"])]).TextBody;
        var nl = liftedPart.Replace("{nl}", Texts.Companies(ControllerScope.Of("nl"), Map, language), StringComparison.Ordinal);

        Assert.Contains(kept, whole, StringComparison.Ordinal);
        Assert.DoesNotContain(wholeLift, whole, StringComparison.Ordinal);
        Assert.DoesNotContain(nl, whole, StringComparison.Ordinal);
        Assert.Contains(kept, part, StringComparison.Ordinal);
        Assert.Contains(nl, part, StringComparison.Ordinal);
        Assert.Contains(wholeLift, PrivacyMails.RestrictionLiftNotice(c, Map, "Reason.").TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "If we still keep data about you after your erasure request PR-ERAS-0000-0001 only because the law obliges us to (Art. 17(3)(b) GDPR), their processing stays restricted to storage; this lift does not apply to them")]
    [InlineData(Language.Nl, "Bewaren we na uw wisverzoek PR-ERAS-0000-0001 nog gegevens over u alleen omdat de wet ons daartoe verplicht (art. 17, lid 3, b, AVG), dan blijft de verwerking ervan beperkt tot opslag")]
    [InlineData(Language.Fr, "Si nous conservons encore des données vous concernant après votre demande d'effacement PR-ERAS-0000-0001 uniquement parce que la loi nous y oblige")]
    public void After_an_erasure_of_the_person_the_lift_notice_says_what_the_law_makes_us_keep_stays_restricted(Language language, string held)
    {
        // The stores keep records held for an erasure (a legal hold) restricted through any lift; the notice said "we are
        // lifting it for your data" all the same.
        var lifting = Restricted(language);
        var erasure = Case(RequestType.Erasure) with { Id = "PR-ERAS-0000-0001" };
        erasure = erasure.Complete(Received.AddHours(2)).Changed!;

        Assert.Equal(erasure.Id, lifting.LiftLeavesHeldBy([erasure], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([erasure with { FoundNothing = true }], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([erasure with { Email = "jan.devries@example.nl" }], "subject-hash"));
        // An erasure that failed during or after its store actions may hold records too (a failure after the stores
        // acted left them restricted, and the notice said nothing of them); one failed before them, or still under way,
        // has held nothing back yet, and the lift changes the records now.
        var underWay = Case(RequestType.Erasure) with { Id = "PR-ERAS-0000-0002" };
        Assert.Equal(underWay.Id, lifting.LiftLeavesHeldBy([underWay.Fail(Received.AddHours(3), "ApplyInStore").Changed!], "subject-hash"));
        Assert.Equal(underWay.Id, lifting.LiftLeavesHeldBy([underWay.Fail(Received.AddHours(3), "SendActionReport").Changed!], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([underWay.Fail(Received.AddHours(3), "ApplyDecision").Changed!], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([underWay], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([underWay.WithStatus(CaseStatus.AwaitingStaffAction, Received.AddHours(3))], "subject-hash"));
        // One whose identity was never approved, or that was refused, acted on nothing.
        var unapproved = Case(RequestType.Erasure) with { Decision = null };
        Assert.Null(lifting.LiftLeavesHeldBy([unapproved.WithStatus(CaseStatus.AwaitingIdentityApproval, Received)], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([unapproved.Fail(Received.AddHours(3), "ApplyInStore").Changed!], "subject-hash"));
        Assert.Null(lifting.LiftLeavesHeldBy([(unapproved with { Decision = new IdentityDecision(DecisionOutcome.Reject, Received, "Els", "Not the person.") }).WithStatus(CaseStatus.Rejected, Received.AddHours(2))], "subject-hash"));

        Assert.Contains(held, PrivacyMails.RestrictionLiftNotice(lifting, Map, "Reason.", heldBy: erasure.Id).TextBody, StringComparison.Ordinal);
        Assert.Contains(held, PrivacyMails.RestrictionLiftNotice(lifting, Map, "Reason.", kept: [new KeptUnder("PR-OTHR-0000-0001", ["be"])], heldBy: erasure.Id).TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("PR-ERAS-0000-0001", PrivacyMails.RestrictionLiftNotice(lifting, Map, "Reason.").TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "compelling legitimate grounds", "establishment, exercise or defence of legal claims")]
    [InlineData(Language.Nl, "dwingende gerechtvaardigde gronden", "instelling, uitoefening of onderbouwing van een rechtsvordering")]
    [InlineData(Language.Fr, "motifs légitimes et impérieux", "constatation, l'exercice ou la défense de droits en justice")]
    public void The_staff_mail_for_an_objection_names_both_grounds_Art_21_1_allows_a_refusal_on(Language staffLanguage, string compelling, string legalClaims)
    {
        // The report to the requester names both grounds (Art. 21(1)); the staff mail named only the first, so staff
        // refusing to defend a legal claim read that they had no ground to.
        var objection = Case(RequestType.Objection) with { Objection = ObjectionScope.Other };
        objection = objection.OpenTasks(objection.PlanTasks([("be/crm", 2)]), Received.AddHours(1)).Changed!;

        var mail = PrivacyMails.StaffTasks(objection, Map, new Uri("https://privacy.example/tasks"), "privacy@infomat.example", staffLanguage).TextBody;

        Assert.Contains(compelling, mail, StringComparison.Ordinal);
        Assert.Contains(legalClaims, mail, StringComparison.Ordinal);
        Assert.Contains("21", mail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lift_is_blocked_by_an_upheld_objection_of_the_person_on_the_same_records()
    {
        // Review of 5 December: the stores mark a record restricted, not by which case; lifting a restriction lifted an
        // upheld objection's too, and the person's records went back on the mailing lists.
        var lifting = Restricted();
        var subject = "subject-hash";
        var objection = Case(RequestType.Objection) with { Objection = ObjectionScope.Other };
        objection = objection.OpenTasks(objection.PlanTasks([("be/crm", 2)]), Received.AddHours(1)).Changed!;
        var upheld = objection.CompleteTask("objection", StaffTaskOutcome.Upheld, null, "Els", Received.AddHours(2)).Changed!.Complete(Received.AddHours(3)).Changed!;
        var refused = objection.CompleteTask("objection", StaffTaskOutcome.Refused, "Grounds.", "Els", Received.AddHours(2)).Changed!.Complete(Received.AddHours(3)).Changed!;
        var someoneElse = upheld with { Email = "jan.devries@example.nl" };
        var nlOnly = upheld with { Entity = ControllerScope.Of("nl") };

        Assert.True(upheld.RestrictsForGood);
        // Upheld, its stores restricted, its report not yet gone (or failed): it already restricts for good.
        var upheldNotReported = objection.CompleteTask("objection", StaffTaskOutcome.Upheld, null, "Els", Received.AddHours(2)).Changed!;
        Assert.Equal(upheldNotReported.Id, lifting.LiftBlockedBy([upheldNotReported.Fail(Received.AddHours(3), "SendActionReport").Changed!], subject));
        // A restriction whose report said nothing was found restricted nothing: nothing to lift, nobody to tell.
        Assert.Equal(CaseRefusal.NothingRestricted, (Case(RequestType.Restriction).Complete(Received.AddHours(2), foundNothing: true).Changed!).LiftRefusal);
        Assert.False(refused.RestrictsForGood);
        Assert.Equal(upheld.Id, lifting.LiftBlockedBy([lifting, refused, upheld], subject));
        // Not by itself, a refused objection, another person's, another restriction (lifted as one with this).
        Assert.Null(lifting.LiftBlockedBy([lifting, refused, someoneElse, Restricted()], subject));
        // Another company's records only: blocked only where this lift would change that company's records too.
        Assert.Equal(upheld.Id, lifting.LiftBlockedBy([nlOnly], subject));
        Assert.Null((lifting with { Entity = ControllerScope.Of("be") }).LiftBlockedBy([nlOnly], subject));
        // An upheld objection whose address was erased after its retention still restricts; it is known by the keyed hash.
        var erased = upheld.EraseIdentifiers(subject, Received.AddYears(10), TimeSpan.FromDays(365)).Changed!;
        Assert.Empty(erased.Email);
        Assert.Equal(upheld.Id, lifting.LiftBlockedBy([erased], subject));
        Assert.Null(lifting.LiftBlockedBy([erased], "another-hash"));

        // Review of 7 December: the retention sweep removed it six years after its close, and a later lift then found
        // nothing blocking it. What keeps the processing the person objected to stopped is kept as long as that lasts
        // (its pseudonymous remainder: no address, the keyed hash); a refused objection goes as any case does.
        var whole = Retention.SystemRetention.Case;
        Assert.False(erased.IsDueForRemoval(Received.AddYears(30), whole));
        Assert.True(refused.EraseIdentifiers(subject, Received.AddYears(10), TimeSpan.FromDays(365)).Changed!.IsDueForRemoval(Received.AddYears(30), whole));
        // Upheld, but its report said nothing was found: it restricted nothing, and goes as any case does.
        var upheldOnNothing = objection.CompleteTask("objection", StaffTaskOutcome.Upheld, null, "Els", Received.AddHours(2)).Changed!.Complete(Received.AddHours(3), foundNothing: true).Changed!;
        Assert.True(upheldOnNothing.EraseIdentifiers(subject, Received.AddYears(10), TimeSpan.FromDays(365)).Changed!.IsDueForRemoval(Received.AddYears(30), whole));
    }

    [Fact]
    public void The_lift_notice_is_claimed_before_it_is_sent_so_a_second_click_sends_nothing_and_a_notice_that_failed_gives_the_claim_back()
    {
        var at = Received.AddDays(40);
        var c = Restricted().ClaimRestrictionLiftNotice("Els", "The accuracy of your address is confirmed.", at).Changed!;

        // A second click, another tab or a colleague while the notice goes: refused, nothing to send.
        Assert.Equal(CaseRefusal.UnderWay, c.ClaimRestrictionLiftNotice("Jan", "Again.", at.AddSeconds(2)).Refusal);
        Assert.Equal(CaseRefusal.ReasonRequired, Restricted().ClaimRestrictionLiftNotice("Els", " ", at).Refusal);

        // The notice could not be sent: the claim is taken back (audited), nothing reads as told, staff try again.
        var back = c.RestrictionLiftNoticeNotSent(at, at.AddSeconds(5)).Changed!;
        Assert.Null(back.RestrictionLiftClaim);
        Assert.Null(back.RestrictionLift);
        Assert.Equal(CaseRefusal.NotAsked, back.RestrictionLifted(new Dictionary<string, int> { ["be/crm"] = 2 }, at.AddMinutes(1)).Refusal);
        Assert.Contains(CaseAudit.Entries(back, new KeyedHash(new byte[32])), e => e.Action == "restriction-lift-not-sent");
        // Only that claim is taken back: not a colleague's made since.
        Assert.Equal(CaseRefusal.NotAsked, c.RestrictionLiftNoticeNotSent(at.AddSeconds(1), at.AddSeconds(5)).Refusal);

        var again = back.ClaimRestrictionLiftNotice("Els", "The accuracy of your address is confirmed.", at.AddMinutes(1)).Changed!;
        var told = again.RestrictionLiftNotified("Els", "The accuracy of your address is confirmed.", at.AddMinutes(1).AddSeconds(3)).Changed!;
        Assert.Null(told.RestrictionLiftClaim);
        Assert.Equal(CaseRefusal.AlreadyDone, told.ClaimRestrictionLiftNotice("Jan", "Again.", at.AddMinutes(2)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, told.RestrictionLiftNoticeNotSent(at.AddMinutes(1), at.AddMinutes(2)).Refusal);

        // A send that never reported back (the host stopped mid-send) holds the lift off only for a while.
        var stuck = Restricted().ClaimRestrictionLiftNotice("Els", "Reason.", at).Changed!;
        Assert.Equal(CaseRefusal.UnderWay, stuck.ClaimRestrictionLiftNotice("Jan", "Reason.", at + PrivacyCase.RestrictionLiftClaimHold - TimeSpan.FromSeconds(1)).Refusal);
        Assert.Equal("Jan", stuck.ClaimRestrictionLiftNotice("Jan", "Reason.", at + PrivacyCase.RestrictionLiftClaimHold).Changed!.RestrictionLiftClaim!.By);
    }

    [Fact]
    public void A_restriction_whose_identifiers_were_erased_before_its_notice_offers_no_lift_one_notified_before_is_not_that()
    {
        var c = Restricted();
        Assert.False(c.LiftNoticeImpossible);
        var erased = c with { IdentifiersErasedAt = Received.AddYears(5), Email = string.Empty };
        Assert.True(erased.LiftNoticeImpossible);
        // The requester was told before the erasure, and a store failed: she was told; this is not "no notice can go".
        var told = c.RestrictionLiftNotified("Els", "Reason.", Received.AddDays(40)).Changed!;
        Assert.False((told with { IdentifiersErasedAt = Received.AddYears(5), Email = string.Empty }).LiftNoticeImpossible);
        // That one can no longer be finished (decision 143): the stores match on the identifiers erased.
        Assert.False(told.LiftUnfinishable);
        Assert.False(erased.LiftUnfinishable);
        var halfway = told with { IdentifiersErasedAt = Received.AddYears(5), Email = string.Empty };
        Assert.True(halfway.LiftUnfinishable);
        Assert.Equal(CaseRefusal.Finished, halfway.LiftRefusal);
        var finished = told.RestrictionLifted(new Dictionary<string, int> { ["be/crm"] = 2 }, Received.AddDays(40)).Changed!;
        Assert.False((finished with { IdentifiersErasedAt = Received.AddYears(5), Email = string.Empty }).LiftUnfinishable);
        // Not a restriction, or not completed: nothing restricted, nothing to say.
        Assert.False((Case(RequestType.Access).Complete(Received.AddHours(2)).Changed! with { IdentifiersErasedAt = Received.AddYears(5) }).LiftNoticeImpossible);
        Assert.False((Case(RequestType.Restriction) with { IdentifiersErasedAt = Received.AddYears(5) }).LiftNoticeImpossible);
    }

    [Fact]
    public void A_restriction_is_lifted_only_on_a_completed_restriction_case_with_a_reason_and_after_the_notice()
    {
        Assert.Equal(CaseRefusal.NothingRestricted, Case(RequestType.Access).Complete(Received.AddHours(2)).Changed!.LiftRefusal);
        Assert.Equal(CaseRefusal.WrongStatus, Case(RequestType.Restriction).LiftRefusal);
        var c = Restricted();
        Assert.Null(c.LiftRefusal);
        // After the register's retention the address is gone: no notice can reach the requester, no store can match.
        Assert.Equal(CaseRefusal.Finished, (c with { IdentifiersErasedAt = Received.AddYears(5), Email = string.Empty }).LiftRefusal);
        Assert.Equal(CaseRefusal.ReasonRequired, c.RestrictionLiftNotified("Els", " ", Received.AddDays(40)).Refusal);
        // Not before the requester is told.
        Assert.Equal(CaseRefusal.NotAsked, c.RestrictionLifted(new Dictionary<string, int> { ["be/crm"] = 2 }, Received.AddDays(40)).Refusal);

        c = c.RestrictionLiftNotified("Els", "The accuracy of your address is confirmed by your own invoice.", Received.AddDays(40)).Changed!;
        Assert.Equal(CaseRefusal.AlreadyDone, c.RestrictionLiftNotified("Jan", "Again.", Received.AddDays(41)).Refusal);
        Assert.Null(c.RestrictionLift!.LiftedAt);
        c = c.RestrictionLifted(new Dictionary<string, int> { ["be/crm"] = 2, ["nl/crm"] = 0 }, Received.AddDays(40).AddMinutes(1)).Changed!;

        Assert.Equal(Received.AddDays(40).AddMinutes(1), c.RestrictionLift!.LiftedAt);
        Assert.Equal(CaseRefusal.AlreadyDone, c.LiftRefusal);
        Assert.Equal(CaseRefusal.AlreadyDone, c.RestrictionLifted(new Dictionary<string, int>(), Received.AddDays(42)).Refusal);
        Assert.Equal(CaseStatus.Completed, c.Status);
    }

    [Fact]
    public void The_audit_trail_says_who_told_the_requester_who_lifted_when_and_how_many_records_per_store_and_no_reason()
    {
        var c = Restricted().RestrictionLiftNotified("Els", "Uw adres is juist, blijkt uit uw factuur.", Received.AddDays(40)).Changed!;
        c = c.RestrictionLifted(new Dictionary<string, int> { ["nl/crm"] = 1, ["be/crm"] = 2 }, Received.AddDays(40).AddMinutes(1)).Changed!;

        var entries = CaseAudit.Entries(c, new KeyedHash(RandomNumberGenerator.GetBytes(32)));

        var notified = Assert.Single(entries, e => e.Key == "restriction-lift-notified");
        Assert.Equal(("Els", Received.AddDays(40)), (notified.Actor, notified.At));
        var lifted = Assert.Single(entries, e => e.Key == "restriction-lifted");
        Assert.Equal("Els", lifted.Actor);
        Assert.Equal("stores=be/crm:2,nl/crm:1", lifted.Outcome);
        Assert.DoesNotContain(entries, e => e.Outcome.Contains("factuur", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Language.Nl, "art. 18, lid 3, AVG", "art. 79 AVG", "bij Infomat België en Infomat Nederland zodra", "Beide")]
    [InlineData(Language.Fr, "art. 18, paragraphe 3, RGPD", "art. 79 RGPD", "chez Infomat België et Infomat Nederland dès", "Les deux")]
    [InlineData(Language.En, "Art. 18(3) GDPR", "Art. 79 GDPR", "at Infomat België and Infomat Nederland once", "Both")]
    public void The_notice_says_before_the_lift_that_and_why_the_restriction_will_be_lifted_and_where_to_complain(Language language, string article, string court, string where, string label)
    {
        var c = Restricted(language);

        var mail = PrivacyMails.RestrictionLiftNotice(c, Map, "The accuracy of your address is confirmed.");

        Assert.Equal("restriction-lift-notice", mail.Kind.ToWire());
        Assert.Equal("an.peeters@example.be", mail.To);
        Assert.Contains(article, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("The accuracy of your address is confirmed.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(court, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Infomat Nederland", mail.TextBody, StringComparison.Ordinal);
        // The companies by name in the sentence, not the form's "Both: …" label (review of 5 December).
        Assert.Contains(where, mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(label + ":", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(label + " :", mail.TextBody, StringComparison.Ordinal);
        // Its reference, not the answer date of a request answered long before.
        Assert.DoesNotContain(Localization.Texts.Date(c.DueDate, language), mail.TextBody, StringComparison.Ordinal);
    }
}
