namespace Infomat.LocalHost.Faults;

/// <summary>
/// Test-only fault injection of the local host (<c>LocalHost:Faults</c>), used by the soak run: storage requests
/// answered 503, mail sends refused or timing out, one entity store unreachable for a window. Off unless
/// <see cref="Enabled"/>; never part of the Functions app.
/// </summary>
internal sealed class FaultOptions
{
    public const string Section = "LocalHost:Faults";

    public bool Enabled { get; set; }

    /// <summary>Seed of the dice: the same seed gives the same sequence of fault decisions.</summary>
    public int Seed { get; set; }

    /// <summary>No fault after this moment (UTC), so the system can settle; none: faults for the host's whole life.</summary>
    public DateTimeOffset? Until { get; set; }

    /// <summary>Share of Table and Blob requests (every try, after the SDK's own retries too) answered 503.</summary>
    public double StorageFailureRate { get; set; }

    /// <summary>Share of mail sends refused with a 503, as a mail service under load answers.</summary>
    public double MailFailureRate { get; set; }

    /// <summary>Share of mail sends that time out (nothing is sent; the caller waits <see cref="MailTimeout"/> first).</summary>
    public double MailTimeoutRate { get; set; }

    public TimeSpan MailTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>One entity store (a data-map key such as <c>be/crm</c>) unreachable from <see cref="StoreDownFrom"/> to <see cref="StoreDownUntil"/>.</summary>
    public string? StoreDown { get; set; }

    public DateTimeOffset? StoreDownFrom { get; set; }

    public DateTimeOffset? StoreDownUntil { get; set; }
}
