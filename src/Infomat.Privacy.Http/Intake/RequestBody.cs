using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Infomat.Privacy.Http.Intake;

public enum BodyKind
{
    Json,
    Form,
    Unsupported,
    TooLarge,
    Malformed,
}

/// <summary>Reads a small JSON or form-encoded body into string fields, refusing anything over the limit before parsing it.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The body's bytes, reading at most one past <paramref name="maxBytes"/> whatever the request says of its length (a
    /// chunked one says nothing): null when it is longer. Every endpoint that reads a body whole reads it through here.
    /// </summary>
    public static async Task<byte[]?> ReadUpToAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }

    public static async Task<(BodyKind Kind, IReadOnlyDictionary<string, string?> Fields)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var empty = new Dictionary<string, string?>();
        if (request.ContentLength > MaxBytes)
        {
            return (BodyKind.TooLarge, empty);
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var kind = mediaType switch
        {
            "application/json" => BodyKind.Json,
            "application/x-www-form-urlencoded" => BodyKind.Form,
            _ => BodyKind.Unsupported,
        };
        if (kind == BodyKind.Unsupported)
        {
            return (kind, empty);
        }

        if (await ReadUpToAsync(request, MaxBytes, cancellationToken) is not { } bytes)
        {
            return (BodyKind.TooLarge, empty);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (BodyKind.Malformed, empty);
        }

        if (kind == BodyKind.Form)
        {
            var parsed = QueryHelpers.ParseQuery(text.StartsWith('?') ? text : "?" + text);
            return (kind, parsed.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal));
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (BodyKind.Malformed, empty);
            }

            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    // A number or an object where text is expected is kept as raw text, so validation names the field.
                    _ => property.Value.GetRawText(),
                };
            }

            return (kind, fields);
        }
        catch (JsonException)
        {
            return (BodyKind.Malformed, empty);
        }
    }
}
