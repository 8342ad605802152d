using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The submission counters in memory (one "table" for every intake built on it), with the rule of the real ones.</summary>
internal sealed class InMemorySubmissionCounters : ISubmissionCounters
{
    private readonly Dictionary<(string Limit, string Key, DateTimeOffset Start), int> counts = [];
    private readonly Lock gate = new();

    public Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (gate)
        {
            var start = rule.Start(now);
            var previous = counts.GetValueOrDefault((limit, key, start - rule.Window));
            var current = counts.GetValueOrDefault((limit, key, start));
            if (rule.Refusal(previous, current, now) is { } wait)
            {
                return Task.FromResult<TimeSpan?>(wait);
            }

            counts[(limit, key, start)] = current + 1;
            return Task.FromResult<TimeSpan?>(null);
        }
    }

    public Task UncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedAt)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (gate)
        {
            var at = (limit, key, rule.Start(countedAt));
            if (counts.GetValueOrDefault(at) > 0)
            {
                counts[at]--;
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);
}
