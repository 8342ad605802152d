using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>
/// Sends the export-ready mail with the download link, then closes the case as completed. The zip is marked delivered
/// first, so the storage's lifecycle rule keeps it at least as long as the mail says the link works.
/// </summary>
public sealed class DeliverExport(
    ICaseRegister register, IMailSender mail, LinkTokenService tokens, IExportStorage exports, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time,
    ILogger<DeliverExport> log)
    : TaskActivity<string, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.RequireAsync(input);
        if (c.NeedsAnswer)
        {
            // Claimed before the link goes: a second run of this step neither mails a second link nor moves its end.
            var (_, sent) = await AnswerOnce.SendAsync(register, time, c.Id, async claimed =>
            {
                if (claimed.LiveExport is not { } zip)
                {
                    // Withdrawn by staff or deleted by an erasure after it was written (between this step's tries): no link
                    // to a zip that is gone. The case fails; a staff retry writes it again (PrivacyCase.ReplaceExport).
                    throw new InvalidOperationException($"Case {claimed.Id}: its zip was withdrawn or deleted before its link went.");
                }

                // Before the end is computed: the rule's days then run from no later than the link's.
                var now = time.GetUtcNow();
                await exports.MarkDeliveredAsync(zip, now, CancellationToken.None);

                var expiresAt = now + o.Export.LinkLifetime;
                var token = tokens.Issue(claimed.Id, TokenPurpose.Download, o.Export.LinkLifetime);
                await mail.SendAsync(PrivacyMails.ExportReady(claimed, dataMap, o.Link("download", token), expiresAt, o.NoticeLink(claimed.Language)), CancellationToken.None);
                var at = time.GetUtcNow();
                return x => x.Complete(at, expiresAt);
            });
            if (sent)
            {
                log.Step(c.Id, "export delivered");
            }
        }

        return true;
    }
}
