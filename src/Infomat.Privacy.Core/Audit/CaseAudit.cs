using System.Globalization;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Audit;

/// <summary>
/// The audit events a case's recorded state implies, each with a stable key: the trail appends those it does not have
/// yet after every change of the register, so a step is audited once, and one missed by a crash is audited at the
/// next change. Outcomes are wire values, counts and principals only; the person is the keyed hash of the address.
/// </summary>
public static class CaseAudit
{
    public static IReadOnlyList<AuditEntry> Entries(PrivacyCase c, KeyedHash hash)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(hash);
        var subject = c.SubjectIn(hash);
        var entries = new List<AuditEntry>();
        void Add(string key, string action, string actor, string outcome, DateTimeOffset at) =>
            entries.Add(new AuditEntry(c.Id, key, action, actor, outcome, subject, at));

        Add("received", AuditActions.Received, AuditEvent.System,
            $"type={c.Type.ToWire()} entity={c.Entity.ToWire()} channel={c.Channel.ToString().ToLowerInvariant()}"
            + (c.SenderAuthentication is { } dmarc ? $" dmarc={dmarc.ToString().ToLowerInvariant()}" : string.Empty)
            + $" due={c.DueDate:yyyy-MM-dd}",
            c.ReceivedAt);
        // The first link under its key of old; a new link after a staff retry (PrivacyCase.Retry) numbered from 2.
        DateTimeOffset[] links = [.. c.EarlierVerificationMails, .. c.VerificationMailSentAt is { } current ? [current] : Array.Empty<DateTimeOffset>()];
        for (var i = 0; i < links.Length; i++)
        {
            Add(i == 0 ? "verification-sent" : "verification-sent." + (i + 1).ToString(CultureInfo.InvariantCulture), AuditActions.MailSent, AuditEvent.System, "verification", links[i]);
        }

        // Numbered past the sends taken back (their mail not sent), so a send after one keeps a key of its own.
        for (var i = 1; i <= c.VerificationResends; i++)
        {
            Add("verification-resent." + (i + c.VerificationResendsNotSent.Count).ToString(CultureInfo.InvariantCulture), AuditActions.MailSent, "requester", "verification (sent again)", c.VerificationMailSentAt ?? c.ReceivedAt);
        }

        for (var i = 0; i < c.VerificationResendsNotSent.Count; i++)
        {
            Add("verification-resend-not-sent." + i.ToString(CultureInfo.InvariantCulture), AuditActions.VerificationResendNotSent, "requester", "verification (sent again): mail not sent, not counted", c.VerificationResendsNotSent[i]);
        }

        if (c.VerificationMailRefusedAt is { } refused && c.VerificationLinkBounced)
        {
            // Decision 148: the service's class of the bounce stays in the log; the trail records that it reported one.
            Add("verification-bounced." + refused.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.VerificationMailBounced, AuditEvent.System,
                "verification: reported undeliverable by the mail service", refused);
        }
        else if (c.VerificationMailRefusedAt is { } refusedAtSend)
        {
            // Decision 141: the mail service's answer stays in the log (a status and code); the trail records that it refused.
            Add("verification-refused." + refusedAtSend.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.VerificationMailRefused, AuditEvent.System,
                "verification: recipient refused for good by the mail service", refusedAtSend);
        }

        foreach (var kind in c.BouncedMails.GroupBy(b => b.Kind))
        {
            // The first of a kind under its key of old; a later one (a link sent again, a second request; decision 151) numbered.
            var n = 0;
            foreach (var b in kind)
            {
                Add("mail-bounced." + b.Kind.ToWire() + (n++ == 0 ? string.Empty : "." + n.ToString(CultureInfo.InvariantCulture)), AuditActions.MailBounced, AuditEvent.System, $"{b.Kind.ToWire()} ({b.Why})", b.ReportedAt);
            }
        }

        if (c.EmailVerifiedAt is { } verified)
        {
            Add("email-verified", AuditActions.EmailVerified, c.Channel == Channel.Email && c.SenderAuthentication == Intake.DmarcVerdict.Pass ? AuditEvent.System : "requester",
                c.Channel == Channel.Email && c.SenderAuthentication == Intake.DmarcVerdict.Pass ? "dmarc=pass" : "link", verified);
        }

        if (c.JoinedCaseId is { } joined && c.ClosedAt is { } joinedAt)
        {
            // Decision 84: answered with the earlier open case of the same address (a case id, no personal data).
            Add("joined", AuditActions.Joined, "requester", "case=" + joined, joinedAt);
        }

        for (var i = 0; i < c.RequesterReplies.Count; i++)
        {
            Add("reply." + i.ToString(CultureInfo.InvariantCulture), AuditActions.MailReceived, "requester", "mail about the request", c.RequesterReplies[i]);
        }

