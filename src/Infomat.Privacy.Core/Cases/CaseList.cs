namespace Infomat.Privacy.Cases;

/// <summary>
/// The staff list's entries of every case, and how old they are when not read just now: null when the register answered
/// in time, otherwise the age of the last copy read (storage was slow; the page says so and shows that copy).
/// </summary>
public sealed record CaseList(IReadOnlyCollection<CaseListEntry> Entries, TimeSpan? Age);
