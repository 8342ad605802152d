namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The <c>Mail</c> configuration section.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>Folder where each outgoing message is written as one .eml file (local host, tests, <c>func start</c>).</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>The sender of every mail: the shared mailbox.</summary>
    public string From { get; set; } = "info@infomat.eu";

    public string FromName { get; set; } = "Infomat Privacy";

    /// <summary>
    /// Local host: a folder watched as the info@infomat.eu inbox. Each <c>.eml</c> dropped there is handled, then moved
    /// to <c>handled/</c> (or <c>refused/</c> when it cannot be read).
    /// </summary>
    public string? InboxDirectory { get; set; }

    /// <summary>
    /// The authserv-id the receiving tenant writes at the start of its Authentication-Results header (or after each
    /// method, as Exchange Online once did). Empty: the tenant writes none, as Exchange Online does today; a header that
    /// names a service is then someone else's and its DMARC verdict is not believed (<see cref="InboundMailReader.Dmarc"/>).
    /// </summary>
    public string? AuthServId { get; set; }
}
