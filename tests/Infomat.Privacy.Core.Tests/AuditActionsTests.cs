using System.Reflection;
using System.Security.Cryptography;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Decision 139: the case page says what each audit event is in the reader's language; the record stays as chained.</summary>
public sealed class AuditActionsTests
{
    private static readonly Language[] Languages = [Language.En, Language.Nl, Language.Fr];

    [Fact]
    public void Every_action_constant_is_listed_and_has_a_text_in_each_language()
    {
        var constants = typeof(AuditActions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(constants, AuditActions.All.Order(StringComparer.Ordinal));
        Assert.Equal(AuditActions.All.Count, AuditActions.All.Distinct(StringComparer.Ordinal).Count());

        var keys = AuditActions.All.Select(a => AuditActions.TextKey(a, "x")!)
            .Concat(AuditActions.MailKinds.Select(k => AuditActions.TextKey(AuditActions.MailSent, k)!))
            .Concat(AuditActions.NamedActors.Select(a => AuditActions.ActorTextKey(a)!))
            .Concat(Enum.GetValues<AuditProblem>().Select(p => "AuditProblem" + p)).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        foreach (var language in Languages)
        {
            Assert.All(keys, k => Assert.False(string.IsNullOrWhiteSpace(Texts.TryGet(k, language)), $"{k} has no {language} text"));
        }
    }

    [Theory]
    [InlineData("verification", Language.Nl, "Link om het adres te bevestigen naar de verzoeker verstuurd")]
    [InlineData("verification (sent again)", Language.Fr, "Lien de confirmation de l'adresse renvoyé, à la demande du demandeur")]
    [InlineData("restriction-lift-notice kept-by=staff.two", Language.En, "Requester told before the restriction is lifted (Art. 18(3))")]
    [InlineData("identification request", Language.Nl, "Vraag om aanvullende identificatie naar de verzoeker verstuurd (art. 12, lid 6, AVG)")]
    [InlineData("a mail of a later version", Language.En, "Mail sent")]
    public void A_sent_mail_is_named_by_its_kind(string outcome, Language language, string expected) =>
        Assert.Equal(expected, AuditActions.Describe(Event(AuditActions.MailSent, outcome), language));

    [Fact]
    public void A_status_change_names_the_status_in_words_and_an_unknown_action_shows_as_recorded()
    {
        Assert.Equal("Status: " + Texts.Status(CaseStatus.Completed, null, Language.Nl), AuditActions.Describe(Event(AuditActions.StatusChanged, "Completed"), Language.Nl));
        Assert.Equal("Statut : NotAStatus", AuditActions.Describe(Event(AuditActions.StatusChanged, "NotAStatus"), Language.Fr));
        Assert.Equal("some-future-action", AuditActions.Describe(Event("some-future-action", "x"), Language.Nl));
        Assert.Equal("Systeem (automatisch)", AuditActions.ActorText(AuditEvent.System, Language.Nl));
        Assert.Equal("staff.one@infomat.eu", AuditActions.ActorText("staff.one@infomat.eu", Language.Fr));
    }

    [Fact]
    public void Every_event_of_a_worked_case_is_described_in_words_not_by_its_wire_value()
    {
        var request = new ValidRequest(RequestType.Access, "an@example.be", "An", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null);
        var at = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var c = PrivacyCase.Received(request, Channel.Form, at, TestDataMaps.Real) with
        {
            VerificationMailSentAt = at.AddMinutes(1),
            VerificationResends = 1,
            VerificationResendsNotSent = [at.AddMinutes(2)],
            EmailVerifiedAt = at.AddMinutes(5),
            RequesterReplies = [at.AddMinutes(6)],
            AcknowledgedAt = at.AddMinutes(7),
            ApprovalMailSentAt = at.AddMinutes(8),
            IdentificationRequestedAt = at.AddMinutes(9),
            IdentificationMailSentAt = at.AddMinutes(9),
            IdentificationReplies = [new IdentificationReply(at.AddMinutes(10), 1)],
            IdentificationChecks = [new IdentificationCheck("staff.one@infomat.eu", at.AddMinutes(11))],
            Approvals = [new IdentityApproval(1, "staff.one@infomat.eu", at.AddHours(1), "link")],
            Decision = new IdentityDecision(DecisionOutcome.Approve, at.AddHours(1), "staff.one@infomat.eu", null),
            Extensions = [new DeadlineExtension(2, DateOnly.FromDateTime(at.UtcDateTime.AddMonths(1)), DateOnly.FromDateTime(at.UtcDateTime.AddMonths(3)), "complex", "staff.one@infomat.eu", at.AddHours(2), at.AddHours(3))],
            Reminders = [new SentReminder("due-7", at.AddDays(20))],
            Retries = [new StaffRetry("staff.two@infomat.eu", at.AddDays(21))],
            AnswerSentAt = at.AddDays(22),
            History = [new StatusChange(CaseStatus.AwaitingEmailVerification, at), new StatusChange(CaseStatus.InProgress, at.AddHours(1)), new StatusChange(CaseStatus.Completed, at.AddDays(22))],
            IdentifiersErasedAt = at.AddYears(5),
        };

        var entries = CaseAudit.Entries(c, new KeyedHash(RandomNumberGenerator.GetBytes(32)));

        Assert.True(entries.Select(e => e.Action).Distinct().Count() >= 14, string.Join(",", entries.Select(e => e.Action).Distinct()));
        foreach (var entry in entries)
        {
            Assert.Contains(entry.Action, AuditActions.All);
            foreach (var language in Languages)
            {
                var text = AuditActions.Describe(Event(entry.Action, entry.Outcome), language);
                Assert.NotEqual(entry.Action, text);
            }
        }
    }

    [Fact]
    public void A_broken_chain_is_explained_in_the_readers_language_with_its_numbers()
    {
        var chain = new AuditChain(RandomNumberGenerator.GetBytes(32));
        var events = new List<AuditEvent>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(chain.Next(new AuditEntry("PR-TEST", "k" + i, AuditActions.MailSent, AuditEvent.System, "verification"), events.LastOrDefault(), Event("x", "y").At.AddMinutes(i)));
        }

        var gap = chain.Verify("PR-TEST", [events[0], events[2], events[3]]);
        Assert.Equal(AuditProblem.Numbering, gap.Kind);
        Assert.Equal("de gebeurtenis draagt nummer 3 waar 2 verwacht werd (er ontbreekt een gebeurtenis of er is er een ingevoegd)", AuditActions.ProblemText(gap, Language.Nl));

        var tail = chain.Verify("PR-TEST", events[..2], heads: [.. events.Select(e => new AuditHead(e.Sequence, e.Hash))]);
        Assert.Equal(AuditProblem.Missing, tail.Kind);
        Assert.Equal("les événements 3 à 4 manquent (le registre conservé hors de la table les mentionne)", AuditActions.ProblemText(tail, Language.Fr));

        var edited = chain.Verify("PR-TEST", [events[0], events[1] with { Outcome = "acknowledgement" }, events[2], events[3]]);
        Assert.Equal("the event's content does not match its hash (edited)", AuditActions.ProblemText(edited, Language.En));
    }

    private static AuditEvent Event(string action, string outcome) =>
        new("PR-TEST", 1, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), action, AuditEvent.System, outcome, null, "genesis", "hash");
}
