using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Triage;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Workflow;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Intake;

/// <summary>What became of one mail.</summary>
public enum MailOutcome
{
    CaseCreated,
    JoinedOpenCase,
    SentToTriage,
    LeftAlone,
    Ignored,
    AlreadyHandled,
    Refused,
}

/// <summary>What became of one mail, and the case it belongs to (if any); <paramref name="Unread"/> when not even its sender could be read.</summary>
public sealed record MailIntakeResult(MailOutcome Outcome, string? CaseId, string Reason, bool Unread = false);

/// <summary>
/// Turns one mail to info@infomat.eu into what it should be: a new case (in the language it was written in, verified
/// when the tenant's DMARC verdict is a pass, otherwise sent a verification link), a join of the sender's open case of
/// the same type, a triage mail to staff, or nothing. Each message is handled once, however often it arrives: a marker
/// keyed by a hash of its Message-ID is recorded after handling, and a crash before that is covered by the join rule.
/// </summary>
public sealed partial class MailIntake(
    ICaseRegister register, CaseWorkflow workflow, NewCases newCases, OpenRequests openRequests, KeyedHash hash, IMailSender mail, IInboundMailParser parser, DataMap dataMap,
    IOptions<PrivacyOptions> options, IOptions<MailboxIntakeOptions> intakeOptions, TimeProvider time, ILogger<MailIntake> log, TriagedMails triaged,
    SubmissionLimits limits, PrivacyMetrics? metrics = null)
{
    /// <summary>The name of the key a mail's case id is derived with (<see cref="CaseIdFor"/>).</summary>
    public const string CaseIdKey = "mail-case-id";

    private readonly byte[] caseIdKey = hash.DeriveKey(CaseIdKey);

    private readonly byte[] messageIdKey = hash.DeriveKey(OutgoingMessageIds.KeyLabel);

    private readonly IReadOnlyList<string> ownAddresses = intakeOptions.Value.OwnAddresses.ToList();

    /// <summary>
    /// Handles one mail. <paramref name="deliveredAt"/> is when the mailbox got it (Graph <c>receivedDateTime</c>, the
    /// inbox file's time), from which the legal deadline runs (<see cref="MailReceipt"/>); null when unknown.
    /// </summary>
    public async Task<MailIntakeResult> HandleAsync(Stream message, DateTimeOffset? deliveredAt, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow();
        InboundMail inbound;
        try
        {
            inbound = parser.Parse(message, now);
            inbound = inbound with { ReceivedAt = MailReceipt.ReceivedAt(deliveredAt, inbound.SentAt, now) };
        }
        catch (InboundMailRejectedException ex)
        {
            // Not even a sender could be read: staff still hear of it, with the reason, rather than nobody, and when it
            // reached the mailbox, from which its time runs (MailReceipt), and its subject when the headers were read.
            // Staff read why in their own language; the log and the result keep the English rendering.
            var reason = ex.Reason.ToString();
            var o = options.Value;
            // Told once: the same mail read again (a notification and the sweep, a retry after its category failed) is known.
            var unreadable = ex.MessageId is { } rejectedId ? MarkerFor(rejectedId) : null;
            if (unreadable is not null && await register.UsedForAsync(unreadable, cancellationToken) is not null)
            {
                return Done(unreadable, new MailIntakeResult(MailOutcome.AlreadyHandled, null, "message handled before", Unread: true));
            }

            var receivedAt = MailReceipt.ReceivedAt(deliveredAt, ex.SentAt, now);
            await log.SendToStaffAsync(mail, o.Staff, "Unreadable mail", "triage", to => PrivacyMails.Triage("mail.unreadable", "—", ex.Subject ?? string.Empty, string.Empty, ex.Reason.Render(o.Staff.Language), receivedAt, DueDateFrom(receivedAt), to, o.Staff.Language), cancellationToken);
            if (unreadable is not null)
            {
                await register.TryConsumeTokenAsync(unreadable, "-", cancellationToken);
            }

            Handled(log, unreadable ?? "-", MailOutcome.SentToTriage, reason);
            return new MailIntakeResult(MailOutcome.SentToTriage, null, reason, Unread: true);
        }

        var marker = MarkerFor(inbound.MessageId);
        if (await register.UsedForAsync(marker, cancellationToken) is { } earlier)
        {
            return Done(marker, new MailIntakeResult(MailOutcome.AlreadyHandled, earlier == "-" ? null : earlier, "message handled before"));
        }

        // Our own addresses: the intake mailbox and sender, the staff and escalation addresses (an entry may list several).
        string[] ours = [.. ownAddresses, options.Value.Staff.Address, .. options.Value.Staff.EscalationAddress is { } escalation ? [escalation] : Array.Empty<string>()];

        // Our own mail back in the mailbox (a staff address that is or forwards to info@): never triaged again, or it loops.
        if (OwnMail.Reason(inbound, ours) is { } own)
        {
            var ignored = new MailIntakeResult(MailOutcome.Ignored, null, own);
            await register.TryConsumeTokenAsync(marker, "-", cancellationToken);
            return Done(marker, ignored);
        }

        // A reply to one of our mails goes to its case, not to the classifier (by the PR- reference in its subject or
        // quote, or our Message-ID in its In-Reply-To/References), even when it was too large to read (a scanned ID card):
        // the case learns of it and staff are told.
        var verdict = inbound.RefusedReason is { } refused
            ? new MailVerdict(MailVerdictKind.Triage, null, MailClassifier.DetectLanguage(MailClassifier.OwnText(inbound.Subject)), refused)
            : MailClassifier.Classify(inbound, ours);
        var (byAddress, severalWaiting) = await RouteReplyAsync(inbound, verdict, client, cancellationToken) is { } reply
            ? (reply, false)
            : await RouteIdentificationByAddressAsync(inbound, verdict, client, cancellationToken);
        if (byAddress is { } answered)
        {
            await register.TryConsumeTokenAsync(marker, answered.CaseId!, cancellationToken);
            return Done(marker, answered);
        }

        if (severalWaiting)
        {
            // It may be the answer to either: staff decide which, from the triage mail, rather than nobody reading it.
            verdict = verdict with { Kind = MailVerdictKind.Triage, Why = verdict.Why.Then("IdentificationSeveralCases") };
        }

        // A reply to our mail about an open case, proven by our signed Message-ID, from an address other than the
        // requester's: not taken as the case's (decision 52), but not filed away either (it may be the identification
        // asked for, sent from another address of theirs): staff decide, and the case waits on them meanwhile.
        var answersFromElsewhere = verdict.Kind is MailVerdictKind.NotARequest or MailVerdictKind.Triage && inbound.AutomaticReason is null
            ? await AnsweredFromAnotherAddressAsync(inbound, cancellationToken) : null;
        if (answersFromElsewhere is { } other)
        {
            verdict = verdict with { Kind = MailVerdictKind.Triage, Why = verdict.Why.Then("AnswersOurMailFromAnotherAddress", other.Id) };
        }

        var result = verdict.Kind switch
        {
            MailVerdictKind.Ignored => Ignored(inbound, verdict),
            MailVerdictKind.NotARequest => new MailIntakeResult(MailOutcome.LeftAlone, null, verdict.Reason),
            MailVerdictKind.Triage => await TriageAsync(inbound, verdict, marker, client, cancellationToken, answersFromElsewhere),
            _ => await RequestAsync(inbound, verdict, marker, client, cancellationToken),
        };
        await register.TryConsumeTokenAsync(marker, result.CaseId ?? "-", cancellationToken);
        return Done(marker, result);
    }

    /// <summary>The id of the case a mail becomes, derived from its Message-ID: one mail, one case, whoever makes it.</summary>
    public static string CaseIdFor(byte[] key, string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        return CaseIds.Derived(key, messageId.Trim().TrimStart('<').TrimEnd('>'));
    }

    /// <summary>The register key that records a message as handled: a hash of its Message-ID (with or without angle brackets).</summary>
    public static string MarkerFor(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var id = messageId.Trim().TrimStart('<').TrimEnd('>');
        return "mail." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..40];
    }

    private MailIntakeResult Done(string marker, MailIntakeResult result)
    {
        Handled(log, marker, result.Outcome, result.Reason);
        return result;
    }

    private async Task<MailIntakeResult> TriageAsync(InboundMail inbound, MailVerdict verdict, string marker, DurableTaskClient client, CancellationToken ct, PrivacyCase? answersFromElsewhere = null)
    {
        var o = options.Value;
        var from = inbound.FromName is null ? inbound.FromAddress : $"{inbound.FromName} <{inbound.FromAddress}>";
        var excerpt = inbound.Body.Length > 2000 ? inbound.Body[..2000] + "…" : inbound.Body;
        // Kept beside the markers so staff can make it a case from the mail's link, dated when the mail arrived.
        var details = (inbound.Subject + "\n\n" + inbound.Body).Trim();
        details = details.Length > RequestValidator.MaxDetailsLength ? details[..RequestValidator.MaxDetailsLength] : details;
        var (link, awaitsStaff) = await triaged.RecordAsync(
            new TriagedMail(TriagedMails.IdFor(marker), inbound.MessageId, inbound.ReceivedAt, verdict.Why.Encode(), inbound.FromAddress, inbound.FromName, verdict.Language, details, inbound.Dmarc), ct);
        if (!awaitsStaff)
        {
            // Handled again after staff made it a case or marked it (its first handling died before the mail's marker).
            return new MailIntakeResult(MailOutcome.SentToTriage, null, verdict.Reason);
        }

        await log.SendToStaffAsync(mail, o.Staff, "Mail " + marker, "triage", to => PrivacyMails.Triage(marker, from, inbound.Subject, excerpt, verdict.Why.Render(o.Staff.Language), inbound.ReceivedAt, DueDateFrom(inbound.ReceivedAt), to, o.Staff.Language, link), ct);

        // It may be the answer to a request for identification its sender was sent: each such case waits on staff from
        // now, rather than closing at its end as "the identification did not reach us" while the answer sits in triage.
        var ids = new List<string>();
        await foreach (var id in register.ListUnansweredOfAsync(inbound.FromAddress, ct))
        {
            ids.Add(id);
        }

        // And the case whose mail it answers from another address (its own address is the requester's).
        foreach (var id in ids.Concat(answersFromElsewhere is { } elsewhere ? [elsewhere.Id] : Array.Empty<string>()).Distinct(StringComparer.Ordinal))
        {
            if (await register.GetAsync(id, ct) is { } c && c.TakesUnnamedAnswerFrom(id == answersFromElsewhere?.Id ? c.Email : inbound.FromAddress, inbound.ReceivedAt, o.Approval.Timeout)
                && await register.ApplyAsync(id, x => x.IdentificationMailInTriage(inbound.ReceivedAt), ct) is { Refused: false, Case.Status: not CaseStatus.Failed })
            {
                // Its wait looks again now (reminders from the mail's arrival); a failed case's run has stopped.
                await workflow.SignalAsync(client, id, Workflow.Orchestration.CaseEvents.IdentityDecided, ct);
            }
        }

        return new MailIntakeResult(MailOutcome.SentToTriage, null, verdict.Reason);
    }

    /// <summary>
    /// The open case one of whose mails <paramref name="inbound"/> answers, as our signed Message-ID in its
    /// <c>In-Reply-To</c>/<c>References</c> proves, when the mail comes from an address other than that case's; null
    /// otherwise. A PR- reference alone proves nothing (anyone can type one).
    /// </summary>
    private async Task<PrivacyCase?> AnsweredFromAnotherAddressAsync(InboundMail inbound, CancellationToken ct)
    {
        foreach (var caseId in CaseIds.FindIn(string.Join("\n", inbound.References ?? [])).Distinct(StringComparer.Ordinal).Take(MaxReferencesLooked))
        {
            if (OutgoingMessageIds.Answers(caseId, inbound.References, messageIdKey) && await register.GetAsync(caseId, ct) is { } c
                && !c.Status.IsFinished() && EmailAddresses.Normalise(c.Email) != EmailAddresses.Normalise(inbound.FromAddress))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>The legal due date of a request received at <paramref name="receivedAt"/> by every controller (the earliest).</summary>
    private DateOnly DueDateFrom(DateTimeOffset receivedAt) =>
        Deadlines.DueDateCalculator.DueDate(receivedAt, ControllerScope.AllOf(dataMap.ControllerCodes), dataMap);

    /// <summary>
    /// When the mail names one of the sender's own cases (the PR- reference in its subject or quoted text, or one of our
    /// Message-IDs in <c>In-Reply-To</c>/<c>References</c>): a case waiting for identification records the answer
    /// (<see cref="PrivacyCase.IdentificationAnswered"/>) and its orchestration looks at once; any other records the reply
    /// (<see cref="PrivacyCase.ReplyReceived"/>). Staff are told in the staff language either way. A reference from
    /// another address is not trusted: that mail is read on its own.
    /// </summary>
    /// <remarks>
    /// A reply that is itself a clear new request ("thanks for the file; now erase my data"), to a case not waiting for
    /// identification, is not swallowed as a reply: it goes on to the classifier's verdict and becomes (or joins) a case.
    /// At most <see cref="MaxReferencesLooked"/> references are looked up, however many a mail quotes.
    /// </remarks>
    private async Task<MailIntakeResult?> RouteReplyAsync(InboundMail inbound, MailVerdict verdict, DurableTaskClient client, CancellationToken ct)
    {
        if (inbound.AutomaticReason is not null || verdict.Kind == MailVerdictKind.Ignored)
        {
            // An out-of-office (by its headers or its subject) or a bounce quoting the reference is not the requester's answer.
            return null;
        }

        var named = string.Join("\n", [inbound.Subject, .. inbound.References ?? [], inbound.Body]);
        foreach (var caseId in CaseIds.FindIn(named).Distinct(StringComparer.Ordinal).Take(MaxReferencesLooked))
        {
            if (await register.GetAsync(caseId, ct) is not { } referred || EmailAddresses.Normalise(referred.Email) != EmailAddresses.Normalise(inbound.FromAddress))
            {
                continue;
            }

            if (verdict.Kind == MailVerdictKind.Request && !referred.AwaitsIdentificationFrom(inbound.FromAddress))
            {
                return null;
            }

            // Whether the mail shows it comes from the requester (DMARC, or it quotes one of our tagged Message-IDs):
            // staff are told when it does not, before they rely on it.
            var confirmed = inbound.SenderConfirmedFor(caseId, messageIdKey);
            if (referred.AwaitsIdentificationFrom(inbound.FromAddress) && await AnswerIdentificationAsync(caseId, inbound, confirmed, namedCase: true, client, ct) is { } identification)
            {
                // A reply that also asks a right this case does not ("here is my ID; erase my data too"): the answer is
                // recorded, and the request is read on its own as well (as decision 112 reads a mail naming no case), so
                // it becomes a case with its own deadline rather than being swallowed.
                return verdict.Kind == MailVerdictKind.Request && AsksAnotherRight(verdict, referred) ? null : identification;
            }

            return await RecordOnCaseAsync(caseId, inbound, confirmed, wroteAgain: false, ct);
        }

        return null;
    }

    /// <summary>
    /// Records <paramref name="inbound"/> on <paramref name="caseId"/> for staff to read: a reply to our mail about the
    /// case, or (<paramref name="wroteAgain"/>) a mail asking the same right again with something to add
    /// (<see cref="PrivacyCase.IsAddedToBy"/>). Recorded once; a retry after a crash finds it recorded and tells staff
    /// again rather than not at all. Staff hear of such mail at most once an hour, and a case records at most 50
    /// (<see cref="PrivacyCase.StaffToldOfReply"/>): the rest stay in the mailbox under the case's category.
    /// </summary>
    private async Task<MailIntakeResult> RecordOnCaseAsync(string caseId, InboundMail inbound, bool confirmed, bool wroteAgain, CancellationToken ct)
    {
        var o = options.Value;
        var what = wroteAgain ? "the same request written again, with more to it" : "reply to our mail about the case";
        var reply = await register.ApplyAsync(caseId, c => c.ReplyReceived(inbound.ReceivedAt), ct);
        if (reply.Refusal == CaseRefusal.TooMany || !reply.Case.StaffToldOfReply(inbound.ReceivedAt))
        {
            return new MailIntakeResult(MailOutcome.JoinedOpenCase, caseId, what + ", filed without a staff mail");
        }

        await log.SendToStaffAsync(
            mail, o.Staff, "Case " + caseId, wroteAgain ? "requester wrote again" : "requester replied",
            to => wroteAgain
                ? PrivacyMails.RequesterWroteAgain(reply.Case, inbound.ReceivedAt, o.Link("cases/" + caseId), to, o.Staff.Language, confirmed)
                : PrivacyMails.RequesterReplied(reply.Case, inbound.ReceivedAt, o.Link("cases/" + caseId), to, o.Staff.Language, confirmed),
            ct);
        return new MailIntakeResult(MailOutcome.JoinedOpenCase, caseId, what);
    }

    /// <summary>
    /// A mail that names no case of ours (a fresh mail rather than a reply: "here is my identity card") from the address
    /// of the one case still waiting for identification from it (<see cref="PrivacyCase.TakesUnnamedAnswerFrom"/>):
    /// recorded as that case's answer, as a reply would be, so the case does not close as "the identification did not
    /// reach us" while it sits in the mailbox. Only a mail the classifier finds no request in, one too large or
    /// unreadable to classify (a scanned document), or a request for the same right; never an automatic one, a mail
    /// staff must triage, or a request for another right (each goes its own way), and once only: after the answer,
    /// further mail is read on its own. When the address has two cases waiting, neither: the mail goes to staff in triage,
    /// saying so (<c>SeveralWaiting</c>). Staff are told it named no case.
    /// </summary>
    private async Task<(MailIntakeResult? Answer, bool SeveralWaiting)> RouteIdentificationByAddressAsync(InboundMail inbound, MailVerdict verdict, DurableTaskClient client, CancellationToken ct)
    {
        var mayBeAnswer = verdict.Kind == MailVerdictKind.NotARequest || verdict.Kind == MailVerdictKind.Request
            || (verdict.Kind == MailVerdictKind.Triage && inbound.RefusedReason is not null);
        if (inbound.AutomaticReason is not null || !mayBeAnswer)
        {
            return (null, false);
        }

        var waiting = new List<PrivacyCase>();
        // Failed cases too: one flagged while it waited for this answer still takes it (decision 106), and retried it
        // must not close as "the identification did not reach us" while the answer sits in the mailbox.
        await foreach (var id in register.ListUnansweredOfAsync(inbound.FromAddress, ct))
        {
            if (await register.GetAsync(id, ct) is { } c && c.TakesUnnamedAnswerFrom(inbound.FromAddress, inbound.ReceivedAt, options.Value.Approval.Timeout))
            {
                waiting.Add(c);
            }
        }

        if (waiting.Count > 1)
        {
            // Not a request for another right (that is read as such): it may answer either case.
            return (null, verdict.Kind != MailVerdictKind.Request);
        }

        if (waiting is not [var one] || (verdict.Kind == MailVerdictKind.Request && verdict.Type != one.Type))
        {
            return (null, false);
        }

        return (await AnswerIdentificationAsync(one.Id, inbound, inbound.SenderConfirmedFor(one.Id, messageIdKey), namedCase: false, client, ct), false);
    }

    /// <summary>
    /// Records <paramref name="inbound"/> as the answer to the request for identification of <paramref name="caseId"/>,
    /// tells staff (whether the sender is confirmed; whether the mail named the case) and has the orchestration look at
    /// once; null when the case no longer takes it.
    /// </summary>
    private async Task<MailIntakeResult?> AnswerIdentificationAsync(string caseId, InboundMail inbound, bool confirmed, bool namedCase, DurableTaskClient client, CancellationToken ct)
    {
        var o = options.Value;
        var update = await register.ApplyAsync(caseId, c => c.IdentificationAnswered(inbound.ReceivedAt, inbound.Attachments), ct);
        if (update.Refused)
        {
            return null;
        }

        await log.SendToStaffAsync(mail, o.Staff, "Case " + caseId, "identification answered", to => PrivacyMails.IdentificationAnswered(update.Case, o.Link("cases/" + caseId), to, o.Staff.Language, confirmed, namedCase), ct);
        if (update.Case.Status != CaseStatus.Failed)
        {
            // The case waits on staff again from now: the orchestration looks at once (reminders run from the reply). A
            // failed case's run has stopped: a staff retry starts it again, and it reads the answer then.
            await workflow.SignalAsync(client, caseId, Workflow.Orchestration.CaseEvents.IdentityDecided, ct);
        }
        return new MailIntakeResult(MailOutcome.JoinedOpenCase, caseId, namedCase ? "reply to the request for more identification" : "mail from the address asked for more identification");
    }

    /// <summary>Whether <paramref name="verdict"/> asks a right <paramref name="c"/> does not answer.</summary>
    private static bool AsksAnotherRight(MailVerdict verdict, PrivacyCase c) =>
        verdict.Type is { } type && new[] { type }.Concat(verdict.AlsoRights).Any(r => !c.Rights.Contains(r));

    /// <summary>How many case references of one mail are looked up in the register (subject and headers first).</summary>
    private const int MaxReferencesLooked = 5;

    private async Task<MailIntakeResult> RequestAsync(InboundMail inbound, MailVerdict verdict, string marker, DurableTaskClient client, CancellationToken ct)
    {
        var type = verdict.Type!.Value;
        var details = (inbound.Subject + "\n\n" + inbound.Body).Trim();
        details = details.Length > RequestValidator.MaxDetailsLength ? details[..RequestValidator.MaxDetailsLength] : details;
        var request = new ValidRequest(
            type, inbound.FromAddress, inbound.FromName ?? inbound.FromAddress.Split('@')[0], null, ControllerScope.AllOf(dataMap.ControllerCodes), verdict.Language, details,
            verdict.Objection ?? (type == RequestType.Objection ? ObjectionScope.Other : null))
        {
            AlsoRights = verdict.AlsoRights,
            Consent = verdict.Consent,
        };

        // The case's id comes from the Message-ID: however often and however concurrently the mail is handled, one case.
        var candidate = PrivacyCase.Received(request, Channel.Email, inbound.ReceivedAt, dataMap, inbound.Dmarc) with
        {
            Id = CaseIdFor(caseIdKey, inbound.MessageId),
            IntakeReason = verdict.Why.Encode(),
        };

        // A new case for the address counts against the per-address limit the form and the API share (decision 63): over
        // it, the mail is not made a case (no verification mail, no acknowledgement to the address) but kept for staff in
        // triage, whole and dated, from which they make it a case if it is a real request. Nothing is lost; a flood
        // of mails naming one address does not become a flood of mails to it. A join (no mail) and a retry of a mail
        // whose case was written already are not counted.
        DateTimeOffset? countedAt = null;
        if (await register.GetAsync(candidate.Id, ct) is null && await openRequests.FindSameAsync(request, ct) is null)
        {
            var (wait, at) = await limits.CountAddressAsync(inbound.FromAddress, ct);
            countedAt = at;
            if (wait is not null)
            {
                var o = options.Value.Intake;
                var over = verdict with
                {
                    Kind = MailVerdictKind.Triage,
                    Why = verdict.Why.Then("OverAddressLimit", o.PerAddressLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), o.PerAddressWindow.ToString("c", System.Globalization.CultureInfo.InvariantCulture)),
                };
                return await TriageAsync(inbound, over, marker, client, ct);
            }
        }

        var (privacyCase, created) = await openRequests.CreateOrJoinAsync(candidate, request, ct);
        if (!created && countedAt is { } counted)
        {
            // Another handling of this mail wrote its case (or a request to join) after this one counted it: one request,
            // one count.
            await limits.UncountAddressAsync(inbound.FromAddress, counted);
        }

        if (created)
        {
            // Only the handling that wrote the case begins it (two starts at once would leave the instance unable to
            // run); a handler that died in between leaves it to the reconciler.
            await BeginAsync(client, privacyCase, ct);
        }
        else if (privacyCase.Id != candidate.Id && privacyCase.IsAddedToBy(request.Details))
        {
            // Joined another mail's case (or a form's) with words of its own: what it adds is that case's to handle, so
            // it is recorded there and staff are told, as for a reply. The same mail sent again adds nothing.
            return await RecordOnCaseAsync(privacyCase.Id, inbound, inbound.SenderConfirmedFor(privacyCase.Id, messageIdKey), wroteAgain: true, ct);
        }

        return new MailIntakeResult(created ? MailOutcome.CaseCreated : MailOutcome.JoinedOpenCase, privacyCase.Id, verdict.Reason);
    }

    /// <summary>
    /// Sends the verification link when the case needs one, and starts the case's orchestration. A start that fails is
    /// logged, not thrown: the case is written, so the mail handled again would find it and begin nothing; the
    /// reconciliation starts it (decision 85).
    /// </summary>
    private async Task BeginAsync(DurableTaskClient client, PrivacyCase created, CancellationToken ct)
    {
        try
        {
            await newCases.BeginAsync(client, created, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StartFailed(log, created.Id, ex.GetType().Name);
        }
    }

    [LoggerMessage(139, LogLevel.Warning, "Case {CaseId} (from a mail) is written but its orchestration could not be started ({Error}); the reconciliation starts it")]
    private static partial void StartFailed(ILogger logger, string caseId, string error);

    /// <summary>
    /// Ignored mail (never answered); a report that one of our mails could not be delivered is logged as an error and
    /// counted for the ops alert: staff mail goes out through the mailbox, so a wrong, removed or full staff mailbox shows
    /// only here, and nobody would know that approval requests, tasks and reminders reach no one.
    /// </summary>
    private MailIntakeResult Ignored(InboundMail inbound, MailVerdict verdict)
    {
        if (inbound.ReturnedOwnMailKind is { } kind)
        {
            OwnMailUndelivered(log, kind);
            metrics?.OwnMailUndelivered(kind);
        }

        return new MailIntakeResult(MailOutcome.Ignored, null, verdict.Reason);
    }

    [LoggerMessage(189, LogLevel.Error, "A mail of ours ({Kind}) was reported undelivered by the receiving mail server (a non-delivery report reached the mailbox); for a staff mail, check Privacy:Staff:Address and that mailbox")]
    private static partial void OwnMailUndelivered(ILogger logger, string kind);

    [LoggerMessage(50, LogLevel.Information, "Mail {Marker}: {Outcome} ({Reason})")]
    private static partial void Handled(ILogger logger, string marker, MailOutcome outcome, string reason);
}
