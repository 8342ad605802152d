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

    /// <summary>
    /// The reference of the case that comes from <paramref name="source"/> (a mail's Message-ID): always the same for the
    /// same source, so a mail delivered, notified or swept twice makes one case however its handlings overlap; keyed with
    /// a secret, so it cannot be worked out from the source without it.
    /// </summary>
    public static string Derived(byte[] key, string source)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(source);
        var bytes = HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes("case-id\n" + source));
        var chars = new char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return $"PR-{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}";
    }

    /// <summary>Every well-formed case reference in <paramref name="text"/> (a subject or a body), in order, once each.</summary>
    public static IReadOnlyList<string> FindIn(string? text)
    {
        var found = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        for (var i = text.IndexOf("PR-", StringComparison.OrdinalIgnoreCase); i >= 0 && i + 17 <= text.Length; i = text.IndexOf("PR-", i + 1, StringComparison.OrdinalIgnoreCase))
        {
            var candidate = text.Substring(i, 17).ToUpperInvariant();
            var wordStart = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
            var wordEnd = i + 17 == text.Length || !char.IsLetterOrDigit(text[i + 17]);
            if (wordStart && wordEnd && IsWellFormed(candidate) && !found.Contains(candidate))
            {
                found.Add(candidate);
            }
        }

        return found;
    }

    /// <summary>True when the text has the shape of a case reference (checked before any look-up).</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 17 }
        && value.StartsWith("PR-", StringComparison.Ordinal)
        && value[7] == '-' && value[12] == '-'
        && value.Where((c, i) => i >= 3 && i != 7 && i != 12).All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
