using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

/// <summary>
/// Composes every mail of a case from the localized texts. Requester mails are in the requester's language and
/// always name the controllers and the complaint authority; staff mails are in the staff language.
/// </summary>
public static partial class PrivacyMails
{
    public static OutgoingMail Verification(PrivacyCase c, Stores.DataMap map, Uri link, TimeSpan validFor, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = c.Language;
        return Requester(c, map, MailKind.Verification, Texts.Format("MailVerificationSubject", l, c.Id),
        [
            Text(Texts.Format("MailVerificationBody", l, c.Id, Texts.Duration(validFor, l))),
            Link(link),
            Text(Texts.Get("MailVerificationIgnore", l)),
        ], notice: notice);
    }

    /// <summary>Which export-ready text fits the case: access, portability, or both in one export.</summary>
    private static string ExportBody(PrivacyCase c) => (c.Rights.Contains(RequestType.Access), c.Rights.Contains(RequestType.Portability)) switch
    {
        (true, true) => "MailExportBodyAccessPortability",
        (false, true) => "MailExportBodyPortability",
        _ => "MailExportBody",
    };

    public static OutgoingMail ExportReady(PrivacyCase c, Stores.DataMap map, Uri link, DateTimeOffset expiresAt, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = c.Language;
        return Requester(c, map, MailKind.ExportReady, Texts.Format("MailExportSubject", l, c.Id),
        [
            Text(Texts.Format(ExportBody(c), l, c.Id, Texts.Deadline(expiresAt, l))),
            Link(link),
        ], notice: notice);
    }

    /// <summary>
    /// To the requester, when staff refused the request: the identity not confirmed, or the request manifestly unfounded
    /// or excessive (Art. 12(5)). Either way the reasons and, in the footer of every answer, the remedies of Art. 12(4)
    /// (complaint, Art. 77; court, Art. 79, and the Dutch time limit where Infomat Nederland is concerned).
    /// </summary>
    public static OutgoingMail Rejection(PrivacyCase c, Stores.DataMap map, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var l = c.Language;
        var reason = string.IsNullOrWhiteSpace(c.Decision?.Reason) ? Texts.Get("MailRejectionNoReason", l) : c.Decision!.Reason!;
        var body = c.Decision?.Outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive ? "MailRefusalUnfoundedBody" : "MailRejectionBody";
        return Requester(c, map, MailKind.Rejection, Texts.Format("MailRejectionSubject", l, c.Id),
        [
            Text(c.AppliedAtOnceAt is null ? Texts.Format(body, l, c.Id) : Texts.Format(body + "Partly", l, c.Id, RestNames(c, l))),
            Text(reason),
            .. AppliedAtOnceStands(c, l),
        ], notice: notice);
    }

    /// <summary>
    /// To the requester, when the case expired because they did not respond (Art. 12(4)): why it was closed without
    /// action (the address never confirmed, or the identification asked for never sent) and the remedies.
    /// </summary>
    public static OutgoingMail Expired(PrivacyCase c, Stores.DataMap map, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = c.Language;
        ArgumentNullException.ThrowIfNull(map);
        var why = c.EmailVerifiedAt is null ? Texts.Format("MailExpiredBody", l, c.Id) : IdentificationExpiredText(c, l);
        return Requester(c, map, MailKind.Rejection, Texts.Format("MailExpiredSubject", l, c.Id),
        [
            Text(why),
            .. AppliedAtOnceStands(c, l),
        ], notice: notice);
    }

