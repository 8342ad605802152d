using Infomat.Privacy.Cases;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Audit;

/// <summary>
/// The case register with its audit trail: after every write (and every update, even one that changed nothing) the
/// events the case's state implies and the trail lacks are appended. A step is thus audited once, and a step whose
/// audit write was cut off by a crash is audited at the case's next write.
/// </summary>
public sealed class AuditedCaseRegister(ICaseRegister inner, IAuditTrail trail, KeyedHash hash) : ICaseRegister
{
    public async Task CreateAsync(PrivacyCase privacyCase, CancellationToken cancellationToken)
    {
        await inner.CreateAsync(privacyCase, cancellationToken);
        await ReconcileAsync(privacyCase, cancellationToken);
    }

    public Task<PrivacyCase?> GetAsync(string caseId, CancellationToken cancellationToken) => inner.GetAsync(caseId, cancellationToken);

    public async Task<PrivacyCase> UpdateAsync(string caseId, Func<PrivacyCase, PrivacyCase?> change, CancellationToken cancellationToken)
    {
        var stored = await inner.UpdateAsync(caseId, change, cancellationToken);
        await ReconcileAsync(stored, cancellationToken);
        return stored;
    }

    public IAsyncEnumerable<string> ListUnfinishedAsync(CancellationToken cancellationToken) => inner.ListUnfinishedAsync(cancellationToken);

    public IAsyncEnumerable<string> ListUnfinishedOfAsync(string email, CancellationToken cancellationToken) => inner.ListUnfinishedOfAsync(email, cancellationToken);

    public IAsyncEnumerable<string> ListUnansweredOfAsync(string email, CancellationToken cancellationToken) => inner.ListUnansweredOfAsync(email, cancellationToken);

    public IAsyncEnumerable<string> ListOfAsync(string email, string? subjectHash, CancellationToken cancellationToken) => inner.ListOfAsync(email, subjectHash, cancellationToken);

    public IAsyncEnumerable<PrivacyCase> ListAllAsync(CancellationToken cancellationToken) => inner.ListAllAsync(cancellationToken);

    public IAsyncEnumerable<CaseListEntry> ListEntriesAsync(CancellationToken cancellationToken) => inner.ListEntriesAsync(cancellationToken);

    public Task<CaseList> ReadListAsync(TimeSpan patience, CancellationToken cancellationToken) => inner.ReadListAsync(patience, cancellationToken);

    // Rewrites a copy the row already implies, not the case: nothing for the audit trail.
    public Task<int> RefreshListEntriesAsync(CancellationToken cancellationToken) => inner.RefreshListEntriesAsync(cancellationToken);

    public Task<bool> TryConsumeTokenAsync(string tokenId, string caseId, CancellationToken cancellationToken) =>
        inner.TryConsumeTokenAsync(tokenId, caseId, cancellationToken);

    public Task<string?> UsedForAsync(string tokenId, CancellationToken cancellationToken) => inner.UsedForAsync(tokenId, cancellationToken);

    private Task ReconcileAsync(PrivacyCase c, CancellationToken cancellationToken) =>
        trail.AppendMissingAsync(CaseAudit.Entries(c, hash), cancellationToken);
}
