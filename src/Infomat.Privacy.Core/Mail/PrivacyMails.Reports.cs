using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Mail;

public static partial class PrivacyMails
{
    /// <summary>
    /// The report that closes an erasure, restriction, withdrawal, objection or rectification: per controller and store
    /// what was done, what was kept, why and until when, the check made afterwards, and where to complain. Built from
    /// the data map, so the reasons are the policy's own words.
    /// </summary>
    public static OutgoingMail ActionReport(PrivacyCase c, DataMap map, IReadOnlyList<StoreOutcome> outcomes, Uri? notice = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(outcomes);
        var l = c.Language;
        // A case with more than one right runs several actions in one store, the main one last (an objection's
        // suppression, then the erasure): the store's block says where the store ended, and the other right has its
        // own paragraph, so no store is reported twice ("kept" and then "erased").
        // What an earlier action of the case deleted there (an at-once withdrawal) still counts as done by the case, and
        // so does what it changed in a table the last action left as it found it (the objection opted the contact out;
        // the withdrawal after it found nothing more to change) and a suppression it made.
        var byStore = outcomes.GroupBy(o => o.StoreKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<StoreOutcome>)[.. g], StringComparer.Ordinal);
        outcomes = [.. byStore.Values.Select(g => g[^1].WithDeletionsOf(g.SkipLast(1)))];
        var blocks = new List<Block> { Text(c.Type == RequestType.Erasure ? ErasureIntro(c, outcomes, l) : Intro(c, outcomes, l)) };
        if (c.AlsoRights.Contains(RequestType.Objection))
        {
            // Beside an erasure (decision 42): the objection is answered in the same report, with its own article.
            blocks.Add(Text(Texts.Get(c.Objection == ObjectionScope.DirectMarketing ? "ReportAlsoObjectionMarketing" : AlsoObjectionOther(outcomes), l)));
        }

        if (c.AlsoRights.Contains(RequestType.WithdrawConsent) && c.AppliedAtOnceAt is not null)
        {
            // Beside an erasure (decision 49): applied at once when the address was confirmed, before the erasure. Beside
            // an objection to direct marketing (decision 51): applied at once with it.
            blocks.Add(Text(Texts.Get(c.Type == RequestType.Erasure ? "ReportAlsoWithdrawal" : "ReportAlsoWithdrawalBesideObjection", l)));
        }

        var objection = c.Tasks.FirstOrDefault(t => t.Kind == StaffTaskKind.ReviewObjection);
        if (objection?.Outcome == StaffTaskOutcome.Refused && !string.IsNullOrWhiteSpace(objection.Note))
        {
            blocks.Add(Text(objection.Note));
        }
        else if (objection?.Outcome == StaffTaskOutcome.Upheld && !string.IsNullOrWhiteSpace(objection.Note))
        {
            // The task page tells staff the requester reads their note: upheld, it goes too, as staff's addition.
            blocks.Add(Text(Texts.Format("ReportStaffNote", l, objection.Note)));
        }

        foreach (var task in c.Tasks.Where(t => t.Kind == StaffTaskKind.Rectify && t.DoneAt is not null))
        {
            var store = map.Store(task.StoreKey!);
            var lines = new List<string> { Heading(map, store, l) };
            if (task.Outcome == StaffTaskOutcome.Refused)
            {
                // Art. 16, 12(4): not corrected here, and why; the remedies follow once, below.
                lines.Add(Texts.Format("ReportRectificationRefused", l, task.Note));
            }
            else if (task.Outcome == StaffTaskOutcome.NothingToCorrect)
            {
                // Neither made nor refused: this system holds nothing the correction is about.
                lines.Add(Texts.Get("ReportRectificationNothingHere", l));
                if (!string.IsNullOrWhiteSpace(task.Note))
                {
                    lines.Add(Texts.Format("ReportStaffNote", l, task.Note));
                }
            }
            else
            {
                // When, not how many: the task's record count is every row the store holds on the person, not those changed.
                lines.Add(Texts.Format("ReportRectified", l, Texts.Deadline(task.DoneAt!.Value, l)));
                if (!string.IsNullOrWhiteSpace(task.Note))
                {
                    lines.Add(Texts.Format("ReportStaffNote", l, task.Note));
                }
            }

            blocks.Add(Text(string.Join("\n", lines)));
        }

        foreach (var outcome in outcomes.OrderBy(o => o.StoreKey, StringComparer.Ordinal))
        {
            blocks.Add(Text(StoreBlock(map, map.Store(outcome.StoreKey), outcome, byStore[outcome.StoreKey].SkipLast(1).ToList(), l)));
        }

