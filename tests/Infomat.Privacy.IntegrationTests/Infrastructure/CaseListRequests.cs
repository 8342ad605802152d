using Azure.Core;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>The staff list copy's table requests (<c>CaseListCopy</c>), to hold, delay, step around or count in a test.</summary>
public static class CaseListRequests
{
    /// <summary>A page of its read of every case row.</summary>
    public static bool WholeRead(Request request) => ListQuery(request) is { } query && !query.Contains("Timestamp ge", StringComparison.Ordinal);

    /// <summary>The first page of its read of every case row (later pages carry the continuation's NextPartitionKey).</summary>
    public static bool WholeReadFirstPage(Request request) => WholeRead(request) && !ListQuery(request)!.Contains("NextPartitionKey", StringComparison.Ordinal);

    /// <summary>A later page of its read of every case row.</summary>
    public static bool WholeReadLaterPage(Request request) => WholeRead(request) && ListQuery(request)!.Contains("NextPartitionKey", StringComparison.Ordinal);

    /// <summary>Its read of the rows written since a time.</summary>
    public static bool RecentRead(Request request) => ListQuery(request) is { } query && query.Contains("Timestamp ge", StringComparison.Ordinal);

    /// <summary>The query string of a read of the case rows' list columns, unescaped, or null for any other request.</summary>
    private static string? ListQuery(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != RequestMethod.Get || !request.Uri.Path.EndsWith("/PrivacyCases()", StringComparison.Ordinal))
        {
            return null;
        }

        var query = Uri.UnescapeDataString(request.Uri.Query);
        return query.Contains("RowKey eq 'case'", StringComparison.Ordinal) && query.Contains("$select=", StringComparison.Ordinal) ? query : null;
    }
}
