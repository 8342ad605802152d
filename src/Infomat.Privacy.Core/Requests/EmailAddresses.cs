using System.Security.Cryptography;
using System.Text;

namespace Infomat.Privacy.Requests;

/// <summary>How an email is compared: trimmed, Unicode-normalised (NFC) and case-folded. No partial matches.</summary>
public static class EmailAddresses
{
    /// <summary>
    /// What the case register keeps beside a case to find one requester's cases without reading every case: the
    /// SHA-256 of the address as compared here (<see cref="Normalise"/>), 32 hex characters. Not a pseudonym (the row
    /// holds the address itself); a fixed-length value any query can carry, whatever the address contains.
    /// </summary>
    public static string RegisterKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(email))))[..32];

    public static string Normalise(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }

    /// <summary>
    /// The key the per-address submission limit counts under: the normalised address without a plus-tag
    /// (<c>an+1@x</c>, <c>an+2@x</c> are one mailbox at most providers), so tags cannot multiply the limit. For the
    /// limit only: stores match the address as given.
    /// </summary>
    public static string LimitKey(string email)
    {
        var normalised = Normalise(email);
        var at = normalised.LastIndexOf('@');
        var plus = at > 0 ? normalised.IndexOf('+', StringComparison.Ordinal) : -1;
        return plus > 0 && plus < at ? normalised[..plus] + normalised[at..] : normalised;
    }

    /// <summary>
    /// Whether a normalised value can be an address at all (at most 254 characters, no control characters). Anything
    /// else matches nothing and is not sent to the database (PostgreSQL refuses NUL in text, for one).
    /// </summary>
    public static bool CanMatch(string normalised)
    {
        ArgumentNullException.ThrowIfNull(normalised);
        return normalised.Length is > 0 and <= 254 && !normalised.Any(char.IsControl);
    }
}
