using Infomat.Privacy.Export;

namespace Infomat.Privacy.Cases;

// The staff review of free text before an access export is built (Art. 15(4) GDPR, issue 17 item 5): the case waits
// for staff (AwaitingStaffAction) when the collected records hold free text; staff withhold values that would
// adversely affect the rights of others; the register keeps which values (where, never the text), who and when.
public sealed partial record PrivacyCase
{
    /// <summary>The review of the export's free text, once one was needed; null while none was.</summary>
    public ExportReview? Review { get; init; }

    /// <summary>
    /// Whether the export waits for a staff review: it answers an access request (<see cref="FreeTextReview.Applies"/>)
    /// and the collected records hold <paramref name="freeTextValues"/> &gt; 0 free-text values, and no review was opened yet.
    /// </summary>
    public bool NeedsExportReview(int freeTextValues) =>
        Review is null && freeTextValues > 0 && FreeTextReview.Applies(Rights);

    /// <summary>True while staff have not finished the review (the export waits).</summary>
    public bool AwaitsExportReview => Review is { DoneAt: null };

    /// <summary>
    /// True while the case itself waits on that review (<see cref="CaseStatus.AwaitingStaffAction"/>; not once it failed or
    /// closed): the case page then offers a fresh link to the review, as it does for tasks (<see cref="AwaitsStaffTasks"/>).
    /// </summary>
    public bool AwaitsExportReviewByStaff => AwaitsExportReview && Status == CaseStatus.AwaitingStaffAction;

    /// <summary>True until staff were sent the review link (a retried step sends it once).</summary>
    public bool NeedsReviewMail => Review is { MailSentAt: null, DoneAt: null };

    /// <summary>The values withheld from the export (none unless a review withheld some).</summary>
    public IReadOnlyList<WithheldValue> Withheld => Review?.Withheld ?? [];

    /// <summary>Earlier reviews of this case's export, oldest first: a retry that collected other free text was reviewed again.</summary>
    public IReadOnlyList<ExportReview> EarlierReviews { get; init; } = [];

    /// <summary>
    /// The export holds <paramref name="freeTextValues"/> free-text values (<paramref name="fingerprint"/>: what they are,
    /// <see cref="FreeTextReview.FingerprintAsync"/>): the case waits for staff to review them.
    /// </summary>
    public CaseTransition OpenExportReview(int freeTextValues, DateTimeOffset at, string? fingerprint = null) =>
        Review is not null ? Refuse(CaseRefusal.AlreadyDone)
        : Status != CaseStatus.InProgress ? Refuse(CaseRefusal.WrongStatus)
        : !NeedsExportReview(freeTextValues) ? Refuse(CaseRefusal.NotAsked)
        : To((this with { Review = new ExportReview(freeTextValues, at) { Fingerprint = fingerprint } }).WithStatus(CaseStatus.AwaitingStaffAction, at));

    /// <summary>
    /// Whether the free text collected now (<paramref name="freeTextValues"/> values, <paramref name="fingerprint"/>) is
    /// other than what the finished review covered: a retry collects again (decision 117), and values staff did not see
    /// (a note written since, a ticket edited) must not go out unseen. A review recorded before reviews had a
    /// fingerprint covers nothing it cannot show it saw.
    /// </summary>
    public bool NeedsExportReviewAgain(int freeTextValues, string fingerprint) =>
        Review is { DoneAt: not null } done && freeTextValues > 0 && FreeTextReview.Applies(Rights) && done.Fingerprint != fingerprint;

    /// <summary>
    /// Why the zip may not be built from staged records holding <paramref name="freeTextValues"/> free-text values with
    /// <paramref name="fingerprint"/>, or null when it may (Art. 15(4), decision 117): an access export's free text goes
    /// out only as staff reviewed it. Staged records rewritten after the review (a collect delivered twice) or holding free
    /// text no review saw are refused; the case fails, and its retry collects again and reopens the review.
    /// </summary>
    public CaseRefusal? ExportBuildRefusal(int freeTextValues, string fingerprint) =>
        !FreeTextReview.Applies(Rights) || freeTextValues == 0 ? null
        : Review is not { DoneAt: not null } done || done.Fingerprint != fingerprint ? CaseRefusal.NotReviewed
        : null;

    /// <summary>
    /// The free text collected again is not what the finished review covered (<see cref="NeedsExportReviewAgain"/>): that
    /// review is kept among <see cref="EarlierReviews"/> and a new one is opened; the case waits for staff again.
    /// </summary>
    public CaseTransition ReopenExportReview(int freeTextValues, string fingerprint, DateTimeOffset at) =>
        Status != CaseStatus.InProgress ? Refuse(CaseRefusal.WrongStatus)
        : !NeedsExportReviewAgain(freeTextValues, fingerprint) ? Refuse(CaseRefusal.NotAsked)
        : To((this with { EarlierReviews = [.. EarlierReviews, Review!], Review = new ExportReview(freeTextValues, at) { Fingerprint = fingerprint } })
            .WithStatus(CaseStatus.AwaitingStaffAction, at));

