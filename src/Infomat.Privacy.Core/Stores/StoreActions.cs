namespace Infomat.Privacy.Stores;

/// <summary>What a store is asked to do for a person, after staff approved the identity.</summary>
public enum StoreAction
{
    /// <summary>Art. 17: delete, anonymise, or retain under the legal hold (and restrict) as the data map says.</summary>
    Erase,

    /// <summary>Art. 18: mark every matched record restricted.</summary>
    Restrict,

    /// <summary>Art. 7(3): the map's withdrawal rule on consent-based tables, and the suppression list.</summary>
    WithdrawConsent,

    /// <summary>Art. 21(2)-(3): the map's withdrawal rule on direct-marketing tables, and the suppression list.</summary>
    ObjectToDirectMarketing,

    /// <summary>
    /// Art. 7(3), marketing consent only (an unsubscribe mail): the map's withdrawal rule on tables whose purpose is both
    /// consent-based and direct marketing, and the suppression list; other consent (the recruitment pool) stays.
    /// </summary>
    WithdrawMarketingConsent,

    /// <summary>
    /// Art. 7(3), consent other than for marketing only (a withdrawal that names the recruitment pool): the map's
    /// withdrawal rule on consent-based purposes that are not direct marketing; the newsletter, its consent and the
    /// suppression list are left as they are.
    /// </summary>
    WithdrawOtherConsent,

    /// <summary>
    /// Art. 18(3): staff lift the restriction a restriction request put in place, after the requester was told. Records an
    /// erasure keeps under a legal hold stay restricted (the hold, not the request, restricts them).
    /// </summary>
    LiftRestriction,
}

/// <summary>A store action for one case. The email is used for matching and never leaves the activity.</summary>
public sealed record StoreActionRequest(string CaseId, StoreAction Action, string Email, DateTimeOffset Now)
{
    /// <summary>
    /// The action is a restriction the person asked for (<see cref="Cases.PrivacyCase.KeepsHeldRecords"/>): records an
    /// earlier erasure holds are kept past their legal period until it is lifted (decision 183). Not for the restriction
    /// an upheld objection makes, which never lifts.
    /// </summary>
    public bool KeepsHeldRecords { get; init; }
}

/// <summary>Records kept under a legal hold that ends on the same day: how many, and until when.</summary>
public sealed record HeldRecords(DateOnly Until, int Records);

/// <summary>
/// What an action did to one table, as counts and dates only: this travels through durable history and into
/// the requester's report. <see cref="Held"/>: the retained records grouped by the day each one's hold ends.
/// <see cref="RemainingAfter"/> is the check after the action: an independent count, over every column holding the
/// address, of the records that still match the person.
/// </summary>
public sealed record TableOutcome(
    string Table,
    int Matched,
    int Deleted,
    int Anonymised,
    int Restricted,
    int Updated,
    int Retained,
    IReadOnlyList<HeldRecords>? Held,
    int RemainingAfter)
{
    /// <summary>Records erased for good: deleted, or anonymised.</summary>
    public int Erased => Deleted + Anonymised;

    /// <summary>Equal when every count and every hold is (a recorded outcome read back equals the one first returned).</summary>
    public bool Equals(TableOutcome? other) =>
        other is not null && (Table, Matched, Deleted, Anonymised, Restricted, Updated, Retained, RemainingAfter)
            == (other.Table, other.Matched, other.Deleted, other.Anonymised, other.Restricted, other.Updated, other.Retained, other.RemainingAfter)
        && (Held ?? []).SequenceEqual(other.Held ?? []);

    public override int GetHashCode() => HashCode.Combine(Table, Matched, Deleted, Anonymised, Restricted, Retained, RemainingAfter);
}

/// <summary>What an action did in one store. <see cref="Suppressed"/>: the address's keyed hash is on its suppression list.</summary>
public sealed record StoreOutcome(string StoreKey, StoreAction Action, IReadOnlyList<TableOutcome> Tables, bool Suppressed)
{
    /// <summary>
    /// True when the store had done this action for the case before and returned what it recorded then (a retried step,
    /// a staff retry): nothing more was done now; only <see cref="TableOutcome.RemainingAfter"/> was counted again.
    /// </summary>
    public bool RecordedEarlier { get; init; }

    public int Matched => Tables.Sum(t => t.Matched);

    /// <summary>The erasure proof: after the action, only the records listed as retained still match the person.</summary>
    public bool OnlyRetainedRemain => Tables.All(t => t.RemainingAfter == t.Retained);

    /// <summary>
    /// This outcome with what <paramref name="earlier"/> actions of the same case deleted in the same store counted in:
    /// rows an at-once withdrawal or objection deleted are gone before the erasure looks, so the erasure alone would
    /// report fewer records than the case erased (decision 49). Only deletions are carried over; rows an earlier action
    /// changed are still there and reported by this one.
    /// </summary>
    public StoreOutcome WithDeletionsOf(IEnumerable<StoreOutcome> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var deleted = earlier.Where(e => e.StoreKey == StoreKey).SelectMany(e => e.Tables).Where(t => t.Deleted > 0)
            .GroupBy(t => t.Table, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Deleted), StringComparer.Ordinal);
        if (deleted.Count == 0)
        {
            return this;
        }

        var tables = Tables.Select(t => deleted.TryGetValue(t.Table, out var d) ? t with { Matched = t.Matched + d, Deleted = t.Deleted + d } : t).ToList();
        tables.AddRange(deleted.Where(d => Tables.All(t => t.Table != d.Key)).Select(d => new TableOutcome(d.Key, d.Value, d.Value, 0, 0, 0, 0, [], 0)));
        return this with { Tables = tables };
    }
}
