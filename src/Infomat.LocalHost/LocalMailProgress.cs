using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;

namespace Infomat.LocalHost;

/// <summary>
/// How far the local host has read its mail: the Graph mailbox when configured (<see cref="GraphIntake.ReadThroughAsync"/>),
/// and the inbox folder, where a file stays until it is handled (<see cref="InboxDirectoryWatcher"/>): every mail that
/// reached the folder before its oldest waiting <c>.eml</c> file has been handled. The earlier of the two.
/// </summary>
internal sealed class LocalMailProgress(GraphIntake graph, IOptions<MailOptions> options) : IMailIntakeProgress
{
    public async Task<DateTimeOffset> ReadThroughAsync(CancellationToken cancellationToken)
    {
        var through = await graph.ReadThroughAsync(cancellationToken);
        if (options.Value.InboxDirectory is { Length: > 0 } inbox && Directory.Exists(inbox))
        {
            // Waiting, being written (a dot name) or being handled: the file's time is when the mail arrived.
            foreach (var file in Directory.EnumerateFiles(inbox, "*.eml"))
            {
                var arrived = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
                through = arrived < through ? arrived : through;
            }
        }

        return through;
    }
}