    /// <summary>The review link went out to staff.</summary>
    public CaseTransition ExportReviewMailSent(DateTimeOffset at) =>
        Review is null ? Refuse(CaseRefusal.NotAsked)
        : Review.MailSentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { Review = Review with { MailSentAt = at } });

    /// <summary>
    /// True when the review waits, but its case is flagged failed: it cannot be recorded until a colleague retries the
    /// case (<see cref="ExportReviewRefusal"/>), and its page says so rather than offering a form that is then refused.
    /// </summary>
    public bool ReviewWaitsOnRetry => Status == CaseStatus.Failed && AwaitsExportReview;

    /// <summary>Why staff may not finish the review now, or null when they may.</summary>
    public CaseRefusal? ExportReviewRefusal =>
        Review is null ? CaseRefusal.NotAsked
        : Review.DoneAt is not null ? CaseRefusal.AlreadyDone
        : Status.IsFinished() ? CaseRefusal.Finished
        : null;

    /// <summary>
    /// The free text staged now (<paramref name="freeTextValues"/>, <paramref name="fingerprint"/>) is not what the review
    /// still open was opened on: the run collected again before staff reviewed (a release restarted it, or a staff retry).
    /// The open review is replaced by one on what is staged now, so staff review what goes out (the build refuses any
    /// other, <see cref="ExportBuildRefusal"/>); its link went already and shows the records as staged, and a page opened
    /// before is refused (<see cref="CompleteExportReviewAsShown"/>). Refused when no review is open or it covers these.
    /// </summary>
    public CaseTransition RefreshOpenExportReview(int freeTextValues, string fingerprint, DateTimeOffset at) =>
        Review is not { DoneAt: null } open || open.Fingerprint == fingerprint || Status.IsFinished() ? Refuse(CaseRefusal.NotAsked)
        : To(this with { Review = new ExportReview(freeTextValues, at) { Fingerprint = fingerprint, MailSentAt = open.MailSentAt } });

    /// <summary>What a review page shows it was opened on (the open review's time), sent back with its form; null when none is open.</summary>
    public string? ExportReviewBasis =>
        Review is { DoneAt: null } open ? open.OpenedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// <see cref="CompleteExportReview"/> from a page that was opened on <paramref name="shown"/>
    /// (<see cref="ExportReviewBasis"/>): refused (<see cref="CaseRefusal.DecisionBasisChanged"/>) when the review was
    /// replaced since (<see cref="RefreshOpenExportReview"/>) or the page did not say, since the values it showed and
    /// the places its ticks name may no longer be what goes out.
    /// </summary>
    public CaseTransition CompleteExportReviewAsShown(string? shown, IReadOnlyList<WithheldValue> withheld, string by, DateTimeOffset at) =>
        ExportReviewRefusal is null && !string.Equals(shown, ExportReviewBasis, StringComparison.Ordinal) ? Refuse(CaseRefusal.DecisionBasisChanged)
        : CompleteExportReview(withheld, by, at);

    /// <summary>
    /// Staff reviewed the free text and withheld <paramref name="withheld"/> (possibly none): recorded once (the first
    /// review stands), and the case is back in progress, so the export is built.
    /// </summary>
    public CaseTransition CompleteExportReview(IReadOnlyList<WithheldValue> withheld, string by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(withheld);
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        return ExportReviewRefusal is { } refusal ? Refuse(refusal)
            : To((this with { Review = Review! with { DoneAt = at, DoneBy = by, Withheld = [.. withheld.Distinct()] } }).WithStatus(CaseStatus.InProgress, at));
    }
}

/// <summary>
/// The staff review of an export's free text: how many values it held, when staff were asked, and when, by whom and
/// which values (where, never what) they withheld.
/// </summary>
public sealed record ExportReview(int Values, DateTimeOffset OpenedAt)
{
    public DateTimeOffset? MailSentAt { get; init; }
    public DateTimeOffset? DoneAt { get; init; }
    public string? DoneBy { get; init; }
    public IReadOnlyList<WithheldValue> Withheld { get; init; } = [];

    /// <summary>
    /// What the reviewed values were: a keyed digest of where each is and what it says (<see cref="Export.Fingerprint"/>;
    /// pseudonymised data, cleared with the identifiers); null for reviews from before it was kept.
    /// </summary>
    public string? Fingerprint { get; init; }
}
