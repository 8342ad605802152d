using System.Globalization;

using Azure;
using Azure.Data.Tables;

using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The submission counters in one Azure Table shared by every instance (<c>Privacy:Intake:LimitTable</c>): one row per
/// limit, key and fixed window (partition = the limit's name, row = the keyed hash of the key and the window's start),
/// holding the count and until when it matters. A count is raised with the row's ETag (optimistic concurrency), so two
/// instances counting at once both count: the loser of a race reads again and decides again.
/// </summary>
public sealed class TableSubmissionCounters(StorageClients clients, IOptions<PrivacyOptions> options) : ISubmissionCounters
{
    /// <summary>How often a count is tried again after another instance changed the row first.</summary>
    private const int MaxAttempts = 20;

    private readonly TableClient table = clients.Tables.GetTableClient(options.Value.Intake.LimitTable);
    private readonly SetUpOnce ready = new(() => clients.Tables.GetTableClient(options.Value.Intake.LimitTable).CreateIfNotExistsAsync());

    public async Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        await ready.EnsureAsync();
        var start = rule.Start(now);
        var currentRow = Row(key, start);
        for (var attempt = 1; ; attempt++)
        {
            // The two windows' rows are read at once (independent reads: one round trip's wait, not two).
            var previousRead = table.GetEntityIfExistsAsync<TableEntity>(limit, Row(key, start - rule.Window), [Count], cancellationToken);
            var currentRead = table.GetEntityIfExistsAsync<TableEntity>(limit, currentRow, cancellationToken: cancellationToken);
            var previous = await previousRead;
            var current = await currentRead;
            var counted = current.HasValue ? current.Value!.GetInt32(Count) ?? 0 : 0;
            if (rule.Refusal(previous.HasValue ? previous.Value!.GetInt32(Count) ?? 0 : 0, counted, now) is { } wait)
            {
                return wait;
            }

            try
            {
                if (current.HasValue)
                {
                    var row = current.Value!;
                    row[Count] = counted + 1;
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.AddEntityAsync(new TableEntity(limit, currentRow) { [Count] = 1, [Ends] = rule.Ends(start) }, cancellationToken);
                }

                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another instance wrote the row first: read its count and decide again.
            }
        }
    }

    public async Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ready.EnsureAsync();
        var deleted = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Ends lt {now}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            deleted += response.Status == 404 ? 0 : 1;
        }

        return deleted;
    }

    private const string Count = "Count";
    private const string Ends = "Ends";

    private static string Row(string key, DateTimeOffset windowStart) =>
        key + "-" + windowStart.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
