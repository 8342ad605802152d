using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>
/// The records the summary page shows (issue 22): per store and table the first <see cref="MaxRowsPerTable"/> records,
/// read from the same source as the JSON and CSV files. Memory is bounded by that number whatever the export's size;
/// the rest is only in the files, and the page says so.
/// </summary>
public sealed class SummaryRecords
{
    /// <summary>How many records of one table the page shows; the files hold them all.</summary>
    public const int MaxRowsPerTable = 200;

    /// <summary>Tables with at most this many columns read as a table; wider ones as one card per record.</summary>
    public const int MaxTableColumns = 6;

    private readonly Dictionary<(string Store, string Table), List<JsonObject>> rows = [];
    private readonly Dictionary<(string Store, string File), string> fileEntries = [];
    private readonly HashSet<(string Store, string File)> filesLookedFor = [];
    private readonly Dictionary<(string Store, string File), StoreFileAbsence> filesLeftOut = [];

    /// <summary>None: the page shows what was found and where, without the records (kept for callers that have none).</summary>
    public static SummaryRecords None { get; } = new();

    /// <summary>Whether stored files are in the zip (the writer was given a way to open them), so links lead somewhere (a file found missing is not linked).</summary>
    public bool FilesIncluded { get; private init; }

    /// <summary>The records shown for a table, in the store's order.</summary>
    public IReadOnlyList<JsonObject> Rows(StoreMap store, string table) =>
        rows.TryGetValue((store.Key, table), out var list) ? list : [];

    /// <summary>
    /// Reads each part's records until every table with records has its first <see cref="MaxRowsPerTable"/> (or all it
    /// has), keeping only those. File names are given the entry names the files step gives them (same order, same rule),
    /// and each file a shown record names is looked for in its store (<paramref name="openFile"/>, opened and closed):
    /// the page is written before the files, so this is how it knows which ones the zip will not hold.
    /// </summary>
    public static async Task<SummaryRecords> CollectAsync(
        IEnumerable<StorePart> parts, Func<StoreMap, IAsyncEnumerable<StoreRecord>> read,
        Func<StoreMap, string, string, CancellationToken, Task<StoreFile>>? openFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(read);
        var collected = new SummaryRecords { FilesIncluded = openFile is not null };
        foreach (var part in parts.Where(p => p.RecordCount > 0))
        {
            var wanted = part.TableCounts.Where(c => c.Value > 0).ToDictionary(c => c.Key, c => Math.Min(c.Value, MaxRowsPerTable), StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            await foreach (var record in read(part.Store).WithCancellation(cancellationToken))
            {
                var table = part.Store.Tables.FirstOrDefault(t => t.Table == record.Table);
                var list = collected.rows.TryGetValue((part.Store.Key, record.Table), out var existing) ? existing : collected.rows[(part.Store.Key, record.Table)] = [];
                var show = list.Count < MaxRowsPerTable;
                foreach (var column in table?.FileColumns ?? [])
                {
                    if (record.Fields[column] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } name)
                    {
                        // Named on every occurrence, as the files step does; a name met again links to its first copy.
                        collected.fileEntries.TryAdd((part.Store.Key, name), FileEntryName(part.Store, name, used));
                        if (show && openFile is not null && collected.filesLookedFor.Add((part.Store.Key, name)))
                        {
                            await using var file = await openFile(part.Store, record.Table, name, cancellationToken);
                            if (file.Content is null)
                            {
                                collected.filesLeftOut[(part.Store.Key, name)] = file.Absence;
                            }
                        }
                    }
                }

                if (show)
                {
                    list.Add(record.Fields);
                }

                // Stop reading once every table has what the page shows: a very large table is not read to its end here.
                if (wanted.All(w => collected.rows.TryGetValue((part.Store.Key, w.Key), out var got) && got.Count >= w.Value))
                {
                    break;
                }
            }
        }

        return collected;
    }

    /// <summary>
    /// The entry a stored file gets inside the zip: <c>{entity}/{store}/files/{safe name}</c>, a second file of the same
    /// safe name <c>-2</c>, and so on (the one rule the files step and the page share).
    /// </summary>
    internal static string FileEntryName(StoreMap store, string fileName, HashSet<string> used)
    {
        var name = ExportPackageWriter.SafeName(fileName);
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var n = 2; !used.Add(name); n++)
        {
            name = $"{stem}-{n}{extension}";
        }

