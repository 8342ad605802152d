using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A form post or API call is counted against its client and its address at once (issue 21: one round trip's wait on
/// the answer, not two), and what that changes is never seen by a requester: a request its client is refused does not
/// use up its address's requests, and a client flooding the form costs no address counts.
/// </summary>
public sealed class SubmissionLimitsTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly PrivacyOptions options = new();
    private readonly Recording counters = new();

    private SubmissionLimits Limits() =>
        new(counters, new KeyedHash(RandomNumberGenerator.GetBytes(32)), Options.Create(options), time, NullLogger<SubmissionLimits>.Instance);

    private static HttpRequest From(string ip)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        return context.Request;
    }

    [Fact]
    public async Task Both_limits_are_counted_at_once()
    {
        // Each count answers only once both have been asked for: one after the other, the first never would.
        counters.AnswerTogether = 2;
        var limits = Limits();

        Assert.Null(await limits.TryRequestAsync(From("203.0.113.7"), "an.peeters@example.be", default).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([SubmissionLimits.Address, SubmissionLimits.Client], counters.Calls.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_request_refused_by_its_client_does_not_use_up_its_addresss_requests()
    {
        options.Intake.PerClientLimit = 1;
        options.Intake.PerAddressLimit = 2;
        var limits = Limits();
        Assert.Null(await limits.TryRequestAsync(From("203.0.113.7"), "an.peeters@example.be", default));

        // The same client, another person's address: refused for the client.
        Assert.NotNull(await limits.TryRequestAsync(From("203.0.113.7"), "jan.devries@example.nl", default));

        // That person, from their own connection, still has both their requests.
        Assert.Null(await limits.TryRequestAsync(From("198.51.100.1"), "jan.devries@example.nl", default));
        Assert.Null(await limits.TryRequestAsync(From("198.51.100.2"), "jan.devries@example.nl", default));
        Assert.NotNull(await limits.TryRequestAsync(From("198.51.100.3"), "jan.devries@example.nl", default));
    }

    [Fact]
    public async Task A_client_refused_is_checked_alone_until_its_wait_is_over_so_a_flood_costs_no_address_counts()
    {
        options.Intake.PerClientLimit = 1;
        var limits = Limits();
        Assert.Null(await limits.TryRequestAsync(From("203.0.113.7"), "a@example.be", default));
        var wait = await limits.TryRequestAsync(From("203.0.113.7"), "b@example.be", default);
        Assert.NotNull(wait);

        counters.Calls.Clear();
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(await limits.TryRequestAsync(From("203.0.113.7"), $"flood{i}@example.be", default));
        }

        Assert.All(counters.Calls, call => Assert.Equal(SubmissionLimits.Client, call));

        // Its wait over, the client is counted with its address at once again.
        time.Advance(options.Intake.PerClientWindow * 2);
        counters.Calls.Clear();
        Assert.Null(await limits.TryRequestAsync(From("203.0.113.7"), "c@example.be", default));
        Assert.Equal([SubmissionLimits.Address, SubmissionLimits.Client], counters.Calls.Order(StringComparer.Ordinal));
    }

    /// <summary>The in-memory counters, each count's limit recorded, optionally slow.</summary>
    private sealed class Recording : ISubmissionCounters
    {
        private readonly InMemorySubmissionCounters inner = new();

        public ConcurrentQueue<string> Calls { get; } = new();

        /// <summary>When set, no count answers before this many have been asked for.</summary>
        public int AnswerTogether { get; set; }

        private readonly TaskCompletionSource allAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Calls.Enqueue(limit);
            if (AnswerTogether > 0)
            {
                if (Calls.Count >= AnswerTogether)
                {
                    allAsked.TrySetResult();
                }

                await allAsked.Task.WaitAsync(cancellationToken);
            }

            return await inner.TryCountAsync(limit, key, rule, now, cancellationToken);
        }

        public Task UncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedAt) => inner.UncountAsync(limit, key, rule, countedAt);

        public Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.DeleteEndedAsync(now, cancellationToken);
    }
}
