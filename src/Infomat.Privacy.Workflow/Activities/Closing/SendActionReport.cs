using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>Sends the requester the report of what was done, once, and closes the case as completed.</summary>
public sealed class SendActionReport(ICaseRegister register, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<SendActionReport> log)
    : TaskActivity<ReportInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        if (c.NeedsAnswer)
        {
            await mail.SendAsync(PrivacyMails.ActionReport(c, dataMap, input.Outcomes, options.Value.NoticeLink(c.Language)), CancellationToken.None);
            var at = time.GetUtcNow();
            await register.ApplyAsync(c.Id, x => x.Complete(at), CancellationToken.None);
            log.Step(c.Id, "action report sent");
        }

        return true;
    }
}

/// <summary>The report of a case: the store outcomes are counts and dates only.</summary>
public sealed record ReportInput(string CaseId, IReadOnlyList<StoreOutcome> Outcomes);
