using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Cases;

/// <summary>What the daily case sweep did.</summary>
public sealed record MaintenanceResult(int DueReminders, int OverdueFlags, int IdentifiersErased, int HistoriesPurged);

/// <summary>
/// The daily sweep over the case register: reminds staff a week and two days before a case's due date and flags
/// overdue cases (each once, to the staff mailboxes and, when overdue, the escalation address); erases the requester's
/// identifiers from cases closed longer than <c>Privacy:Staff:RegisterRetention</c> (the keyed hash stays, so the
/// pseudonymous record and its audit trail remain); and purges the durable history of finished cases.
/// </summary>
public sealed partial class CaseMaintenance(
    ICaseRegister register, IMailSender mail, KeyedHash hash, IOptions<PrivacyOptions> options, TimeProvider time, PrivacyMetrics metrics, ILogger<CaseMaintenance> log)
{
    public async Task<MaintenanceResult> RunAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var o = options.Value;
        var now = time.GetUtcNow();
        int reminders = 0, overdue = 0, erased = 0, purged = 0;
        await foreach (var c in register.ListAllAsync(cancellationToken))
        {
            if (!c.Status.IsFinished())
            {
                if (c.DueReminder(now) is var (reminderKey, daysLeft, isOverdue))
                {
                    var to = StaffMail.Recipients(o.Staff.Address).ToList();
                    if (isOverdue && o.Staff.EscalationAddress is { Length: > 0 } escalation)
                    {
                        to.AddRange(StaffMail.Recipients(escalation));
                    }

                    foreach (var address in to.Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        await mail.SendAsync(PrivacyMails.DueReminder(c, o.Link("cases/" + c.Id), address, o.Staff.Language, daysLeft), cancellationToken);
                    }

                    await register.ApplyAsync(c.Id, x => x.RecordReminder(reminderKey, now), cancellationToken);
                    if (isOverdue)
                    {
                        overdue++;
                    }
                    else
                    {
                        reminders++;
                    }
                }

                continue;
            }

            if (c.IsDueForIdentifierErasure(now, o.Staff.RegisterRetention))
            {
                var subject = hash.Subject(EmailAddresses.Normalise(c.Email));
                await register.ApplyAsync(c.Id, x => x.EraseIdentifiers(subject, now, o.Staff.RegisterRetention), cancellationToken);
                erased++;
            }

            if (await client.GetInstanceAsync(c.Id, getInputsAndOutputs: false, cancellationToken) is { IsCompleted: true })
            {
                await client.PurgeInstanceAsync(c.Id, cancellation: cancellationToken);
                purged++;
            }
        }

        metrics.CasesFoundOverdue(overdue);
        Swept(log, reminders, overdue, erased, purged);
        return new MaintenanceResult(reminders, overdue, erased, purged);
    }

    [LoggerMessage(100, LogLevel.Information, "Case sweep: {Reminders} due-date reminders, {Overdue} overdue flags, {Erased} cases anonymised, {Purged} durable histories purged")]
    private static partial void Swept(ILogger logger, int reminders, int overdue, int erased, int purged);
}
