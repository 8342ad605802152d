using Microsoft.Extensions.Options;

namespace Infomat.LocalHost.Faults;

/// <summary>The seeded dice every fault asks, and the count of what each injected (no personal data: counts).</summary>
internal sealed class FaultDice(IOptions<FaultOptions> options, TimeProvider time)
{
    private readonly Random random = new(options.Value.Seed);
    private readonly Lock gate = new();
    private int storage;
    private int mailRefused;
    private int mailTimedOut;
    private int storeDown;

    public FaultOptions Options { get; } = options.Value;

    /// <summary>True (and counted) when a fault of this share should happen now.</summary>
    public bool Roll(double rate)
    {
        if (rate <= 0 || (Options.Until is { } until && time.GetUtcNow() >= until))
        {
            return false;
        }

        lock (gate)
        {
            return random.NextDouble() < rate;
        }
    }

    public bool StoreIsDown(string storeKey)
    {
        var now = time.GetUtcNow();
        return string.Equals(storeKey, Options.StoreDown, StringComparison.Ordinal)
            && Options.StoreDownFrom is { } from && now >= from
            && Options.StoreDownUntil is { } until && now < until;
    }

    public void StorageFailed() => Interlocked.Increment(ref storage);

    public void MailRefused() => Interlocked.Increment(ref mailRefused);

    public void MailTimedOut() => Interlocked.Increment(ref mailTimedOut);

    public void StoreRefused() => Interlocked.Increment(ref storeDown);

    public FaultCounts Counts => new(Volatile.Read(ref storage), Volatile.Read(ref mailRefused), Volatile.Read(ref mailTimedOut), Volatile.Read(ref storeDown));
}

/// <summary>What the faults injected since the host started.</summary>
internal sealed record FaultCounts(int Storage503, int Mail503, int MailTimeouts, int StoreDownRefusals);
