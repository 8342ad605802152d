using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// The keys the data-protection key ring is encrypted with (<c>Privacy:KeyRing:EncryptionKey</c>, a Key Vault reference
/// in Azure): base64 keys of 32 bytes or more separated by commas, the current one first (new keys are encrypted with
/// it), the others still read, in the link-token key ring's format (<see cref="LinkTokenKeys"/>). The first 32 bytes of
/// a key are its AES-256 key.
/// </summary>
public sealed class KeyRingKeys(IOptions<KeyRingOptions> options)
{
    private readonly IReadOnlyList<LinkTokenKey> keys = LinkTokenKeys.TryParse(options.Value.EncryptionKey)
        ?? throw new OptionsValidationException(KeyRingOptions.Section, typeof(KeyRingOptions), [KeyRingOptions.Invalid]);

    public LinkTokenKey Current => keys[0];

    public LinkTokenKey? Find(string id) => keys.FirstOrDefault(k => k.Id == id);
}

/// <summary>The <c>Privacy:KeyRing</c> section.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "Privacy:KeyRing";

    public const string Invalid = "Privacy:KeyRing:EncryptionKey must be a base64 key of at least 32 bytes, or several separated by commas (the current one first).";

    public string? EncryptionKey { get; set; }
}

/// <summary>
/// Encrypts each data-protection key before it is stored (AES-256-GCM from the BCL, issue 18 item 6): the blob holds the
/// ciphertext, the nonce, the tag and the id of the key-ring key, never the key itself. The key-ring key's id is bound
/// into the tag, so a ciphertext cannot be passed off under another key's id.
/// </summary>
public sealed class KeyRingXmlEncryptor(KeyRingKeys keys) : IXmlEncryptor
{
    public const string ElementName = "infomatEncryptedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var key = keys.Current;
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[plain.Length];
        using (var aes = new AesGcm(key.Secret[..32], tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Encoding.ASCII.GetBytes(key.Id));
        }

        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement(ElementName,
            new XAttribute("keyId", key.Id),
            new XElement("nonce", Convert.ToBase64String(nonce)),
            new XElement("tag", Convert.ToBase64String(tag)),
            new XElement("value", Convert.ToBase64String(cipher)));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }
}

/// <summary>The other half of <see cref="KeyRingXmlEncryptor"/>; data protection creates it by name from the stored XML.</summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var keys = services.GetRequiredService<KeyRingKeys>();
        var id = (string?)encryptedElement.Attribute("keyId") ?? string.Empty;
        var key = keys.Find(id) ?? throw new CryptographicException("The data-protection key was encrypted with a key-ring key this instance does not hold (id " + id + ").");
        var nonce = Convert.FromBase64String((string?)encryptedElement.Element("nonce") ?? string.Empty);
        var tag = Convert.FromBase64String((string?)encryptedElement.Element("tag") ?? string.Empty);
        var cipher = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? string.Empty);
        var plain = new byte[cipher.Length];
        using (var aes = new AesGcm(key.Secret[..32], tag.Length))
        {
            aes.Decrypt(nonce, cipher, tag, plain, Encoding.ASCII.GetBytes(key.Id));
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}

public static class KeyRingProtection
{
    public const string DefaultContainer = "dataprotection-keys";

    /// <summary>
    /// The data-protection key ring in blob storage (<paramref name="container"/>), shared by every instance, each key
    /// encrypted with <see cref="KeyRingKeys"/>. Keys stored otherwise (plain, as before issue 18, or planted) are not
    /// read (<see cref="BlobXmlRepository"/>). AddDataProtection is idempotent; calling it here keeps this options step
    /// after the framework's own, whoever calls first.
    /// </summary>
    public static IServiceCollection AddEncryptedKeyRing(this IServiceCollection services, IConfiguration configuration, string container = DefaultContainer)
    {
        services.AddDataProtection();
        services.AddOptions<KeyRingOptions>().Bind(configuration.GetSection(KeyRingOptions.Section))
            .Validate(o => LinkTokenKeys.TryParse(o.EncryptionKey) is not null, KeyRingOptions.Invalid)
            .ValidateOnStart();
        services.AddSingleton<KeyRingKeys>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new BlobXmlRepository(sp.GetRequiredService<StorageClients>(), container);
            o.XmlEncryptor = new KeyRingXmlEncryptor(sp.GetRequiredService<KeyRingKeys>());
        }));
        return services;
    }
}