        if (EarlierCopies(c, l) is { } copies)
        {
            blocks.Add(Text(copies));
        }

        if (c.Art19Applies && !c.FindsNothingIn(outcomes))
        {
            // Nothing found, nothing changed: no data of the person was disclosed by this case's changes to tell of.
            blocks.Add(Text(Art19Notice(c, map, outcomes, l)));
        }

        var controllers = map.ControllersOf(c.Entity);
        var footer = new[]
        {
            Texts.Format("ReportControllers", l, string.Join("; ", controllers.Select(x => $"{x.LegalName} ({x.EnterpriseNumber})"))),
            Texts.Format("ReportComplaint", l, string.Join("; ", map.AuthoritiesFor(controllers).Select(a => $"{a.Name.In(l)}, {a.Address.In(l)}"))),
        };
        return Requester(c, map, MailKind.ActionReport, Texts.Format("ReportSubject", l, c.Id), [.. blocks], footer, notice);
    }

    /// <summary>
    /// Art. 19 GDPR: the recipients the changed data had been disclosed to, by name (from the data map): those of the tables
    /// where the person was found, and of every table of a store where staff made the correction (not where they refused it).
    /// </summary>
    private static string Art19Notice(PrivacyCase c, DataMap map, IReadOnlyList<StoreOutcome> outcomes, Language l)
    {
        var recipients = c.RecipientsToInform(map, outcomes);
        return recipients.Count == 0
            ? Texts.Get("ReportArt19NoRecipients", l)
            : Texts.Format("ReportArt19Recipients", l, Texts.List([.. recipients.Select(r => r.Name.In(l))], l));
    }

    /// <summary>
    /// To staff, when the report told the requester that each recipient of the changed data is told (Art. 19): which
    /// recipients (names from the data map; no personal data of the requester) and the case page where staff record it.
    /// </summary>
    public static OutgoingMail RecipientsToTell(PrivacyCase c, IReadOnlyList<Recipient> recipients, Uri caseLink, string staffAddress, Language staffLanguage)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(recipients);
        var l = staffLanguage;
        return Compose(MailKind.RecipientNotice, Audience.Staff, c.Id, staffAddress, Texts.Format("MailArt19Subject", l, c.Id), l, null,
        [
            Text(Texts.Format("MailArt19Body", l, c.Id)),
            Text(string.Join("\n", recipients.Select(r => "- " + r.Name.In(l)))),
            Link(caseLink),
        ], footer: false);
    }

    private static string Intro(PrivacyCase c, IReadOnlyList<StoreOutcome> outcomes, Language l)
    {
        var objection = c.Tasks.FirstOrDefault(t => t.Kind == StaffTaskKind.ReviewObjection);
        var key = c.Type switch
        {
            RequestType.Restriction when c.FindsNothingIn(outcomes) && outcomes.Any(o => o.Suppressed) => "ReportIntroRestrictionNothingButSuppressed",
            RequestType.Restriction when c.FindsNothingIn(outcomes) => "ReportIntroRestrictionNothing",
            RequestType.Restriction when outcomes.Any(o => o.Suppressed) => "ReportIntroRestrictionButSuppressed",
            RequestType.Restriction => "ReportIntroRestriction",
            RequestType.WithdrawConsent when c.Consent == ConsentScope.Marketing => "ReportIntroWithdrawMarketingConsent",
            RequestType.WithdrawConsent when c.Consent == ConsentScope.Other => "ReportIntroWithdrawOtherConsent",
            RequestType.WithdrawConsent => "ReportIntroWithdrawConsent",
            RequestType.Objection when c.Objection != ObjectionScope.Other => "ReportIntroObjectionMarketing",
            RequestType.Objection when objection?.Outcome == StaffTaskOutcome.Upheld && c.FindsNothingIn(outcomes) => "ReportIntroObjectionNothing",
            RequestType.Objection when objection?.Outcome == StaffTaskOutcome.Upheld => "ReportIntroObjectionUpheld",
            RequestType.Objection => "ReportIntroObjectionRefused",
            _ when c.Tasks.Count == 0 => "ReportIntroRectificationNothing",
            // The systems that held nothing the correction is about neither made nor refused it: the rest decide.
            _ when c.Tasks.All(t => t.Outcome == StaffTaskOutcome.NothingToCorrect) => "ReportIntroRectificationNotNeeded",
            _ when c.Tasks.Where(t => t.Outcome != StaffTaskOutcome.NothingToCorrect).All(t => t.Outcome == StaffTaskOutcome.Refused) => "ReportIntroRectificationRefused",
            _ when c.Tasks.Any(t => t.Outcome == StaffTaskOutcome.Refused) => "ReportIntroRectificationPartly",
            _ => "ReportIntroRectification",
        };
        return Texts.Format(key, l, c.Id);
    }

    /// <summary>
    /// The paragraph answering an Art. 21(1) objection beside an erasure, true of what the erasure did: data erased, data
    /// kept by law (with the dates below), both, or none found.
    /// </summary>
    private static string AlsoObjectionOther(IReadOnlyList<StoreOutcome> outcomes)
    {
        var erased = outcomes.Sum(o => o.Tables.Sum(t => t.Erased));
        var kept = outcomes.Sum(o => o.Tables.Sum(t => t.Retained));
        return (erased > 0, kept > 0) switch
        {
            (true, true) => "ReportAlsoObjectionOther",
            (true, false) => "ReportAlsoObjectionOtherErased",
            (false, true) when outcomes.Any(o => o.Suppressed) => "ReportAlsoObjectionOtherKeptOnlyButSuppressed",
            (false, true) => "ReportAlsoObjectionOtherKeptOnly",
            _ => "ReportAlsoObjectionOtherNothing",
        };
    }

    /// <summary>
    /// The opening of an erasure report says what this case did, in numbers: erased N records, or found nothing more to
    /// erase; and kept M records under a legal obligation, when it did.
    /// </summary>
    private static string ErasureIntro(PrivacyCase c, IReadOnlyList<StoreOutcome> outcomes, Language l)
    {
        var erased = outcomes.Sum(o => o.Tables.Sum(t => t.Erased));
        var kept = outcomes.Sum(o => o.Tables.Sum(t => t.Retained));
        var sentences = new List<string>
        {
            erased == 0 ? Texts.Format("ReportIntroNothingToErase", l, c.Id) : Texts.Plural("ReportIntroErased", erased, l, c.Id, erased),
        };
        if (kept > 0)
        {
            sentences.Add(Texts.Plural("ReportIntroKept", kept, l, kept));
        }

        sentences.Add(Texts.Get("ReportIntroPerSystem", l));
        return string.Join(" ", sentences);
    }

    private static string Heading(DataMap map, StoreMap store, Language l)
    {
        var controller = map.Controller(store.Entity);
        return Texts.Format("ReportStoreHeading", l, controller.LegalName, controller.EnterpriseNumber, store.Name.In(l));
    }

    /// <summary>
    /// One store's block of the report: <paramref name="outcome"/> is where the store ended (the case's last action
    /// there, with what earlier ones deleted), <paramref name="earlier"/> the case's earlier actions there, in order.
    /// </summary>
    private static string StoreBlock(DataMap map, StoreMap store, StoreOutcome outcome, IReadOnlyList<StoreOutcome> earlier, Language l)
    {
        var lines = new List<string> { Heading(map, store, l) };
        var suppressed = outcome.Suppressed || earlier.Any(e => e.Suppressed);
        if (outcome.Matched == 0)
        {
            // The suppression list's code is pseudonymised personal data (Art. 4(5)): never "no data" over it.
            lines.Add(Texts.Get(suppressed ? "ReportNothingHereButSuppressed" : "ReportNothingHere", l));
        }

        foreach (var t in outcome.Tables.Where(t => t.Matched > 0))
        {
            var table = store.Table(t.Table);
            var name = table.Name.In(l);
            var purpose = map.Purposes[table.Purpose];
            if (t.Deleted > 0)
            {
                lines.Add(Texts.Plural("ReportDeleted", t.Deleted, l, name, t.Deleted));
            }

            if (t.Anonymised > 0)
            {
                lines.Add(Texts.Plural("ReportAnonymised", t.Anonymised, l, name, t.Anonymised));
            }

            if (t.Retained > 0)
            {
                var held = (t.Held ?? []).Select(h => Texts.Plural("ReportHeldUntil", h.Records, l, h.Records, Texts.Date(h.Until, l))).ToList();
                var until = t.Retained == 1 && t.Held is [var one] ? Texts.Date(one.Until, l) : Texts.List(held, l);
                lines.Add(Texts.Plural("ReportRetained", t.Retained, l, name, t.Retained, table.Erasure.Hold?.Law.In(l) ?? table.Retention.In(l), until));
            }
            else if (t.Restricted > 0)
            {
                lines.Add(Texts.Plural("ReportRestricted", t.Restricted, l, name, t.Restricted));
            }

            if (t.Updated > 0)
            {
                lines.Add(UpdatedLine(table, name, purpose, t.Updated, outcome.Action, l));
            }
            else if (t.Deleted + t.Anonymised + t.Retained + t.Restricted == 0
                && earlier.LastOrDefault(e => e.Tables.Any(x => x.Table == t.Table && x.Updated > 0)) is { } before)
            {
                // Left as found by the last action because an earlier one of the case had changed it already.
                lines.Add(UpdatedLine(table, name, purpose, before.Tables.First(x => x.Table == t.Table).Updated, before.Action, l));
            }
            else if (t.Deleted + t.Anonymised + t.Retained + t.Restricted == 0)
            {
                lines.Add(Texts.Plural("ReportKept", t.Matched, l, name, t.Matched, purpose.Name.In(l), purpose.LegalBasis.In(l)));
            }
        }

        if (outcome.Action == StoreAction.Erase)
        {
            var retained = outcome.Tables.Sum(t => t.Retained);
            var remaining = outcome.Tables.Sum(t => t.RemainingAfter);
            lines.Add(Texts.Get("ReportCheckHow", l));
            // The suppression list holds a keyed hash of the address (pseudonymised, decision 44): named, not hidden.
            lines.Add(remaining == 0 ? Texts.Get(suppressed ? "ReportProofNoneButSuppressed" : "ReportProofNone", l)
                : outcome.OnlyRetainedRemain ? Texts.Plural("ReportProofRetained", retained, l, retained)
                : Texts.Plural("ReportProofUnexpected", remaining, l, remaining));
        }

        if (suppressed)
        {
            lines.Add(Texts.Get("ReportSuppressed", l));
        }

        return string.Join("\n", lines);
    }

    /// <summary>What an action changed in a table so that a processing stops: the mailings only, or the records themselves.</summary>
    private static string UpdatedLine(TableMap table, string name, Purpose purpose, int updated, StoreAction action, Language l)
    {
        if (table.OptsOutOfMailings(action))
        {
            // The contact stays for its own purpose; only the mailings stop (Art. 21(3)), and the line says just that.
            // Under a withdrawal the mailings (legitimate interest, not consent) stop because we take it as an
            // objection too (Art. 21(2)), and the line says that rather than that the person objected.
            var why = action == StoreAction.ObjectToDirectMarketing ? Texts.Get("ReportArticleObjection", l) : Texts.Get("ReportArticleOptOutWithWithdrawal", l);
            return Texts.Plural("ReportOptedOut", updated, l, name, updated, why, purpose.Name.In(l), purpose.LegalBasis.In(l));
        }

        return Texts.Plural("ReportUpdated", updated, l, name, updated, action is StoreAction.WithdrawConsent or StoreAction.WithdrawMarketingConsent or StoreAction.WithdrawOtherConsent ? Texts.Get("ReportArticleWithdrawal", l) : Texts.Get("ReportArticleObjection", l));
    }

    /// <summary>To staff: the tasks of a case and the link to the page where they mark them done.</summary>
    public static OutgoingMail StaffTasks(PrivacyCase c, DataMap map, Uri link, string staffAddress, Language staffLanguage)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var l = staffLanguage;
        var blocks = new List<Block> { Text(Texts.Get(c.Type == RequestType.Objection ? "MailTasksObjectionBody" : "MailTasksRectifyBody", l)), Link(link) };
        blocks.AddRange(c.Tasks.Where(t => t.StoreKey is not null).Select(t => Text(TaskLabel(map, t, l))));
        blocks.AddRange(Facts(c, map, l).Select(f => Text(f.ToText())));
        return Compose(MailKind.StaffTask, Audience.Staff, c.Id, staffAddress, Texts.Format("MailTasksSubject", l, Texts.RequestType(c.Type, l), c.Id, Texts.Date(c.DueDate, l)), l, null, [.. blocks], footer: false);
    }

    /// <summary>How a task is named to staff: the controller, the store and how many records it holds.</summary>
    public static string TaskLabel(DataMap map, StaffTask task, Language l)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(task);
        // A store the map lost altogether is named by its key on the staff page (decision 114).
        return task.StoreKey is { } key
            ? Texts.Format("TaskRectifyLabel", l, map.TryStore(key, out var store) ? Heading(map, store, l) : Texts.Format("TaskStoreUnmapped", l, key), task.Records)
            : Texts.Format("TaskObjectionLabel", l, task.Records);
    }
}
