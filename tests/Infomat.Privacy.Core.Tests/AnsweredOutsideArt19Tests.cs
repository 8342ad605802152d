using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Whom the close of a failed case answered outside the system names to tell (Art. 19): what the case did here counts
/// where it is known (staff tasks decided), and only rights that change data are concerned.
/// </summary>
public sealed class AnsweredOutsideArt19Tests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase Approved(RequestType type, ObjectionScope? objection = null)
    {
        var c = PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl,
            "Mijn functietitel is fout.", objection), Channel.Form, Received, Map);
        return c with
        {
            EmailVerifiedAt = Received,
            Holdings = new Dictionary<string, int> { ["be/crm"] = 2, ["nl/crm"] = 1, ["be/finance"] = 0 },
            Decision = new IdentityDecision(DecisionOutcome.Approve, Received, "Els", null),
        };
    }

    private static PrivacyCase Failed(PrivacyCase c) => c.Fail(Received.AddDays(2), "ApplyActions").Changed!;

    private static IEnumerable<string>? Keys(PrivacyCase c) => c.RecipientsToTellWhenAnsweredOutside(Map)?.Recipients.Select(r => r.Key);

    private static IEnumerable<string> RecipientsOf(params string[] stores) =>
        Map.RecipientsToInform(stores.SelectMany(s => Map.Store(s).Tables)).Select(r => r.Key);

    [Fact]
    public void The_report_opens_its_notices_in_the_completion_and_staff_are_owed_their_mail_until_it_went()
    {
        var approved = Approved(RequestType.Restriction);
        var recipients = RecipientsOf("be/crm").ToList();

        var completed = approved.Complete(Received.AddDays(1), recipientsToTell: recipients).Changed!;

        Assert.Equal(CaseStatus.Completed, completed.Status);
        Assert.Equal(recipients, completed.RecipientNotices.Select(n => n.Recipient));
        Assert.Equal(recipients, completed.RecipientsNotYetTold);
        Assert.True(completed.NeedsRecipientsMail);
        // The step mails them at once; the daily sweep only once it plainly did not (an hour on).
        Assert.False(completed.RecipientsMailLate(Received.AddDays(1).AddMinutes(59)));
        Assert.True(completed.RecipientsMailLate(Received.AddDays(1).AddHours(1)));
        var mailed = completed.RecipientsMailed().Changed!;
        Assert.False(mailed.NeedsRecipientsMail);
        Assert.Equal(CaseRefusal.AlreadyDone, mailed.RecipientsMailed().Refusal);
        // A run that opens them again opens nothing twice and owes no second mail.
        Assert.Equal(CaseRefusal.AlreadyDone, mailed.OpenRecipientNotices(recipients, Received.AddDays(2)).Refusal);
        // A recipient recorded as told is not named again.
        var told = completed.RecipientInformed(recipients[0], "Els", Received.AddDays(2)).Changed!;
        Assert.DoesNotContain(recipients[0], told.RecipientsNotYetTold);
        // Nothing to tell: no notices, no mail owed; and no mail once the identifiers are gone.
        Assert.False(approved.Complete(Received.AddDays(1), recipientsToTell: []).Changed!.NeedsRecipientsMail);
        Assert.False((completed with { IdentifiersErasedAt = Received.AddYears(5) }).NeedsRecipientsMail);
    }

    [Fact]
    public void An_objection_to_direct_marketing_changes_no_data_to_tell_recipients_of()
    {
        Assert.Null(Keys(Failed(Approved(RequestType.Objection, ObjectionScope.DirectMarketing) with { Holdings = null })));
    }

    [Fact]
    public void A_rectification_whose_tasks_were_all_refused_names_nobody_and_one_done_in_one_store_names_that_stores_recipients()
    {
        var planned = Approved(RequestType.Rectification);
        planned = planned.OpenTasks(planned.PlanTasks([("be/crm", 2), ("nl/crm", 1)]), Received.AddHours(1)).Changed!;
        var refused = planned.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Klopt.", "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.Refused, "Klopt.", "Els", Received.AddHours(2)).Changed!;
        var oneDone = planned.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.Refused, "Klopt.", "Els", Received.AddHours(2)).Changed!;

        Assert.Null(Keys(Failed(refused)));
        Assert.Equal(RecipientsOf("be/crm"), Keys(Failed(oneDone)));
        // Still open when it failed: whom staff may have to tell for every store that held her, but not one whose
        // correction was already refused here.
        Assert.Equal(RecipientsOf("be/crm", "nl/crm"), Keys(Failed(planned)));
        var oneRefused = planned.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Klopt.", "Els", Received.AddHours(2)).Changed!;
        Assert.Equal(RecipientsOf("nl/crm"), Keys(Failed(oneRefused)));
    }

    [Fact]
    public void An_erasure_names_the_recipients_of_the_stores_that_held_the_person_skipping_a_store_the_map_lost()
    {
        var erasure = Approved(RequestType.Erasure);
        Assert.Equal(RecipientsOf("be/crm", "nl/crm"), Keys(Failed(erasure)));

        var lost = erasure with { Holdings = new Dictionary<string, int> { ["be/crm"] = 2, ["gone/store"] = 4 } };
        Assert.Equal(RecipientsOf("be/crm"), Keys(Failed(lost)));

        var nowhere = erasure with { Holdings = new Dictionary<string, int> { ["be/crm"] = 0 } };
        Assert.Empty(Keys(Failed(nowhere))!);
    }

    [Fact]
    public void The_sentence_says_which_stores_the_list_covers_the_corrections_made_the_stores_that_held_her_or_every_store()
    {
        var planned = Approved(RequestType.Rectification);
        planned = planned.OpenTasks(planned.PlanTasks([("be/crm", 2), ("nl/crm", 1)]), Received.AddHours(1)).Changed!;
        // Corrected in the Belgian CRM only, every task decided: the list is that store's recipients, and says so, also
        // when the holdings were never counted (the page said "the systems of this request" then).
        var oneDone = Failed(planned.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.Refused, "Klopt.", "Els", Received.AddHours(2)).Changed!);
        foreach (var c in new[] { oneDone, oneDone with { Holdings = null } })
        {
            var recipients = c.RecipientsToTellWhenAnsweredOutside(Map)!;
            Assert.Equal(AnsweredOutsideBasis.CorrectionsMade, recipients.Basis);
            Assert.StartsWith("Recipients of the data in the systems where a correction was recorded as made", recipients.Sentence(Language.En), StringComparison.Ordinal);
            Assert.StartsWith("Ontvangers van de gegevens in de systemen waarin een rectificatie als uitgevoerd werd geregistreerd", recipients.Sentence(Language.Nl), StringComparison.Ordinal);
            Assert.StartsWith("Destinataires des données des systèmes où une rectification a été enregistrée comme effectuée", recipients.Sentence(Language.Fr), StringComparison.Ordinal);
            Assert.NotEmpty(recipients.Recipients);
            Assert.All(recipients.Recipients, r => Assert.Contains(r.Name.In(Language.En), recipients.Sentence(Language.En), StringComparison.Ordinal));
        }

        // Still open when it failed: the stores that held her, said as such.
        var open = Failed(planned).RecipientsToTellWhenAnsweredOutside(Map)!;
        Assert.Equal(AnsweredOutsideBasis.StoresThatHeld, open.Basis);
        Assert.StartsWith("Recipients of the data in the systems where the requester's data were found", open.Sentence(Language.En), StringComparison.Ordinal);

        // An erasure never counted: every store of the request; found nowhere: nobody, and why.
        var erasure = Failed(Approved(RequestType.Erasure));
        Assert.Equal(AnsweredOutsideBasis.StoresOfRequest, (erasure with { Holdings = null }).RecipientsToTellWhenAnsweredOutside(Map)!.Basis);
        var nowhere = (erasure with { Holdings = new Dictionary<string, int> { ["be/crm"] = 0 } }).RecipientsToTellWhenAnsweredOutside(Map)!;
        Assert.Equal(AnsweredOutsideBasis.FoundNowhere, nowhere.Basis);
        Assert.Equal("The requester was found in none of the systems, so no recipient is to be told (Art. 19 GDPR).", nowhere.Sentence(Language.En));
    }
}
