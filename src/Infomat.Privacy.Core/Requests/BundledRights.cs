using Infomat.Privacy.Intake;

namespace Infomat.Privacy.Requests;

/// <summary>
/// The rights one case answers: its main right (the wire <c>type</c>, which decides the plan) and the others it answers
/// in full beside it (portability beside access: the export has both parts; an objection beside an erasure: the
/// address also goes on the suppression list, and the report answers the objection).
/// </summary>
public sealed record RequestedRights(RequestType Main, IReadOnlyList<RequestType> Also, ObjectionScope? Objection)
{
    public IReadOnlyList<RequestType> All => [Main, .. Also];
}

/// <summary>What the bundling rule decided: the rights of the case, or none (staff decide), and why, coded so staff read it in their language.</summary>
public sealed record RightsDecision(RequestedRights? Rights, CodedReason Why)
{
    /// <summary>The reason in English (logs, tests).</summary>
    public string Reason => Why.Render(Language.En);
}

/// <summary>
/// How a request that names several rights becomes one case, by rule, in one place (decision 42). Model letters bundle
/// rights; the law answers most bundles: an erasure subsumes withdrawing consent (Art. 17(1)(b): the data goes, so
/// does the processing based on consent), though the withdrawal stays on the case beside it, because it is applied at
/// once and must hold even when the erasure is refused (decision 49); an objection to direct marketing subsumes withdrawing marketing consent
/// (Art. 21(3): the marketing stops whatever its basis), but not a withdrawal of every consent or of another (the
/// recruitment pool), which stays on the case beside it (decision 51); access and portability are one export with both parts (Art.
/// 15 and 20); an erasure with an objection answers both (Art. 17(1)(c) and Art. 21: what is erased is no longer
/// processed, and the address is kept off marketing). Anything else that names rights answered in a given order or by
/// judgement (access then erasure; rectification and restriction while the accuracy is checked) goes to staff with
/// the rights named. The reasons carry rights and articles only, never anything from the letter.
/// </summary>
public static class BundledRights
{
    /// <param name="asked">The rights the request asks for, strongest first (the first decides nothing by itself).</param>
    /// <param name="objection">What an objection among them is against.</param>
    /// <param name="consent">What a withdrawal among them takes back (null: not said, read as marketing beside an objection to direct marketing).</param>
    public static RightsDecision Decide(IReadOnlyList<RequestType> asked, ObjectionScope? objection, ConsentScope? consent = null)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var rights = asked.Distinct().ToList();
        if (rights.Count == 0)
        {
            return new RightsDecision(null, CodedReason.Of("NoRightAsked"));
        }

        var notes = CodedReason.None;
        var withdrawalBesideErasure = false;
        if (rights.Contains(RequestType.WithdrawConsent) && rights.Contains(RequestType.Erasure))
        {
            // Subsumed for the plan, but kept on the case: the withdrawal is applied at once (Art. 7(3)), whatever becomes
            // of the erasure, which waits for staff and may be refused or expire (decision 49).
            rights.Remove(RequestType.WithdrawConsent);
            withdrawalBesideErasure = true;
            notes = notes.Then("ErasureSubsumesWithdrawal");
        }

        var withdrawalBesideObjection = false;
        if (rights.Contains(RequestType.WithdrawConsent) && rights.Contains(RequestType.Objection) && objection == ObjectionScope.DirectMarketing)
        {
            // The objection stops marketing only: it subsumes a withdrawal of marketing consent, not one of every consent
            // or of another (the recruitment pool), which stays on the case and is applied at once beside it.
            rights.Remove(RequestType.WithdrawConsent);
            withdrawalBesideObjection = consent is ConsentScope.All or ConsentScope.Other;
            notes = notes.Then(withdrawalBesideObjection ? "ObjectionBesideWithdrawal" : "ObjectionSubsumesWithdrawal");
        }

        var scope = rights.Contains(RequestType.Objection) ? objection ?? ObjectionScope.Other : (ObjectionScope?)null;
        RequestedRights? decided = rights switch
        {
            [var only] => new RequestedRights(only, [], scope),
            _ when Is(rights, RequestType.Access, RequestType.Portability) => Note(new RequestedRights(RequestType.Access, [RequestType.Portability], null), "AccessAndPortability"),
            _ when Is(rights, RequestType.Erasure, RequestType.Objection) => Note(new RequestedRights(RequestType.Erasure, [RequestType.Objection], scope), "ErasureAndObjection"),
            _ => null,
        };

        if (decided is not null && (withdrawalBesideErasure || withdrawalBesideObjection))
        {
            decided = decided with { Also = [.. decided.Also, RequestType.WithdrawConsent] };
        }

        if (decided is null)
        {
            return new RightsDecision(null, CodedReason.Of("SeveralRights", CodedReason.Rights(rights)).Then(notes));
        }

        return new RightsDecision(decided, CodedReason.Of("CaseRights", CodedReason.Rights(decided.All)).Then(notes));

        RequestedRights Note(RequestedRights r, string code)
        {
            notes = notes.Then(code);
            return r;
        }
    }

    private static bool Is(List<RequestType> rights, RequestType a, RequestType b) => rights.Count == 2 && rights.Contains(a) && rights.Contains(b);
}
