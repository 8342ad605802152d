namespace Infomat.Privacy.Stores;

/// <summary>Why a file a person's record names is not in their export.</summary>
public enum StoreFileAbsence
{
    /// <summary>It is there: <see cref="StoreFile.Content"/> holds it.</summary>
    None,

    /// <summary>The store has no file by that name (deleted, never uploaded, or not a plain file name).</summary>
    NotFound,

    /// <summary>
    /// A record of another person names a file by the same name, or an erasure asked for the file to go and it stayed
    /// because another record named it. Files are addressed by name only, so whose file it is cannot be told: it goes to
    /// nobody's export (Art. 15(4) GDPR: a copy must not harm the rights of others).
    /// </summary>
    HeldBack,
}

/// <summary>A stored file a person's record names, opened for their export: its content, or why there is none.</summary>
public sealed class StoreFile : IAsyncDisposable
{
    private StoreFile(Stream? content, StoreFileAbsence absence)
    {
        Content = content;
        Absence = absence;
    }

    /// <summary>No file by that name.</summary>
    public static StoreFile NotFound { get; } = new(null, StoreFileAbsence.NotFound);

    /// <summary>Held back: another person's record names it too, or an erasure's mark keeps it out.</summary>
    public static StoreFile HeldBack { get; } = new(null, StoreFileAbsence.HeldBack);

    /// <summary>The file's content, to be disposed by the reader (disposing this does).</summary>
    public static StoreFile Found(Stream content) => new(content ?? throw new ArgumentNullException(nameof(content)), StoreFileAbsence.None);

    /// <summary>The file's content, or null when it is not in the export.</summary>
    public Stream? Content { get; }

    public StoreFileAbsence Absence { get; }

    public ValueTask DisposeAsync() => Content?.DisposeAsync() ?? ValueTask.CompletedTask;
}
