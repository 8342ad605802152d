namespace Infomat.Privacy.Intake;

/// <summary>
/// What the mailbox intake reads of its configuration (the <c>Mail:Graph</c> section). The adapters fill it from their
/// own options, which also hold what only they need (mailbox, credentials, base URL, subscription lifetimes), so the
/// settings have one source and one validation.
/// </summary>
public sealed class MailboxIntakeOptions
{
    /// <summary>Whether the mailbox intake is on (a mailbox is configured).</summary>
    public bool Enabled { get; set; }

    /// <summary>Secret sent with the subscription and checked on every notification.</summary>
    public string? ClientState { get; set; }

    /// <summary>
    /// The addresses our own mail is sent from (the intake mailbox, the sender of requester mail): mail from them that
    /// comes back into the mailbox is never a request (<see cref="OwnMail"/>).
    /// </summary>
    public IList<string> OwnAddresses { get; set; } = [];

    /// <summary>Outlook category put on every mail the intake acted on; the case reference is added as a second category.</summary>
    public string Category { get; set; } = "Infomat privacy";

    /// <summary>The first delta sweep (no delta link yet) looks this far back; older mail is left to staff.</summary>
    public TimeSpan FirstSweepLookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Local host: how often the inbound queue is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Local host: how often the delta sweep runs (the Functions app: every 15 minutes).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Local host: how often the subscription is checked (the Functions app: every 6 hours).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromHours(6);
}