    /// <summary>
    /// To the requester, before staff lift the restriction the case put in place (Art. 18(3)): that it will be lifted,
    /// in which companies' systems, why, and the remedies. Sent before any store changes.
    /// </summary>
    public static OutgoingMail RestrictionLiftNotice(PrivacyCase c, Stores.DataMap map, string reason, Uri? notice = null, IReadOnlyList<KeptUnder>? kept = null, string? heldBy = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var l = c.Language;
        // After an erasure of theirs, what the law makes us keep stays restricted whatever this lift does (PrivacyCase.LiftLeavesHeldBy).
        Block[] held = heldBy is null ? [] : [Text(Texts.Format("MailRestrictionLiftHeld", l, heldBy))];
        if (kept is not { Count: > 0 })
        {
            return Requester(c, map, MailKind.RestrictionLiftNotice, Texts.Format("MailRestrictionLiftSubject", l, c.Id),
            [
                // The companies by name (a sentence, not the form's "Both: …" label).
                Text(Texts.Format("MailRestrictionLiftBody", l, c.Id, Texts.Companies(c.Entity, map, l))),
                Text(reason),
                .. held,
            ], notice: notice);
        }

        // Kept by other restriction requests of theirs (decision 128): this one ends; the records at the companies each
        // of those covers stay restricted under it, those at this request's other companies are lifted.
        var keptIn = PrivacyCase.KeptEntities(kept);
        var lifted = c.Entity.Codes.Where(code => !keptIn.Contains(code)).ToList();
        return Requester(c, map, MailKind.RestrictionLiftNotice, Texts.Format("MailRestrictionLiftSubjectKept", l, c.Id),
        [
            Text(Texts.Format("MailRestrictionLiftBodyKept", l, c.Id)),
            .. kept.Select(k => Text(Texts.Format("MailRestrictionLiftKeptUnder", l, Texts.Companies(ControllerScope.Of(k.Entities), map, l), k.By))),
            .. lifted.Count == 0 ? Array.Empty<Block>() : [Text(Texts.Format("MailRestrictionLiftPartKept", l, Texts.Companies(ControllerScope.Of(lifted), map, l)))],
            Text(Texts.Format("MailRestrictionLiftReasonKept", l, c.Id)),
            Text(reason),
            .. held,
        ], notice: notice);
    }

