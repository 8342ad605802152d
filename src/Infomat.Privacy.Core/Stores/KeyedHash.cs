using System.Security.Cryptography;
using System.Text;

namespace Infomat.Privacy.Stores;

/// <summary>
/// Keyed hashes (HMAC-SHA256) of personal values: suppression-list entries, legal holds and the person in audit data.
/// Without the key nobody can test a guess against them; with it, they still point to the person (pseudonymised data,
/// Recital 26), so an anonymised row never holds one (decision 44). Each use has its own label, so entries of the same
/// address differ between uses.
/// </summary>
public sealed class KeyedHash
{
    private readonly byte[] key;

    public KeyedHash(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The pseudonymisation key must be at least 32 bytes.", nameof(key));
        }

        this.key = key;
    }

    /// <summary>The suppression-list entry of a normalised address.</summary>
    public string Suppression(string normalisedEmail) => Hash("suppression", normalisedEmail);

    /// <summary>The person in audit data: linkable across events, not readable.</summary>
    public string Subject(string normalisedEmail) => Hash("subject", normalisedEmail);

    /// <summary>The key a submission limit counts under (an address or a client's IP address): the same value, the same counter.</summary>
    public string Limit(string value) => Hash("limit", value);

    /// <summary>A key for another use (the audit chain), derived so that it never equals the hashes above.</summary>
    public byte[] DeriveKey(string label) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("key\n" + label));

    private string Hash(string label, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(label + "\n" + value));
        return Convert.ToHexStringLower(bytes);
    }
}
