using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Intake;

namespace Infomat.LocalHost;

/// <summary>
/// <c>Infomat.LocalHost redrive-mail</c>: moves every item of the poison queue (<c>mail-inbound-poison</c>) back to
/// <c>mail-inbound</c>, after the cause of the failures is fixed, with the app's own configuration (appsettings, the
/// environment; for Azure the storage account's identity-based settings). Safe to run twice: the intake handles a
/// message once, whatever the number of items that name it.
/// </summary>
internal static class RedriveMailCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Commands.Builder(args);
        builder.Services.AddInfomatPrivacy(builder.Configuration);
        using var host = builder.Build();
        var backlog = (InboundMailBacklog)host.Services.GetRequiredService<IInboundMailBacklog>();
        var moved = await backlog.RedriveAsync(CancellationToken.None);
        Console.WriteLine($"moved {moved} item(s) from {backlog.PoisonQueueName} back to {backlog.Name}");
        return 0;
    }
}
