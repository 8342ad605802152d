namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// One at a time per key within this process (an async lock per key, dropped when nobody holds or waits for it).
/// </summary>
internal sealed class KeyedTurns
{
    private readonly Dictionary<string, Gate> gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the key's turn; disposing the result ends it.</summary>
    public async Task<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (gates)
        {
            if (!gates.TryGetValue(key, out gate!))
            {
                gate = new Gate();
                gates[key] = gate;
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, gate);
            throw;
        }

        return new Turn(this, key, gate);
    }

    private void Leave(string key, Gate gate)
    {
        lock (gates)
        {
            if (--gate.Users == 0)
            {
                gates.Remove(key);
                gate.Semaphore.Dispose();
            }
        }
    }

    private sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Turn(KeyedTurns owner, string key, Gate gate) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                gate.Semaphore.Release();
                owner.Leave(key, gate);
            }
        }
    }
}
