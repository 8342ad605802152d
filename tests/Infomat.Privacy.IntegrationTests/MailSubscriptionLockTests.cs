using System.Collections.Concurrent;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Every instance checks the Graph subscription at start-up (a timer that runs on start-up): instances that start
/// together must still leave one subscription, or every mail is notified, handled and answered twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailSubscriptionLockTests(Azurite azurite)
{
    [Fact]
    public async Task Three_instances_starting_together_create_one_mailbox_subscription()
    {
        var mailbox = new SlowMailbox();
        var queue = "mail-" + Guid.NewGuid().ToString("N")[..20];
        var instances = Enumerable.Range(0, 3).Select(_ => Instance(mailbox, queue)).ToList();

        var states = await Task.WhenAll(instances.Select(i => Task.Run(() => i.EnsureSubscriptionAsync(default))));

        Assert.True(mailbox.Created.Count == 1, $"{mailbox.Created.Count} subscriptions created");
        Assert.Single(states, s => s.Change == SubscriptionChange.Created);
        Assert.All(states, s => Assert.Equal(mailbox.Created.Single(), s.Id));
    }

    private GraphIntake Instance(IMailbox mailbox, string queue)
    {
        // Each instance has its own storage clients, as separate processes do.
        var clients = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build());
        return new GraphIntake(
            mailbox, new InboundMailBacklog(clients, Options.Create(new GraphMailOptions { Queue = queue })), null!, null!, new BlobDeltaLinkStorage(clients), new BlobIntakeLock(clients), null!, null!,
            Options.Create(new MailboxIntakeOptions { Enabled = true, ClientState = new string('s', 40) }),
            Options.Create(new PrivacyOptions { PublicBaseUrl = new Uri("https://privacy.infomat.example/") }), TimeProvider.System, NullLogger<GraphIntake>.Instance);
    }

    /// <summary>Graph as instances see it: listing the subscriptions and creating one each take a moment.</summary>
    private sealed class SlowMailbox : IMailbox
    {
        public ConcurrentQueue<string> Created { get; } = new();

        public async Task<SubscriptionState> EnsureSubscriptionAsync(Uri notificationUrl, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var existing = Created.ToArray();
            await Task.Delay(300, cancellationToken);
            if (existing.Length > 0)
            {
                return new SubscriptionState(existing[0], now.AddDays(3), SubscriptionChange.Unchanged);
            }

            var id = Guid.NewGuid().ToString();
            Created.Enqueue(id);
            return new SubscriptionState(id, now.AddDays(3), SubscriptionChange.Created);
        }

        public Task<bool> ReauthorizeAsync(string subscriptionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MailboxMessageInfo?> GetInfoAsync(string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenMimeAsync(string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CategoriseAsync(MailboxMessageInfo message, IEnumerable<string> categories, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DeltaPage> DeltaAsync(string? deltaLink, DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
