using System.Globalization;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>A page's <c>Server-Timing</c> header as the tests read it: each entry's milliseconds (0 without any) and description.</summary>
public static class ServerTimingHeader
{
    public static IReadOnlyDictionary<string, (double Ms, string? Description)> Parse(string? header) =>
        (header ?? string.Empty)
            .Split(", ", StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split(';'))
            .ToDictionary(
                parts => parts[0],
                parts => (
                    double.Parse(parts.SingleOrDefault(p => p.StartsWith("dur=", StringComparison.Ordinal))?[4..] ?? "0", CultureInfo.InvariantCulture),
                    parts.SingleOrDefault(p => p.StartsWith("desc=", StringComparison.Ordinal))?[5..].Trim('"')));

    public static IReadOnlyDictionary<string, (double Ms, string? Description)> Of(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Parse(response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(", ", values) : null);
    }
}
