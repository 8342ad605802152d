namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The <c>Mail:SendGrid</c> section: requester mail in Azure.</summary>
public sealed class SendGridOptions
{
    public const string Section = "Mail:SendGrid";

    /// <summary>The API key (a Key Vault reference in Azure). Requester mail goes to the pickup folder while it is empty.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API's host; tests point it at a stand-in on the loopback address.</summary>
    public string? Host { get; set; }

    /// <summary>
    /// The Event Webhook's verification key (base64, as the account's mail settings show it once signing is on): with it,
    /// <c>POST /api/mail/events</c> takes SendGrid's signed reports of bounced requester mail; without it, none.
    /// </summary>
    public string? EventWebhookPublicKey { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(ApiKey);
}
