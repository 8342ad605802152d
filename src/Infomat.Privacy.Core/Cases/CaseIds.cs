using System.Security.Cryptography;

namespace Infomat.Privacy.Cases;

/// <summary>
/// Case references such as <c>PR-7K3M-9QXD-2HBT</c>: 60 random bits in Crockford base32 (no I, L, O, U),
/// easy to read out on the phone, and not guessable from another case's reference.
/// </summary>
public static class CaseIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return $"PR-{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}";
    }

    /// <summary>True when the text has the shape of a case reference (checked before any look-up).</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 17 }
        && value.StartsWith("PR-", StringComparison.Ordinal)
        && value[7] == '-' && value[12] == '-'
        && value.Where((c, i) => i >= 3 && i != 7 && i != 12).All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
