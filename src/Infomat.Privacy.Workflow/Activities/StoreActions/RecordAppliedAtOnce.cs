using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow.Activities.Closing;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.StoreActions;

/// <summary>
/// After a withdrawal of consent or an objection to direct marketing was applied at once in every store (decision 49):
/// records it on the case (a case with nothing else to answer moves on to its report), then tells staff what was
/// applied, once. The log says only the case id and counts.
/// </summary>
public sealed class RecordAppliedAtOnce(ICaseRegister register, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<RecordAppliedAtOnce> log)
    : TaskActivity<ReportInput, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        if (c.AppliedAtOnceAt is null)
        {
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.AppliedAtOnce(at), CancellationToken.None)).Case;
            log.AppliedAtOnce(c.Id, c.ActionsAtOnce.Count, input.Outcomes.Count, input.Outcomes.Sum(o => o.Matched));
        }

        if (c.AppliedAtOnceAt is not null && c.AppliedAtOnceStaffToldAt is null)
        {
            var o = options.Value;
            var applied = c;
            await log.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, "applied at once", to => PrivacyMails.AppliedAtOnce(applied, dataMap, input.Outcomes, to, o.Staff.Language), CancellationToken.None);

            var toldAt = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.StaffToldOfAppliedAtOnce(toldAt), CancellationToken.None)).Case;
        }

        return c.AppliedAtOnceAt is not null;
    }
}
