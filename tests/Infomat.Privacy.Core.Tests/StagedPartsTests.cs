using System.Collections.Concurrent;
using System.Text.Json.Nodes;

using Infomat.Privacy.Export;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 21 item 2: an export reads each staged part several times (summary, JSON, CSV, files). For a case over 20
/// stores that was some 80 storage reads one after the other; the small parts are now read once each, all at once,
/// and the passes read memory. Large parts still stream, so a big export's memory stays flat.
/// </summary>
public sealed class StagedPartsTests
{
    private static StoreRecord Row(string store, int i) => new("contacts", new JsonObject { ["id"] = i, ["store"] = store });

    [Fact]
    public async Task Small_parts_are_read_once_each_and_all_at_once_and_a_part_over_the_budget_still_streams()
    {
        var small = Enumerable.Range(0, 20).Select(i => ($"crm{i:D2}", 3)).ToList();
        var big = ("big", StagedParts.MaxRecordsInMemory + 1);
        var reads = new ConcurrentDictionary<string, int>();
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async IAsyncEnumerable<StoreRecord> Read(string key)
        {
            reads.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (key != "big" && Interlocked.Increment(ref started) == small.Count)
            {
                allStarted.SetResult();
            }

            if (key != "big")
            {
                // Each small part waits until every small part's read has started: read one after the other, this times out.
                await allStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }

            var count = key == "big" ? big.Item2 : 3;
            for (var i = 0; i < count; i++)
            {
                yield return Row(key, i);
            }
        }

        var read = await StagedParts.PrefetchAsync([.. small, big], Read, CancellationToken.None);
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var (key, count) in small.Append(big))
            {
                var records = await read(key).ToListAsync();
                Assert.Equal(count, records.Count);
                Assert.All(records, r => Assert.Equal(key, (string?)r.Fields["store"]));
            }
        }

        Assert.All(small, p => Assert.Equal(1, reads[p.Item1]));
        Assert.Equal(3, reads["big"]);
    }

    [Fact]
    public async Task A_pass_that_changes_a_record_does_not_change_what_the_next_pass_reads()
    {
        static async IAsyncEnumerable<StoreRecord> Read(string key)
        {
            await Task.Yield();
            yield return new StoreRecord("contacts", new JsonObject { ["notes"] = "original" });
        }

        var read = await StagedParts.PrefetchAsync([("crm", 1)], Read, CancellationToken.None);
        await foreach (var record in read("crm"))
        {
            // The review replaces withheld values with a marker as the records pass (FreeTextReview.WithholdAsync).
            record.Fields["notes"] = "[withheld]";
        }

        Assert.Equal("original", (string?)(await read("crm").SingleAsync()).Fields["notes"]);
    }
}
