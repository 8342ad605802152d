namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The <c>Mail:Graph</c> section: the info@infomat.eu mailbox read through Microsoft Graph.</summary>
public sealed class GraphMailOptions
{
    public const string Section = "Mail:Graph";

    /// <summary>The shared mailbox (UPN or object id). Graph intake is off while it is empty.</summary>
    public string? Mailbox { get; set; }

    /// <summary>Graph's base URL with the version. Tests point it at a stand-in on the loopback address.</summary>
    public Uri BaseUrl { get; set; } = new("https://graph.microsoft.com/v1.0");

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The app registration's secret (a Key Vault reference in Azure).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Secret sent with the subscription and checked on every notification (at least 32 characters, at most 128).</summary>
    public string? ClientState { get; set; }

    /// <summary>Outlook category put on every mail the intake acted on; the case reference is added as a second category.</summary>
    public string Category { get; set; } = "Infomat privacy";

    /// <summary>How long a new or renewed subscription lives (Graph allows a little under 7 days for mail).</summary>
    public TimeSpan SubscriptionLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A subscription is renewed when less than this is left.</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The first delta sweep (no delta link yet) looks this far back; older mail is left to staff.</summary>
    public TimeSpan FirstSweepLookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The storage queue between the notification endpoint and the handling. The Functions app's trigger always reads
    /// <c>mail-inbound</c>; another name is for local hosts sharing one storage account (the tests).
    /// </summary>
    public string Queue { get; set; } = InboundMailBacklog.DefaultQueueName;

    /// <summary>Local host: how often the inbound queue is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Local host: how often the delta sweep runs (the Functions app: every 15 minutes).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Local host: how often the subscription is checked (the Functions app: every 6 hours).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromHours(6);

    public bool Enabled => !string.IsNullOrWhiteSpace(Mailbox);
}
