using System.Data.Common;

using Infomat.Privacy.Stores;

namespace Infomat.LocalHost.Faults;

/// <summary>The entity stores, one of which is unreachable during the configured window (every call fails as a lost database would).</summary>
internal sealed class FaultyStoreCatalog(IEntityStoreCatalog inner, FaultDice dice) : IEntityStoreCatalog
{
    public IEntityStore Find(string storeKey)
    {
        var store = inner.Find(storeKey);
        return storeKey == dice.Options.StoreDown ? new SometimesDown(store, dice) : store;
    }

    private sealed class SometimesDown(IEntityStore inner, FaultDice dice) : IEntityStore
    {
        public string Key => inner.Key;

        public IAsyncEnumerable<StoreRecord> CollectAsync(string email, CollectScope scope, CancellationToken cancellationToken)
        {
            Check();
            return inner.CollectAsync(email, scope, cancellationToken);
        }

        public Task<IReadOnlyDictionary<string, int>> CountAsync(string email, CancellationToken cancellationToken)
        {
            Check();
            return inner.CountAsync(email, cancellationToken);
        }

        public Task<StoreOutcome> ApplyAsync(StoreActionRequest request, CancellationToken cancellationToken)
        {
            Check();
            return inner.ApplyAsync(request, cancellationToken);
        }

        public Task<StoreFile> OpenFileAsync(string table, string fileName, string email, CancellationToken cancellationToken)
        {
            Check();
            return inner.OpenFileAsync(table, fileName, email, cancellationToken);
        }

        public Task<bool> IsSuppressedAsync(string email, CancellationToken cancellationToken)
        {
            Check();
            return inner.IsSuppressedAsync(email, cancellationToken);
        }

        private void Check()
        {
            if (dice.StoreIsDown(inner.Key))
            {
                dice.StoreRefused();
                throw new StoreUnreachableException($"Store {inner.Key} cannot be reached (injected fault).");
            }
        }
    }
}

/// <summary>A database that does not answer.</summary>
internal sealed class StoreUnreachableException(string message) : DbException(message);
