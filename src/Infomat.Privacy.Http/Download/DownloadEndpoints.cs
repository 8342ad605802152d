using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Tokens;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Download;

/// <summary>
/// <c>/download</c>: the requester's export page and the download itself (recorded, at most
/// <c>Privacy:Export:MaxDownloads</c>, then a short-lived read-only link to the one blob).
/// </summary>
public sealed class DownloadEndpoints(CaseLinks links, RequesterPages pages, IExportStorage exports, IOptions<PrivacyOptions> options, TimeProvider time)
{
    /// <summary><c>GET /download?token=</c>: what the export is, until when the link works and how many downloads are left.</summary>
    public async Task<IResult> DownloadPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (c, failure, token) = await links.OpenAsync(request, request.Query["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = c!.Language;
        if (await SizeAsync(c, cancellationToken) is not { } measured)
        {
            return links.TryAgain(l, c);
        }

        var size = measured.Bytes;
        if (DownloadRefused(c, size) is { } refused)
        {
            return refused;
        }
        var left = options.Value.Export.MaxDownloads - c.Downloads.Count;
        return pages.Page(l, Texts.Get("DownloadTitle", l),
            P(Texts.Format(DownloadBodyKey(c), l, c.Id, Texts.Size(size!.Value, l), Texts.Deadline(token!.ExpiresAt, l)))
            + P(Texts.Format("DownloadsLeft", l, left))
            + TokenForm("/download", request.Query["token"].ToString(), Texts.Get("DownloadButton", l)), scope: c.Entity);
    }

    /// <summary>What the zip holds, as the page says it: the access answer, the portable file, or both (a letter asking both).</summary>
    private static string DownloadBodyKey(PrivacyCase c) =>
        !c.Rights.Contains(RequestType.Portability) ? "DownloadBody"
        : c.Rights.Contains(RequestType.Access) ? "DownloadBodyAccessAndPortability"
        : "DownloadBodyPortability";

    /// <summary>
    /// <c>POST /download</c>: records the download (audited; at most <c>Privacy:Export:MaxDownloads</c>), then 303 to a
    /// read-only link for that one blob, valid a few minutes.
    /// </summary>
    public async Task<IResult> DownloadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = await request.ReadFormAsync(cancellationToken);
        var (c, failure, token) = await links.OpenAsync(request, form["token"], TokenPurpose.Download, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (await SizeAsync(c!, cancellationToken) is not { } measured)
        {
            return links.TryAgain(c!.Language, c);
        }

        var size = measured.Bytes;
        if (DownloadRefused(c!, size) is { } refused)
        {
            return refused;
        }

        // The blob link first, then the download is counted: a link that cannot be made counts nothing, and a count
        // that cannot be written gives no link (the requester is asked to try again; the link in the mail still works).
        if (await links.TryAsync(c!.Id, () => exports.CreateReadLinkAsync(c.ExportBlobName!, options.Value.Export.SasLifetime, cancellationToken), cancellationToken) is not { } link)
        {
            return links.TryAgain(c.Language, c);
        }

        var max = options.Value.Export.MaxDownloads;
        var at = time.GetUtcNow();
        if (await links.WriteAsync(c.Id, x => x.RecordDownload(at, max), cancellationToken) is not { } download)
        {
            return links.TryAgain(c.Language, c);
        }

        if (download.Refused)
        {
            // Not recorded: meanwhile it was withdrawn or the last download was taken; the page says which.
            return DownloadRefused(download.Case, size)!;
        }

        return new SeeOther(link.AbsoluteUri);
    }

    /// <summary>
    /// The size of the case's zip (its bytes null when there is none: never written, withdrawn, deleted by an erasure, the
    /// retention sweep or the lifecycle rule), or null when the exports storage cannot answer now (the page asks to try
    /// again; nothing is counted and the link still works).
    /// </summary>
    private async Task<Measured?> SizeAsync(PrivacyCase c, CancellationToken cancellationToken) =>
        c.LiveExport is not { } zip ? new Measured(null)
        : await links.TryAsync(c.Id, async () => new Measured(await exports.GetSizeAsync(zip, cancellationToken)), cancellationToken);

    private sealed record Measured(long? Bytes);

    /// <summary>The page that says why the zip can no longer be had (withdrawn, erased with the person's data, its time over, downloads used up, gone), or null.</summary>
    private IResult? DownloadRefused(PrivacyCase c, long? size)
    {
        var l = c.Language;
        var max = options.Value.Export.MaxDownloads;
        return c.DownloadRefusal(max) switch
        {
            // "Deleted" only once the zip's deletion is recorded: a withdrawal whose delete failed leaves it to the sweep.
            CaseRefusal.ExportRevoked => pages.Page(l, Texts.Get("DownloadRevokedTitle", l), P(Texts.Format(c.ExportDeleted is null ? "DownloadRevokedPendingBody" : "DownloadRevokedBody", l, c.Id)), StatusCodes.Status410Gone, c.Entity),
            CaseRefusal.ExportDeleted when c.ExportDeleted!.Reason == ExportDeletionReason.Erasure =>
                pages.Page(l, Texts.Get("DownloadErasedTitle", l), P(Texts.Format("DownloadErasedBody", l, c.Id, c.ExportDeleted.ErasureCaseId ?? string.Empty)), StatusCodes.Status410Gone, c.Entity),
            CaseRefusal.ExportDeleted => pages.Page(l, Texts.Get("LinkExpiredTitle", l), P(Texts.Format("DownloadEndedBody", l, c.Id)), StatusCodes.Status410Gone, c.Entity),
            CaseRefusal.DownloadsUsedUp => pages.Page(l, Texts.Get("DownloadUsedUpTitle", l), P(Texts.Format("DownloadUsedUpBody", l, c.Id, max)), StatusCodes.Status410Gone, c.Entity),
            // The link still works but no zip is there (a staff retry writing it again, an erasure deleting it before it
            // records that): said as such, with the reference to quote, not as an expired link.
            _ when size is null => pages.Page(l, Texts.Get("DownloadMissingTitle", l), P(Texts.Format("DownloadMissingBody", l, c.Id)), StatusCodes.Status404NotFound, c.Entity),
            _ => null,
        };
    }
}

/// <summary>The routes of this feature (DESIGN §4): the requester downloads the export.</summary>
public static class DownloadRoutes
{
    public static IEndpointRouteBuilder MapDownload(this IEndpointRouteBuilder app)
    {
        app.MapGet("/download", (HttpRequest r, [FromServices] DownloadEndpoints e, CancellationToken ct) => e.DownloadPageAsync(r, ct)).WithName("DownloadPage");
        app.MapPost("/download", (HttpRequest r, [FromServices] DownloadEndpoints e, CancellationToken ct) => e.DownloadAsync(r, ct)).WithName("Download").DisableAntiforgery();
        return app;
    }
}
