using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>What went into one store's part of the export.</summary>
public sealed record StorePart(StoreDescription Store, int RecordCount)
{
    /// <summary>The entry name inside the zip; built from data-map keys only, never from record data.</summary>
    public string EntryName => $"{Store.Entity}/{Store.Store}.json";
}

/// <summary>Everything the summary page says, apart from the records themselves.</summary>
public sealed record ExportManifest(
    string CaseId,
    Language Language,
    string SubjectEmail,
    DateTimeOffset PreparedAt,
    IReadOnlyList<Controller> Controllers,
    IReadOnlyList<StorePart> Parts);

/// <summary>
/// Writes the Art. 15 answer as a zip, streaming: a localized <c>summary.html</c> and one JSON file per store.
/// Records are read one at a time from the store reader, so memory does not grow with the export.
/// Entries come in a fixed order with a fixed timestamp, so the same data gives the same zip.
/// </summary>
public static class ExportPackageWriter
{
    public const string SummaryEntryName = "summary.html";

    public static async Task WriteAsync(
        Stream output,
        ExportManifest manifest,
        Func<StoreDescription, IAsyncEnumerable<StoreRecord>> readStore,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(readStore);
        var stamp = new DateTimeOffset(manifest.PreparedAt.UtcDateTime.Date, TimeSpan.Zero);

        await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken);

        var summary = zip.CreateEntry(SummaryEntryName, CompressionLevel.Optimal);
        summary.LastWriteTime = stamp;
        await using (var stream = await summary.OpenAsync(cancellationToken))
        {
            var html = Encoding.UTF8.GetBytes(RenderSummary(manifest));
            await stream.WriteAsync(html, cancellationToken);
        }

        foreach (var part in manifest.Parts.OrderBy(p => p.EntryName, StringComparer.Ordinal))
        {
            var entry = zip.CreateEntry(part.EntryName, CompressionLevel.Optimal);
            entry.LastWriteTime = stamp;
            await using var stream = await entry.OpenAsync(cancellationToken);
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("controller", manifest.Controllers.First(c => c.Entity == part.Store.Entity).LegalName);
            json.WriteString("store", part.Store.Key);
            json.WriteStartArray("records");
            await foreach (var record in readStore(part.Store).WithCancellation(cancellationToken))
            {
                json.WriteStartObject();
                json.WriteString("table", record.Table);
                json.WritePropertyName("fields");
                record.Fields.WriteTo(json);
                json.WriteEndObject();
                if (json.BytesPending > 64 * 1024)
                {
                    await json.FlushAsync(cancellationToken);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The summary page: per controller, what was found in which store, the rights and the complaint authority.</summary>
    public static string RenderSummary(ExportManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var lang = manifest.Language;
        string E(string s) => HtmlText.Encode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang.ToWire()).Append("\">\n<head><meta charset=\"utf-8\"><title>")
          .Append(E(Texts.Get("SummaryTitle", lang))).Append("</title></head>\n<body>\n<h1>")
          .Append(E(Texts.Get("SummaryTitle", lang))).Append("</h1>\n<p>")
          .Append(E(Texts.Format("SummaryIntro", lang, manifest.CaseId, Texts.Date(DateOnly.FromDateTime(manifest.PreparedAt.UtcDateTime), lang), manifest.SubjectEmail)))
          .Append("</p>\n");

        var total = manifest.Parts.Sum(p => p.RecordCount);
        if (total == 0)
        {
            sb.Append("<p><strong>").Append(E(Texts.Get("SummaryNothingAtAll", lang))).Append("</strong></p>\n");
        }

        foreach (var controller in manifest.Controllers)
        {
            sb.Append("<h2>").Append(E(controller.LegalName)).Append(" (").Append(E(controller.EnterpriseNumber)).Append(")</h2>\n");
            var parts = manifest.Parts.Where(p => p.Store.Entity == controller.Entity && p.RecordCount > 0).ToList();
            if (parts.Count == 0)
            {
                sb.Append("<p>").Append(E(Texts.Get("SummaryNothingHeld", lang))).Append("</p>\n");
                continue;
            }

            sb.Append("<ul>\n");
            foreach (var part in parts)
            {
                sb.Append("<li>").Append(E(Texts.Format("SummaryRecords", lang, part.Store.DisplayName, part.RecordCount, part.EntryName))).Append("</li>\n");
            }

            sb.Append("</ul>\n");
        }

        if (total > 0)
        {
            sb.Append("<p>").Append(E(Texts.Get("SummaryFiles", lang))).Append("</p>\n");
        }

        sb.Append("<p>").Append(E(Texts.Get("SummaryRights", lang))).Append("</p>\n<p>")
          .Append(E(Texts.Get("Complaint", lang))).Append("</p>\n<p>")
          .Append(E(Texts.Get("Controllers", lang))).Append("</p>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
