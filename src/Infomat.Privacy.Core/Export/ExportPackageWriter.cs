using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>What went into one store's part of the export: how many records per table.</summary>
public sealed record StorePart(StoreMap Store, IReadOnlyDictionary<string, int> TableCounts)
{
    public int RecordCount => TableCounts.Values.Sum();

    /// <summary>The store's suppression list holds the person's code (a keyed hash of the address): named in the summary.</summary>
    public bool Suppressed { get; init; }

    /// <summary>The entry name inside the zip; built from data-map keys only, never from record data.</summary>
    public string EntryName => $"{ExportPackageWriter.SafeName(Store.Entity)}/{ExportPackageWriter.SafeName(Store.Store)}.json";
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
    bool Portability = false,
    bool AccessToo = false)
{
    /// <summary>Free-text values staff withheld to protect the rights of others (Art. 15(4)); none by default.</summary>
    public IReadOnlyList<WithheldValue> Withheld { get; init; } = [];

    /// <summary>How long the download link works (<c>Privacy:Export:LinkLifetime</c>), for the file's own retention line; null: not said.</summary>
    public TimeSpan? LinkLifetime { get; init; }
}

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
        CancellationToken cancellationToken,
        Func<StoreMap, string, string, CancellationToken, Task<StoreFile>>? openFile = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(readStore);
        // The day it was prepared as the summary names it (Brussels), also in data.json and on the zip's entries: at 23:30
        // UTC the summary said the next day and data.json this one.
        var stamp = new DateTimeOffset(Deadlines.DueDateCalculator.Today(manifest.PreparedAt).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var l = manifest.Language;
        if (manifest.Withheld.Count > 0)
        {
            // Art. 15(4): each value staff withheld reads as the marker wherever records are written (JSON, CSV, data.json).
            var source = readStore;
            var marker = Texts.Get("ExportWithheldMarker", l);
            readStore = store => FreeTextReview.WithholdAsync(store, source(store), manifest.Withheld, marker);
        }

        // A portability export alone holds only what Art. 20 covers (PortableColumns), whatever the store returned.
        var portableOnly = manifest.Portability && !manifest.AccessToo;
        var parts = PartsShown(manifest);
        IAsyncEnumerable<StoreRecord> Read(StoreMap store) => portableOnly ? PortableOnly(manifest.Map, store, readStore(store)) : readStore(store);

        // Serialization here, compression on the sink's own thread: the export runs at the speed of the compressor.
        await using var zip = ZipSink.Start(output, stamp, cancellationToken);
        cancellationToken = zip.Token;
        // The first records of each table, for the page (bounded: SummaryRecords.MaxRowsPerTable per table).
        var shown = await SummaryRecords.CollectAsync(parts, Read, openFile, cancellationToken);
        await using (var stream = await zip.OpenEntryAsync(SummaryEntryName, cancellationToken))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(RenderSummary(manifest, shown)), cancellationToken);
        }

        foreach (var part in parts.Where(p => p.RecordCount > 0).OrderBy(p => p.EntryName, StringComparer.Ordinal))
        {
            var controller = manifest.Map.Controller(part.Store.Entity);
            await using var stream = await zip.OpenEntryAsync(part.EntryName, cancellationToken);
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("controller", controller.LegalName);
            json.WriteString("enterpriseNumber", controller.EnterpriseNumber);
            json.WriteString("store", part.Store.Key);
            json.WriteString("storeName", part.Store.Name.In(l));
            json.WriteStartArray("tables");
            await WriteTablesAsync(json, Read(part.Store), tableName =>
            {
                var table = part.Store.Table(tableName);
                json.WriteString("name", table.Name.In(l));
                json.WriteString("purpose", manifest.Map.Purposes[table.Purpose].Name.In(l));
                json.WriteString("legalBasis", manifest.Map.Purposes[table.Purpose].LegalBasis.In(l));
                json.WriteString("categories", table.Categories.In(l));
            }, cancellationToken);
            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken);
        }

        // The same records as CSV, one file per table, for spreadsheets.
        foreach (var part in parts.Where(p => p.RecordCount > 0).OrderBy(p => p.EntryName, StringComparer.Ordinal))
        {
            // A portability export's CSV holds the portable columns; with access too (decision 42) every column.
            await WriteCsvAsync(zip, part, Read(part.Store), stamp, portableOnly ? manifest.Map : null, cancellationToken);
        }

        // Stored files the records name (a CV), as files.
        if (openFile is not null)
        {
            foreach (var part in parts.Where(p => p.RecordCount > 0 && p.Store.Tables.Any(t => t.FileColumns.Count > 0)).OrderBy(p => p.EntryName, StringComparer.Ordinal))
            {
                await WriteFilesAsync(zip, part, Read(part.Store), openFile, cancellationToken);
            }
        }

        if (manifest.Portability)
        {
            await WritePortableAsync(zip, manifest, readStore, stamp, cancellationToken);
        }

        await zip.CompleteAsync();
    }

    /// <summary>
    /// Writes a store's records (which come grouped by table) as table objects, each <c>{"table": …, [what
    /// <paramref name="describeTable"/> adds], "records": [...]}</c>, flushing as it goes so memory stays flat.
    /// </summary>
    private static async Task WriteTablesAsync(
        Utf8JsonWriter json, IAsyncEnumerable<StoreRecord> records, Action<string> describeTable, CancellationToken cancellationToken)
    {
        string? currentTable = null;
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (record.Table != currentTable)
            {
                if (currentTable is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                currentTable = record.Table;
                json.WriteStartObject();
                json.WriteString("table", record.Table);
                describeTable(record.Table);
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
    }

    /// <summary>
    /// The files a store's records name, under <c>{entity}/{store}/files/</c>, each under a safe version of its name
    /// (a second file of the same safe name gets <c>-2</c>, and so on). A named file that is not there, or that is held
    /// back (<see cref="StoreFile.HeldBack"/>), is left out (the summary says which and why).
    /// </summary>
    private static async Task WriteFilesAsync(
        ZipSink zip, StorePart part, IAsyncEnumerable<StoreRecord> records, Func<StoreMap, string, string, CancellationToken, Task<StoreFile>> openFile, CancellationToken cancellationToken)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            var table = part.Store.Tables.FirstOrDefault(t => t.Table == record.Table);
            foreach (var column in table?.FileColumns ?? [])
            {
                if (record.Fields[column] is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 } fileName)
                {
                    continue;
                }

                // Named before it is opened, as the summary names it (SummaryRecords), so its link and the entry agree.
                var entryName = SummaryRecords.FileEntryName(part.Store, fileName, used);
                // A file the store does not have, or one held back (StoreFile.HeldBack: whose it is cannot be told), is left out.
                await using var file = await openFile(part.Store, record.Table, fileName, cancellationToken);
                if (file.Content is null)
                {
                    continue;
                }

                await using var entry = await zip.OpenEntryAsync(entryName, cancellationToken);
                await file.Content.CopyToAsync(entry, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Portability (Art. 20): everything the person provided, in one <c>data.json</c> for another service to import,
    /// with its JSON Schema beside it (<c>data.schema.json</c>; the format is described in docs/export-format.md).
    /// </summary>
    private static async Task WritePortableAsync(
        ZipSink zip, ExportManifest manifest, Func<StoreMap, IAsyncEnumerable<StoreRecord>> readStore, DateTimeOffset stamp, CancellationToken cancellationToken)
    {
        await using (var stream = await zip.OpenEntryAsync(PortabilityFormat.SchemaEntryName, cancellationToken))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(PortabilityFormat.SchemaFor(manifest.Controllers)), cancellationToken);
        }

        await using var output = await zip.OpenEntryAsync(PortabilityFormat.DataEntryName, cancellationToken);
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", PortabilityFormat.SchemaEntryName);
        json.WriteString("format", PortabilityFormat.Name);
        json.WriteNumber("version", PortabilityFormat.Version);
        json.WriteString("reference", manifest.CaseId);
        json.WriteString("preparedOn", stamp.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteStartArray("controllers");
        var portable = manifest.Parts.Where(p => p.Store.Tables.Any(t => p.TableCounts.GetValueOrDefault(t.Table) > 0 && manifest.Map.PortableColumns(t).Count > 0));
        foreach (var byEntity in portable.OrderBy(p => p.EntryName, StringComparer.Ordinal).GroupBy(p => p.Store.Entity))
        {
            var controller = manifest.Map.Controller(byEntity.Key);
            json.WriteStartObject();
            json.WriteString("controller", controller.LegalName);
            json.WriteString("enterpriseNumber", controller.EnterpriseNumber);
            json.WriteStartArray("stores");
            foreach (var part in byEntity)
            {
                json.WriteStartObject();
                json.WriteString("store", part.Store.Key);
                json.WriteString("name", part.Store.Name.In(Language.En));
                json.WriteStartArray("tables");
                // Beside access the store was read in full (Art. 15); data.json still holds only what Art. 20 covers.
                var records = PortableOnly(manifest.Map, part.Store, readStore(part.Store));
                await WriteTablesAsync(json, records, _ => { }, cancellationToken);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Each record cut to its table's portable columns (<see cref="DataMap.PortableColumns"/>: provided by the person, on
    /// consent or contract); tables with none left out.
    /// </summary>
    private static async IAsyncEnumerable<StoreRecord> PortableOnly(DataMap map, StoreMap store, IAsyncEnumerable<StoreRecord> records)
    {
        await foreach (var record in records)
        {
            var provided = map.PortableColumns(store.Table(record.Table));
            if (provided.Count == 0)
            {
                continue;
            }

            var fields = new JsonObject();
            foreach (var column in provided)
            {
                fields[column] = record.Fields[column]?.DeepClone();
            }

            yield return record with { Fields = fields };
        }
    }

    /// <summary>
    /// For a table whose rows also receive direct marketing (<see cref="TableMap.MarketingOptOut"/>: the CRM contact and the
    /// client-relations mailings): that purpose, its basis, and that the person may object without a reason (Art. 21(2)-(3)).
    /// </summary>
    /// <remarks>
    /// When the system's suppression list holds the person (<paramref name="suppressed"/>: an objection or a withdrawal
    /// recorded before), the mailings no longer go to them, and the line says so rather than offering an objection they made.
    /// </remarks>
    private static string AlsoUsedFor(DataMap map, TableMap table, bool suppressed, Language l) =>
        table.MarketingOptOut is { } optOut && map.Purposes.TryGetValue(optOut.Purpose, out var also)
            ? $"<dt>{HtmlText.Encode(Texts.Get("SummaryAlsoUsedFor", l))}</dt><dd>{HtmlText.Encode(Texts.Format(suppressed ? "SummaryAlsoUsedForStopped" : "SummaryAlsoUsedForPurpose", l, also.Name.In(l), also.LegalBasis.In(l)))}</dd>"
            : string.Empty;

    /// <summary>
    /// Art. 15(1)(c) GDPR: the recipients of the data by name where known (a category where not), each with what it does
    /// with them and where. Infomat's own staff are not recipients (CJEU C-579/21) and the map cannot list them.
    /// </summary>
    private static string RecipientsItem(IReadOnlyList<Recipient> recipients, Language l)
    {
        var sb = new StringBuilder("<dt>").Append(HtmlText.Encode(Texts.Get("SummaryRecipientsArt15c", l))).Append("</dt><dd>");
        if (recipients.Count == 0)
        {
            return sb.Append(HtmlText.Encode(Texts.Get("SummaryNoRecipients", l))).Append("</dd>").ToString();
        }

        return sb.Append(RecipientTexts.List(RecipientTexts.Lines(recipients, l))).Append("</dd>").ToString();
    }

    /// <summary>
    /// Art. 15(2) GDPR: the recipients that process the data outside the European Economic Area, each with the safeguard
    /// the transfer rests on (Art. 45, 46 GDPR); or that there is no such transfer.
    /// </summary>
    private static string TransfersItem(IReadOnlyList<Recipient> recipients, Language l)
    {
        var sb = new StringBuilder("<dt>").Append(HtmlText.Encode(Texts.Get("SummaryTransfersArt152", l))).Append("</dt><dd>");
        var outside = recipients.Where(r => r.OutsideEea).ToList();
        if (outside.Count == 0)
        {
            return sb.Append(HtmlText.Encode(Texts.Get("SummaryNoTransfers", l))).Append("</dd>").ToString();
        }

        return sb.Append(RecipientTexts.List(RecipientTexts.TransferLines(outside, l))).Append("</dd>").ToString();
    }

    /// <summary>
    /// The parts as the export shows them: a portability export alone counts only tables with portable columns (the
    /// others are not in it, whatever the store returned); beside access, every table.
    /// </summary>
    private static IReadOnlyList<StorePart> PartsShown(ExportManifest manifest) =>
        manifest.Portability && !manifest.AccessToo
            ? [.. manifest.Parts.Select(p => p with { TableCounts = p.TableCounts.Where(c => p.Store.Tables.Any(t => t.Table == c.Key && manifest.Map.PortableColumns(t).Count > 0)).ToDictionary() })]
            : manifest.Parts;

    /// <summary>
    /// The tables data.json leaves out (no portable column: not provided by the person, or on legitimate interest or a
    /// legal obligation). Beside access: those where records were found (they are in the access part); a portability
    /// export alone: every such table of the stores asked, since it did not read them.
    /// </summary>
    private static List<TableMap> LeftOutOfPortability(ExportManifest manifest) =>
        [.. manifest.Parts.SelectMany(p => p.Store.Tables
            .Where(t => manifest.Map.PortableColumns(t).Count == 0 && (!manifest.AccessToo || p.TableCounts.GetValueOrDefault(t.Table) > 0)))];

    /// <summary>
    /// One segment of an entry name, whatever it is made of: letters, digits, '.', '-' and '_' only (anything else
    /// becomes '_'), no leading dots (so never '.' or '..'), at most 80 characters, never empty.
    /// </summary>
    public static string SafeName(string? value)
    {
        var chars = (value ?? string.Empty).Normalize(NormalizationForm.FormC)
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray();
        var name = new string(chars).TrimStart('.');
        if (name.Length > 80)
        {
            name = name[..80];
        }

        return name.Length == 0 ? "_" : name;
    }

    /// <summary>The CSV entry name of a table: <c>{entity}/{store}/{table}.csv</c>.</summary>
    public static string CsvEntryName(StoreMap store, TableMap table)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        return $"{SafeName(store.Entity)}/{SafeName(store.Store)}/{SafeName(table.Table)}.csv";
    }

    /// <summary>
    /// One RFC 4180 CSV per table, UTF-8, with a header row: for portability (<paramref name="portableIn"/> set) the
    /// portable columns, in the map's order; otherwise every column of the table.
    /// </summary>
    private static async Task WriteCsvAsync(ZipSink zip, StorePart part, IAsyncEnumerable<StoreRecord> records, DateTimeOffset stamp, DataMap? portableIn, CancellationToken cancellationToken)
    {
        string? currentTable = null;
        CsvHelper.CsvWriter? csv = null;
        IReadOnlyList<string> columns = [];
        string[] row = [];
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
                    var table = part.Store.Table(record.Table);
                    // Portability: the portable columns, in the map's order; access: every column the record has.
                    columns = portableIn is not null ? portableIn.PortableColumns(table) : record.Fields.Select(f => f.Key).ToList();
                    // Cells starting with = + - @ are escaped: the file is meant to be opened in spreadsheets.
                    csv = CsvHelper.CsvWriter.Create(await zip.OpenEntryAsync(CsvEntryName(part.Store, table), cancellationToken), new CsvHelper.CsvWriterOptions { Injection = CsvHelper.CsvInjection.Escape }, false);
                    csv.WriteHeader([.. columns]);
                }

                if (row.Length != columns.Count)
                {
                    row = new string[columns.Count];
                }

                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = (record.Fields.TryGetPropertyValue(columns[i], out var value) ? value : null) switch
                    {
                        null => string.Empty,
                        var v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                        var v => v.ToJsonString(),
                    };
                }

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
    /// The page's only style, inline (it works offline): long text wraps, records read as tables or cards, and on paper
    /// the page uses the full width, keeps a record or a row on one page, a name with its value and a heading with what
    /// follows, repeats a table's header row, and prints where a link leads (a stored file's name in the zip).
    /// </summary>
    private const string SummaryStyle =
        "body{font-family:Arial,sans-serif;line-height:1.5;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#000;background:#fff}"
        + "dt{font-weight:bold}dd{margin:0 0 .4rem 0}section{border-top:1px solid #ccc;margin-top:1rem}"
        + "table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:bold}"
        + "th,td{border:1px solid #767676;padding:.25rem .4rem;text-align:left;vertical-align:top}"
        + "td,.record dd{overflow-wrap:anywhere;white-space:pre-wrap}"
        + ".record{border:1px solid #767676;border-radius:4px;padding:.25rem .75rem;margin:.5rem 0}"
        + ".record h4{margin:.25rem 0;font-size:1rem}.record dl{display:grid;grid-template-columns:minmax(8rem,1fr) 2fr;gap:0 1rem;margin:0}.record dd{margin:0}"
        + "@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}section{border-top:1px solid #000}"
        + ".record,tr{break-inside:avoid}thead{display:table-header-group}h2,h3,h4,dt,caption{break-after:avoid}a{color:#000}"
        + "a[href]::after{content:\" (\" attr(href) \")\"}}";

    /// <summary>
    /// The summary page (Art. 15(1) a–h and 15(2) from the data map): per controller and table where something was found,
    /// the purpose, legal basis, categories, recipients by name (15(1)(c)), retention, source (15(1)(g)) and transfers
    /// outside the EEA with their safeguard (15(2)), then the table's first records (<paramref name="records"/>, a copy of
    /// the data under Art. 15(3); none when not given); per controller whether it takes automated decisions (15(1)(h));
    /// the same for the data of the request itself; the rights and the complaint authorities.
    /// </summary>
    public static string RenderSummary(ExportManifest manifest, SummaryRecords? records = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        records ??= SummaryRecords.None;
        var l = manifest.Language;
        // A portability export alone reads only the tables with portable columns: it answers Art. 20, not Art. 15, and
        // cannot say that nothing else is held.
        var portableOnly = manifest.Portability && !manifest.AccessToo;
        static string E(string s) => HtmlText.Encode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(l.ToWire()).Append("\">\n<head><meta charset=\"utf-8\"><title>")
          .Append(E(Texts.Get("SummaryTitle", l))).Append("</title>\n<style>" + SummaryStyle + "</style></head>\n<body>\n<main>\n<h1>")
          .Append(E(Texts.Get("SummaryTitle", l))).Append("</h1>\n<p>")
          .Append(E(Texts.Format(portableOnly ? "SummaryIntroPortability" : "SummaryIntro", l, manifest.CaseId, Texts.Date(Deadlines.DueDateCalculator.Today(manifest.PreparedAt), l), manifest.SubjectEmail)))
          .Append("</p>\n");

        if (manifest.Portability)
        {
            sb.Append("<p>").Append(E(Texts.Get(manifest.AccessToo ? "SummaryAccessAndPortability" : "SummaryPortability", l))).Append("</p>\n");
            if (LeftOutOfPortability(manifest) is { Count: > 0 } leftOut)
            {
                var names = leftOut.Select(t => t.Name.In(l)).Distinct(StringComparer.Ordinal).ToList();
                sb.Append("<p>").Append(E(Texts.Format(manifest.AccessToo ? "SummaryPortabilityLeftOutAccess" : "SummaryPortabilityLeftOut", l, Texts.List(names, l)))).Append("</p>\n");
            }
        }

        var parts = PartsShown(manifest);
        if (manifest.Withheld.Count > 0)
        {
            sb.Append("<p>").Append(E(Texts.Format("SummaryWithheld", l, manifest.Withheld.Count, Texts.Get("ExportWithheldMarker", l)))).Append("</p>\n");
        }

        if (parts.Sum(p => p.RecordCount) > 0)
        {
            // The records' moments read in Brussels time here, in UTC in the files beside it.
            sb.Append("<p>").Append(E(Texts.Get("SummaryTimesBrussels", l))).Append("</p>\n");
        }

        // The suppression list's code is pseudonymised personal data (Art. 4(5)): "none" is never said over it.
        var suppressed = manifest.Parts.Where(p => p.Suppressed).ToList();
        if (parts.Sum(p => p.RecordCount) == 0)
        {
            // Only the systems of the controllers this answer names were searched, and the request itself is held (below).
            sb.Append("<p><strong>").Append(E(Texts.Format(portableOnly ? "SummaryNothingPortableAtAll" : suppressed.Count > 0 ? "SummaryNothingAtAllButSuppressed" : "SummaryNothingAtAll", l, Texts.List([.. manifest.Controllers.Select(c => c.LegalName)], l)))).Append("</strong></p>\n");
        }

        foreach (var controller in manifest.Controllers)
        {
            sb.Append("<h2>").Append(E(controller.LegalName)).Append(" (").Append(E(controller.EnterpriseNumber)).Append(")</h2>\n");
            var held = parts.Where(p => p.Store.Entity == controller.Entity && p.RecordCount > 0).ToList();
            var lists = suppressed.Where(p => p.Store.Entity == controller.Entity).ToList();
            if (held.Count == 0)
            {
                sb.Append("<p>").Append(E(Texts.Get(portableOnly ? "SummaryNothingPortableHeld" : lists.Count > 0 ? "SummaryNothingHeldButSuppressed" : "SummaryNothingHeld", l))).Append("</p>\n");
            }

            foreach (var list in lists)
            {
                sb.Append("<section>\n<h3>").Append(E(list.Store.Name.In(l))).Append(": ").Append(E(Texts.Get("SummarySuppressionTitle", l))).Append("</h3>\n<p>")
                  .Append(E(Texts.Get("SummarySuppressed", l))).Append("</p>\n</section>\n");
            }

            foreach (var part in held)
            {
                foreach (var table in part.Store.Tables.Where(t => part.TableCounts.GetValueOrDefault(t.Table) > 0))
                {
                    var purpose = manifest.Map.Purposes[table.Purpose];
                    var recipients = manifest.Map.RecipientsOf(table);
                    sb.Append("<section>\n<h3>").Append(E(part.Store.Name.In(l))).Append(": ").Append(E(table.Name.In(l))).Append("</h3>\n<p>")
                      .Append(E(Texts.Format("SummaryRecords", l, table.Name.In(l), part.TableCounts[table.Table], part.EntryName, CsvEntryName(part.Store, table)))).Append("</p>\n<dl>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryPurpose", l))).Append("</dt><dd>").Append(E(purpose.Name.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummaryLegalBasis", l))).Append("</dt><dd>").Append(E(purpose.LegalBasis.In(l))).Append("</dd>")
                      .Append(AlsoUsedFor(manifest.Map, table, part.Suppressed, l))
                      .Append("<dt>").Append(E(Texts.Get("SummaryCategories", l))).Append("</dt><dd>").Append(E(table.Categories.In(l))).Append("</dd>")
                      .Append(RecipientsItem(recipients, l))
                      .Append("<dt>").Append(E(Texts.Get("SummaryRetention", l))).Append("</dt><dd>").Append(E(table.Retention.In(l))).Append("</dd>")
                      .Append("<dt>").Append(E(Texts.Get("SummarySourceArt15g", l))).Append("</dt><dd>").Append(E(table.Source.In(l))).Append("</dd>")
                      .Append(TransfersItem(recipients, l))
                      .Append("</dl>\n");
                    records.Render(sb, part, table, l);
                    sb.Append("</section>\n");
                }
            }

            // Art. 15(1)(h): said for every controller the answer names, whatever it holds.
            sb.Append("<h3>").Append(E(Texts.Get("SummaryAutomatedTitle", l))).Append("</h3>\n<p>")
              .Append(E(controller.AutomatedDecisionMaking?.In(l) ?? Texts.Format("SummaryAutomatedNone", l, controller.LegalName))).Append("</p>\n");
        }

        // The request itself is personal data too, and goes to the system's own processors (hosting, mailbox, mail sender).
        sb.Append("<section>\n<h2>").Append(E(Texts.Get("SummaryRequestTitle", l))).Append("</h2>\n<p>")
          .Append(E(Texts.Format(manifest.Controllers.Count == 1 ? "SummaryRequestIntroOne" : "SummaryRequestIntro", l, Texts.List([.. manifest.Controllers.Select(c => c.LegalName)], l)))).Append("</p>\n<dl>")
          .Append(RecipientsItem(manifest.Map.RequestRecipients, l))
          .Append("<dt>").Append(E(Texts.Get("SummaryRetention", l))).Append("</dt>");
        // How long each record of the request is kept, by the rules the privacy notice states (SystemRetention).
        foreach (var rule in Retention.SystemRetention.Rules.Where(r => r.Record is Retention.KeptRecord.CaseIdentifiers or Retention.KeptRecord.Case
                     || (r.Record == Retention.KeptRecord.Export && manifest.LinkLifetime is not null)))
        {
            sb.Append("<dd>").Append(E(rule.Describe(l, manifest.LinkLifetime ?? TimeSpan.Zero))).Append("</dd>");
        }

        sb.Append(TransfersItem(manifest.Map.RequestRecipients, l))
          .Append("</dl>\n</section>\n");

        sb.Append("<h2>").Append(E(Texts.Get("SummaryRightsTitle", l))).Append("</h2>\n<p>").Append(E(Texts.Get("SummaryRights", l))).Append("</p>\n<ul>\n");
        foreach (var authority in manifest.Map.AuthoritiesFor(manifest.Controllers))
        {
            sb.Append("<li>").Append(E(authority.Name.In(l))).Append(", ").Append(E(authority.Address.In(l))).Append("</li>\n");
        }

        sb.Append("</ul>\n");
        // And the courts (Art. 79; in the Netherlands within six weeks, UAVG art. 35): the page is the answer that lasts.
        foreach (var remedy in Mail.PrivacyMails.CourtRemedies(manifest.Controllers, l, "SummaryCourtNl"))
        {
            sb.Append("<p>").Append(E(remedy)).Append("</p>\n");
        }

        sb.Append("<p>").Append(E(Texts.ControllersLine(manifest.Controllers, l))).Append("</p>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
