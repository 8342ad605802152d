using System.Threading.RateLimiting;

using Infomat.Privacy.Configuration;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// Per-client and per-address limits on form and API submissions (sliding windows, in memory per instance): a flood
/// from one client, or many requests naming one address, get 429 with Retry-After instead of mails to that address.
/// </summary>
public sealed class SubmissionLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> perClient;
    private readonly PartitionedRateLimiter<string> perAddress;

    public SubmissionLimits(IOptions<PrivacyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value.Intake;
        perClient = Limiter(o.PerClientLimit, o.PerClientWindow);
        perAddress = Limiter(o.PerAddressLimit, o.PerAddressWindow);
    }

    /// <summary>Null when the client may submit; otherwise how long to wait.</summary>
    public TimeSpan? TryClient(string client) => Acquire(perClient, client);

    /// <summary>Null when a request for this (normalised) address may be accepted; otherwise how long to wait.</summary>
    public TimeSpan? TryAddress(string address) => Acquire(perAddress, address);

    public void Dispose()
    {
        perClient.Dispose();
        perAddress.Dispose();
    }

    private static TimeSpan? Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));
}
