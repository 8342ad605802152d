namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The <c>Mail:SendGrid</c> section: requester mail in Azure.</summary>
public sealed class SendGridOptions
{
    public const string Section = "Mail:SendGrid";

    /// <summary>The API key (a Key Vault reference in Azure). Requester mail goes to the pickup folder while it is empty.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API's host; tests point it at a stand-in on the loopback address.</summary>
    public string? Host { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(ApiKey);
}
