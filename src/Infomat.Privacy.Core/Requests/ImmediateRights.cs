using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Requests;

/// <summary>
/// Which rights are applied as soon as the requester has confirmed the address, without staff identity approval and
/// without waiting for it to expire (decision 49): a withdrawal of consent (Art. 7(3) GDPR: as easy to withdraw as to
/// give) and an objection to direct marketing (Art. 21(2)-(3): absolute, no reason needed). Stopping marketing or a
/// consent-based processing for an address discloses nothing, so an address confirmed from our link is enough; a DMARC
/// pass stands in for the link only when the at-once part merely stops marketing (<see cref="DomainPassSuffices"/>).
/// Every other right (access, erasure, an objection to other processing, ...) still waits for staff. The one place
/// this is decided; the orchestration and the mails ask it.
/// </summary>
public static class ImmediateRights
{
    /// <summary>True for a right applied at once once the address is confirmed.</summary>
    public static bool IsImmediate(RequestType right, ObjectionScope? objection) =>
        right == RequestType.WithdrawConsent || (right == RequestType.Objection && objection == ObjectionScope.DirectMarketing);

    /// <summary>The store actions applied at once for these rights, in order (none when no right is immediate).</summary>
    /// <remarks>The objection first: the address goes on the suppression list before anything else is changed.</remarks>
    public static IReadOnlyList<StoreAction> Actions(IReadOnlyList<RequestType> rights, ObjectionScope? objection, ConsentScope? consent)
    {
        ArgumentNullException.ThrowIfNull(rights);
        var actions = new List<StoreAction>();
        if (rights.Contains(RequestType.Objection) && objection == ObjectionScope.DirectMarketing)
        {
            actions.Add(StoreAction.ObjectToDirectMarketing);
        }

        if (rights.Contains(RequestType.WithdrawConsent))
        {
            actions.Add(WithdrawalFor(consent));
        }

        return actions;
    }

    /// <summary>The store action of a withdrawal of consent with this scope (null: every consent).</summary>
    public static StoreAction WithdrawalFor(ConsentScope? consent) => consent switch
    {
        ConsentScope.Marketing => StoreAction.WithdrawMarketingConsent,
        ConsentScope.Other => StoreAction.WithdrawOtherConsent,
        _ => StoreAction.WithdrawConsent,
    };

    /// <summary>True when any of the rights must wait for the staff identity decision.</summary>
    public static bool NeedsApproval(IReadOnlyList<RequestType> rights, ObjectionScope? objection)
    {
        ArgumentNullException.ThrowIfNull(rights);
        return rights.Any(r => !IsImmediate(r, objection));
    }

    /// <summary>
    /// True when the sender's domain passing DMARC may stand in for confirming the address from our link. DMARC proves the
    /// domain, not the mailbox (colleagues share one), and what is applied at once has no staff check behind it: so
    /// only when the at-once part merely stops marketing (no more than an unsubscribe link does). A withdrawal of every
    /// consent or of another one (the recruitment pool: deleted, suppressed for good) needs the link first. An erasure
    /// also needs it (issue 18): anyone who can send for a domain passes DMARC for every address at it, and staff
    /// approving an erasure should know the mailbox itself asked.
    /// </summary>
    public static bool DomainPassSuffices(IReadOnlyList<RequestType> rights, ObjectionScope? objection, ConsentScope? consent)
    {
        ArgumentNullException.ThrowIfNull(rights);
        return !rights.Contains(RequestType.Erasure)
            && Actions(rights, objection, consent).All(a => a is StoreAction.ObjectToDirectMarketing or StoreAction.WithdrawMarketingConsent);
    }
}
