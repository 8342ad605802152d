using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Activities.Closing;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.StaffTasks;

/// <summary>
/// Creates the staff tasks of a case once (a correction per store that holds the person's data, or the objection to
/// weigh), mails staff the link once, and moves the case to <c>AwaitingStaffAction</c>.
/// </summary>
public sealed class OpenStaffTasks(
    ICaseRegister register, IEntityStoreCatalog stores, DataMap dataMap, IMailSender mail, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<OpenStaffTasks> log)
    : TaskActivity<string, StaffTaskState>
{
    public override async Task<StaffTaskState> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        if (c.NeedsTasks)
        {
            var counts = new List<(string Store, int Records)>();
            foreach (var store in dataMap.StoresOf(c.Entity))
            {
                var perTable = await stores.Find(store.Key).CountAsync(c.Email, CancellationToken.None);
                counts.Add((store.Key, perTable.Values.Sum()));
            }

            var tasks = c.PlanTasks(counts);
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.OpenTasks(tasks, at), CancellationToken.None)).Case;
        }

        if (c.NeedsTasksMail)
        {
            var o = options.Value;
            // Claimed before it goes (decision 116): a second run of this step at the same time does not mail staff again.
            (c, var sent) = await AnswerOnce.SendAsync(register, time, c.Id, (x, at) => x.ClaimTasksMail(at), (x, at) => x.TasksMailNotSent(at), async opened =>
            {
                var link = o.TasksLink(tokens, opened.Id);
                await log.SendToStaffAsync(mail, o.Staff, "Case " + opened.Id, "staff tasks", to => PrivacyMails.StaffTasks(opened, dataMap, link, to, o.Staff.Language), CancellationToken.None);
                var at = time.GetUtcNow();
                return x => x.TasksMailSent(at);
            });
            if (sent)
            {
                log.Step(c.Id, "staff tasks opened");
            }
        }

        return ReadStaffTasks.State(c);
    }
}
