namespace Infomat.Privacy.Requests;

/// <summary>The rights one case answers: its main right (the wire <c>type</c>) and the others it answers in full.</summary>
public sealed record RequestedRights(RequestType Main, IReadOnlyList<RequestType> Also, ObjectionScope? Objection);

/// <summary>What the bundling rule decided: the rights of the case, or none (staff decide), and why.</summary>
public sealed record RightsDecision(RequestedRights? Rights, string Reason);

/// <summary>How a request that names several rights becomes one case.</summary>
public static class BundledRights
{
    public static RightsDecision Decide(IReadOnlyList<RequestType> asked, ObjectionScope? objection) => throw new NotImplementedException();
}
