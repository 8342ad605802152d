using System.Buffers.Text;
using System.Security.Cryptography;

namespace Infomat.Privacy.Tokens;

/// <summary>One HMAC key of the link-token key ring and its id, which every token signed with it carries.</summary>
/// <remarks>
/// The id is derived from the key (the first 6 bytes of its SHA-256, base64url): short, not secret (it reveals nothing
/// usable about a 256-bit key), the same on every instance, and never chosen by hand, so two keys cannot share one.
/// </remarks>
public sealed class LinkTokenKey
{
    public LinkTokenKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < LinkTokenKeys.MinimumKeyBytes)
        {
            throw new ArgumentException("A token signing key must be at least 32 bytes.", nameof(key));
        }

        Key = key;
        Id = Base64Url.EncodeToString(SHA256.HashData(key).AsSpan(0, 6));
    }

    /// <summary>8 base64url characters naming the key in a token.</summary>
    public string Id { get; }

    internal byte[] Key { get; }

    /// <summary>The key's bytes, for another use of the same ring format (the data-protection key ring's encryption).</summary>
    public ReadOnlySpan<byte> Secret => Key;
}

/// <summary>
/// The link-token key ring as configured in <c>Privacy:Tokens:SigningKey</c>: base64 keys separated by commas, the
/// first signs every new token, the others (previous keys) are still accepted until they are removed. One key alone
/// (the format before rotation existed) is a ring of one. The same format (and key ids) serves
/// <c>Privacy:KeyRing:EncryptionKey</c>, the key the data-protection key ring is encrypted with.
/// </summary>
public static class LinkTokenKeys
{
    public const int MinimumKeyBytes = 32;

    /// <summary>The keys, current first; null when the value is empty or any entry is not base64 of at least 32 bytes.</summary>
    public static IReadOnlyList<LinkTokenKey>? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var keys = new List<LinkTokenKey>();
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(entry);
            }
            catch (FormatException)
            {
                return null;
            }

            if (key.Length < MinimumKeyBytes)
            {
                return null;
            }

            var ringKey = new LinkTokenKey(key);
            if (keys.TrueForAll(k => k.Id != ringKey.Id))
            {
                keys.Add(ringKey);
            }
        }

        return keys;
    }
}
