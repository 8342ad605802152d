using System.Text;

namespace Infomat.Privacy.Requests;

/// <summary>How an email is compared: trimmed, Unicode-normalised (NFC) and case-folded. No partial matches.</summary>
public static class EmailAddresses
{
    public static string Normalise(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
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