        return $"{ExportPackageWriter.SafeName(store.Entity)}/{ExportPackageWriter.SafeName(store.Store)}/files/{name}";
    }

    /// <summary>
    /// A table's records as HTML: a table when it has few columns, otherwise one card (a list of name and value) per
    /// record; then, when the table has more records than the page shows, where the others are.
    /// </summary>
    public void Render(StringBuilder sb, StorePart part, TableMap table, Language l)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(table);
        var shown = Rows(part.Store, table.Table);
        if (shown.Count == 0)
        {
            return;
        }

        static string E(string s) => HtmlText.Encode(s);
        var columns = shown.SelectMany(r => r.Select(f => f.Key)).Distinct(StringComparer.Ordinal).ToList();
        if (columns.Count <= MaxTableColumns)
        {
            sb.Append("<table>\n<caption>").Append(E(table.Name.In(l))).Append("</caption>\n<thead><tr>");
            foreach (var column in columns)
            {
                sb.Append("<th scope=\"col\">").Append(E(table.ColumnName(column, l))).Append("</th>");
            }

            sb.Append("</tr></thead>\n<tbody>\n");
            foreach (var record in shown)
            {
                sb.Append("<tr>");
                foreach (var column in columns)
                {
                    sb.Append("<td>").Append(Value(part.Store, table, column, record[column], l)).Append("</td>");
                }

                sb.Append("</tr>\n");
            }

            sb.Append("</tbody>\n</table>\n");
        }
        else
        {
            var n = 0;
            foreach (var record in shown)
            {
                n++;
                sb.Append("<div class=\"record\">\n<h4>").Append(E(Texts.Format("SummaryRecordNumber", l, table.Name.In(l), n))).Append("</h4>\n<dl>");
                foreach (var (column, value) in record)
                {
                    sb.Append("<dt>").Append(E(table.ColumnName(column, l))).Append("</dt><dd>").Append(Value(part.Store, table, column, value, l)).Append("</dd>");
                }

                sb.Append("</dl>\n</div>\n");
            }
        }

        var count = part.TableCounts.GetValueOrDefault(table.Table);
        if (count > shown.Count)
        {
            sb.Append("<p>").Append(E(Texts.Format("SummaryRowsShown", l, shown.Count, count, count - shown.Count, part.EntryName, ExportPackageWriter.CsvEntryName(part.Store, table)))).Append("</p>\n");
        }
    }

    /// <summary>
    /// One value as people write it, HTML-encoded: a coded value by the name the map gives it, empty said in words, yes/no for flags (0/1 where the store has no
    /// boolean type), dates and times in the person's language (times in Belgian/Dutch time), numbers with the
    /// language's decimal separator, a stored file as a link to it inside the zip (or, missing from its store, named as such); text as it is (the Art. 15(4) marker
    /// included).
    /// </summary>
    private string Value(StoreMap store, TableMap table, string column, JsonNode? node, Language l)
    {
        if (node is not JsonValue value)
        {
            return node is null ? HtmlText.Encode(Texts.Get("SummaryValueEmpty", l)) : HtmlText.Encode(node.ToJsonString());
        }

        // A code the map names for this column (gender "f"): its name in the person's language; the files keep the code.
        var code = value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        };
        if (code is not null && table.ValueLabel(column, code, l) is { } label)
        {
            return HtmlText.Encode(label);
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.True or JsonValueKind.False:
                return HtmlText.Encode(Texts.Get(value.GetValue<bool>() ? "SummaryValueYes" : "SummaryValueNo", l));
            case JsonValueKind.Number:
                // Whatever the number's .NET type (a store's long, a test's int, a decimal amount), read as written.
                if (!decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return HtmlText.Encode(value.ToJsonString());
                }

                if (table.BooleanColumns.Contains(column) && number is 0 or 1)
                {
                    return HtmlText.Encode(Texts.Get(number == 1 ? "SummaryValueYes" : "SummaryValueNo", l));
                }

                return HtmlText.Encode(number.ToString(l.Culture()));
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                if (text.Length == 0)
                {
                    return HtmlText.Encode(Texts.Get("SummaryValueEmpty", l));
                }

                if (table.FileColumns.Contains(column) && FilesIncluded && fileEntries.TryGetValue((store.Key, text), out var entry))
                {
                    // A file the store no longer had when the export was prepared, or one held back because whose it is cannot
                    // be told (Art. 15(4)): named, not linked, and said why.
                    return filesLeftOut.TryGetValue((store.Key, text), out var absence)
                        ? HtmlText.Encode(Texts.Format(absence == StoreFileAbsence.HeldBack ? "SummaryFileHeldBack" : "SummaryFileMissing", l, text))
                        : $"<a href=\"{HtmlText.Encode(entry)}\">{HtmlText.Encode(text)}</a>";
                }

                if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return HtmlText.Encode(Texts.Date(date, l));
                }

                if (text.Length is >= 20 and <= 33 && text[10] == 'T'
                    && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return HtmlText.Encode(Texts.DateTime(at, l));
                }

                return HtmlText.Encode(text);
            default:
                return HtmlText.Encode(value.ToJsonString());
        }
    }
}
