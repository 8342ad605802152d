using System.Xml.Linq;

using Azure.Storage.Blobs;

using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The data-protection key ring (which antiforgery tokens are protected with) as blobs in the app's storage, so every
/// instance of the Functions app, and every restart, reads the same keys.
/// </summary>
public sealed class BlobXmlRepository(StorageClients storage, string container = KeyRingProtection.DefaultContainer) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var client = ContainerClient();
        var elements = new List<XElement>();
        foreach (var item in client.GetBlobs())
        {
            var content = client.GetBlobClient(item.Name).DownloadContent().Value.Content;
            var element = XElement.Parse(content.ToString());
            if (Encrypted(element))
            {
                elements.Add(element);
            }
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        ContainerClient().GetBlobClient(name + ".xml").Upload(BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting)), overwrite: true);
    }

    /// <summary>
    /// A key element is read only when its secret is encrypted by <see cref="KeyRingXmlDecryptor"/>'s partner: a key stored
    /// in plain XML (before issue 18, or planted by someone who can write the container) is ignored, so a key someone else
    /// knows is never used. Revocations hold no secret and are read as they are.
    /// </summary>
    private static bool Encrypted(XElement element) =>
        element.Name.LocalName != "key"
        || element.Descendants().Where(e => e.Name.LocalName == "encryptedSecret").Any(e => ((string?)e.Attribute("decryptorType") ?? string.Empty).StartsWith(typeof(KeyRingXmlDecryptor).FullName + ",", StringComparison.Ordinal));

    private BlobContainerClient ContainerClient()
    {
        var client = storage.Blobs.GetBlobContainerClient(container);
        client.CreateIfNotExists();
        return client;
    }
}
