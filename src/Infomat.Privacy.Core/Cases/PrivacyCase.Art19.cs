using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Cases;

/// <summary>
/// One recipient to tell of a rectification, erasure or restriction (Art. 19 GDPR): opened when the report goes to the
/// requester, done when a staff member records that the recipient was told. Ids and names of staff only.
/// </summary>
public sealed record RecipientNotice(string Recipient, DateTimeOffset OpenedAt)
{
    public DateTimeOffset? InformedAt { get; init; }

    public string? InformedBy { get; init; }
}

public sealed partial record PrivacyCase
{
    /// <summary>The recipients staff must tell of what this case changed (Art. 19), each with whether and when they did.</summary>
    public IReadOnlyList<RecipientNotice> RecipientNotices { get; init; } = [];

    /// <summary>
    /// The recipients Art. 19 GDPR names for what this case changed: those the data map lists for the tables where the
    /// person was found (erasure, restriction, an upheld objection) and for every table of a store where staff made a
    /// correction (not where they refused it); authorities, which see data only on an audit, are not among them.
    /// The one rule for the report's sentence and for the notices staff work through.
    /// </summary>
    public IReadOnlyList<Recipient> RecipientsToInform(DataMap map, IReadOnlyList<StoreOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(outcomes);
        var acted = outcomes.SelectMany(o => o.Tables.Where(t => t.Matched > 0).Select(t => map.Store(o.StoreKey).Table(t.Table)))
            .Concat(Tasks.Where(t => t.Kind == StaffTaskKind.Rectify && t.Outcome == StaffTaskOutcome.Done).SelectMany(t => map.Store(t.StoreKey!).Tables));
        return map.RecipientsToInform(acted);
    }

    /// <summary>
    /// Whether what this case did is one Art. 19 asks recipients to be told of: a correction made (not one refused in
    /// every store), an erasure, a restriction, or an upheld objection (which restricts).
    /// </summary>
    public bool Art19Applies =>
        (Type == Requests.RequestType.Rectification && Tasks.Any(t => t.Kind == StaffTaskKind.Rectify && t.Outcome == StaffTaskOutcome.Done))
        || Type is Requests.RequestType.Erasure or Requests.RequestType.Restriction
        || Tasks.Any(t => t.Kind == StaffTaskKind.ReviewObjection && t.Outcome == StaffTaskOutcome.Upheld);

    /// <summary>
    /// Whom Art. 19 may ask staff to tell when they answered this failed case themselves and it closes as completed
    /// (<see cref="CloseAnsweredOutside"/>): for a rectification, erasure, restriction or an objection other than to
    /// direct marketing (Art. 21(3) changes no data to tell of), the recipients the data map names for the stores that
    /// held the person when approval was asked (a count above 0, or not counted), or, when nothing was counted, for every
    /// store of the controllers the request went to. Where staff tasks were all decided here, what they decided counts:
    /// none done or upheld, nothing to tell; a rectification done in some stores, those stores. Otherwise what staff
    /// changed by hand is not known here, so this names whom they may have to tell, not whom they must. Null when
    /// Art. 19 does not apply; empty when no such store discloses (or the person was found in none).
    /// </summary>
    public AnsweredOutsideRecipients? RecipientsToTellWhenAnsweredOutside(DataMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var changesData = Rights.Any(r => r is Requests.RequestType.Rectification or Requests.RequestType.Erasure or Requests.RequestType.Restriction)
            || (Rights.Contains(Requests.RequestType.Objection) && Objection != Requests.ObjectionScope.DirectMarketing);
        var decided = Tasks.Count > 0 && Tasks.All(t => !t.IsOpen);
        if (!changesData || StatusWhenAnsweredOutside != CaseStatus.Completed
            || (decided && !Tasks.Any(t => t.Outcome is StaffTaskOutcome.Done or StaffTaskOutcome.Upheld)
                && !Rights.Any(r => r is Requests.RequestType.Erasure or Requests.RequestType.Restriction)))
        {
            return null;
        }

        if (decided && Type == Requests.RequestType.Rectification && !Tasks.Any(t => t.Outcome == StaffTaskOutcome.Upheld))
        {
            // The corrections decided here: the report's own rule, for the stores where one was made.
            return new AnsweredOutsideRecipients(RecipientsToInform(map, []), AnsweredOutsideBasis.CorrectionsMade);
        }

        // A store whose correction staff already refused here, or found nothing to correct in, changed nothing to tell of.
        var unchanged = Tasks.Where(t => t.Kind == StaffTaskKind.Rectify && !t.IsOpen && t.Outcome != StaffTaskOutcome.Done).Select(t => t.StoreKey).ToHashSet(StringComparer.Ordinal);
        var storeKeys = (Holdings is { } held ? held.Where(h => h.Value != 0).Select(h => h.Key) : map.StoresOf(Entity).Select(s => s.Key)).Where(k => !unchanged.Contains(k));
        // A store the map no longer knows names no recipients (decision 114): it is named on the case page's holdings.
        var stores = storeKeys.Select(k => map.TryStore(k, out var store) ? store : null).OfType<StoreMap>();
        return new AnsweredOutsideRecipients(
            map.RecipientsToInform(stores.SelectMany(s => s.Tables)),
            Holdings is null ? AnsweredOutsideBasis.StoresOfRequest
            : Holdings.Values.All(n => n == 0) ? AnsweredOutsideBasis.FoundNowhere
            : AnsweredOutsideBasis.StoresThatHeld);
    }

