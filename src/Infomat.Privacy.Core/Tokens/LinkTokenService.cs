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
/// HMAC-SHA256 signed link tokens: <c>base64url(payload).base64url(mac)</c>, bound to case, purpose and expiry.
/// The payload holds ids only. Single use is enforced by the case register on the token id.
/// </summary>
public sealed class LinkTokenService
{
    private readonly byte[] key;
    private readonly TimeProvider time;

    public LinkTokenService(byte[] signingKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        if (signingKey.Length < 32)
        {
            throw new ArgumentException("The token signing key must be at least 32 bytes.", nameof(signingKey));
        }

        key = signingKey;
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
        return Base64Url.EncodeToString(body) + "." + Base64Url.EncodeToString(Sign(body));
    }

    public (TokenState State, LinkToken? Token) Check(string? token, TokenPurpose purpose)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return (TokenState.Invalid, null);
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return (TokenState.Invalid, null);
        }

        byte[] body;
        byte[] mac;
        try
        {
            body = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return (TokenState.Invalid, null);
        }

        if (!CryptographicOperations.FixedTimeEquals(mac, Sign(body)))
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

    private byte[] Sign(byte[] body) => HMACSHA256.HashData(key, body);

    internal sealed record Payload(string N, string C, TokenPurpose P, long E);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(LinkTokenService.Payload))]
internal sealed partial class PayloadContext : System.Text.Json.Serialization.JsonSerializerContext;
