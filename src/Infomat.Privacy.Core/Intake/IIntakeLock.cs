namespace Infomat.Privacy.Intake;

/// <summary>
/// A lock shared by every instance of the app (a blob lease in Azure and on Azurite): what must happen once at a time
/// across instances, such as creating the mailbox subscription that every instance checks at start-up, takes it first.
/// </summary>
public interface IIntakeLock
{
    /// <summary>
    /// Holds the lock named <paramref name="name"/> until the returned handle is disposed, waiting up to
    /// <paramref name="wait"/> for another holder to let go. Null when it was held all that time.
    /// </summary>
    Task<IAsyncDisposable?> AcquireAsync(string name, TimeSpan wait, CancellationToken cancellationToken);
}
