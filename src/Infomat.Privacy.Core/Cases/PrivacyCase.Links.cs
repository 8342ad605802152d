namespace Infomat.Privacy.Cases;

// Single-use links: a use of a link is recorded on the case in the same write as the step it takes. A write that fails
// (storage down, a 503) records neither, so the same link works when the person tries again; a write that succeeds
// records both, so the link cannot take its step a second time.
public sealed partial record PrivacyCase
{
    /// <summary>
    /// The uses of single-use links already spent on this case: the token id and which use of it (e.g.
    /// <c>{token}.decision</c>). Random ids only, no personal data.
    /// </summary>
    public IReadOnlyList<string> LinkUses { get; init; } = [];

    /// <summary>Whether the link use <paramref name="use"/> was spent on this case.</summary>
    public bool LinkUsed(string use) => LinkUses.Contains(use, StringComparer.Ordinal);

    /// <summary>
    /// Takes <paramref name="step"/> through the link use <paramref name="use"/>: refused with
    /// <see cref="CaseRefusal.LinkUsed"/> when that use was spent; otherwise the step's own answer, and when the step is
    /// taken the use is spent with it (one write). A refused step spends nothing.
    /// </summary>
    public CaseTransition ThroughLink(string use, Func<PrivacyCase, CaseTransition> step)
    {
        ArgumentException.ThrowIfNullOrEmpty(use);
        ArgumentNullException.ThrowIfNull(step);
        if (LinkUsed(use))
        {
            return CaseTransition.Refuse(CaseRefusal.LinkUsed);
        }

        var taken = step(this);
        return taken.Changed is { } changed ? CaseTransition.To(changed with { LinkUses = [.. LinkUses, use] }) : taken;
    }
}
