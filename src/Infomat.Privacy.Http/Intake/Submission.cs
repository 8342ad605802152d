using System.Security.Cryptography;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// What makes two posts "the same form sent again" rather than two requests: the id the form page carries in a hidden
/// field (<see cref="FieldName"/>; a new one each time the page is opened, kept when the page comes back with an error),
/// or the <c>Idempotency-Key</c> header an API client sends. The same submission names the same case
/// (<see cref="OpenRequests.RegisterAsync"/>): a double click, a retry after a 503 or a post re-sent from the browser's
/// history ends in the case the first post made, even once that case was answered.
/// </summary>
/// <param name="Key">The page's id or the client's key, prefixed by where it came from so the two never meet.</param>
/// <param name="FromPage">True for the form page's id: a page sent back with another request makes a new case rather than an error.</param>
public sealed record Submission(string Key, bool FromPage)
{
    /// <summary>The form page's hidden field.</summary>
    public const string FieldName = "submission";

    /// <summary>The API's header (as in the IETF HTTP API draft of that name).</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The longest key accepted from a client.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>A new page id: 128 random bits, hex.</summary>
    public static string NewPageId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>True for a page id this system issued the shape of (32 lowercase hex digits).</summary>
    public static bool IsPageId(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);

    /// <summary>True for a usable <c>Idempotency-Key</c>: 1 to <see cref="MaxKeyLength"/> visible ASCII characters.</summary>
    public static bool IsValidKey(string value) =>
        value.Length is > 0 and <= MaxKeyLength && value.All(c => c is > ' ' and <= '~');

    /// <summary>The client's <c>Idempotency-Key</c>.</summary>
    public static Submission OfKey(string key) => new("key\n" + key, FromPage: false);

    /// <summary>The form page's id.</summary>
    public static Submission OfPage(string id) => new("page\n" + id, FromPage: true);
}
