using System.Text.Json;
using System.Text.Json.Serialization;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Single-use links: a use is spent together with the step it takes, never on its own.</summary>
public sealed class CaseLinkUseTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static PrivacyCase NewCase() =>
        PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null, null), Channel.Form, Received, TestDataMaps.Real);

    [Fact]
    public void A_link_takes_its_step_once_and_the_use_is_spent_with_the_step()
    {
        var first = NewCase().ThroughLink("t1", x => x.Verify(Received.AddMinutes(5)));

        Assert.Null(first.Refusal);
        Assert.NotNull(first.Changed!.EmailVerifiedAt);
        Assert.True(first.Changed.LinkUsed("t1"));
        Assert.Equal(CaseRefusal.LinkUsed, first.Changed.ThroughLink("t1", x => x.Acknowledge(Received)).Refusal);
    }

    [Fact]
    public void A_refused_step_spends_nothing_so_the_link_still_works_for_a_step_that_may_be_taken()
    {
        var verified = NewCase().ThroughLink("t1", x => x.Verify(Received.AddMinutes(5))).Changed!;

        var refused = verified.ThroughLink("t2", x => x.Verify(Received.AddMinutes(9)));

        Assert.Equal(CaseRefusal.AlreadyVerified, refused.Refusal);
        Assert.False(verified.LinkUsed("t2"));
        Assert.Null(verified.ThroughLink("t2", x => x.Acknowledge(Received.AddMinutes(9))).Refusal);
    }

    [Fact]
    public void A_case_stored_before_link_uses_were_recorded_reads_with_none_spent()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        var row = JsonSerializer.SerializeToNode(NewCase(), options)!.AsObject();
        Assert.True(row.Remove("linkUses"));

        var old = row.Deserialize<PrivacyCase>(options)!;

        Assert.Empty(old.LinkUses);
        Assert.Null(old.ThroughLink("t1", x => x.Verify(Received.AddMinutes(5))).Refusal);
    }
}
