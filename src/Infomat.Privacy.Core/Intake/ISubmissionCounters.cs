namespace Infomat.Privacy.Intake;

/// <summary>
/// Submission counters shared by every instance of the app (an Azure Table; Azurite locally), so a limit holds
/// however many instances serve the form and survives their recycling. Keys are keyed hashes, never an address.
/// </summary>
public interface ISubmissionCounters
{
    /// <summary>
    /// Counts one submission under <paramref name="key"/> for the limit named <paramref name="limit"/> when
    /// <paramref name="rule"/> allows it at <paramref name="now"/>, atomically across instances. Null when counted;
    /// otherwise how long to wait (nothing counted).
    /// </summary>
    Task<TimeSpan?> TryCountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Takes back one submission counted under <paramref name="key"/> at <paramref name="countedAt"/> (a request refused
    /// by another limit checked at the same moment), as far as it can within a few seconds; what it cannot is logged.
    /// </summary>
    Task UncountAsync(string limit, string key, SubmissionWindow rule, DateTimeOffset countedAt);

    /// <summary>Deletes the counters whose windows no longer matter at <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteEndedAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
