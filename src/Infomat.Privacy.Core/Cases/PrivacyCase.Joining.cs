namespace Infomat.Privacy.Cases;

// Decision 84: a request sent by someone who has not proven the address is told nothing about another case. A form
// post or API call that asks what an open case asks is a case of its own, with its own verification link; once its
// address is confirmed (by whoever holds the mailbox, who may know their own requests) it joins the open request that
// asks the same, so the person still gets one answer.
public sealed partial record PrivacyCase
{
    /// <summary>The open case this request joined when its address was confirmed (<see cref="CaseStatus.Joined"/>); null otherwise.</summary>
    public string? JoinedCaseId { get; init; }

    /// <summary>
    /// True when this request, its address confirmed now, is answered by <paramref name="other"/>: another case, still
    /// open, received no later and due no later (this request's legal deadline still holds: an earlier request whose
    /// deadline was extended does not take it), whose address was confirmed before, that asks the same
    /// (<see cref="AsksTheSame(PrivacyCase)"/>), and in which nothing this one asks is lost (this request adds no details,
    /// or the same ones: a rectification's corrections are its details). What ends that case, an answer, a refusal or a
    /// closure, ends this request with it: the same address asked the same. A failed case is not joined (it waits for
    /// staff); a case whose address nobody confirmed is not either (its requester may never confirm it). Of two requests
    /// confirmed at the same moment neither finds the other confirmed, so both go on: never both joined to each other.
    /// </summary>
    public bool IsAnsweredBy(PrivacyCase other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Id != Id
            && !other.Status.IsFinished()
            && other.EmailVerifiedAt is not null
            && other.ReceivedAt <= ReceivedAt
            && other.DueDate <= DueDate
            && AsksTheSame(other)
            && !other.IsAddedToBy(Details);
    }

    /// <summary>Of <paramref name="cases"/> (the same address's open cases), the one this request joins when its address is confirmed: the earliest that answers it (<see cref="IsAnsweredBy"/>), or null.</summary>
    public PrivacyCase? JoinedOnConfirmation(IEnumerable<PrivacyCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        return cases.Where(IsAnsweredBy).OrderBy(c => c.ReceivedAt).ThenBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>
    /// The requester confirmed the address of a request that <paramref name="open"/> answers (found by
    /// <see cref="JoinedOnConfirmation"/>): the address is recorded confirmed and the case closes as
    /// <see cref="CaseStatus.Joined"/>, naming the case that answers it. <paramref name="open"/> is the copy read before
    /// this write: one that does not answer this request (the rule is asked again) leaves the address confirmed and the
    /// request going on alone; one that finished since it was read still takes it (its outcome went to the address).
    /// Refused as <see cref="Verify(DateTimeOffset)"/> is.
    /// </summary>
    public CaseTransition Verify(DateTimeOffset at, PrivacyCase? open)
    {
        var verified = Verify(at);
        return verified.Changed is not { } confirmed || open is null || !IsAnsweredBy(open)
            ? verified
            : To((confirmed with { JoinedCaseId = open.Id }).WithStatus(CaseStatus.Joined, at));
    }
}
