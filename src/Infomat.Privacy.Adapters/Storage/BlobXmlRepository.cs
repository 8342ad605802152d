using System.Xml.Linq;

using Azure.Storage.Blobs;

using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The data-protection key ring (which antiforgery tokens are protected with) as blobs in the app's storage, so every
/// instance of the Functions app, and every restart, reads the same keys.
/// </summary>
public sealed class BlobXmlRepository(StorageClients storage) : IXmlRepository
{
    private const string Container = "dataprotection-keys";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var container = ContainerClient();
        var elements = new List<XElement>();
        foreach (var item in container.GetBlobs())
        {
            var content = container.GetBlobClient(item.Name).DownloadContent().Value.Content;
            elements.Add(XElement.Parse(content.ToString()));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        ContainerClient().GetBlobClient(name + ".xml").Upload(BinaryData.FromString(element.ToString(SaveOptions.DisableFormatting)), overwrite: true);
    }

    private BlobContainerClient ContainerClient()
    {
        var container = storage.Blobs.GetBlobContainerClient(Container);
        container.CreateIfNotExists();
        return container;
    }
}
