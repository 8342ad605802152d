using System.Security.Cryptography;

using Azure.Storage.Blobs;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 18 item 6: the data-protection key ring (antiforgery tokens are protected with it) is in blob storage, so anyone
/// who could read the blobs could forge antiforgery tokens. It is stored encrypted with a key held in Key Vault, and a
/// key planted in the container unencrypted is never used.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyRingEncryptionTests(Azurite azurite)
{
    private readonly string container = "dp-" + Guid.NewGuid().ToString("N")[..12];

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private IDataProtector Instance(string? encryptionKey)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:KeyRing:EncryptionKey"] = encryptionKey,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(new StorageClients(configuration));
        if (encryptionKey is null)
        {
            // How the key ring was stored before: plain XML in the container.
            services.AddDataProtection().SetApplicationName("infomat-privacy");
            services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = new PlainBlobRepository(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container)));
        }
        else
        {
            services.AddEncryptedKeyRing(configuration, container);
            services.AddDataProtection().SetApplicationName("infomat-privacy");
        }

        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("antiforgery-test");
    }

    private async Task<string> StoredAsync()
    {
        var client = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container);
        var all = new List<string>();
        await foreach (var blob in client.GetBlobsAsync())
        {
            all.Add((await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
        }

        return string.Join("\n", all);
    }

    [Fact]
    public async Task The_stored_key_ring_holds_no_plain_key_and_every_instance_with_the_vault_key_reads_it()
    {
        var vaultKey = NewKey();
        var token = Instance(vaultKey).Protect("form token");

        var stored = await StoredAsync();
        Assert.Contains("<key ", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", stored, StringComparison.Ordinal);
        Assert.Contains("encryptedSecret", stored, StringComparison.Ordinal);

        // A second instance (or a restart) with the same key reads the ring; so does one after the key is rotated (the new
        // key first, the previous one still listed).
        Assert.Equal("form token", Instance(vaultKey).Unprotect(token));
        Assert.Equal("form token", Instance(NewKey() + "," + vaultKey).Unprotect(token));

        // Without the vault key the stored ring is of no use.
        Assert.ThrowsAny<CryptographicException>(() => Instance(NewKey()).Unprotect(token));
    }

    [Fact]
    public void A_key_planted_in_the_container_in_plain_xml_is_not_used()
    {
        // Someone who can write the container plants a key they know (what the app stored before: plain XML) and
        // protects a token with it: the app does not accept that token.
        var forged = Instance(null).Protect("form token");
        Assert.ThrowsAny<CryptographicException>(() => Instance(NewKey()).Unprotect(forged));
    }

    /// <summary>Writes keys as plain XML blobs in the container, as the app did before.</summary>
    private sealed class PlainBlobRepository(BlobContainerClient client) : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
    {
        public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
        {
            client.CreateIfNotExists();
            return [.. client.GetBlobs().Select(b => System.Xml.Linq.XElement.Parse(client.GetBlobClient(b.Name).DownloadContent().Value.Content.ToString()))];
        }

        public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
        {
            client.CreateIfNotExists();
            client.GetBlobClient(friendlyName + ".xml").Upload(BinaryData.FromString(element.ToString()), overwrite: true);
        }
    }
}
