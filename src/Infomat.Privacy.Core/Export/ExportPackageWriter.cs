using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>What went into one store's part of the export: how many records per table.</summary>
public sealed record StorePart(StoreMap Store, IReadOnlyDictionary<string, int> TableCounts)
{
    public int RecordCount => TableCounts.Values.Sum();

    /// <summary>The entry name inside the zip; built from data-map keys only, never from record data.</summary>
    public string EntryName => $"{Store.Entity}/{Store.Store}.json";
}

/// <summary>Everything the summary page says, apart from the records themselves.</summary>
public sealed record ExportManifest(
    string CaseId,
    Language Language,
    string SubjectEmail,
    DateTimeOffset PreparedAt,
    DataMap Map,
    IReadOnlyList<Controller> Controllers,
    IReadOnlyList<StorePart> Parts,
    bool Portability = false);

/// <summary>
/// Writes the Art. 15 answer as a zip, streaming: a localized <c>summary.html</c> built from the data map, and one JSON
/// file per store whose records are grouped by table and tagged with their purpose. Records are read one at a time
/// from the store reader, so memory does not grow with the export. Entries come in a fixed order with a fixed
/// timestamp, so the same data gives the same zip.
/// </summary>
public static class ExportPackageWriter
{
    public const string SummaryEntryName = "summary.html";

    public static async Task WriteAsync(
        Stream output,
        ExportManifest manifest,
        Func<StoreMap, IAsyncEnumerable<StoreRecord>> readStore,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(readStore);
        var stamp = new DateTimeOffset(manifest.PreparedAt.UtcDateTime.Date, TimeSpan.Zero);
        var l = manifest.Language;

        await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken);

