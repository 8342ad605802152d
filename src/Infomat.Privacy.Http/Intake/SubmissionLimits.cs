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

    /// <summary>Null when the client of <paramref name="request"/> may submit; otherwise how long to wait. Counts the submission.</summary>
    public Task<TimeSpan?> TryClientAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value.Intake;
        var client = ClientKeys.From(request.Headers["X-Forwarded-For"].ToString(), request.HttpContext.Connection.RemoteIpAddress);
        return TryAsync(Client, client, new SubmissionWindow(o.PerClientLimit, o.PerClientWindow), cancellationToken);
    }

    /// <summary>Null when a request for <paramref name="email"/> (plus-tags counted as the address) may be accepted; otherwise how long to wait. Counts it.</summary>
    public Task<TimeSpan?> TryAddressAsync(string email, CancellationToken cancellationToken)
    {
        var o = options.Value.Intake;
        return TryAsync(Address, EmailAddresses.LimitKey(email), new SubmissionWindow(o.PerAddressLimit, o.PerAddressWindow), cancellationToken);
    }

    /// <summary>How long a request waits for the counters (the storage client's own retries included) before it is let through.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private async Task<TimeSpan?> TryAsync(string limit, string key, SubmissionWindow rule, CancellationToken cancellationToken)
    {
        // A table that does not answer holds nobody's request for long: past the wait, the request goes through.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(MaxWait);
        try
        {
            return await counters.TryCountAsync(limit, hash.Limit(key), rule, time.GetUtcNow(), bounded.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LetThrough(log, limit, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(25, LogLevel.Warning, "The {Limit} limit could not be checked ({Error}): the request is let through uncounted")]
    private static partial void LetThrough(ILogger logger, string limit, string error);
}
