namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>A running host the flows drive: where it answers and where its mail goes.</summary>
public interface ITestHost
{
    string BaseUrl { get; }

    Mailbox Mailbox { get; }

    /// <summary>The storage (Azurite) its case register lives in.</summary>
    string StorageConnectionString { get; }
}
