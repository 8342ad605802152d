using Infomat.Privacy.Mail;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// Where each mail goes: staff mail through Graph <c>sendMail</c> from the shared mailbox when <c>Mail:Graph</c> is set;
/// requester mail through SendGrid when <c>Mail:SendGrid</c> is set; otherwise (and locally) the pickup directory.
/// </summary>
public sealed class RoutingMailSender(
    PickupDirectoryMailSender pickup, GraphMailbox graph, IOptions<GraphMailOptions> graphOptions, SendGridMailSender sendGrid, IOptions<SendGridOptions> sendGridOptions)
    : IMailSender
{
    public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return mail.Audience switch
        {
            Audience.Staff when graphOptions.Value.Enabled => graph.SendAsync(mail, cancellationToken),
            Audience.Requester when sendGridOptions.Value.Enabled => sendGrid.SendAsync(mail, cancellationToken),
            _ => pickup.SendAsync(mail, cancellationToken),
        };
    }
}
