using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Deadlines;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Cases;

/// <summary>What the daily case sweep did; <see cref="FailedCases"/> could not be swept this time (tried again at the next run).</summary>
public sealed record MaintenanceResult(int DueReminders, int OverdueFlags, int IdentifiersErased, int HistoriesPurged, int FailedCases = 0)
{
    /// <summary>Cases whose staff-list entry was rewritten (written before the register kept one, or of an older shape: decision 74).</summary>
    public int ListEntriesRewritten { get; init; }

    /// <summary>Reminders (and overdue flags) staff were sent about mail still in triage (decision 155).</summary>
    public int TriageReminders { get; init; }

    /// <summary>Mails naming the recipients to tell (Art. 19) that the report step could not send, sent by this run.</summary>
    public int RecipientMails { get; init; }
}

/// <summary>
/// The daily sweep over the case register: reminds staff a week and two working days before a case's due date and flags
/// overdue cases, again each week (each once, to the staff mailboxes and, from two working days before, the escalation
/// address too: <see cref="PrivacyCase.DueReminder"/>); erases the requester's
/// identifiers from cases closed longer than <c>Privacy:Staff:RegisterRetention</c> (the keyed hash stays, so the
/// pseudonymous record and its audit trail remain); mails staff the recipients to tell (Art. 19) of a finished case whose
/// report step could not; purges the durable history of finished cases; and rewrites the
/// staff-list entry of cases stored without one of the current shape (the list's rebuild path, decision 74).
/// </summary>
public sealed partial class CaseMaintenance(
    ICaseRegister register, IMailSender mail, KeyedHash hash, IOptions<PrivacyOptions> options, TimeProvider time, PrivacyMetrics metrics, ILogger<CaseMaintenance> log, DataMap map,
    ITriagedMails? triaged = null, LinkTokenService? tokens = null)
{
    private readonly byte[] caseIdKey = hash.DeriveKey(Intake.MailIntake.CaseIdKey);

    public async Task<MaintenanceResult> RunAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        int reminders = 0, overdue = 0, erased = 0, purged = 0, failed = 0, rewritten = 0, recipientMails = 0;
        try
        {
            rewritten = await register.RefreshListEntriesAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The list still reads such cases whole meanwhile: it is slower, not wrong. Tried again at the next run.
            ListEntriesFailed(log, ex.GetType().Name);
        }

        await foreach (var c in register.ListAllAsync(cancellationToken))
        {
            // One case that cannot be swept now (its mail or its register write fails) is counted and logged by id, and
            // tried again at the next run; it stops neither the other cases nor their overdue count.
            try
            {
                switch (await SweepAsync(client, c, now, cancellationToken))
                {
                    case Swept.Reminded: reminders++; break;
                    case Swept.FlaggedOverdue: overdue++; break;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                CaseFailed(log, c.Id, ex.GetType().Name);
                continue;
            }

            if (!c.IsUnanswered)
            {
                try
                {
                    if (c.RecipientsMailLate(now))
                    {
                        // Art. 19: the report step could not mail staff the recipients to tell (the case is finished:
                        // nothing else would); before the identifiers can go, which ends what the mail could name.
                        await log.SendRecipientsMailAsync(register, mail, options.Value, map, c, cancellationToken);
                        recipientMails++;
                    }

                    erased += await EraseIdentifiersIfDueAsync(c, now, cancellationToken) ? 1 : 0;
                    purged += await PurgeHistoryIfDoneAsync(client, c, cancellationToken) ? 1 : 0;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    CaseFailed(log, c.Id, ex.GetType().Name);
                }
            }
        }

        var triageReminders = 0;
        if (triaged is not null && tokens is not null)
        {
            (triageReminders, var triageFailed) = await SweepTriageAsync(triaged, tokens, now, cancellationToken);
            failed += triageFailed;
        }

        SweptAll(log, reminders, overdue, erased, purged, failed, rewritten);
        return new MaintenanceResult(reminders, overdue, erased, purged, failed) { ListEntriesRewritten = rewritten, TriageReminders = triageReminders, RecipientMails = recipientMails };
    }

    /// <summary>
    /// Mail still in staff triage (decision 155): nobody made it a case or marked it as not a privacy request, so nothing
    /// watched the legal date it runs from its arrival. Staff get the case's reminders for it (a week and two working days
    /// before, overdue weekly; <see cref="TriagedMail.DueReminder"/>), all in one mail a run (a flood over the per-address
    /// limit must not become a flood of reminders), each with a fresh link to its page. A mail made a case under its own
    /// id is recorded as such here. Each record is changed as stored now (<see cref="ITriagedMails.ChangeAsync"/>: a
    /// colleague's mark meanwhile stands).
    /// A mail that cannot be swept is counted and tried again at the next run.
    /// </summary>
    private async Task<(int Reminded, int Failed)> SweepTriageAsync(ITriagedMails records, LinkTokenService links, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var failed = 0;
        var o = options.Value;
        var due = new List<(TriagedMail Mail, DueReminder Reminder)>();
        await foreach (var m in records.ListAsync(cancellationToken))
        {
            try
            {
                if (m.DueReminder(now, map) is not { } reminder)
                {
                    continue;
                }

                if (await register.GetAsync(Intake.MailIntake.CaseIdFor(caseIdKey, m.MessageId), cancellationToken) is { } made)
                {
                    await records.ChangeAsync(m.Id, x => x with { CaseId = made.Id }, cancellationToken);

                    continue;
                }

                due.Add((m, reminder));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                TriageFailed(log, m.Id, ex.GetType().Name);
            }
        }

        if (due.Count == 0)
        {
            return (0, failed);
        }

        List<(DateTimeOffset, DateOnly, bool, Uri)> lines = [.. due.Select(d => (d.Mail.ReceivedAt, d.Mail.DueDate(map), d.Reminder.Overdue,
            o.Link("triage", links.Issue(d.Mail.Id, Tokens.TokenPurpose.Triage, o.Staff.TaskLinkLifetime))))];
        try
        {
            await log.SendToStaffAsync(mail, o.Staff, "Triage", "triage due-date reminder", address => PrivacyMails.TriageDueReminder(lines, address, o.Staff.Language),
                cancellationToken, escalate: due.Any(d => d.Reminder.Escalate));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            TriageFailed(log, "-", ex.GetType().Name);
            return (0, failed + due.Count);
        }

        var reminded = 0;
        foreach (var (m, reminder) in due)
        {
            try
            {
                await records.ChangeAsync(m.Id, x => x.Reminders.Contains(reminder.Key) ? null : x with { Reminders = [.. x.Reminders, reminder.Key] }, cancellationToken);

                reminded++;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                TriageFailed(log, m.Id, ex.GetType().Name);
            }
        }

        return (reminded, failed);
    }

    [LoggerMessage(184, LogLevel.Warning, "Triaged mail {TriageId} could not be swept ({Error}); tried again at the next run")]
    private static partial void TriageFailed(ILogger logger, string triageId, string error);

    private enum Swept
    {
        Nothing,
        Reminded,
        FlaggedOverdue,
    }

    /// <summary>An open case's due-date reminder or overdue flag, when one is due (each once).</summary>
    private async Task<Swept> SweepAsync(DurableTaskClient client, PrivacyCase c, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (c.DueReminder(now, map) is not var (reminderKey, daysLeft, isOverdue, escalate))
        {
            return Swept.Nothing;
        }

        var o = options.Value;
        // Once to each mailbox that takes it (the two-working-days reminder and each overdue flag also to the escalation
        // address): a refused one does not repeat it daily to the rest. Whoever reads it is told until when the deadline
        // can still be extended, while it can.
        var extendableUntil = c.ExtendableUntil(now);
        await log.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, isOverdue ? "overdue flag" : "due-date reminder",
            address => PrivacyMails.DueReminder(c, o.Link("cases/" + c.Id), address, o.Staff.Language, daysLeft, extendableUntil), cancellationToken, escalate: escalate);

        await register.ApplyAsync(c.Id, x => x.RecordReminder(reminderKey, now), cancellationToken);
        if (!isOverdue)
        {
            return Swept.Reminded;
        }

        // Counted as soon as the flag is recorded: a case that fails later in the run takes nothing from the alert.
        metrics.CasesFoundOverdue(1);
        return Swept.FlaggedOverdue;
    }

    private async Task<bool> EraseIdentifiersIfDueAsync(PrivacyCase c, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = options.Value.Staff.RegisterRetention;
        if (!c.IsDueForIdentifierErasure(now, retention) || c.SubjectIn(hash) is not { } subject)
        {
            return false;
        }

        // A joined request is kept as long as the request that answered it (PrivacyCase.RetentionStartBeside).
        var answering = await register.AnsweringCaseAsync(c, cancellationToken);
        return !(await register.ApplyAsync(c.Id, x => x.EraseIdentifiers(subject, now, retention, answering), cancellationToken)).Refused;
    }

    private static async Task<bool> PurgeHistoryIfDoneAsync(DurableTaskClient client, PrivacyCase c, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(c.Id, getInputsAndOutputs: false, cancellationToken) is not { IsCompleted: true })
        {
            return false;
        }

        await client.PurgeInstanceAsync(c.Id, cancellation: cancellationToken);
        return true;
    }

    [LoggerMessage(100, LogLevel.Information, "Case sweep: {Reminders} due-date reminders, {Overdue} overdue flags, {Erased} cases anonymised, {Purged} durable histories purged, {Failed} cases not swept, {Rewritten} list entries rewritten")]
    private static partial void SweptAll(ILogger logger, int reminders, int overdue, int erased, int purged, int failed, int rewritten);


    [LoggerMessage(101, LogLevel.Warning, "Case sweep: case {CaseId} could not be swept ({Error}); tried again at the next run")]
    private static partial void CaseFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(102, LogLevel.Warning, "Case sweep: the staff-list entries could not be rewritten ({Error}); tried again at the next run")]
    private static partial void ListEntriesFailed(ILogger logger, string error);
}
