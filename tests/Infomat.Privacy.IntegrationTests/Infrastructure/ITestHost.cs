namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>A running host the flows drive: where it answers and where its mail goes.</summary>
public interface ITestHost
{
    string BaseUrl { get; }

    Mailbox Mailbox { get; }
}
