namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>One Azurite for the tests that share it; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "Azurite";
}

/// <summary>
/// A second Azurite, for the staff, mailbox and delivery tests: the two collections run side by side (host tests mostly
/// wait on timers and mail), which keeps the whole run well inside CI's time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SecondAzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "Azurite B";
}
