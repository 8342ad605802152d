using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 14, item 10: storage that cannot be reached when the register first creates its tables is not remembered as broken:
/// once storage answers again, the register works without restarting the host.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageSetUpTests(Azurite azurite)
{
    [Fact]
    public async Task A_register_whose_first_table_creation_failed_works_once_storage_answers_again()
    {
        var faults = new StorageFaults();
        var options = new TableClientOptions();
        options.AddPolicy(faults, HttpPipelinePosition.PerRetry);
        options.Retry.MaxRetries = 0;
        var clients = new StorageClients(new BlobServiceClient(azurite.ConnectionString), new TableServiceClient(azurite.ConnectionString, options), new QueueServiceClient(azurite.ConnectionString));
        var register = new TableCaseRegister(clients);

        faults.RefuseWhen(_ => true);
        await Assert.ThrowsAnyAsync<Exception>(() => register.GetAsync(CaseIds.New(), default));

        faults.Heal();
        Assert.Null(await register.GetAsync(CaseIds.New(), default));
    }
}