    /// <summary>
    /// Since when staff are owed the mail naming the recipients to tell: set when notices are opened (in the same write
    /// as the report's completion), cleared once the mail went. The obligation is in the register before the mail, so a
    /// mail that fails after the report went (the case is finished: no failure flag, no retry) is sent by the daily sweep.
    /// Null for notices opened before this was kept (their mail went first).
    /// </summary>
    public DateTimeOffset? RecipientsMailDueSince { get; init; }

    /// <summary>True when staff are owed the mail naming the recipients to tell (<see cref="RecipientsMailDueSince"/>).</summary>
    public bool NeedsRecipientsMail => RecipientsMailDueSince is not null && IdentifiersErasedAt is null;

    /// <summary>
    /// True when the step that opened the notices did not mail staff of them within an hour (the mail service failed after
    /// the report went): the daily sweep sends it. Not sooner, so the sweep does not mail beside a step still at it.
    /// </summary>
    public bool RecipientsMailLate(DateTimeOffset now) => NeedsRecipientsMail && now - RecipientsMailDueSince >= TimeSpan.FromHours(1);

    /// <summary>The recipients no staff member has recorded as told yet.</summary>
    public IReadOnlyList<string> RecipientsNotYetTold => [.. RecipientNotices.Where(n => n.InformedAt is null).Select(n => n.Recipient)];

    /// <summary>Opens a notice per recipient not yet listed (a retried report opens nothing twice); staff are then owed its mail.</summary>
    public CaseTransition OpenRecipientNotices(IEnumerable<string> recipients, DateTimeOffset at) =>
        WithRecipientNotices(recipients, at) is { } opened ? To(opened) : Refuse(CaseRefusal.AlreadyDone);

    /// <summary>Staff were mailed the recipients to tell.</summary>
    public CaseTransition RecipientsMailed() =>
        RecipientsMailDueSince is null ? Refuse(CaseRefusal.AlreadyDone) : To(this with { RecipientsMailDueSince = null });

    /// <summary>This case with a notice per recipient not yet listed, staff owed its mail; null when none is new.</summary>
    private PrivacyCase? WithRecipientNotices(IEnumerable<string> recipients, DateTimeOffset at)
    {
        var added = recipients.Where(r => RecipientNotices.All(n => n.Recipient != r)).Distinct(StringComparer.Ordinal).Select(r => new RecipientNotice(r, at)).ToList();
        return added.Count == 0 ? null : this with { RecipientNotices = [.. RecipientNotices, .. added], RecipientsMailDueSince = RecipientsMailDueSince ?? at };
    }

    /// <summary>A staff member told <paramref name="recipient"/> of the change. Refused for a recipient the case does not list, and when already recorded.</summary>
    public CaseTransition RecipientInformed(string recipient, string by, DateTimeOffset at) =>
        RecipientNotices.FirstOrDefault(n => n.Recipient == recipient) is not { } notice ? Refuse(CaseRefusal.NotAsked)
        : notice.InformedAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { RecipientNotices = [.. RecipientNotices.Select(n => n.Recipient == recipient ? n with { InformedAt = at, InformedBy = by } : n)] });
}

/// <summary>Which stores <see cref="PrivacyCase.RecipientsToTellWhenAnsweredOutside"/> took the recipients of.</summary>
public enum AnsweredOutsideBasis
{
    /// <summary>The stores where staff recorded a correction as made (every task of a rectification decided here).</summary>
    CorrectionsMade,

    /// <summary>The stores where the person was found, or could not be counted, when approval was asked.</summary>
    StoresThatHeld,

    /// <summary>The person was counted in every store and found in none: nobody to tell.</summary>
    FoundNowhere,

    /// <summary>Nothing was counted: every store of the controllers the request went to.</summary>
    StoresOfRequest,
}

/// <summary>
/// Whom staff closing a failed case answered outside may have to tell (Art. 19), and what the list rests on, so that
/// the sentence staff read says which stores it covers (<see cref="Sentence"/>).
/// </summary>
public sealed record AnsweredOutsideRecipients(IReadOnlyList<Recipient> Recipients, AnsweredOutsideBasis Basis)
{
    /// <summary>The case page's sentence naming them (or saying there is nobody, and why), in <paramref name="language"/>.</summary>
    public string Sentence(Requests.Language language)
    {
        if (Basis == AnsweredOutsideBasis.FoundNowhere)
        {
            return Localization.Texts.Get("CaseOutsideFoundNowhere", language);
        }

        if (Recipients.Count == 0)
        {
            return Localization.Texts.Get(Basis == AnsweredOutsideBasis.CorrectionsMade ? "CaseOutsideNoRecipientsCorrected" : "CaseOutsideNoRecipients", language);
        }

        var names = Localization.Texts.List([.. Recipients.Select(r => r.Name.In(language))], language);
        return Localization.Texts.Format(
            Basis switch
            {
                AnsweredOutsideBasis.CorrectionsMade => "CaseOutsideRecipientsCorrected",
                AnsweredOutsideBasis.StoresOfRequest => "CaseOutsideRecipientsUncounted",
                _ => "CaseOutsideRecipients",
            },
            language,
            names);
    }
}
