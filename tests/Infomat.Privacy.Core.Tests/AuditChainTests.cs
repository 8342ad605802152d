using System.Security.Cryptography;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

public sealed class AuditChainTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly AuditChain chain = new(Key);

    private List<AuditEvent> Events(int count)
    {
        var events = new List<AuditEvent>();
        var at = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            events.Add(chain.Next(new AuditEntry("PR-TEST", "k" + i, "step-" + i, AuditEvent.System, "ok " + i, "subjecthash"), events.LastOrDefault(), at.AddMinutes(i)));
        }

        return events;
    }

    [Fact]
    public void An_untouched_chain_verifies()
    {
        var result = chain.Verify("PR-TEST", Events(5));

        Assert.True(result.Intact);
        Assert.Equal("intact: 5 events", result.ToString());
    }

    /// <summary>Issue 18 item 13: deleting the last events left a chain that verified ("intact: 3 events").</summary>
    [Fact]
    public void A_removed_tail_is_found_through_the_head_kept_outside_the_table()
    {
        var events = Events(5);
        var heads = events.Select(e => new AuditHead(e.Sequence, e.Hash)).ToList();

        Assert.True(chain.Verify("PR-TEST", events, heads: heads).Intact);

        var truncated = chain.Verify("PR-TEST", events.Take(3).ToList(), heads: heads);
        Assert.False(truncated.Intact);
        Assert.Equal(4, truncated.FirstBrokenSequence);
        Assert.Contains("missing", truncated.Problem, StringComparison.Ordinal);

        // The last event deleted and another appended in its place: its hash is not the one the head recorded.
        var swapped = events.Take(4).ToList();
        swapped.Add(chain.Next(new AuditEntry("PR-TEST", "other", "step-x", AuditEvent.System, "ok"), swapped[^1], events[^1].At));
        Assert.False(chain.Verify("PR-TEST", swapped, heads: heads).Intact);

        // A head that lags one event behind (a crash between the two writes) is no break.
        Assert.True(chain.Verify("PR-TEST", events, heads: heads.Take(4).ToList()).Intact);
    }

    [Fact]
    public void An_edited_event_is_named_as_the_first_broken_link()
    {
        var events = Events(5);
        events[2] = events[2] with { Outcome = "reject" };

        var result = chain.Verify("PR-TEST", events);

        Assert.False(result.Intact);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_event_breaks_the_numbering_where_it_was()
    {
        var events = Events(5);
        events.RemoveAt(1);

        var result = chain.Verify("PR-TEST", events);

        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_rechained_without_the_key_is_caught()
    {
        var events = Events(3);
        var forger = new AuditChain(RandomNumberGenerator.GetBytes(32));
        // Someone with write access to the table but not the key edits event 2 and recomputes every hash after it.
        var forged = new List<AuditEvent> { events[0] };
        forged.Add(forger.Next(new AuditEntry("PR-TEST", "k1", "step-1", "mallory", "approve"), null, events[1].At) with { Sequence = 2, PreviousHash = events[0].Hash });
        forged.Add(events[2] with { PreviousHash = forged[1].Hash });

        var result = chain.Verify("PR-TEST", forged);

        Assert.Equal(2, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_case_is_audited_by_steps_with_no_personal_data()
    {
        var request = new ValidRequest(RequestType.Erasure, "An.Peeters@Example.be", "An Peeters", "Peeters BV", ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl,
            "Please erase me, I live at Kerkstraat 1", null);
        var received = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        var c = PrivacyCase.Received(request, Channel.Form, received, TestDataMaps.Real) with
        {
            VerificationMailSentAt = received.AddMinutes(1),
            EmailVerifiedAt = received.AddMinutes(5),
            Approvals = [new IdentityApproval(1, "staff.one@infomat.eu", received.AddHours(1), "link")],
        };
        var hash = new KeyedHash(Key);

        var entries = CaseAudit.Entries(c, hash);

        Assert.Equal(["received", "verification-sent", "email-verified", "approval.1"], entries.Select(e => e.Key));
        Assert.Equal("type=erasure entity=both channel=form due=2026-12-28", entries[0].Outcome);
        Assert.Equal("staff.one@infomat.eu", entries[3].Actor);
        Assert.All(entries, e => Assert.Equal(hash.Subject("an.peeters@example.be"), e.Subject));
        var text = string.Join("\n", entries.Select(e => string.Join("|", e.Action, e.Actor, e.Outcome, e.Subject)));
        Assert.DoesNotContain("peeters", text.Replace("staff.one", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Kerkstraat", text, StringComparison.Ordinal);
    }
}
