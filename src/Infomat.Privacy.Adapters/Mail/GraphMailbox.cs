using System.Net;

using Azure.Identity;

using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.MailFolders.Item.Messages.Delta;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// The info@infomat.eu mailbox through the Microsoft Graph SDK: the change-notification subscription on the inbox
/// (created, renewed, reauthorised), the MIME content of a message, its Outlook categories, and the delta query that
/// finds messages a notification missed. No message content is kept here; callers stream it.
/// </summary>
public sealed class GraphMailbox : IMailbox
{
    private readonly GraphMailOptions options;
    private readonly Lazy<GraphServiceClient> lazyClient;

    private GraphServiceClient client => lazyClient.Value;

    public GraphMailbox(IOptions<GraphMailOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        // The SDK's own pipeline: it retries 429 and 503 (honouring Retry-After) and follows redirects.
        lazyClient = new Lazy<GraphServiceClient>(() => new GraphServiceClient(
            GraphClientFactory.Create(), AuthenticationFor(this.options), this.options.BaseUrl.ToString().TrimEnd('/')));
    }

    private string Mailbox => options.Mailbox ?? throw new InvalidOperationException("Mail:Graph:Mailbox is not set.");

    /// <summary>
    /// Asks Graph for immutable message ids (in notifications, reads and the delta query): a message keeps its id when
    /// staff move it out of the inbox, so a queued notification still finds it.
    /// </summary>
    private const string ImmutableIds = "IdType=\"ImmutableId\"";

    /// <summary>The inbox resource the subscription watches.</summary>
    public string InboxResource => $"users/{Mailbox}/mailFolders('inbox')/messages";

    /// <summary>
    /// Makes sure one subscription for created inbox messages points at <paramref name="notificationUrl"/>: creates it when
    /// missing, renews it when less than <see cref="GraphMailOptions.RenewBefore"/> is left, otherwise leaves it.
    /// </summary>
    public async Task<SubscriptionState> EnsureSubscriptionAsync(Uri notificationUrl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationUrl);
        var ours = await FindSubscriptionAsync(notificationUrl, cancellationToken);
        var expiresAt = now + options.SubscriptionLifetime;
        if (ours is null)
        {
            var created = await client.Subscriptions.PostAsync(
                new Subscription
                {
                    ChangeType = "created",
                    Resource = InboxResource,
                    NotificationUrl = notificationUrl.AbsoluteUri,
                    LifecycleNotificationUrl = notificationUrl.AbsoluteUri,
                    ClientState = options.ClientState,
                    ExpirationDateTime = expiresAt,
                },
                r => r.Headers.Add("Prefer", ImmutableIds), cancellationToken) ?? throw new InvalidOperationException("Graph returned no subscription.");
            return new SubscriptionState(created.Id!, created.ExpirationDateTime ?? expiresAt, SubscriptionChange.Created);
        }

        if (ours.ExpirationDateTime is { } current && current - now > options.RenewBefore)
        {
            return new SubscriptionState(ours.Id!, current, SubscriptionChange.Unchanged);
        }

