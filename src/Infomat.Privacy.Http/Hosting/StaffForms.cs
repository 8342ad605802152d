using System.Xml.Linq;
using Azure.Storage.Blobs;
using Infomat.Privacy.Adapters.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Antiforgery for the staff forms (ASP.NET Core's <see cref="IAntiforgery"/>): the page carries a request token bound
/// to a cookie, and a decision is accepted only with both, so another site cannot make a signed-in colleague's
/// browser decide.
/// </summary>
public sealed class StaffForms(IAntiforgery antiforgery)
{
    public const string FieldName = "__RequestVerificationToken";

    /// <summary>The hidden field to put in every staff form of the page (sets the cookie on the response).</summary>
    public string HiddenField(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tokens = antiforgery.GetAndStoreTokens(request.HttpContext);
        return $"<input type=\"hidden\" name=\"{FieldName}\" value=\"{Pages.Html.E(tokens.RequestToken)}\">";
    }

    public Task<bool> IsValidAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return antiforgery.IsRequestValidAsync(request.HttpContext);
    }
}

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
