using System.Security.Cryptography;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 17 items 6 and 8: refusing a manifestly unfounded or excessive request (Art. 12(5)) is a decision of its own,
/// with the staff's reasons and the Art. 12(4) information for the requester; evidence "other" needs a note.
/// </summary>
public sealed class RefusalAndEvidenceTests
{
    private const string Reasons = "Dit is het twaalfde identieke verzoek deze maand; elk werd binnen de week beantwoord.";

    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase Taken(CaseTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Changed!;
    }

    private static PrivacyCase AwaitingApproval(RequestType type = RequestType.Access, Language language = Language.Nl, string entity = "both")
    {
        var scope = entity == "both" ? ControllerScope.AllOf(Map.ControllerCodes) : ControllerScope.Of(entity);
        var c = PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, scope, language, "details", null), Channel.Form, Received, Map);
        c = Taken(Taken(c.Verify(Received.AddMinutes(5))).PrepareApproval(new Dictionary<string, int> { ["be/crm"] = 2 }, twoApproversForErasure: true));
        return Taken(c.RequestApproval(Received.AddMinutes(6)));
    }

    private static PrivacyCase RefusedAsUnfounded(Language language = Language.Nl, string entity = "both") =>
        Taken(AwaitingApproval(language: language, entity: entity).RefuseAsManifestlyUnfoundedOrExcessive("Els", Reasons, Received.AddHours(1)));

    [Fact]
    public void A_manifestly_unfounded_or_excessive_request_is_refused_as_a_decision_of_its_own_and_the_first_decision_stands()
    {
        var c = RefusedAsUnfounded();

        Assert.Equal(DecisionOutcome.ManifestlyUnfoundedOrExcessive, c.Decision!.Outcome);
        Assert.Equal(Reasons, c.Decision.Reason);
        Assert.Equal("Els", c.Decision.DecidedBy);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.Approve(1, "Jan", Received.AddHours(2), "verified-link").Refusal);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.Reject("Jan", "x", Received.AddHours(2)).Refusal);
        Assert.Equal(CaseRefusal.AlreadyDecided, c.RefuseAsManifestlyUnfoundedOrExcessive("Jan", "x", Received.AddHours(2)).Refusal);

        c = Taken(c.RejectionSent(Received.AddHours(1.5)));
        Assert.Equal(CaseStatus.Rejected, c.Status);
        Assert.Equal(RefusalGround.ManifestlyUnfoundedOrExcessive, c.RejectedAs);

        var identity = Taken(Taken(AwaitingApproval().Reject("Els", "Niet de aanvrager.", Received.AddHours(1))).RejectionSent(Received.AddHours(1)));
        Assert.Equal(RefusalGround.IdentityNotConfirmed, identity.RejectedAs);
        Assert.Null(AwaitingApproval().RejectedAs);
    }

    [Fact]
    public void The_refusal_needs_its_reasons_and_is_taken_like_a_rejection_on_an_open_undecided_case()
    {
        Assert.Equal(CaseRefusal.ReasonRequired, AwaitingApproval().RefuseAsManifestlyUnfoundedOrExcessive("Els", "  ", Received.AddHours(1)).Refusal);

        var expired = AwaitingApproval() with { Status = CaseStatus.Expired };
        Assert.Equal(CaseRefusal.Finished, expired.RefuseAsManifestlyUnfoundedOrExcessive("Els", Reasons, Received.AddHours(1)).Refusal);

        // An erasure waiting for its second approver: a refusal, like a rejection, is final from one colleague.
        var halfApproved = Taken(AwaitingApproval(RequestType.Erasure).Approve(1, "Els", Received.AddHours(1), "verified-link"));
        var refused = Taken(halfApproved.RefuseAsManifestlyUnfoundedOrExcessive("Jan", Reasons, Received.AddHours(2)));
        Assert.Equal(DecisionOutcome.ManifestlyUnfoundedOrExcessive, refused.Decision!.Outcome);
    }

    [Fact]
    public void Evidence_other_is_refused_without_a_note_and_kept_with_its_note()
    {
        Assert.Equal(CaseRefusal.EvidenceNoteRequired, AwaitingApproval().Approve(1, "Els", Received.AddHours(1), "other").Refusal);
        Assert.Equal(CaseRefusal.EvidenceNoteRequired, AwaitingApproval().Approve(1, "Els", Received.AddHours(1), "other", "   ").Refusal);
        Assert.Equal(CaseRefusal.EvidenceNoteRequired, IdentityApproval.EvidenceRefusal("other", null));
        Assert.Null(IdentityApproval.EvidenceRefusal("verified-link", null));

        var c = Taken(AwaitingApproval().Approve(1, "Els", Received.AddHours(1), "other", " Belde haar terug op het nummer uit ons CRM. "));

        Assert.Equal("Belde haar terug op het nummer uit ons CRM.", Assert.Single(c.Approvals).Note);
        Assert.Equal(DecisionOutcome.Approve, c.Decision!.Outcome);
    }

    [Fact]
    public void Erasing_the_identifiers_erases_the_evidence_notes_too()
    {
        var retention = TimeSpan.FromDays(5 * 365 + 1);
        var c = Taken(AwaitingApproval().Approve(1, "Els", Received.AddHours(1), "other", "Belde haar terug."));
        c = Taken(Taken(c.StartWork(Received.AddHours(1))).Complete(Received.AddDays(1)));

        var erased = Taken(c.EraseIdentifiers("hash", Received.AddYears(6), retention));

        Assert.Null(Assert.Single(erased.Approvals).Note);
        Assert.Equal("other", erased.Approvals[0].Evidence);
    }

    [Theory]
    [InlineData(Language.Nl, "kennelijk ongegrond of buitensporig", "art. 12, lid 5, AVG", "art. 79 AVG", "zes weken")]
    [InlineData(Language.Fr, "manifestement infondée ou excessive", "art. 12, paragraphe 5, RGPD", "art. 79 RGPD", "six semaines")]
    [InlineData(Language.En, "manifestly unfounded or excessive", "Art. 12(5) GDPR", "Art. 79 GDPR", "six weeks")]
    public void The_requester_reads_that_the_request_is_refused_under_Art_12_5_the_reasons_and_the_remedies(Language language, string refused, string article, string court, string sixWeeks)
    {
        var c = Taken(RefusedAsUnfounded(language).RejectionSent(Received.AddHours(1)));

        var mail = PrivacyMails.Rejection(c, Map);

        Assert.Equal(MailKind.Rejection, mail.Kind);
        Assert.Contains(refused, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(article, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(Reasons, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(court, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(sixWeeks, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(Map.Authorities["gba"].Name.In(language), mail.TextBody, StringComparison.Ordinal);

        // The refusal of an identity not confirmed says nothing of Art. 12(5), but the same remedies (DESIGN §2: every refusal).
        var identity = PrivacyMails.Rejection(Taken(AwaitingApproval(language: language).Reject("Els", "Niet de aanvrager.", Received.AddHours(1))), Map);
        Assert.DoesNotContain(refused, identity.TextBody, StringComparison.Ordinal);
        Assert.Contains(court, identity.TextBody, StringComparison.Ordinal);
        Assert.Contains(sixWeeks, identity.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_for_Infomat_Belgie_alone_names_no_Dutch_time_limit()
    {
        var mail = PrivacyMails.Rejection(RefusedAsUnfounded(Language.En, "be"), Map);

        Assert.Contains("Art. 79 GDPR", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("six weeks", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_audit_says_refused_under_Art_12_5_and_evidence_other_with_a_note_but_never_their_text()
    {
        var hash = new KeyedHash(RandomNumberGenerator.GetBytes(32));
        var approved = Taken(AwaitingApproval(RequestType.Erasure).Approve(1, "Els", Received.AddHours(1), "other", "Belde haar terug."));
        var refused = Taken(approved.RefuseAsManifestlyUnfoundedOrExcessive("Jan", Reasons, Received.AddHours(2)));

        var entries = CaseAudit.Entries(refused, hash);

        var approval = Assert.Single(entries, e => e.Key == "approval.1");
        Assert.Equal("approval 1 of 2 evidence=other note=given", approval.Outcome);
        var decision = Assert.Single(entries, e => e.Key == "decision");
        Assert.Equal("Jan", decision.Actor);
        Assert.Equal("refused manifestly-unfounded-or-excessive (Art. 12(5))", decision.Outcome);
        var text = string.Join("\n", entries.Select(e => string.Join("|", e.Action, e.Actor, e.Outcome)));
        Assert.DoesNotContain("Belde", text, StringComparison.Ordinal);
        Assert.DoesNotContain("twaalfde", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "geweigerd: kennelijk ongegrond of buitensporig verzoek (art. 12, lid 5, AVG)")]
    [InlineData(Language.Fr, "refusé : demande manifestement infondée ou excessive (art. 12, paragraphe 5, RGPD)")]
    [InlineData(Language.En, "refused: manifestly unfounded or excessive request (Art. 12(5) GDPR)")]
    public void Staff_see_the_refusal_as_an_outcome_of_its_own(Language language, string expected)
    {
        Assert.Equal(expected, Texts.Status(CaseStatus.Rejected, RefusalGround.ManifestlyUnfoundedOrExcessive, language));
        Assert.Equal(Texts.Get("StatusRejected", language), Texts.Status(CaseStatus.Rejected, RefusalGround.IdentityNotConfirmed, language));
        Assert.Equal(Texts.Get("StatusCompleted", language), Texts.Status(CaseStatus.Completed, null, language));
    }
}
