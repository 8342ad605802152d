using System.Data.Common;
using System.Globalization;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using static Infomat.Privacy.Adapters.Stores.SqlCommands;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>
/// A store's suppression list (the map's <c>SuppressionTable</c>): the keyed hashes of addresses that withdrew consent
/// or objected to direct marketing, never the addresses themselves. A store that keeps none suppresses nothing.
/// </summary>
internal sealed class SuppressionList(StoreMap map, SqlDialect dialect, KeyedHash hashes)
{
    /// <summary>Whether the address is on this store's suppression list (false when the store keeps none).</summary>
    public async Task<bool> ContainsAsync(string email, CancellationToken cancellationToken)
    {
        if (map.SuppressionTable is not { } suppression)
        {
            return false;
        }

        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT count(*) FROM {dialect.Table(map, suppression)} WHERE address_hash = @hash");
        // A keyed hash is fixed-length text: any input, however odd, is safe to look up.
        AddParameter(command, "hash", hashes.Suppression(EmailAddresses.Normalise(email)));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Adds the (normalised) address, in the action's transaction, unless it is there already. Returns whether the
    /// store keeps a suppression list at all.
    /// </summary>
    public async Task<bool> AddAsync(DbConnection connection, DbTransaction transaction, string email, DateTimeOffset now, CancellationToken ct)
    {
        if (map.SuppressionTable is not { } suppression)
        {
            return false;
        }

        var table = dialect.Table(map, suppression);
        await using var command = Command(connection, transaction,
            $"INSERT INTO {table} (address_hash, added_at) SELECT @hash, @at WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE address_hash = @hash)");
        AddParameter(command, "hash", hashes.Suppression(email));
        AddParameter(command, "at", dialect.DbValue(now));
        await command.ExecuteNonQueryAsync(ct);
        return true;
    }

    /// <summary>
    /// The sign-up path of the demo newsletter (<c>newsletter_subscriptions</c>): refuses, in the same transaction,
    /// an address whose keyed hash is on the store's suppression list. Returns whether the address was added.
    /// </summary>
    public async Task<bool> SubscribeAsync(string email, string list, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var suppression = map.SuppressionTable ?? throw new InvalidOperationException($"Store {map.Key} keeps no suppression list, so it takes no newsletter sign-ups.");
        var normalised = EmailAddresses.Normalise(email);
        if (!EmailAddresses.CanMatch(normalised))
        {
            return false;
        }

        await using var connection = dialect.Connect(map);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = Command(connection, transaction,
            $"INSERT INTO {dialect.Table(map, "newsletter_subscriptions")} (email, email_normalized, list, subscribed_at) " +
            $"SELECT @email, @normalised, @list, @at WHERE NOT EXISTS (SELECT 1 FROM {dialect.Table(map, suppression)} WHERE address_hash = @hash)");
        AddParameter(command, "email", email.Trim());
        AddParameter(command, "normalised", normalised);
        AddParameter(command, "list", list);
        AddParameter(command, "at", dialect.DbValue(now));
        AddParameter(command, "hash", hashes.Suppression(normalised));
        var added = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return added == 1;
    }
}
