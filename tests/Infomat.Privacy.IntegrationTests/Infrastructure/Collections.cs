namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>One Azurite for the tests that share it; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "Azurite";
}
