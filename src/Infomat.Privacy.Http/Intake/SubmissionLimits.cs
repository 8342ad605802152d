using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// Per-client and per-address limits on requests (the form, the API and mail to info@), counted in a table shared by
/// every instance (<see cref="ISubmissionCounters"/>, the rule <see cref="SubmissionWindow"/>): a flood from one client,
/// or many requests naming one address, get 429 with Retry-After instead of mails to that address. Counted under keyed
/// hashes; when the counters cannot be reached, a request is let through (decision 63: a request is never lost to a
/// storage fault), with a warning.
/// </summary>
public sealed partial class SubmissionLimits(
    ISubmissionCounters counters, KeyedHash hash, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SubmissionLimits> log)
{
    /// <summary>The limit names (the counters' partitions).</summary>
    public const string Client = "client";

    public const string Address = "address";

    /// <summary>
    /// Both limits of a form post or API call, counted at once (one round trip's wait, not two; issue 21): null when its
    /// client may submit and, when <paramref name="email"/> is given (a valid request), a request for that address may be
    /// accepted; otherwise how long to wait. A request its client is refused is not counted against its address: that
    /// count, taken at the same moment, is taken back. A client refused a moment ago on this instance is checked alone
    /// first until its wait is over, so a flood from one client costs no address counts.
    /// </summary>
    public async Task<TimeSpan?> TryRequestAsync(HttpRequest request, string? email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value.Intake;
        var client = ClientKeys.From(request.Headers["X-Forwarded-For"].ToString(), request.HttpContext.Connection.RemoteIpAddress);
        var clientRule = new SubmissionWindow(o.PerClientLimit, o.PerClientWindow);
        var clientKey = hash.Limit(client);
        var now = time.GetUtcNow();
        if (email is null || (refusedClients.TryGetValue(clientKey, out var until) && until > now))
        {
            var alone = await TryAsync(Client, clientKey, clientRule, now, cancellationToken);
            if (alone.Wait is { } wait)
            {
                RefusedFor(clientKey, now + wait);
                return wait;
            }

            return email is null ? null : (await TryAddressCountedAsync(email, cancellationToken)).Wait;
        }

        var addressRule = new SubmissionWindow(o.PerAddressLimit, o.PerAddressWindow);
        var addressKey = hash.Limit(EmailAddresses.LimitKey(email));
        var clientCounting = TryAsync(Client, clientKey, clientRule, now, cancellationToken);
        var addressCounting = TryAsync(Address, addressKey, addressRule, now, cancellationToken);
        try
        {
            await Task.WhenAll(clientCounting, addressCounting);
        }
        catch (OperationCanceledException)
        {
            // The caller went away: nothing is recorded, so an address count taken meanwhile is taken back.
            if (addressCounting.IsCompletedSuccessfully && addressCounting.Result.Counted)
            {
                await counters.UncountAsync(Address, addressKey, addressRule, now);
            }

            throw;
        }

        var (clientWait, _) = await clientCounting;
        var (addressWait, addressCounted) = await addressCounting;
        if (clientWait is { } refused)
        {
            RefusedFor(clientKey, now + refused);
            if (addressCounted)
            {
                await counters.UncountAsync(Address, addressKey, addressRule, now);
            }

            return refused;
        }

        return addressWait;
    }

    /// <summary>Null when a request for <paramref name="email"/> (plus-tags counted as the address) may be accepted; otherwise how long to wait. Counts it.</summary>
    public async Task<TimeSpan?> TryAddressAsync(string email, CancellationToken cancellationToken) =>
        (await TryAddressCountedAsync(email, cancellationToken)).Wait;

    /// <summary>
    /// As <see cref="TryAddressAsync"/>, with the moment of the count when one was taken, so a request that turns out not
    /// to be new (another handling of the same mail wrote its case meanwhile) can be taken back (<see cref="UncountAddressAsync"/>).
    /// </summary>
    public async Task<(TimeSpan? Wait, DateTimeOffset? CountedAt)> CountAddressAsync(string email, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (wait, counted) = await TryAddressCountedAsync(email, cancellationToken, now);
        return (wait, counted ? now : null);
    }

    /// <summary>Takes back the count <see cref="CountAddressAsync"/> took at <paramref name="countedAt"/> for <paramref name="email"/>.</summary>
    public Task UncountAddressAsync(string email, DateTimeOffset countedAt)
    {
        var o = options.Value.Intake;
        return counters.UncountAsync(Address, hash.Limit(EmailAddresses.LimitKey(email)), new SubmissionWindow(o.PerAddressLimit, o.PerAddressWindow), countedAt);
    }

    /// <summary>How long a request waits for the counters (the storage client's own retries included) before it is let through.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    /// <summary>Clients refused at most remembered (past it, all are forgotten: each is then checked with its address again).</summary>
    private const int MaxRefusedClients = 10_000;

    /// <summary>Clients this instance refused, until their wait is over (keyed hashes).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> refusedClients = new(StringComparer.Ordinal);

    private void RefusedFor(string clientKey, DateTimeOffset until)
    {
        if (refusedClients.Count >= MaxRefusedClients)
        {
            // Those whose wait is over first; all only when every one still waits (each is then checked with its
            // address again, which costs a count and its take-back, no more).
            var now = time.GetUtcNow();
            foreach (var over in refusedClients.Where(r => r.Value <= now).ToList())
            {
                refusedClients.TryRemove(over);
            }

            if (refusedClients.Count >= MaxRefusedClients)
            {
                refusedClients.Clear();
            }
        }

        refusedClients[clientKey] = until;
    }

    private Task<(TimeSpan? Wait, bool Counted)> TryAddressCountedAsync(string email, CancellationToken cancellationToken, DateTimeOffset? at = null)
    {
        var o = options.Value.Intake;
        return TryAsync(Address, hash.Limit(EmailAddresses.LimitKey(email)), new SubmissionWindow(o.PerAddressLimit, o.PerAddressWindow), at ?? time.GetUtcNow(), cancellationToken);
    }

    /// <summary>Counts under the hashed <paramref name="hashedKey"/>: the wait when refused, and whether a count was taken (not when let through).</summary>
    private async Task<(TimeSpan? Wait, bool Counted)> TryAsync(string limit, string hashedKey, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A table that does not answer holds nobody's request for long: past the wait, the request goes through.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(MaxWait);
        try
        {
            var wait = await counters.TryCountAsync(limit, hashedKey, rule, now, bounded.Token);
            return (wait, wait is null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LetThrough(log, limit, ex.GetType().Name);
            return (null, false);
        }
    }

    [LoggerMessage(25, LogLevel.Warning, "The {Limit} limit could not be checked ({Error}): the request is let through uncounted")]
    private static partial void LetThrough(ILogger logger, string limit, string error);
}
