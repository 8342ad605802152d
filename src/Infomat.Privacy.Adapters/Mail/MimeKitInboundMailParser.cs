using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Adapters.Mail;

/// <summary>The intake's MIME port, read with <see cref="InboundMailReader"/> under the default limits.</summary>
public sealed class MimeKitInboundMailParser : IInboundMailParser
{
    public InboundMail Parse(Stream message, DateTimeOffset receivedAt) => InboundMailReader.Read(message, receivedAt);
}