        var summary = zip.CreateEntry(SummaryEntryName, CompressionLevel.Optimal);
        summary.LastWriteTime = stamp;
        await using (var stream = await summary.OpenAsync(cancellationToken))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(RenderSummary(manifest)), cancellationToken);
        }

        foreach (var part in manifest.Parts.Where(p => p.RecordCount > 0).OrderBy(p => p.EntryName, StringComparer.Ordinal))
        {
            var entry = zip.CreateEntry(part.EntryName, CompressionLevel.Optimal);
            entry.LastWriteTime = stamp;
            var controller = manifest.Map.Controller(part.Store.Entity);
            await using var stream = await entry.OpenAsync(cancellationToken);
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("controller", controller.LegalName);
            json.WriteString("enterpriseNumber", controller.EnterpriseNumber);
            json.WriteString("store", part.Store.Key);
            json.WriteString("storeName", part.Store.Name.In(l));
            json.WriteStartArray("tables");
            string? currentTable = null;
            await foreach (var record in readStore(part.Store).WithCancellation(cancellationToken))
            {
                if (record.Table != currentTable)
                {
                    if (currentTable is not null)
                    {
                        json.WriteEndArray();
                        json.WriteEndObject();
                    }

                    currentTable = record.Table;
                    var table = part.Store.Tables.First(t => t.Table == record.Table);
                    json.WriteStartObject();
                    json.WriteString("table", table.Table);
                    json.WriteString("name", table.Name.In(l));
                    json.WriteString("purpose", manifest.Map.Purposes[table.Purpose].Name.In(l));
                    json.WriteString("legalBasis", manifest.Map.Purposes[table.Purpose].LegalBasis.In(l));
                    json.WriteString("categories", table.Categories.In(l));
                    json.WriteStartArray("records");
                }

                record.Fields.WriteTo(json);
                if (json.BytesPending > 64 * 1024)
                {
                    await json.FlushAsync(cancellationToken);
                }
            }

            if (currentTable is not null)
            {
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
        }

        if (manifest.Portability)
        {
            foreach (var part in manifest.Parts.Where(p => p.RecordCount > 0).OrderBy(p => p.EntryName, StringComparer.Ordinal))
            {
                await WriteCsvAsync(zip, part, readStore(part.Store), stamp, cancellationToken);
            }
        }
    }

    /// <summary>The CSV entry name of a table: <c>{entity}/{store}/{table}.csv</c>.</summary>
    public static string CsvEntryName(StoreMap store, TableMap table)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        return $"{store.Entity}/{store.Store}/{table.Table}.csv";
    }

    /// <summary>
    /// Portability (Art. 20): one RFC 4180 CSV per table, UTF-8, a header row of the provided columns in the map's
    /// order, for import into another system.
    /// </summary>
    private static async Task WriteCsvAsync(ZipArchive zip, StorePart part, IAsyncEnumerable<StoreRecord> records, DateTimeOffset stamp, CancellationToken cancellationToken)
    {
        string? currentTable = null;
        CsvHelper.CsvWriter? csv = null;
        IReadOnlyList<string> columns = [];
        try
        {
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                if (record.Table != currentTable)
                {
                    if (csv is not null)
                    {
                        await csv.FlushAsync(cancellationToken);
                        await csv.DisposeAsync();
                    }

                    currentTable = record.Table;
                    var table = part.Store.Tables.First(t => t.Table == record.Table);
                    columns = table.ProvidedBySubject;
                    var entry = zip.CreateEntry(CsvEntryName(part.Store, table), CompressionLevel.Optimal);
                    entry.LastWriteTime = stamp;
                    // Cells starting with = + - @ are escaped: the file is meant to be opened in spreadsheets.
                    csv = CsvHelper.CsvWriter.Create(await entry.OpenAsync(cancellationToken), new CsvHelper.CsvWriterOptions { Injection = CsvHelper.CsvInjection.Escape }, false);
                    csv.WriteHeader([.. columns]);
                }

                var row = columns.Select(c => record.Fields[c] switch
                {
                    null => string.Empty,
                    var v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    var v => v.ToJsonString(),
                }).ToArray();
                await csv!.WriteRecordAsync(row, cancellationToken);
            }
        }
        finally
        {
            if (csv is not null)
            {
                await csv.FlushAsync(cancellationToken);
                await csv.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The summary page (Art. 15(1) a–h from the data map): per controller and table where something was found, the
    /// purpose, legal basis, categories, recipients, retention and source; the rights and the complaint authorities.
    /// </summary>
    public static string RenderSummary(ExportManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var l = manifest.Language;
        static string E(string s) => HtmlText.Encode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(l.ToWire()).Append("\">\n<head><meta charset=\"utf-8\"><title>")
          .Append(E(Texts.Get("SummaryTitle", l))).Append("</title>\n<style>body{font-family:Arial,sans-serif;line-height:1.5;max-width:50rem;margin:2rem auto;padding:0 1rem}dt{font-weight:bold}dd{margin:0 0 .4rem 0}section{border-top:1px solid #ccc;margin-top:1rem}</style></head>\n<body>\n<h1>")
          .Append(E(Texts.Get("SummaryTitle", l))).Append("</h1>\n<p>")
          .Append(E(Texts.Format("SummaryIntro", l, manifest.CaseId, Texts.Date(DateOnly.FromDateTime(manifest.PreparedAt.UtcDateTime), l), manifest.SubjectEmail)))
          .Append("</p>\n");

        if (manifest.Portability)
        {
            sb.Append("<p>").Append(E(Texts.Get("SummaryPortability", l))).Append("</p>\n");
        }

        if (manifest.Parts.Sum(p => p.RecordCount) == 0)
        {
            sb.Append("<p><strong>").Append(E(Texts.Get("SummaryNothingAtAll", l))).Append("</strong></p>\n");
        }

        foreach (var controller in manifest.Controllers)
        {
            sb.Append("<h2>").Append(E(controller.LegalName)).Append(" (").Append(E(controller.EnterpriseNumber)).Append(")</h2>\n");
            var parts = manifest.Parts.Where(p => p.Store.Entity == controller.Entity && p.RecordCount > 0).ToList();
            if (parts.Count == 0)
            {
                sb.Append("<p>").Append(E(Texts.Get("SummaryNothingHeld", l))).Append("</p>\n");
                continue;
            }

            foreach (var part in parts)
            {
                foreach (var table in part.Store.Tables.Where(t => part.TableCounts.GetValueOrDefault(t.Table) > 0))
                {
                    var purpose = manifest.Map.Purposes[table.Purpose];
                    sb.Append("<section>\n<h3>").Append(E(part.Store.Name.In(l))).Append(": ").Append(E(table.Name.In(l))).Append("</h3>\n<p>")
                      .Append(E(Texts.Format("SummaryRecords", l, table.Name.In(l), part.TableCounts[table.Table], part.EntryName))).Append("</p>\n<dl>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryPurpose", l))).Append("</dt><dd>").Append(E(purpose.Name.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryLegalBasis", l))).Append("</dt><dd>").Append(E(purpose.LegalBasis.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryCategories", l))).Append("</dt><dd>").Append(E(table.Categories.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryRecipients", l))).Append("</dt><dd>").Append(E(table.Recipients.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryRetention", l))).Append("</dt><dd>").Append(E(table.Retention.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummarySource", l))).Append("</dt><dd>").Append(E(table.Source.In(l))).Append("</dd>")
                      .Append("</dl>\n</section>\n");
                }
            }
        }

        sb.Append("<h2>").Append(E(Texts.Get("SummaryRightsTitle", l))).Append("</h2>\n<p>").Append(E(Texts.Get("SummaryRights", l))).Append("</p>\n<ul>\n");
        foreach (var authority in manifest.Map.AuthoritiesFor(manifest.Controllers))
        {
            sb.Append("<li>").Append(E(authority.Name.In(l))).Append(", ").Append(E(authority.Address.In(l))).Append("</li>\n");
        }

        sb.Append("</ul>\n<p>").Append(E(Texts.Get("Controllers", l))).Append("</p>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