    /// <summary>
    /// What a request not acted on must tell the requester besides the reasons (Art. 12(4)), where no mail can carry it
    /// (the requester's page of a case closed because its address did not take mail): the case's controllers and their
    /// complaint authorities (Art. 77), and the courts (Art. 79) with the Dutch time limit where it applies; the same
    /// lines an answer mail ends with.
    /// </summary>
    /// <remarks>
    /// The Dutch court line counts its six weeks from this page when no mail can go (the address refused); from our answer
    /// otherwise (a notice still to go, <see cref="PrivacyCase.ClosedUntold"/>, or one reported undelivered).
    /// </remarks>
    public static IReadOnlyList<string> Remedies(PrivacyCase c, Stores.DataMap map, Language language)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        // Its own Dutch court line: the mail's runs "from receiving this message", and no message went.
        return [.. Texts.ControllerFooter(map, c.Entity, language), .. CourtRemedies(c, map, language, c.ClosedAsAddressRefused ? "ThanksCourtNl" : "ThanksCourtNlAnswer")];
    }

    /// <summary>
    /// The remedies an answer or a refusal ends with, after the complaint authorities: the courts (Art. 79), and the time
    /// limit for going to court where a controller's country sets one (the Netherlands: six weeks, UAVG art. 35).
    /// </summary>
    private static IEnumerable<string> CourtRemedies(PrivacyCase c, Stores.DataMap map, Language l, string courtNlKey = "MailCourtNl") =>
        CourtRemedies(map.Controllers.Where(x => c.Entity.Codes.Contains(x.Entity)), l, courtNlKey);

    /// <summary>The court remedies of an answer given by <paramref name="controllers"/> (also the export's summary page).</summary>
    public static IReadOnlyList<string> CourtRemedies(IEnumerable<Stores.Controller> controllers, Language l, string courtNlKey = "MailCourtNl") =>
    [
        Texts.Get("MailCourts", l),
        .. controllers.Where(x => x.Country == "NL").Select(x => Texts.Format(courtNlKey, l, x.LegalName)),
    ];

    /// <summary>
    /// The approval request to staff: the request, the channel evidence, what the stores hold (counts) and the decision
    /// link; with <paramref name="card"/> (<see cref="ApprovalCard"/>) also the card Outlook shows above the text.
    /// </summary>
    public static OutgoingMail ApprovalRequest(PrivacyCase c, Stores.DataMap map, Uri link, string staffAddress, Language staffLanguage, string? card = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = staffLanguage;
        var subject = Texts.Format("MailApprovalSubject", l, Texts.RightNames(c.Rights, l), c.Id, Texts.Date(c.DueDate, l));
        return Compose(MailKind.ApprovalRequest, Audience.Staff, c.Id, staffAddress, subject, l, greeting: null, ApprovalBlocks(c, map, link, l, "MailApprovalBody"), footer: false, card: card);
    }

    /// <summary>A reminder (or, with <paramref name="escalated"/>, the escalation) of an identity decision still open, with the same card.</summary>
    public static OutgoingMail ApprovalReminder(PrivacyCase c, Stores.DataMap map, Uri link, string to, Language staffLanguage, bool escalated, string? card = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = staffLanguage;
        var subject = Texts.Format(escalated ? "MailEscalationSubject" : "MailReminderSubject", l, c.Id, Texts.Date(c.DueDate, l));
        return Compose(MailKind.Reminder, Audience.Staff, c.Id, to, subject, l, greeting: null,
            ApprovalBlocks(c, map, link, l, escalated ? "MailEscalationBody" : "MailReminderBody"), footer: false, card: card);
    }

    private static Block[] ApprovalBlocks(PrivacyCase c, Stores.DataMap map, Uri link, Language l, string introKey) =>
    [
        Text(Texts.Get(introKey, l)),
        .. c.ApprovalsRequired > 1 ? [Text(Texts.Format("MailApprovalTwoApprovers", l, c.ApprovalsRequired))] : Array.Empty<Block>(),
        Link(link),
        .. Facts(c, map, l).Select(f => Text(f.ToText())),
        Text(Texts.Get("LabelHoldings", l) + ":\n" + string.Join("\n", Holdings(c, map, l).Select(h => "- " + h))),
    ];

    /// <summary>
    /// One reply to the request for more identification, as staff read it on the case page, the decision page and the
    /// card: when it came, its attachment count, and where to read it (the mailbox, under the case's category).
    /// </summary>
    public static string IdentificationReplyLine(PrivacyCase c, IdentificationReply reply, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(reply);
        var at = Texts.DateTime(reply.At, l);
        return reply.Attachments is { } n ? Texts.Plural("CaseIdentificationReply", n, l, at, n, c.Id) : Texts.Format("CaseIdentificationReplyUncounted", l, at, null, c.Id);
    }

    /// <summary>What the stores hold for the address, one line per store ("Infomat België, CRM: 3 records"); counts only.</summary>
    public static IReadOnlyList<string> Holdings(PrivacyCase c, Stores.DataMap map, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        if (c.Holdings is null)
        {
            return [Texts.Get("HoldingsUnknown", l)];
        }

        // A store retired from the map is still named by it; one removed altogether is named by its key (decision 114).
        return c.Holdings.OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => (h.Key, Count: h.Value < 0 ? Texts.Get("HoldingsNotCounted", l) : h.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(h => StoreLine(map, h.Key, h.Count, l))
            .ToList();
    }

    /// <summary>
    /// One line naming a store a case recorded and a figure ("Infomat België, CRM: 3"): a store retired from the map is
    /// still named by it; one removed altogether is named by its key, saying so (decision 114).
    /// </summary>
    public static string StoreLine(Stores.DataMap map, string storeKey, string figure, Language l)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.TryStore(storeKey, out var store)
            ? Texts.Format("HoldingsLine", l, map.Controller(store.Entity).LegalName, store.Name.In(l), figure)
            : Texts.Format("HoldingsLineUnmapped", l, storeKey, figure);
    }

    /// <summary>To the requester: staff need more to confirm the identity; what and why, in proportion.</summary>
    public static OutgoingMail IdentificationRequest(PrivacyCase c, Stores.DataMap map, string whatIsNeeded, TimeSpan replyTimeout, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = c.Language;
        var due = c.IdentificationReplyDue(replyTimeout) ?? throw new InvalidOperationException($"Case {c.Id}: no identification was asked for.");
        return Requester(c, map, MailKind.IdentificationRequest, Texts.Format("MailIdentificationSubject", l, c.Id),
        [
            Text(Texts.Format("MailIdentificationBody", l, c.Id)),
            Text(whatIsNeeded),
            Text(Texts.Get("MailIdentificationWhy", l)),
            Text(Texts.Format("MailIdentificationHow", l, c.Id, Texts.Deadline(due, l))),
            // Only while an extension may still be decided (Art. 12(3): within the first month).
            .. c.ExtendableUntil(c.IdentificationRequestedAt ?? DateTimeOffset.MinValue) is { } until ? [Text(Texts.Format("MailIdentificationMoreTime", l, Texts.Date(until, l)))] : Array.Empty<Block>(),
            Text(Texts.Format("MailIdentificationKept", l, c.Id)),
        ], notice: notice);
    }

    /// <summary>To the requester: the deadline is extended (Art. 12(3)), with the reason and the new date.</summary>
    public static OutgoingMail ExtensionNotice(PrivacyCase c, Stores.DataMap map, DeadlineExtension extension, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(extension);
        var l = c.Language;
        return Requester(c, map, MailKind.ExtensionNotice, Texts.Format("MailExtensionSubject", l, c.Id),
        [
            Text(Texts.Format("MailExtensionBody", l, c.Id, Texts.Date(extension.PreviousDueDate, l), Texts.Date(extension.NewDueDate, l))),
            Text(extension.Reason),
        ], notice: notice);
    }

    /// <summary>To staff: a case's legal due date is near (or passed).</summary>
    public static OutgoingMail DueReminder(PrivacyCase c, Uri caseLink, string to, Language staffLanguage, int daysLeft, DateOnly? extendableUntil = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = staffLanguage;
        var subject = daysLeft < 0
            ? Texts.Format("MailOverdueSubject", l, c.Id, Texts.Date(c.DueDate, l))
            : Texts.Format("MailDueSoonSubject", l, c.Id, Texts.Date(c.DueDate, l), daysLeft);
        var blocks = new List<Block> { Text(Texts.Format(daysLeft < 0 ? "MailOverdueBody" : "MailDueSoonBody", l, c.Id, Texts.Date(c.DueDate, l), Texts.Get("Status" + c.Status, l))) };
        if (extendableUntil is { } until)
        {
            // Art. 12(3): the extension must be decided, and told to the requester with its reasons, within the first month.
            blocks.Add(Text(Texts.Format("MailDueSoonExtendable", l, Texts.Date(until, l))));
        }

        blocks.Add(Link(caseLink));
        return Compose(MailKind.Reminder, Audience.Staff, c.Id, to, subject, l, greeting: null, [.. blocks], footer: false);
    }

    /// <summary>
    /// The facts staff see about a case (mail and decision page). What the requester gave (name, address, company,
    /// details) is a <see cref="Fact.FromRequester"/> fact, marked as theirs wherever it is shown (issue 18).
    /// </summary>
    public static IReadOnlyList<Fact> Facts(PrivacyCase c, Stores.DataMap map, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var facts = new List<Fact>
        {
            new(Texts.Get("LabelReference", l), c.Id),
            new(Texts.Get("LabelType", l), Texts.Rights(c, l)),
            new(Texts.Get("LabelEntity", l), Texts.Entity(c.Entity, map, l)),
            Fact.Requester(Texts.Get("LabelRequester", l), c.Company is null ? $"{c.Name} <{c.Email}>" : $"{c.Name} <{c.Email}>, {c.Company}", l),
            new(Texts.Get("LabelChannel", l), Channel(c, l)),
            new(Texts.Get("LabelReceived", l), Texts.DateTime(c.ReceivedAt, l)),
            new(Texts.Get("LabelDueDate", l), Texts.Date(c.DueDate, l)),
        };
        if (!string.IsNullOrWhiteSpace(c.IntakeReason))
        {
            facts.Add(new(Texts.Get("LabelIntakeReason", l), Intake.CodedReason.Render(c.IntakeReason, l)));
        }

        if (!string.IsNullOrWhiteSpace(c.Details))
        {
            facts.Add(Fact.Requester(Texts.Get("LabelDetails", l), c.Details, l));
        }

        return facts;
    }

    private static string Channel(PrivacyCase c, Language l) => c.Channel switch
    {
        Requests.Channel.Email => Texts.Format("LabelChannelMail", l, c.SenderAuthentication?.ToString().ToLowerInvariant() ?? "none")
            + (!c.ConfirmedByDmarcPass && c.EmailVerifiedAt is { } linkAt ? "; " + Texts.Format("LabelLinkConfirmed", l, Texts.DateTime(linkAt, l)) : string.Empty),
        _ => c.EmailVerifiedAt is { } at ? Texts.Format("LabelChannelFormVerified", l, Texts.DateTime(at, l)) : Texts.Get("LabelChannelFormUnverified", l),
    };

    /// <summary>
    /// Sent once the address is verified: the reference, what was asked, and the legal due date, as it stands at
    /// <paramref name="now"/> (when the address was confirmed, if not given): one month with a notice before it if more
    /// time is needed; already extended; or already past (a case held up, or made from a mail staff took from triage late).
    /// </summary>
    public static OutgoingMail Acknowledgement(PrivacyCase c, Stores.DataMap map, Uri? notice = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var l = c.Language;
        var body = c.IsLateAt(now ?? c.EmailVerifiedAt ?? c.ReceivedAt) ? "MailAckBodyLate" : c.ExtendedMonths > 0 ? "MailAckBodyExtended" : "MailAckBody";
        return Requester(c, map, MailKind.Acknowledgement, Texts.Format("MailAckSubject", l, c.Id),
        [
            Text(Texts.Format(body, l, c.Id, Texts.Rights(c, l), Texts.Deadline(c.ReceivedAt, l), Texts.Date(c.DueDate, l))),
            Text(AcknowledgementNext(c, l)),
        ], notice: notice);
    }

    /// <summary>
    /// To staff: a mail to info@infomat.eu that may be a rights request but could not be classified with confidence (or
    /// could not be read). It says when the mail arrived and the legal due date that runs from then (every controller:
    /// the earliest), which holds however late the request is registered.
    /// </summary>
    public static OutgoingMail Triage(
        string messageKey, string from, string subject, string excerpt, string reason, DateTimeOffset receivedAt, DateOnly dueDate, string staffAddress, Language staffLanguage, Uri? caseLink = null)
    {
        var l = staffLanguage;
        Block[] blocks =
        [
            Text(Texts.Get(caseLink is null ? "MailTriageBody" : "MailTriageBodyLink", l)),
            .. caseLink is null ? Array.Empty<Block>() : [Link(caseLink)],
            Text(Texts.Format("MailTriageDeadline", l, Texts.DateTime(receivedAt, l), Texts.Date(dueDate, l))),
            Text(Fact.Requester(Texts.Get("LabelFrom", l), from, l).ToText()),
            Text(Fact.Requester(Texts.Get("LabelSubject", l), subject, l).ToText()),
            Text(Texts.Get("LabelReceived", l) + ": " + Texts.DateTime(receivedAt, l)),
            Text(Texts.Get("LabelDueDate", l) + ": " + Texts.Date(dueDate, l)),
            Text(Texts.Get("LabelWhy", l) + ": " + reason),
            Text(Fact.Requester(Texts.Get("LabelMailText", l), excerpt, l).ToText()),
        ];
        return Compose(MailKind.StaffTask, Audience.Staff, messageKey, staffAddress, Texts.Format("MailTriageSubject", l, Fact.WithoutBidiControls(subject)), l, null, blocks, footer: false);
    }

    /// <summary>
    /// To staff, once a day at most: the mails still in triage (nobody made them a case or marked them as not a privacy
    /// request) whose legal date, should they be requests, nears or passed (decision 155), each with its arrival, that
    /// date and a link to its page; no sender or text (they are on the page). One mail for all, however many there are.
    /// </summary>
    public static OutgoingMail TriageDueReminder(IReadOnlyList<(DateTimeOffset ReceivedAt, DateOnly DueDate, bool Overdue, Uri Link)> mails, string staffAddress, Language staffLanguage)
    {
        ArgumentNullException.ThrowIfNull(mails);
        var l = staffLanguage;
        var blocks = new List<Block> { Text(Texts.Plural("MailTriageDueBody", mails.Count, l)) };
        foreach (var (receivedAt, dueDate, overdue, link) in mails.OrderBy(m => m.DueDate))
        {
            blocks.Add(Text(Texts.Format(overdue ? "MailTriageOverdueLine" : "MailTriageDueLine", l, Texts.DateTime(receivedAt, l), Texts.Date(dueDate, l))));
            blocks.Add(Link(link));
        }

        return Compose(MailKind.StaffTask, Audience.Staff, "triage", staffAddress, Texts.Format("MailTriageDueSubject", l, Texts.Date(mails.Min(m => m.DueDate), l)), l, null, [.. blocks], footer: false);
    }

    /// <summary>
    /// To staff: the requester replied to the request for more identification. The reply (and what it attaches) stays
    /// in the info@ mailbox under the case's category; the mail says when it came and links the case page. When the
    /// mail cannot be shown to come from the requester (<see cref="Intake.ReplySender"/>), it says so: staff decide on an
    /// identity from it. For a case flagged failed, it says to retry the case first (no decision is taken while it is
    /// stopped, and its page then offers the decision page).
    /// </summary>
    public static OutgoingMail IdentificationAnswered(PrivacyCase c, Uri caseLink, string staffAddress, Language staffLanguage, bool senderConfirmed, bool namedCase = true)
    {
        ArgumentNullException.ThrowIfNull(c);
        return ReplyToStaff(c, c.Status == CaseStatus.Failed ? "MailIdentificationAnsweredFailed" : "MailIdentificationAnswered", c.IdentificationAnsweredAt ?? c.ReceivedAt,
            caseLink, staffAddress, staffLanguage, senderConfirmed, quietNote: false, note: namedCase ? null : Texts.Get("MailIdentificationByAddress", staffLanguage));
    }

    /// <summary>
    /// To staff: the requester replied to one of our mails about the case (issue 15). The reply was routed to the case,
    /// not read as a new request; it stays in the info@ mailbox under the case's category, and staff read it from there.
    /// Staff hear of replies at most once per <see cref="PrivacyCase.ReplyQuietPeriod"/>, and the mail says so.
    /// </summary>
    public static OutgoingMail RequesterReplied(PrivacyCase c, DateTimeOffset repliedAt, Uri caseLink, string staffAddress, Language staffLanguage, bool senderConfirmed)
    {
        ArgumentNullException.ThrowIfNull(c);
        return ReplyToStaff(c, "MailRequesterReplied", repliedAt, caseLink, staffAddress, staffLanguage, senderConfirmed, quietNote: true);
    }

    /// <summary>
    /// To staff: the requester of <paramref name="c"/> wrote again asking the same right, with words or details of their
    /// own, and the mail was recorded on this open case rather than made a second one (<see cref="PrivacyCase.IsAddedToBy"/>).
    /// </summary>
    public static OutgoingMail RequesterWroteAgain(PrivacyCase c, DateTimeOffset wroteAt, Uri caseLink, string staffAddress, Language staffLanguage, bool senderConfirmed)
    {
        ArgumentNullException.ThrowIfNull(c);
        return ReplyToStaff(c, "MailRequesterWroteAgain", wroteAt, caseLink, staffAddress, staffLanguage, senderConfirmed, quietNote: true);
    }

    private static OutgoingMail ReplyToStaff(PrivacyCase c, string textKey, DateTimeOffset at, Uri caseLink, string staffAddress, Language l, bool senderConfirmed, bool quietNote, string? note = null)
    {
        List<Block> blocks = [Text(Texts.Format(textKey + "Body", l, c.Id, Texts.DateTime(at, l))), Link(caseLink)];
        if (note is not null)
        {
            blocks.Add(Text(note));
        }

        if (!senderConfirmed)
        {
            blocks.Add(Text(Texts.Get("MailReplySenderUnconfirmed", l)));
        }

        if (quietNote)
        {
            blocks.Add(Text(Texts.Get("MailRequesterRepliedQuiet", l)));
        }

        blocks.Add(Text(Texts.Get("LabelDueDate", l) + ": " + Texts.Date(c.DueDate, l)));
        return Compose(MailKind.StaffTask, Audience.Staff, c.Id, staffAddress, Texts.Format(textKey + "Subject", l, c.Id), l, greeting: null, [.. blocks], footer: false);
    }

    /// <summary>Why a mail to info@ could not be handled, as staff are told.</summary>
    public enum MailProblem
    {
        /// <summary>Announced by the mail service, but gone from the mailbox before it was read.</summary>
        Gone,

        /// <summary>Failed every try (the poison queue).</summary>
        FailedEveryTry,
    }

    /// <summary>
    /// To staff: a mail to info@ that the intake could not handle. It names the mailbox's id of the message (no content:
    /// none could be read) and asks staff to handle it by hand, from when it arrived: a gone mail at once, a mail that
    /// failed every try once they checked it was not handled meanwhile (the sweep or ops' redrive may still handle it).
    /// </summary>
    public static OutgoingMail MailNotHandled(MailProblem problem, string mailboxId, DateTimeOffset at, string staffAddress, Language staffLanguage)
    {
        var l = staffLanguage;
        return Compose(MailKind.StaffTask, Audience.Staff, "mail.not-handled", staffAddress, Texts.Get("MailNotHandledSubject", l), l, greeting: null,
        [
            Text(Texts.Format(problem == MailProblem.Gone ? "MailNotHandledGone" : "MailNotHandledFailed", l, Texts.DateTime(at, l))),
            Text(Texts.Get(problem == MailProblem.Gone ? "MailNotHandledWhat" : "MailNotHandledFailedWhat", l)),
            Text(Texts.Get("LabelMailboxId", l) + ": " + mailboxId),
        ], footer: false);
    }

    /// <summary>
    /// To staff: the intake did not read the mailbox from <paramref name="from"/> to <paramref name="until"/> (it was
    /// stopped for longer than a sweep looks back, <see cref="Intake.MailSweep.MaxLookBack"/>), so mail received then is
    /// theirs to find and handle, from when it arrived.
    /// </summary>
    public static OutgoingMail MailNotSwept(DateTimeOffset from, DateTimeOffset until, string staffAddress, Language staffLanguage)
    {
        var l = staffLanguage;
        return Compose(MailKind.StaffTask, Audience.Staff, "mail.not-swept", staffAddress, Texts.Get("MailNotSweptSubject", l), l, greeting: null,
        [
            Text(Texts.Format("MailNotSweptBody", l, Texts.DateTime(from, l), Texts.DateTime(until, l), (int)Intake.MailSweep.MaxLookBack.TotalDays)),
            Text(Texts.Get("MailNotSweptWhat", l)),
        ], footer: false);
    }

    /// <summary>
    /// A mail to the requester: every one ends with the reference and the legal due date (Art. 12(3)), then the case's
    /// controllers and their complaint authorities (unless <paramref name="footerLines"/> says them its own way), and an
    /// answer or a refusal (<see cref="MailKinds.IsAnswer"/>) the courts too; and the link to the privacy notice of this
    /// system (Art. 13).
    /// </summary>
    private static OutgoingMail Requester(PrivacyCase c, Stores.DataMap map, MailKind kind, string subject, Block[] blocks, IReadOnlyList<string>? footerLines = null, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        IReadOnlyList<string> footer = footerLines ?? Texts.ControllerFooter(map, c.Entity, c.Language);
        if (kind.IsAnswer())
        {
            footer = [.. footer, .. CourtRemedies(c, map, c.Language)];
        }

        // Art. 13: how the system handles the data of the request (PrivacyOptions.NoticeLink; the hosts always pass it).
        if (notice is not null)
        {
            footer = [.. footer, Texts.Format("MailNoticeLine", c.Language, notice.AbsoluteUri)];
        }

        // A mail to an address our link has not confirmed (the verification, the closing of a request never confirmed, a
        // mail whose domain passed DMARC) greets without the name given, so nobody can put text of their choosing into a
        // mail from info@ (issue 18 item 9; PrivacyCase.GreetsByName).
        var greeting = kind == MailKind.Verification || !c.GreetsByName ? Texts.Get("MailGreetingAnonymous", c.Language) : Texts.Format("MailGreeting", c.Language, c.Name);
        return Compose(kind, Audience.Requester, c.Id, c.Email, subject, c.Language, greeting,
            [.. blocks, Text(kind == MailKind.RestrictionLiftNotice
                // Sent long after the request was answered: its answer date, long past, would only mislead.
                ? Texts.Format("MailCaseLineReference", c.Language, c.Id)
                : Texts.Format("MailCaseLine", c.Language, c.Id, Texts.Date(c.DueDate, c.Language)))], footer: true, footer) with { Sending = c.SendingOf(kind) };
    }

    private static OutgoingMail Compose(
        MailKind kind, Audience audience, string requestId, string to, string subject, Language l, string? greeting, Block[] blocks, bool footer,
        IReadOnlyList<string>? footerLines = null, string? card = null)
    {
        var all = new List<Block>();
        if (greeting is not null)
        {
            all.Add(Text(greeting));
        }

        all.AddRange(blocks);
        if (footer)
        {
            all.Add(Text(Texts.Get("MailSignature", l)));
            all.AddRange((footerLines ?? []).Select(Text));
        }

        var text = new StringBuilder();
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"").Append(l.ToWire()).Append("\">");
        if (card is not null)
        {
            // An actionable message: Outlook renders the card above the body; other clients ignore the script.
            html.Append("<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><script type=\"application/adaptivecard+json\">")
                .Append(card).Append("</script></head>");
        }

        html.Append("<body style=\"font-family:Arial,sans-serif;line-height:1.5\">");
        foreach (var block in all)
        {
            text.Append(block.Value).Append("\n\n");
            if (block.IsLink)
            {
                var href = HtmlText.Encode(block.Value);
                html.Append("<p><a href=\"").Append(href).Append("\">").Append(href).Append("</a></p>");
            }
            else
            {
                // Each line encoded on its own: the encoder writes a line break as a character reference, which HTML shows as a space.
                html.Append("<p>").AppendJoin("<br>", block.Value.Split('\n').Select(HtmlText.Encode)).Append("</p>");
            }
        }

        html.Append("</body></html>");
        return new OutgoingMail(kind, audience, requestId, to, subject, text.ToString().TrimEnd() + "\n", html.ToString());
    }

    private static Block Text(string value) => new(value, false);

    private static Block Link(Uri uri) => new(uri.AbsoluteUri, true);

    private readonly record struct Block(string Value, bool IsLink);
}
