using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Mail;

// Rights applied at once, without staff identity approval (decision 49): what staff are told afterwards, and what a
// requester whose other right was refused or expired reads about them.
public static partial class PrivacyMails
{
    /// <summary>
    /// To staff, afterwards: what was applied at once for the case (each action with its article), in how many records per
    /// store, and whether the rest still waits for their identity decision. The case reference and counts only.
    /// </summary>
    public static OutgoingMail AppliedAtOnce(PrivacyCase c, DataMap map, IReadOnlyList<StoreOutcome> outcomes, string staffAddress, Language staffLanguage)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(outcomes);
        var l = staffLanguage;
        var names = string.Join("; ", c.ActionsAtOnce.Select(a => Texts.Get("AtOnceName" + a, l)));
        var blocks = new List<Block> { Text(Texts.Format("MailAppliedAtOnceBody", l, c.Id, names)) };
        var lines = outcomes.GroupBy(o => o.StoreKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Store: map.Store(g.Key), Matched: g.Max(o => o.Matched)))
            .Select(x => "- " + Texts.Format("HoldingsLine", l, map.Controller(x.Store.Entity).LegalName, x.Store.Name.In(l), x.Matched.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        blocks.Add(Text(Texts.Get("MailAppliedAtOnceRecords", l) + "\n" + string.Join("\n", lines)));
        blocks.Add(Text(c.NeedsIdentityApproval ? Texts.Format("MailAppliedAtOnceRestWaits", l, RestNames(c, l)) : Texts.Get("MailAppliedAtOnceReported", l)));

        blocks.Add(Text(Texts.Get("LabelDueDate", l) + ": " + Texts.Date(c.DueDate, l)));
        return Compose(MailKind.AppliedAtOnce, Audience.Staff, c.Id, staffAddress, Texts.Format("MailAppliedAtOnceSubject", l, c.Id), l, greeting: null, [.. blocks], footer: false);
    }

    /// <summary>
    /// For a requester whose case ends otherwise (identity refused, identification never sent): one sentence per right
    /// that was applied at once, saying it was and that it stays in force. None when nothing was applied at once.
    /// </summary>
    private static IEnumerable<Block> AppliedAtOnceStands(PrivacyCase c, Language l) => AppliedAtOnceStandsLines(c, l).Select(Text);

    /// <summary>What was applied at once and stays in force whatever became of the rest (the mails and the status page).</summary>
    public static IReadOnlyList<string> AppliedAtOnceStandsLines(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.AppliedAtOnceAt is null ? [] : [.. c.ActionsAtOnce.Select(a => Texts.Get("AtOnce" + a, l))];
    }

    /// <summary>
    /// Why a case confirmed by its address closed without the identification asked for: the whole request, or the rest
    /// of it beside what was applied at once (the expiry mail and the status page say the same).
    /// </summary>
    public static string IdentificationExpiredText(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Texts.Format(c.AppliedAtOnceAt is null ? "MailIdentificationExpiredBody" : "MailIdentificationExpiredBodyPartly", l, c.Id,
            Texts.Date(Deadlines.DueDateCalculator.Today(c.IdentificationMailSentAt ?? c.IdentificationRequestedAt ?? c.ReceivedAt), l), RestNames(c, l));
    }

    /// <summary>The names of the rights of the case that wait for the identity decision ("Wissing"; the mails and the status page).</summary>
    public static string RestNames(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Texts.RightNames(c.Rights.Where(r => !ImmediateRights.IsImmediate(r, c.Objection)).ToList(), l);
    }

    /// <summary>What the acknowledgement says comes next: the rights applied at once are named; the rest waits for a colleague.</summary>
    private static string AcknowledgementNext(PrivacyCase c, Language l) =>
        c.ActionsAtOnce.Count == 0 ? Texts.Get("MailAckNext", l)
        : Texts.Format(c.NeedsIdentityApproval ? "MailAckNextPartly" : "MailAckNextAtOnce", l, AtOnceNames(c, l));

    private static string AtOnceNames(PrivacyCase c, Language l) => string.Join("; ", c.ActionsAtOnce.Select(a => Texts.Get("AtOnceName" + a, l)));

    /// <summary>
    /// What the page asking the requester to confirm the address says comes next, as the acknowledgement does: a staff
    /// check only for what waits for one (a withdrawal of consent or an objection to direct marketing is applied at once).
    /// </summary>
    public static string VerifyPageBody(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.ActionsAtOnce.Count == 0 ? Texts.Format("VerifyBody", l, c.Id)
            : c.NeedsIdentityApproval ? Texts.Format("VerifyBodyPartly", l, c.Id, AtOnceNames(c, l))
            : Texts.Format("VerifyBodyAtOnce", l, c.Id);
    }

    /// <summary>
    /// What the page says once the address is confirmed at <paramref name="now"/> (when it was confirmed, if not given):
    /// where the request goes now, and the legal date, or that it has passed (a case held up, or made late from triage).
    /// </summary>
    public static string VerifiedPageBody(PrivacyCase c, Language l, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var due = Texts.Date(c.DueDate, l);
        // Confirmed while flagged failed (decision 106): nothing runs until staff take it up again, "at once" least of all.
        var where = c.Status == CaseStatus.Failed ? Texts.Format("VerifiedBodyHeldUp", l, c.Id, due)
            : c.ActionsAtOnce.Count == 0 ? Texts.Format("VerifiedBody", l, c.Id, due)
            : c.NeedsIdentityApproval ? Texts.Format("VerifiedBodyPartly", l, c.Id, due, AtOnceNames(c, l))
            : Texts.Format("VerifiedBodyAtOnce", l, c.Id, due);
        return where + " " + DueSentence(c, l, now ?? c.EmailVerifiedAt ?? c.ReceivedAt);
    }

    /// <summary>
    /// The legal date as a requester's page states it at <paramref name="now"/>: "we answer by" it (or, when
    /// <paramref name="promise"/> is false, for a case held up or under way, "the legal deadline is" it), or that it has
    /// passed and the answer is late (<see cref="PrivacyCase.IsLateAt"/>).
    /// </summary>
    public static string DueSentence(PrivacyCase c, Language l, DateTimeOffset now, bool promise = true)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Texts.Format(c.IsLateAt(now) ? "VerifiedDueLate" : promise ? "VerifiedDue" : "DueIs", l, Texts.Date(c.DueDate, l));
    }
}
