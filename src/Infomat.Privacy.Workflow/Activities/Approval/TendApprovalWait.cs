using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Approval;

/// <summary>
/// One look at the wait for the identity decision, by the case's rule (<see cref="PrivacyCase.ApprovalWaitAt"/>): sends
/// the reminder or escalation due now (each once), and says whether the case is decided, may expire (the requester did
/// not send the identification asked for, and no reply that reached the mailbox in time is still unread), or when to
/// look again. Staff not deciding never closes the case.
/// </summary>
public sealed partial class TendApprovalWait(
    ICaseRegister register, IMailSender mail, DataMap dataMap, LinkTokenService tokens, IMailIntakeProgress mailProgress, IOptions<PrivacyOptions> options, TimeProvider time,
    ILogger<TendApprovalWait> log)
    : TaskActivity<string, ApprovalWaitState>
{
    public override async Task<ApprovalWaitState> RunAsync(TaskActivityContext context, string input)
    {
        var o = options.Value;
        var c = await register.RequireAsync(input);
        var now = time.GetUtcNow();
        // How far the mailbox has been read matters only once the requester's time is over (asked only then).
        var replyTimeOver = c.WaitsOnRequesterForIdentification && now >= c.IdentificationReplyDue(o.Approval.Timeout);
        DateTimeOffset? readThrough = replyTimeOver ? await mailProgress.ReadThroughOrNothingAsync(c.Id, log) : null;
        var step = c.ApprovalWaitAt(now, o.Approval.ReminderAfter, o.Approval.Timeout, readThrough, o.Approval.UnreadMailRecheck);
        if (replyTimeOver && step.Action == ApprovalWaitAction.Wait)
        {
            log.ReplyMayBeUnread(c.Id, null);
        }
        if (step.Action is ApprovalWaitAction.Remind or ApprovalWaitAction.Escalate)
        {
            var escalate = step.Action == ApprovalWaitAction.Escalate;
            // The link in a reminder stays valid until well after the next one: a decision is welcome whenever it comes.
            var link = o.ApprovalLink(tokens, c.Id);
            var card = ApprovalCard.ForMail(c, dataMap, o, () => o.ApprovalCardToken(tokens, c.Id), link);
            // Once to each mailbox that takes it: a refused one is logged, not retried with the others (StaffMail.SendToEachAsync).
            try
            {
                await log.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, escalate ? "approval escalation" : "approval reminder",
                    to => PrivacyMails.ApprovalReminder(c, dataMap, link, to, o.Staff.Language, escalate, card), CancellationToken.None, escalate);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A reminder is not a step the answer depends on: a staff-mail outage must not flag the case Failed (its
                // decision links would then answer "no more decision"). Not recorded, so the next look sends it.
                var retry = o.Approval.ReminderAfter < ReminderRetry ? o.Approval.ReminderAfter : ReminderRetry;
                ReminderNotSent(log, c.Id, step.ReminderKey!, ex.GetType().Name);
                return new ApprovalWaitState(c.Decision is not null, c.Status.IsFinished(), false, (now + retry).UtcDateTime);
            }

            c = (await register.ApplyAsync(c.Id, x => x.RecordReminder(step.ReminderKey!, now), CancellationToken.None)).Case;
            log.Step(c.Id, escalate ? "approval escalated" : "approval reminder sent");
        }

        return new ApprovalWaitState(c.Decision is not null, c.Status.IsFinished(), step.Action == ApprovalWaitAction.Expire, step.NextCheck?.UtcDateTime)
        {
            OnRequester = c.WaitsOnRequesterForIdentification,
        };
    }

    /// <summary>
    /// How soon a reminder the mail service did not take is tried again (sooner when reminders come sooner). An hour: a
    /// send that reached some mailboxes before the fault is not recorded, so those get it again at each try.
    /// </summary>
    public static readonly TimeSpan ReminderRetry = TimeSpan.FromHours(1);

    [LoggerMessage(181, LogLevel.Warning, "Case {CaseId}: the staff reminder {Reminder} could not be sent ({Error}); the case stays open and it is tried again at the next look")]
    private static partial void ReminderNotSent(ILogger logger, string caseId, string reminder, string error);
}

/// <summary>Where the wait for the identity decision stands, and when to look again (null: decided, finished or to expire).</summary>
public sealed record ApprovalWaitState(bool Decided, bool Finished, bool MayExpire, DateTime? NextCheckUtc)
{
    /// <summary>The case waits on the requester's identification (the run looks again at their deadline).</summary>
    public bool OnRequester { get; init; }
}
