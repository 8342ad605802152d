namespace Infomat.Privacy.Cases;

/// <summary>
/// What the retention sweep removes from the case register (<c>Retention/SystemRetention</c> says when): a case whose
/// retention ended, and intake markers and claims. Nothing else deletes from the register.
/// </summary>
public interface IRegisterCleanup
{
    /// <summary>Removes the case's row; nothing happens when it is gone already.</summary>
    Task DeleteCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>Every one-time marker (handled mails, registration claims, triage records) with when it was written.</summary>
    IAsyncEnumerable<IntakeMarker> ListMarkersAsync(CancellationToken cancellationToken);

    Task DeleteMarkerAsync(IntakeMarker marker, CancellationToken cancellationToken);
}

/// <summary>A one-time marker of the register: its key (a hash, never an address), the case it was for (or <c>-</c>), when.</summary>
public sealed record IntakeMarker(string Id, string CaseId, DateTimeOffset UsedAt, string Row = "")
{
    /// <summary>A claim of <c>OpenRequests</c> (prefix <c>open.</c>) rather than a handled mail's marker.</summary>
    public bool IsClaim => Id.StartsWith("open.", StringComparison.Ordinal);

    /// <summary>A triaged mail's record (prefix <c>triage.</c>): the mail's sender and text, until staff make it a case.</summary>
    public bool IsTriage => Id.StartsWith("triage.", StringComparison.Ordinal);

    /// <summary>How long this kind of marker is kept (<see cref="Retention.SystemRetention"/>).</summary>
    public TimeSpan Keep => IsClaim ? Retention.SystemRetention.IntakeClaim : IsTriage ? Retention.SystemRetention.TriagedMail : Retention.SystemRetention.MailMarker;
}
