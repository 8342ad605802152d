using System.Diagnostics;

using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 21 item 3: during a spike the case list waited on storage with everything else (16.5 s in the spike benchmark).
/// It now waits <c>Privacy:Staff:ListPatience</c> (half a second by default, 1 s here) and then shows the copy it last read, saying how old it is;
/// the read carries on, and the next list has it. The CSV, for reporting, always waits (decision 80).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CaseListPatienceTests(Azurite azurite)
{
    [Fact]
    public async Task With_storage_slow_the_list_answers_within_its_patience_from_its_last_copy_and_says_how_old_it_is()
    {
        await using var host = new InProcessHost(azurite) { Settings = new() { ["Privacy:Staff:ListPatience"] = "00:00:01" } };
        await host.StartAsync();
        using var flows = new Flows(host);
        var first = await flows.SubmitAsync();
        // (Looked up by reference, as staff do: the list is paged, and other tests' cases share this register.)
        Assert.Contains($"<a href=\"/cases/{first}\">", await flows.Http.GetStringAsync($"/cases?q={first}"), StringComparison.Ordinal);
        var slowNotice = Texts.Format("CasesListOld", Language.Nl, 0).Split(':')[0];

        // Storage answers the list's query 4 s late (a spike's load); a new request comes in meanwhile.
        host.TableFaults.DelayWhen(r => r.Method == Azure.Core.RequestMethod.Get && r.Uri.Path.Contains("/PrivacyCases()", StringComparison.Ordinal)
            && Uri.UnescapeDataString(r.Uri.Query).Contains("Timestamp ge", StringComparison.Ordinal), TimeSpan.FromSeconds(4));
        var second = await flows.SubmitAsync();
        var clock = Stopwatch.StartNew();
        using var slow = await flows.Http.GetAsync($"/cases?q={second}");
        var page = await slow.Content.ReadAsStringAsync();
        clock.Stop();

        // Well under the 4 s storage takes: the list did not wait for it (2.5 s was missed by 0.18 s once in CI, with the
        // other assemblies' tests on the same two cores; the list's own wait is checked to the millisecond below).
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
        // The answer says where its time went: the list's wait was its patience, and what it showed was the copy.
        var timing = ServerTimingHeader.Of(slow);
        Assert.Equal("copy", timing["list"].Description);
        Assert.InRange(timing["list"].Ms, 950, 2500);
        // The steps follow one another inside what the client waited (the collector's pauses may fall in any of them).
        Assert.InRange(timing["auth"].Ms + timing["page"].Ms, 0, clock.Elapsed.TotalMilliseconds - timing["list"].Ms);
        Assert.InRange(timing["gc"].Ms, 0, clock.Elapsed.TotalMilliseconds);
        // The starvation count only where the host counts it (the local host process; this host is built in the test).
        Assert.Matches(@"^[0-9]+ threads / [0-9]+ queued( / [0-9]+ starved( \(last [0-9]+ ms ago\))?)?$", timing["pool"].Description);
        Assert.Contains(slowNotice, page, StringComparison.Ordinal);
        Assert.DoesNotContain($"<a href=\"/cases/{second}\">", page, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/cases/{first}\">", await flows.Http.GetStringAsync($"/cases?q={first}"), StringComparison.Ordinal);

        // The CSV waits for the table: the new request is in it.
        Assert.Contains(second, await flows.Http.GetStringAsync("/cases.csv"), StringComparison.Ordinal);

        // Storage answers again: the list is read now, with no notice.
        host.TableFaults.Heal();
        using var fresh = await flows.Http.GetAsync($"/cases?q={second}");
        var now = await fresh.Content.ReadAsStringAsync();
        Assert.DoesNotContain(slowNotice, now, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/cases/{second}\">", now, StringComparison.Ordinal);
        Assert.Equal("table", ServerTimingHeader.Of(fresh)["list"].Description);
    }

}
