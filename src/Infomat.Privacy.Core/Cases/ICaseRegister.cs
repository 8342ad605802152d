namespace Infomat.Privacy.Cases;

/// <summary>The case register: the source of truth for every case (Azure Tables; Azurite locally).</summary>
public interface ICaseRegister
{
    /// <summary>Writes a new case. Throws if the id exists.</summary>
    Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken);

    Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored case under optimistic concurrency, retrying on conflict.
    /// The change returns null to leave the case as it is. Returns the case as stored afterwards.
    /// </summary>
    Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken);

    /// <summary>Ids of every case its orchestration still has work for (<see cref="PrivacyCase.NeedsWork"/>): open, or expired with the notice not yet sent.</summary>
    IAsyncEnumerable<string> ListUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The ids of unfinished cases that may be <paramref name="email"/>'s: every one of theirs, perhaps others too (the
    /// caller checks each case it reads). A register that can look cases up by requester lists only theirs; by default, all.
    /// </summary>
    IAsyncEnumerable<string> ListUnfinishedOfAsync(string email, CancellationToken cancellationToken) => ListUnfinishedAsync(cancellationToken);

    /// <summary>
    /// As <see cref="ListUnfinishedOfAsync"/>, and the cases flagged failed as well (<see cref="CaseStatus.Failed"/>: still
    /// owed an answer, waiting for staff to retry or close them): where mail from the requester about a case must still
    /// find it. By default every such case, read one by one.
    /// </summary>
    async IAsyncEnumerable<string> ListUnansweredOfAsync(string email, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var c in ListAllAsync(cancellationToken))
        {
            if (c.NeedsWork || c.Status == CaseStatus.Failed)
            {
                yield return c.Id;
            }
        }
    }

    /// <summary>
    /// The ids of every case that may be <paramref name="email"/>'s, whatever its status: every one of theirs, those whose
    /// address the register erased included (by their keyed hash, <paramref name="subjectHash"/>), perhaps others too
    /// (the caller checks each case it reads). A register that can look cases up by requester lists only theirs; by
    /// default, all.
    /// </summary>
    async IAsyncEnumerable<string> ListOfAsync(string email, string? subjectHash, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var c in ListAllAsync(cancellationToken))
        {
            yield return c.Id;
        }
    }

    /// <summary>Every case, for the sweeps that look at each one.</summary>
    IAsyncEnumerable<PrivacyCase> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the staff case list and its CSV need of every case (<see cref="CaseListEntry"/>: no personal data). A register
    /// that keeps the entries beside the cases reads only them (decision 74); the others derive them from the cases.
    /// </summary>
    IAsyncEnumerable<CaseListEntry> ListEntriesAsync(CancellationToken cancellationToken) => ListAllAsync(cancellationToken).Select(CaseListEntry.Of);

    /// <summary>
    /// The entries for the staff list page: as <see cref="ListEntriesAsync"/>, or, when storage has not answered within
    /// <paramref name="patience"/>, as a register that keeps a copy last read them, with their age (<see cref="CaseList.Age"/>).
    /// </summary>
    async Task<CaseList> ReadListAsync(TimeSpan patience, CancellationToken cancellationToken) =>
        new(await ListEntriesAsync(cancellationToken).ToListAsync(cancellationToken), null);

    /// <summary>
    /// Rewrites the list entry of every case whose stored entry is missing or of an older shape (rows written before the
    /// entries were kept, or before <see cref="CaseListEntry"/> changed): the rebuild path, run by the daily sweep.
    /// Returns how many were rewritten; a register that keeps no entries has none to rewrite.
    /// </summary>
    Task<int> RefreshListEntriesAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>
    /// Marks a one-time marker (a handled mail's Message-ID) as used. False when it was used before. Links in mails do
    /// not use this: their use is spent with their step on the case (<see cref="PrivacyCase.ThroughLink"/>).
    /// </summary>
    Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken);

    /// <summary>The case a used token (or handled message marker) was recorded for; null when unused.</summary>
    Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken);
}
