using Infomat.Privacy.Adapters.Storage;

using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The register's and the audit trail's short memory (decision 88) holds cases with personal data: nothing stays in it
/// past its time, on a busy instance or a quiet one, and it never grows past its bound.
/// </summary>
public sealed class RecentlySeenTests
{
    private readonly FakeTimeProvider time = new();

    [Fact]
    public void An_entry_is_given_while_its_time_lasts_and_gone_after()
    {
        var recent = new RecentlySeen<string>(TimeSpan.FromSeconds(30), 100, time);
        recent.Set("PR-1", "case one");

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("case one", recent.Get("PR-1"));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(recent.Get("PR-1"));
        Assert.Equal(0, recent.Count);
    }

    [Fact]
    public void Entries_nobody_asks_for_again_leave_at_the_next_write_after_their_time()
    {
        var recent = new RecentlySeen<string>(TimeSpan.FromSeconds(30), 100, time);
        for (var i = 0; i < 50; i++)
        {
            recent.Set($"PR-{i}", "a case");
        }

        time.Advance(TimeSpan.FromSeconds(31));
        recent.Set("PR-new", "another case");

        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public void It_never_holds_more_than_its_bound()
    {
        var recent = new RecentlySeen<string>(TimeSpan.FromMinutes(5), 10, time);
        for (var i = 0; i < 25; i++)
        {
            recent.Set($"PR-{i}", "a case");
            Assert.InRange(recent.Count, 1, 10);
        }

        Assert.Equal("a case", recent.Get("PR-24"));
    }
}
