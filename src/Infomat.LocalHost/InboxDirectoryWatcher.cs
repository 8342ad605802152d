using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Http.Intake;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Infomat.LocalHost;

/// <summary>
/// The local stand-in for the info@infomat.eu mailbox: every second, each <c>.eml</c> file in <c>Mail:InboxDirectory</c>
/// goes through the same intake as mail from Graph, then moves to <c>handled/</c> (or <c>refused/</c>, <c>failed/</c>).
/// Files starting with a dot are being written and wait.
/// </summary>
internal sealed partial class InboxDirectoryWatcher(MailIntake intake, DurableTaskClient client, IOptions<MailOptions> options, ILogger<InboxDirectoryWatcher> log)
    : BackgroundService
{
    /// <summary>
    /// How many inbox files are handled at once: as many as the Functions app's queue trigger takes from the mail queue on
    /// one instance (its defaults, batchSize 16 plus newBatchThreshold 8). Each mail waits on its case's orchestration
    /// start, and in a spike that start queues behind the durable provider's traffic: with 8 at once the folder was read
    /// at about 1.6 mails a second while 2.2 came in (decision 82). A slot takes the next mail as soon as it is free
    /// (<see cref="FolderPump"/>).
    /// </summary>
    internal const int MailsAtATime = 24;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.InboxDirectory is not { Length: > 0 } inbox)
        {
            return;
        }

        Directory.CreateDirectory(inbox);
        Watching(log, inbox);
        // Several mails at a time, as Graph's notifications arrive side by side in Azure: one at a time, a spike of mail
        // (issue 21) queued here for minutes before its requesters got a verification mail. The intake makes one case per
        // Message-ID however concurrently a mail is handled; each file is handled by one slot only.
        await new FolderPump(inbox, "*.eml", MailsAtATime, HandleAsync).RunAsync(TimeSpan.FromSeconds(1), stoppingToken);
    }

    private async Task HandleAsync(string file, CancellationToken ct)
    {
        string folder;
        try
        {
            MailIntakeResult result;
            // The file's time stands for when the mail reached the inbox: the legal deadline runs from then.
            var deliveredAt = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
            await using (var stream = File.OpenRead(file))
            {
                result = await intake.HandleAsync(stream, deliveredAt, client, ct);
            }

            // Unreadable mail went to staff triage too; the file goes to refused/ so it is easy to find.
            folder = result.Outcome == MailOutcome.Refused || result.Unread ? "refused" : "handled";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(log, Path.GetFileName(file), ex.GetType().Name);
            folder = "failed";
        }

        var target = Path.Combine(Path.GetDirectoryName(file)!, folder);
        Directory.CreateDirectory(target);
        File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
    }

    [LoggerMessage(60, LogLevel.Information, "Watching {Inbox} as the info@infomat.eu inbox")]
    private static partial void Watching(ILogger logger, string inbox);

    [LoggerMessage(61, LogLevel.Warning, "Inbox file {File} could not be handled ({Error}); moved to failed/")]
    private static partial void Failed(ILogger logger, string file, string error);
}
