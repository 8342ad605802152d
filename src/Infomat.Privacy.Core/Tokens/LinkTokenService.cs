using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Infomat.Privacy.Tokens;

/// <summary>What a link token allows. A token for one purpose is refused for any other.</summary>
public enum TokenPurpose
{
    Verify,
    Approve,
    Download,

    /// <summary>Staff mark a task of a case done (a correction, an objection decision).</summary>
    StaffTask,

    /// <summary>Staff make a triaged mail a case; the token's case id is the triage record's id.</summary>
    Triage,

    /// <summary>Staff review the free text of an access export before it is built (Art. 15(4)).</summary>
    ExportReview,

    /// <summary>
    /// The actions of the approval card in Outlook (an actionable message): bound to the case, refused on the web page,
    /// and each decision's use spent like the page's.
    /// </summary>
    ApprovalCard,
}

/// <summary>The checked content of a token.</summary>
public sealed record LinkToken(string Id, string CaseId, TokenPurpose Purpose, DateTimeOffset ExpiresAt);

public enum TokenState
{
    Valid,
    Invalid,
    Expired,
}

/// <summary>
/// HMAC-SHA256 signed link tokens: <c>keyId.base64url(payload).base64url(mac)</c>, bound to case, purpose and expiry,
/// the MAC taken over <c>keyId.</c> and the payload with the key the id names. The payload holds ids only. Single use
/// is enforced by the case register on the token id.
/// </summary>
/// <remarks>
/// Key rotation (decision 60): the first key of the ring signs, every key of the ring is accepted, so a link signed
/// with the previous key keeps working until it expires or that key is removed. A token of the format before key ids
/// (<c>base64url(payload).base64url(mac)</c>, MAC over the payload alone) is checked against each configured key: such
/// links were mailed before the release, with the one key there was, and stay valid while that key is in the ring.
/// </remarks>
public sealed class LinkTokenService
{
    private readonly IReadOnlyList<LinkTokenKey> keys;
    private readonly TimeProvider time;

    /// <summary>A ring of one key: no rotation under way.</summary>
    public LinkTokenService(byte[] signingKey, TimeProvider time)
        : this([new LinkTokenKey(signingKey)], time)
    {
    }

    /// <summary>The key ring, current key first (see <see cref="LinkTokenKeys.TryParse"/>).</summary>
    public LinkTokenService(IReadOnlyList<LinkTokenKey> keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("The token key ring needs at least one key.", nameof(keys));
        }

        this.keys = keys;
        this.time = time;
    }

    public string Issue(string caseId, TokenPurpose purpose, TimeSpan lifetime)
    {
        var payload = new Payload(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            caseId,
            purpose,
            time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds());
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, PayloadContext.Default.Payload);
        var current = keys[0];
        return current.Id + "." + Base64Url.EncodeToString(body) + "." + Base64Url.EncodeToString(Sign(current, body));
    }

    public (TokenState State, LinkToken? Token) Check(string? token, TokenPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return (TokenState.Invalid, null);
        }

        var parts = token.Split('.');
        if (parts.Length is not (2 or 3) || Array.Exists(parts, p => p.Length == 0))
        {
            return (TokenState.Invalid, null);
        }

        byte[] body;
        byte[] mac;
        try
        {
            body = Base64Url.DecodeFromChars(parts[^2]);
            mac = Base64Url.DecodeFromChars(parts[^1]);
        }
        catch (FormatException)
        {
            return (TokenState.Invalid, null);
        }

        // A key id that names no configured key (removed, or edited) is refused like a wrong signature.
        var signedBy = parts.Length == 3
            ? keys.FirstOrDefault(k => k.Id == parts[0]) is { } named && CryptographicOperations.FixedTimeEquals(mac, Sign(named, body))
            : keys.Any(k => CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(k.Key, body)));
        if (!signedBy)
        {
            return (TokenState.Invalid, null);
        }

        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, PayloadContext.Default.Payload);
        }
        catch (JsonException)
        {
            return (TokenState.Invalid, null);
        }

        if (payload is null || payload.P != purpose)
        {
            return (TokenState.Invalid, null);
        }

        var linkToken = new LinkToken(payload.N, payload.C, payload.P, DateTimeOffset.FromUnixTimeSeconds(payload.E));
        return linkToken.ExpiresAt <= time.GetUtcNow() ? (TokenState.Expired, linkToken) : (TokenState.Valid, linkToken);
    }

    /// <summary>The MAC binds the key id too: a signature cannot be presented under another key's id.</summary>
    private static byte[] Sign(LinkTokenKey key, byte[] body)
    {
        var id = System.Text.Encoding.ASCII.GetBytes(key.Id + ".");
        var input = new byte[id.Length + body.Length];
        id.CopyTo(input, 0);
        body.CopyTo(input, id.Length);
        return HMACSHA256.HashData(key.Key, input);
    }

    internal sealed record Payload(string N, string C, TokenPurpose P, long E);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(LinkTokenService.Payload))]
internal sealed partial class PayloadContext : System.Text.Json.Serialization.JsonSerializerContext;