        for (var i = 0; i < c.IdentificationMailsInTriage.Count; i++)
        {
            // Decision 152: a mail that may answer the request for identification, placed by staff from triage.
            Add("identification-triage." + i.ToString(CultureInfo.InvariantCulture), AuditActions.MailReceived, "requester", "mail from the address in triage", c.IdentificationMailsInTriage[i]);
        }

        if (c.AcknowledgedAt is { } acknowledged)
        {
            Add("acknowledged", AuditActions.MailSent, AuditEvent.System, "acknowledgement", acknowledged);
        }

        if (c.AppliedAtOnceAt is { } appliedAtOnce)
        {
            // Decision 49: applied without identity approval once the address was confirmed (action names only).
            Add("applied-at-once", AuditActions.AppliedAtOnce, AuditEvent.System, string.Join(",", c.ActionsAtOnce.Select(a => a.ToString().ToLowerInvariant())), appliedAtOnce);
        }

        if (c.AppliedAtOnceStaffToldAt is { } staffTold)
        {
            Add("applied-at-once-staff-told", AuditActions.MailSent, AuditEvent.System, "applied-at-once", staffTold);
        }

        if (c.ApprovalMailSentAt is { } approvalSent)
        {
            Add("approval-requested", AuditActions.MailSent, AuditEvent.System, "approval-request", approvalSent);
        }

        // The first round's approvals keep the keys they always had; a later round's (after approvals were set aside by a
        // request for more identification) are keyed by their round.
        foreach (var approval in c.SetAsideApprovals.Concat(c.Approvals))
        {
            var key = "approval." + approval.Stage.ToString(CultureInfo.InvariantCulture) + (approval.Round == 0 ? string.Empty : ".r" + approval.Round.ToString(CultureInfo.InvariantCulture));
            Add(key, AuditActions.IdentityApproved, approval.By,
                $"approval {approval.Stage} of {c.ApprovalsRequired} evidence={approval.Evidence}" + (approval.Note is null ? string.Empty : " note=given"), approval.At);
            if (approval.SetAsideAt is { } setAside)
            {
                Add(key + ".set-aside." + setAside.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.ApprovalSetAside, approval.SetAsideBy ?? AuditEvent.System, $"approval {approval.Stage} set aside: more identification asked", setAside);
            }
        }

        // Every request for more identification, each once. The first keeps the key it always had, unless it was asked
        // after a request taken back (its mail not sent: that one had the key); the others are keyed by their time.
        IdentificationAsk[] asks = [.. c.EarlierIdentificationRequests, .. c.IdentificationRequestedAt is { } askedNow ? [new IdentificationAsk(askedNow, c.IdentificationRequestedBy)] : Array.Empty<IdentificationAsk>()];
        for (var i = 0; i < asks.Length; i++)
        {
            var first = i == 0 && (c.IdentificationRequestsNotSent.Count == 0 || asks[i].At < c.IdentificationRequestsNotSent[0]);
            var key = first ? "identification-requested"
                : "identification-requested." + asks[i].At.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            Add(key, AuditActions.IdentificationRequested, asks[i].By ?? AuditEvent.System, "mail to requester", asks[i].At);
        }

        if (c.IdentificationMailSentAt is { } identificationMailed)
        {
            Add("identification-mail-sent." + identificationMailed.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.MailSent, AuditEvent.System,
                "identification request", identificationMailed);
        }

        for (var i = 0; i < c.IdentificationRequestsNotSent.Count; i++)
        {
            Add("identification-request-not-sent." + i.ToString(CultureInfo.InvariantCulture), AuditActions.IdentificationRequestWithdrawn, AuditEvent.System,
                // Taken back with it: the approvals it set aside count again (IdentificationRequestNotSent).
                "mail to requester not sent; the request is taken back, with any approvals it set aside", c.IdentificationRequestsNotSent[i]);
        }

        foreach (var reply in c.IdentificationReplies)
        {
            // Issue 17 item 9: the reply stays in the mailbox; the trail records that it came, and its attachment count.
            Add("identification-received." + reply.At.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.IdentificationReceived, "requester",
                reply.Attachments is { } n ? "attachments=" + n.ToString(CultureInfo.InvariantCulture) : "attachments=not-counted", reply.At);
        }

        foreach (var notice in c.RecipientNotices)
        {
            // Art. 19: which recipient (a data-map id, no personal data), when opened, who recorded it told.
            Add("art19-opened." + notice.Recipient, AuditActions.RecipientNoticeOpened, AuditEvent.System, "art. 19 " + notice.Recipient, notice.OpenedAt);
            if (notice.InformedAt is { } informed)
            {
                Add("art19-informed." + notice.Recipient, AuditActions.RecipientInformed, notice.InformedBy ?? "staff", "art. 19 " + notice.Recipient, informed);
            }
        }

