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

    private static IEnumerable<string>? Keys(PrivacyCase c) => c.RecipientsToTellWhenAnsweredOutside(Map)?.Select(r => r.Key);

    private static IEnumerable<string> RecipientsOf(params string[] stores) =>
        Map.RecipientsToInform(stores.SelectMany(s => Map.Store(s).Tables)).Select(r => r.Key);

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
        // Still open when it failed: whom staff may have to tell for every store that held her.
        Assert.Equal(RecipientsOf("be/crm", "nl/crm"), Keys(Failed(planned)));
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
}
