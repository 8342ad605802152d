using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>
/// The intake's MIME port, read with <see cref="InboundMailReader"/> under the default limits, believing the DMARC verdict
/// of the tenant named by <c>Mail:AuthServId</c> only.
/// </summary>
public sealed class MimeKitInboundMailParser(IOptions<MailOptions> options) : IInboundMailParser
{
    public InboundMail Parse(Stream message, DateTimeOffset receivedAt) => InboundMailReader.Read(message, receivedAt, authServId: options.Value.AuthServId);
}
