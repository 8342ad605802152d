namespace Infomat.Privacy.Intake;

/// <summary>
/// Where the mailbox delta sweep resumes: the opaque delta link the mail service handed out at the end of the last
/// sweep, kept under a name (one per inbound queue, so hosts sharing a storage account do not resume each other's sweep).
/// </summary>
public interface IDeltaLinkStorage
{
    /// <summary>The link saved under <paramref name="name"/>, or null before the first sweep.</summary>
    Task<string?> ReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Saves <paramref name="deltaLink"/> under <paramref name="name"/>, replacing the one before.</summary>
    Task WriteAsync(string name, string deltaLink, CancellationToken cancellationToken);

    /// <summary>When the last sweep under <paramref name="name"/> that queued all it found began; null before the first.</summary>
    Task<DateTimeOffset?> ReadSweptAsync(string name, CancellationToken cancellationToken);

    /// <summary>Records that a sweep under <paramref name="name"/> which began at <paramref name="startedAt"/> queued all it found.</summary>
    Task WriteSweptAsync(string name, DateTimeOffset startedAt, CancellationToken cancellationToken);
}
