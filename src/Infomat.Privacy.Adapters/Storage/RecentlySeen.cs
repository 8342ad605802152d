using System.Collections.Concurrent;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// What this instance wrote or read a moment ago, by id, so its next write can skip a read (decision 88): kept for a
/// fixed time and bounded. An entry is gone once its time is over (when asked for, and at the next write after that
/// time), or with all others when the memory is full; a quiet instance keeps nothing much longer than its time.
/// </summary>
public sealed class RecentlySeen<T>(TimeSpan keepFor, int max, TimeProvider? time = null)
    where T : class
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (T Value, long At)> entries = new(StringComparer.Ordinal);
    private long lastSweep = (time ?? TimeProvider.System).GetTimestamp();

    /// <summary>How many entries are held (their time over or not).</summary>
    public int Count => entries.Count;

    /// <summary>The value kept for <paramref name="id"/> while its time lasts, else null.</summary>
    public T? Get(string id)
    {
        if (!entries.TryGetValue(id, out var entry))
        {
            return null;
        }

        if (clock.GetElapsedTime(entry.At) <= keepFor)
        {
            return entry.Value;
        }

        entries.TryRemove(new KeyValuePair<string, (T, long)>(id, entry));
        return null;
    }

    public void Set(string id, T value)
    {
        if (entries.Count >= max || clock.GetElapsedTime(Interlocked.Read(ref lastSweep)) > keepFor)
        {
            Interlocked.Exchange(ref lastSweep, clock.GetTimestamp());
            foreach (var old in entries.Where(e => clock.GetElapsedTime(e.Value.At) > keepFor).ToList())
            {
                entries.TryRemove(old);
            }

            if (entries.Count >= max)
            {
                entries.Clear();
            }
        }

        entries[id] = (value, clock.GetTimestamp());
    }

    public void Forget(string id) => entries.TryRemove(id, out _);
}
