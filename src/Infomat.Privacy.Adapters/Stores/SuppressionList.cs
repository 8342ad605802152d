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
        return await ContainsAsync(connection, null, suppression, email, cancellationToken);
    }

    /// <summary>Whether the address is on the list, read in the action's transaction (an erasure's report names what is left).</summary>
    public Task<bool> ContainsAsync(DbConnection connection, DbTransaction transaction, string email, CancellationToken cancellationToken) =>
        map.SuppressionTable is { } suppression ? ContainsAsync(connection, transaction, suppression, email, cancellationToken) : Task.FromResult(false);

    private async Task<bool> ContainsAsync(DbConnection connection, DbTransaction? transaction, string suppression, string email, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT count(*) FROM {dialect.Table(map, suppression)} WHERE address_hash = @hash");
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
    /// The recipients of the store's mailings (<see cref="SqlEntityStore.MailingRecipientsAsync"/>): per table with a
    /// marketing opt-out, the rows not marked opted out and not restricted, whose addresses (every address column,
    /// normalised) are not on the suppression list; distinct normalised addresses, in order.
    /// </summary>
    public async Task<IReadOnlyList<string>> MailingRecipientsAsync(CancellationToken cancellationToken)
    {
        var suppressed = new HashSet<string>(StringComparer.Ordinal);
        var recipients = new SortedSet<string>(StringComparer.Ordinal);
        await using var connection = dialect.Connect(map, readOnlyAccess: true);
        await connection.OpenAsync(cancellationToken);
        if (map.SuppressionTable is { } suppression)
        {
            await using var list = Command(connection, null, $"SELECT address_hash FROM {dialect.Table(map, suppression)}");
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                suppressed.Add(reader.GetString(0));
            }
        }

        foreach (var table in map.Tables.Where(t => t.MarketingOptOut is not null))
        {
            // Not opted out: each column the opt-out sets does not hold the value it sets ("now": still empty).
            var notOptedOut = table.MarketingOptOut!.Set.Select((kv, i) => kv.Value switch
            {
                "now" => $"{SqlDialect.Quote(kv.Key)} IS NULL",
                "null" => $"{SqlDialect.Quote(kv.Key)} IS NOT NULL",
                _ => $"({SqlDialect.Quote(kv.Key)} IS NULL OR {SqlDialect.Quote(kv.Key)} <> @o{i})",
            });
            await using var command = Command(connection, null,
                $"SELECT {string.Join(", ", table.EmailColumns.Select(SqlDialect.Quote))} FROM {dialect.Table(map, table.Table)} " +
                $"WHERE {string.Join(" AND ", notOptedOut)} AND {SqlDialect.Quote(table.RestrictedColumn)} <> @restricted");
            foreach (var (kv, i) in table.MarketingOptOut.Set.Select((kv, i) => (kv, i)).Where(x => x.kv.Value is "true" or "false"))
            {
                AddParameter(command, "o" + i, dialect.DbValue(kv.Value == "true"));
            }

            AddParameter(command, "restricted", dialect.DbValue(true));
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                var addresses = Enumerable.Range(0, rows.FieldCount).Where(i => !rows.IsDBNull(i))
                    .Select(i => EmailAddresses.Normalise(rows.GetString(i))).Where(EmailAddresses.CanMatch).Distinct(StringComparer.Ordinal).ToList();
                if (addresses.Count > 0 && !addresses.Any(a => suppressed.Contains(hashes.Suppression(a))))
                {
                    recipients.Add(addresses[0]);
                }
            }
        }

        return [.. recipients];
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
