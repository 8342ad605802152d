using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Intake;

using Microsoft.Extensions.Options;

namespace Infomat.LocalHost;

/// <summary>
/// How far the local host has read its mail: the Graph mailbox when configured (<see cref="GraphIntake.ReadThroughAsync"/>),
/// and the inbox folder (<see cref="InboxDirectoryWatcher"/>), where a mail is unread while its <c>.eml</c> file waits
/// in the folder (or is being written or handled) and when it moved to <c>failed/</c> (handling it threw; move it back
/// to read it): every mail that reached the folder before the oldest such file has been handled. The earlier of the two.
/// A file left in <c>failed/</c> therefore holds back the expiry of cases waiting on a reply, as a mail in the poison
/// queue does in Azure.
/// </summary>
internal sealed class LocalMailProgress(GraphIntake graph, IOptions<MailOptions> options) : IMailIntakeProgress
{
    public async Task<DateTimeOffset> ReadThroughAsync(CancellationToken cancellationToken)
    {
        var through = await graph.ReadThroughAsync(cancellationToken);
        if (options.Value.InboxDirectory is { Length: > 0 } inbox && Directory.Exists(inbox))
        {
            var failed = Path.Combine(inbox, "failed");
            var unread = Directory.EnumerateFiles(inbox, "*.eml")
                .Concat(Directory.Exists(failed) ? Directory.EnumerateFiles(failed, "*.eml") : []);
            foreach (var file in unread)
            {
                // The file's time is when the mail arrived (the intake dates it so; a move keeps it).
                var arrived = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
                through = arrived < through ? arrived : through;
            }
        }

        return through;
    }
}