        var renewed = await client.Subscriptions[ours.Id].PatchAsync(new Subscription { ExpirationDateTime = expiresAt }, cancellationToken: cancellationToken);
        return new SubscriptionState(ours.Id!, renewed?.ExpirationDateTime ?? expiresAt, SubscriptionChange.Renewed);
    }

    /// <summary>Answers a <c>reauthorizationRequired</c> lifecycle notification. False when the subscription is gone.</summary>
    public async Task<bool> ReauthorizeAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            await client.Subscriptions[subscriptionId].Reauthorize.PostAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (Microsoft.Graph.Models.ODataErrors.ODataError ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The message's identity and categories, or null when it no longer exists (deleted or moved).</summary>
    public async Task<MailboxMessageInfo?> GetInfoAsync(string messageId, CancellationToken cancellationToken)
    {
        try
        {
            var message = await client.Users[Mailbox].Messages[messageId].GetAsync(
                r =>
                {
                    r.QueryParameters.Select = ["id", "internetMessageId", "categories", "receivedDateTime"];
                    r.Headers.Add("Prefer", ImmutableIds);
                },
                cancellationToken);
            return message is null ? null : new MailboxMessageInfo(message.Id ?? messageId, message.InternetMessageId, message.Categories ?? [], message.ReceivedDateTime);
        }
        catch (Microsoft.Graph.Models.ODataErrors.ODataError ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The message as MIME (RFC 5322), streamed from Graph.</summary>
    public async Task<Stream> OpenMimeAsync(string messageId, CancellationToken cancellationToken) =>
        await client.Users[Mailbox].Messages[messageId].Content.GetAsync(r => r.Headers.Add("Prefer", ImmutableIds), cancellationToken)
        ?? throw new InvalidOperationException("Graph returned no content for the message.");

    /// <summary>Adds categories to the message, keeping the ones it has.</summary>
    public async Task CategoriseAsync(MailboxMessageInfo message, IEnumerable<string> categories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var all = message.Categories.Concat(categories).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (all.Count == message.Categories.Count)
        {
            return;
        }

        await client.Users[Mailbox].Messages[message.Id].PatchAsync(new Message { Categories = all }, r => r.Headers.Add("Prefer", ImmutableIds), cancellationToken);
    }

    /// <summary>
    /// Sends a mail from the shared mailbox with Graph <c>sendMail</c>, with the same <c>X-Infomat-Kind</c> and
    /// <c>X-Infomat-Request-Id</c> headers as the local .eml files. Not saved in its Sent Items: these are staff mails
    /// carrying the requester's name, address and text, and a copy there would outlive the register's retention with
    /// nobody reading it (what went, when, is in the case's register and audit trail).
    /// </summary>
    public async Task SendAsync(Infomat.Privacy.Mail.OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var body = new Microsoft.Graph.Users.Item.SendMail.SendMailPostRequestBody
        {
            SaveToSentItems = false,
            Message = new Message
            {
                Subject = mail.Subject,
                Body = new ItemBody { ContentType = BodyType.Html, Content = mail.HtmlBody },
                ToRecipients = [new Recipient { EmailAddress = new EmailAddress { Address = mail.To } }],
                InternetMessageHeaders =
                [
                    new InternetMessageHeader { Name = "X-Infomat-Kind", Value = Infomat.Privacy.Mail.MailKinds.ToWire(mail.Kind) },
                    new InternetMessageHeader { Name = "X-Infomat-Request-Id", Value = mail.RequestId },
                ],
            },
        };
        try
        {
            await client.Users[Mailbox].SendMail.PostAsync(body, cancellationToken: cancellationToken);
        }
        catch (Microsoft.Graph.Models.ODataErrors.ODataError ex) when (ex.ResponseStatusCode == 400)
        {
            // Refused for good (an invalid recipient): the status and code, not the service's message, which names the
            // address. A 401 or 403 (the app's rights), a 404 (the sending mailbox) are faults of our own set-up, which
            // every recipient meets alike: thrown as they are, the step retried and the case flagged for staff.
            throw new Infomat.Privacy.Mail.MailRefusedException($"Graph {ex.ResponseStatusCode} {ex.Error?.Code}");
        }
    }

    /// <summary>
    /// One delta sweep of the inbox: from <paramref name="deltaLink"/>, or (first sweep) from mail received after
    /// <paramref name="since"/>. Returns the ids of messages added or changed (removed ones are left out) and the next delta link.
    /// </summary>
    public async Task<DeltaPage> DeltaAsync(string? deltaLink, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        DeltaGetResponse? page;
        if (deltaLink is { Length: > 0 })
        {
            try
            {
                page = await new DeltaRequestBuilder(deltaLink, client.RequestAdapter).GetAsDeltaGetResponseAsync(r => r.Headers.Add("Prefer", ImmutableIds), cancellationToken);
            }
            catch (Microsoft.Graph.Models.ODataErrors.ODataError ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.Gone
                || ex.Error?.Code is "SyncStateNotFound" or "SyncStateInvalid" or "syncStateNotFound" or "syncStateInvalid")
            {
                // Graph forgot the sync state (410 Gone): the caller starts again from a point in time.
                throw new DeltaLinkExpiredException("The delta link of the last sweep has expired (" + (ex.Error?.Code ?? ex.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)) + ").", ex);
            }
        }
        else
        {
            page = await client.Users[Mailbox].MailFolders["inbox"].Messages.Delta.GetAsDeltaGetResponseAsync(
                r =>
                {
                    r.Headers.Add("Prefer", ImmutableIds);
                    r.QueryParameters.Select = ["id"];
                    r.QueryParameters.Filter = $"receivedDateTime ge {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
                },
                cancellationToken);
        }

        while (page is not null)
        {
            foreach (var message in page.Value ?? [])
            {
                if (message.Id is { Length: > 0 } id && !(message.AdditionalData?.ContainsKey("@removed") ?? false))
                {
                    ids.Add(id);
                }
            }

            if (page.OdataNextLink is { Length: > 0 } next)
            {
                page = await new DeltaRequestBuilder(next, client.RequestAdapter).GetAsDeltaGetResponseAsync(r => r.Headers.Add("Prefer", ImmutableIds), cancellationToken);
                continue;
            }

            return new DeltaPage(ids.Distinct(StringComparer.Ordinal).ToList(), page.OdataDeltaLink);
        }

        // No answer body: the round did not complete. No new link (the next sweep resumes from the old one), and the
        // sweep is not recorded as complete.
        return new DeltaPage(ids, null);
    }

    private async Task<Subscription?> FindSubscriptionAsync(Uri notificationUrl, CancellationToken cancellationToken)
    {
        var response = await client.Subscriptions.GetAsync(cancellationToken: cancellationToken);
        var found = new List<Subscription>();
        while (response is not null)
        {
            found.AddRange((response.Value ?? []).Where(s =>
                string.Equals(s.NotificationUrl, notificationUrl.AbsoluteUri, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(s.Resource, InboxResource, StringComparison.OrdinalIgnoreCase)));
            response = response.OdataNextLink is { Length: > 0 } next
                ? await client.Subscriptions.WithUrl(next).GetAsync(cancellationToken: cancellationToken)
                : null;
        }

        return found.OrderByDescending(s => s.ExpirationDateTime).FirstOrDefault();
    }

    private static IAuthenticationProvider AuthenticationFor(GraphMailOptions options)
    {
        if (options.BaseUrl.IsLoopback)
        {
            // A stand-in of Graph on this machine (tests): no token to get.
            return new AnonymousAuthenticationProvider();
        }

        if (string.IsNullOrWhiteSpace(options.TenantId) || string.IsNullOrWhiteSpace(options.ClientId) || string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            throw new InvalidOperationException("Mail:Graph needs TenantId, ClientId and ClientSecret (the app registration with Mail.Read and Mail.ReadWrite on the mailbox).");
        }

        var credential = new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret);
        return new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(
            credential, allowedHosts: null, observabilityOptions: null, isCaeEnabled: true, "https://graph.microsoft.com/.default");
    }
}
