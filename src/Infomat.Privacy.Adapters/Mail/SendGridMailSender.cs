using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Options;

using SendGrid;
using SendGrid.Helpers.Mail;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// Sends requester mail through SendGrid from info@infomat.eu, with a plain-text and an HTML part and the same
/// <c>X-Infomat-*</c> headers as the local .eml files. Click and open tracking are off: tracking rewrites the links
/// (tokens in our links must reach us untouched) and would tell a third party when a person reads their mail.
/// </summary>
public sealed class SendGridMailSender(IOptions<SendGridOptions> options, IOptions<MailOptions> mailOptions, KeyedHash hash) : IMailSender
{
    private readonly byte[] messageIdKey = hash.DeriveKey(OutgoingMessageIds.KeyLabel);

    private readonly Lazy<SendGridClient> client = new(() =>
    {
        var o = options.Value;
        var clientOptions = new SendGridClientOptions { ApiKey = o.ApiKey };
        if (!string.IsNullOrWhiteSpace(o.Host))
        {
            clientOptions.Host = o.Host;
        }

        return new SendGridClient(clientOptions);
    });

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var m = mailOptions.Value;
        var message = new SendGridMessage
        {
            From = new EmailAddress(m.From, m.FromName),
            Subject = mail.Subject,
            PlainTextContent = mail.TextBody,
            HtmlContent = mail.HtmlBody,
            Headers = new Dictionary<string, string>
            {
                ["X-Infomat-Kind"] = mail.Kind.ToWire(),
                ["X-Infomat-Request-Id"] = mail.RequestId,
                ["Auto-Submitted"] = "auto-generated",

                // Names the case, so a reply finds it by In-Reply-To even when its subject was rewritten, and is tagged
                // so that such a reply shows it answers our mail.
                ["Message-ID"] = "<" + OutgoingMessageIds.For(mail, m.From, messageIdKey) + ">",
            },
            TrackingSettings = new TrackingSettings
            {
                ClickTracking = new ClickTracking { Enable = false, EnableText = false },
                OpenTracking = new OpenTracking { Enable = false },
                SubscriptionTracking = new SubscriptionTracking { Enable = false },
                Ganalytics = new Ganalytics { Enable = false },
            },

            // Every mail here answers a request the person made (a link, an acknowledgement, an answer the law owes them):
            // it must not be dropped because the address once reported a mail from this account as spam or unsubscribed
            // from its marketing. SendGrid's bounce list still applies (an address that bounced is refused).
            MailSettings = new MailSettings
            {
                BypassSpamManagement = new BypassSpamManagement { Enable = true },
                BypassUnsubscribeManagement = new BypassUnsubscribeManagement { Enable = true },
            },
        };
        message.AddTo(new EmailAddress(mail.To));

        // Copied by SendGrid into its event reports: a bounce names the case and the mail (SendGridEventReports). Only
        // requester mail (the only mail routed here): a report of anything else must not read as the requester's.
        if (mail.Audience == Audience.Requester)
        {
            message.AddCustomArg(SendGridEventReports.CaseArgument, mail.RequestId);
            message.AddCustomArg(SendGridEventReports.KindArgument, mail.Kind.ToWire());
            if (mail.Sending is { } sending)
            {
                message.AddCustomArg(SendGridEventReports.SendingArgument, sending);
            }
        }
        var response = await client.Value.SendEmailAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // A 400 whose errors name only the recipient's field: SendGrid will not take that address, now or on a retry
            // (decision 141). The field's name only: SendGrid's messages can quote the message or the address.
            if (response.StatusCode == System.Net.HttpStatusCode.BadRequest && RecipientField(await response.Body.ReadAsStringAsync(cancellationToken)) is { } field)
            {
                throw new MailRefusedException($"SendGrid 400 {field}");
            }

            // The status only: SendGrid's error body can quote the message.
            throw new InvalidOperationException($"SendGrid refused the {mail.Kind.ToWire()} mail: HTTP {(int)response.StatusCode}.");
        }
    }

    /// <summary>
    /// The recipient's field when every error of a 400's body is about it (<c>personalizations.0.to.0.email</c>); null
    /// for any other error, or a body that is not SendGrid's error JSON (a fault of ours or of the service: retried).
    /// </summary>
    internal static string? RecipientField(string body)
    {
        try
        {
            var fields = System.Text.Json.Nodes.JsonNode.Parse(body)?["errors"]?.AsArray()
                .Select(e => e?["field"]?.GetValue<string>()).ToList();
            return fields is { Count: > 0 } && fields.All(f => f is not null && f.StartsWith("personalizations.0.to.", StringComparison.Ordinal))
                ? fields[0]
                : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
