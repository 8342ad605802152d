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

    /// <summary>True until staff were sent the review link (a retried step sends it once).</summary>
    public bool NeedsReviewMail => Review is { MailSentAt: null, DoneAt: null };

    /// <summary>The values withheld from the export (none unless a review withheld some).</summary>
    public IReadOnlyList<WithheldValue> Withheld => Review?.Withheld ?? [];

    /// <summary>The export holds <paramref name="freeTextValues"/> free-text values: the case waits for staff to review them.</summary>
    public CaseTransition OpenExportReview(int freeTextValues, DateTimeOffset at) =>
        Review is not null ? Refuse(CaseRefusal.AlreadyDone)
        : Status != CaseStatus.InProgress ? Refuse(CaseRefusal.WrongStatus)
        : !NeedsExportReview(freeTextValues) ? Refuse(CaseRefusal.NotAsked)
        : To((this with { Review = new ExportReview(freeTextValues, at) }).WithStatus(CaseStatus.AwaitingStaffAction, at));

    /// <summary>The review link went out to staff.</summary>
    public CaseTransition ExportReviewMailSent(DateTimeOffset at) =>
        Review is null ? Refuse(CaseRefusal.NotAsked)
        : Review.MailSentAt is not null ? Refuse(CaseRefusal.AlreadyDone)
        : To(this with { Review = Review with { MailSentAt = at } });

    /// <summary>Why staff may not finish the review now, or null when they may.</summary>
    public CaseRefusal? ExportReviewRefusal =>
        Review is null ? CaseRefusal.NotAsked
        : Review.DoneAt is not null ? CaseRefusal.AlreadyDone
        : Status.IsFinished() ? CaseRefusal.Finished
        : null;

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
}