        foreach (var check in c.IdentificationChecks)
        {
            Add("identification-seen." + check.At.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture), AuditActions.IdentificationSeen, check.By, "checked in the mailbox", check.At);
        }

        if (c.Decision is { } decision)
        {
            // The outcome only: the reasons are staff text about the requester and stay in the register.
            Add("decision", AuditActions.IdentityDecided, decision.DecidedBy,
                decision.Outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive ? "refused manifestly-unfounded-or-excessive (Art. 12(5))" : decision.Outcome.ToString().ToLowerInvariant(),
                decision.DecidedAt);
        }

        for (var i = 0; i < c.Extensions.Count; i++)
        {
            // Keyed by the new due date; one asked again after a withdrawn one to the same date gets a key of its own.
            var extension = c.Extensions[i];
            var earlier = c.Extensions.Take(i).Count(e => e.NewDueDate == extension.NewDueDate);
            var key = "extension." + extension.NewDueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                + (earlier == 0 ? string.Empty : "." + (earlier + 1).ToString(CultureInfo.InvariantCulture));
            Add(key, AuditActions.DeadlineExtended, extension.By, $"due={extension.NewDueDate:yyyy-MM-dd}", extension.At);
            if (extension.WithdrawnAt is { } withdrawn)
            {
                Add(key + ".withdrawn", AuditActions.DeadlineExtensionWithdrawn, AuditEvent.System, $"due={extension.PreviousDueDate:yyyy-MM-dd} notice not sent (Art. 12(3))", withdrawn);
            }
        }

        if (c.TasksMailSentAt is { } tasksSent)
        {
            Add("tasks-opened", AuditActions.StaffTasksOpened, AuditEvent.System, $"tasks={c.Tasks.Count}", tasksSent);
        }

        foreach (var task in c.Tasks.Where(t => !t.IsOpen))
        {
            Add("task." + task.Key, AuditActions.StaffTaskDone, task.DoneBy ?? AuditEvent.System, $"{task.Key} {task.Outcome?.ToString().ToLowerInvariant()}", task.DoneAt!.Value);
        }

        // The first review keeps the keys it had before reviews could be opened again (decision 117); later ones are numbered.
        var reviews = c.Review is null ? c.EarlierReviews : [.. c.EarlierReviews, c.Review];
        for (var i = 0; i < reviews.Count; i++)
        {
            var suffix = i == 0 ? string.Empty : "." + i.ToString(CultureInfo.InvariantCulture);
            if (reviews[i] is { MailSentAt: { } reviewAsked } review)
            {
                Add("export-review-opened" + suffix, AuditActions.ExportReviewOpened, AuditEvent.System, string.Create(CultureInfo.InvariantCulture, $"values={review.Values}"), reviewAsked);
            }

            if (reviews[i] is { DoneAt: { } reviewed } done)
            {
                // Art. 15(4): how many values were withheld and from which columns; never the text.
                var columns = done.Withheld.Select(w => $"{w.StoreKey}.{w.Table}.{w.Column}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                Add("export-reviewed" + suffix, AuditActions.ExportReviewed, done.DoneBy ?? AuditEvent.System,
                    string.Create(CultureInfo.InvariantCulture, $"withheld={done.Withheld.Count}") + (done.Withheld.Count > 0 ? " columns=" + string.Join(",", columns) : string.Empty), reviewed);
            }
        }

        foreach (var reminder in c.Reminders)
        {
            Add("reminder." + reminder.Key, AuditActions.ReminderSent, AuditEvent.System, reminder.Key, reminder.At);
        }

        for (var i = 0; i < c.RestrictionLiftNoticesNotSent.Count; i++)
        {
            Add("restriction-lift-not-sent." + i.ToString(CultureInfo.InvariantCulture), AuditActions.RestrictionLiftNotSent, AuditEvent.System,
                "restriction-lift-notice not sent, nothing lifted", c.RestrictionLiftNoticesNotSent[i]);
        }

        if (c.RestrictionLift is { } lift)
        {
            // Art. 18(3): the notice first, then the lift, with the records per store (the reason stays in the register).
            Add("restriction-lift-notified", AuditActions.MailSent, lift.By,
                "restriction-lift-notice" + (lift.Kept is { Count: > 0 } keptAt ? " kept-by=" + string.Join(",", keptAt.Select(k => k.By)) : string.Empty), lift.NoticeSentAt);
            if (lift.LiftedAt is { } lifted)
            {
                Add("restriction-lifted", AuditActions.RestrictionLifted, lift.By,
                    (lift.Kept is { Count: > 0 } kept ? "kept-by=" + string.Join(",", kept.Select(k => k.By)) + " " : string.Empty) + "stores=" + string.Join(",", (lift.Records ?? new Dictionary<string, int>()).OrderBy(r => r.Key, StringComparer.Ordinal)
                        .Select(r => r.Key + ":" + r.Value.ToString(CultureInfo.InvariantCulture))), lifted);
            }
        }

        if (c.AnswerSentAt is { } answered)
        {
            Add("answer-sent", AuditActions.AnswerSent, AuditEvent.System, c.Status.ToString(), answered);
        }

        for (var i = 0; i < c.Retries.Count; i++)
        {
            Add("retried." + (i + 1).ToString(CultureInfo.InvariantCulture), AuditActions.Retried, c.Retries[i].By, "resumed after a failed step", c.Retries[i].At);
        }

        if (c.AnsweredOutside is { } outside)
        {
            // Staff answered the requester themselves; how they did stays in the register (staff text about the requester).
            Add("answered-outside", AuditActions.AnsweredOutside, outside.By,
                string.Create(CultureInfo.InvariantCulture, $"closed {c.Status} answered-on={outside.AnsweredOn:yyyy-MM-dd}"), outside.RecordedAt);
        }

        // The downloads of the zips a retry replaced first, then the current zip's, numbered on: each keeps its key.
        var downloads = c.ReplacedExports.SelectMany(r => r.Downloads).Concat(c.Downloads).ToList();
        for (var i = 0; i < downloads.Count; i++)
        {
            Add("download." + (i + 1).ToString(CultureInfo.InvariantCulture), AuditActions.ExportDownloaded, "requester",
                $"download {i + 1}", downloads[i]);
        }

        // Each zip of the case (one, unless a retry wrote it again) keeps keys of its own: the first as before, the
        // next ones numbered from 2.
        void ExportEvents(int zip, DateTimeOffset? revokedAt, string? revokedBy, ExportDeletion? deleted)
        {
            var suffix = zip == 0 ? string.Empty : "." + (zip + 1).ToString(CultureInfo.InvariantCulture);
            if (revokedAt is { } revoked)
            {
                // The zip's deletion is an event of its own (export-deleted, "withdrawn"): that delete may fail and be done by the sweep.
                Add("export-revoked" + suffix, AuditActions.ExportRevoked, revokedBy ?? AuditEvent.System, "link withdrawn", revoked);
            }

            if (deleted is not null)
            {
                Add("export-deleted" + suffix, AuditActions.ExportDeleted, AuditEvent.System, deleted.Reason switch
                {
                    ExportDeletionReason.Erasure => "erasure " + deleted.ErasureCaseId,
                    ExportDeletionReason.Withdrawn => "withdrawn",
                    _ => "link ended",
                }, deleted.At);
            }
        }

        for (var i = 0; i < c.ReplacedExports.Count; i++)
        {
            var replaced = c.ReplacedExports[i];
            ExportEvents(i, replaced.RevokedAt, replaced.RevokedBy, replaced.Deleted);
            Add("export-replaced." + (i + 1).ToString(CultureInfo.InvariantCulture), AuditActions.ExportReplaced, AuditEvent.System,
                replaced.RevokedAt is not null ? "written again after its withdrawal"
                : replaced.Deleted is not null ? "written again after its deletion"
                : "written again, the earlier zip gone from storage or older than its review or a staff retry", replaced.At);
        }

        ExportEvents(c.ReplacedExports.Count, c.ExportRevokedAt, c.ExportRevokedBy, c.ExportDeleted);

        if (c.EarlierCopiesErased is { } copies)
        {
            Add("earlier-copies-erased", AuditActions.EarlierCopiesErased, AuditEvent.System,
                string.Create(CultureInfo.InvariantCulture, $"cases={copies.CaseIds.Count} blobs={copies.Blobs}")
                + (copies.KeptWhileAnswered.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" kept-while-answered={copies.KeptWhileAnswered.Count}"))
                + (copies.AnsweredAgain.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" answered-again={copies.AnsweredAgain.Count}"))
                + (copies.RetriedMeanwhile.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" retried-meanwhile={copies.RetriedMeanwhile.Count}")),
                copies.At);
        }

        // Each change of status once: a status the case comes back to (failed again after a retry, back to work after
        // staff tasks) is its own event. The first of each keeps the key it always had ("status.Failed"), so a case's
        // trail written before gets no second copy; the n-th after it "status.Failed.n".
        var seen = new Dictionary<CaseStatus, int>();
        foreach (var change in c.History.Skip(1))
        {
            var n = seen[change.Status] = seen.GetValueOrDefault(change.Status) + 1;
            Add("status." + change.Status + (n == 1 ? string.Empty : "." + n.ToString(CultureInfo.InvariantCulture)), AuditActions.StatusChanged, AuditEvent.System, change.Status.ToString(), change.At);
        }

        if (c.IdentifiersErasedAt is { } erased)
        {
            Add("identifiers-erased", AuditActions.IdentifiersErased, AuditEvent.System, "retention ended", erased);
        }

        return entries;
    }
}
