using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Export;

/// <summary>
/// Where one free-text value sits in the collected records: the store, the table, the record (its key in the map's
/// <see cref="TableMap.OrderBy"/> column, or <c>#n</c>, its position in the table) and the column. Never the text:
/// this is what the case register and the audit keep of a value staff withheld.
/// </summary>
public sealed record WithheldValue(string StoreKey, string Table, string Record, string Column)
{
    /// <summary>How a review form names the value (each part escaped, joined by '|').</summary>
    public string FormValue => string.Join('|', new[] { StoreKey, Table, Record, Column }.Select(Uri.EscapeDataString));

    /// <summary>The value a review form sent back, or null when it is not one of ours.</summary>
    public static WithheldValue? FromForm(string? value)
    {
        var parts = (value ?? string.Empty).Split('|');
        return parts.Length == 4 && parts.All(p => p.Length > 0)
            ? new WithheldValue(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]), Uri.UnescapeDataString(parts[3]))
            : null;
    }
}

/// <summary>One free-text value found in a collected record, for the staff review page only (never stored elsewhere).</summary>
public sealed record FreeTextValue(WithheldValue At, string Text);

/// <summary>
/// The rights of others in an access export (Art. 15(4) GDPR): free-text columns (notes, ticket bodies, motivations; the
/// data map's <c>freeText</c>) can name colleagues or other customers, so staff see each such value before the zip is
/// built and may withhold it. The one home of which exports need that review, how a value is found again, and how a
/// withheld value is replaced, streaming, record by record.
/// </summary>
public static class FreeTextReview
{
    /// <summary>
    /// Whether an export answering <paramref name="rights"/> is reviewed when it holds free text: an access request
    /// (Art. 15(4) limits the copy of Art. 15(3)); a portability request alone is not (it holds only what the person
    /// provided, Art. 20).
    /// </summary>
    public static bool Applies(IReadOnlyList<RequestType> rights)
    {
        ArgumentNullException.ThrowIfNull(rights);
        return rights.Contains(RequestType.Access);
    }

    /// <summary>The key of a record: the value of its table's order column when the record has it, else <c>#n</c> (its position in the table, from 0).</summary>
    public static string RecordKey(TableMap table, JsonObject fields, int index)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(fields);
        return fields.TryGetPropertyValue(table.OrderBy, out var key) && key is JsonValue value
            ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
            : "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The non-empty values of the store's free-text columns in <paramref name="records"/>, in record order.</summary>
    public static async IAsyncEnumerable<FreeTextValue> ValuesAsync(StoreMap store, IAsyncEnumerable<StoreRecord> records, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(records);
        await foreach (var (record, table, key) in Keyed(store, records).WithCancellation(cancellationToken))
        {
            foreach (var column in table?.FreeText ?? [])
            {
                if (Text(record.Fields, column) is { } text)
                {
                    yield return new FreeTextValue(new WithheldValue(store.Key, record.Table, key, column), text);
                }
            }
        }
    }

    /// <summary>
    /// How many free-text values the staged records hold, and their fingerprint (<see cref="Fingerprint"/>), under
    /// <paramref name="key"/> (decision 117).
    /// </summary>
    public static async Task<(int Values, string Fingerprint)> FingerprintAsync(IEnumerable<(StoreMap Store, IAsyncEnumerable<StoreRecord> Records)> parts, byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var seen = new Fingerprint(key);
        foreach (var (store, records) in parts)
        {
            await foreach (var value in ValuesAsync(store, records, cancellationToken))
            {
                seen.Add(value);
            }
        }

        return (seen.Values, seen.Value);
    }

    /// <summary>
    /// The records as they are, each free-text value of them added to <paramref name="seen"/> on the way: how the zip's
    /// build learns what free text it is writing, in the same pass (decision 117).
    /// </summary>
    public static async IAsyncEnumerable<StoreRecord> ObserveAsync(StoreMap store, IAsyncEnumerable<StoreRecord> records, Fingerprint seen, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(seen);
        await foreach (var (record, table, key) in Keyed(store, records).WithCancellation(cancellationToken))
        {
            foreach (var column in table?.FreeText ?? [])
            {
                if (Text(record.Fields, column) is { } text)
                {
                    seen.Add(new FreeTextValue(new WithheldValue(store.Key, record.Table, key, column), text));
                }
            }

            yield return record;
        }
    }

    /// <summary>
    /// The records with each value in <paramref name="withheld"/> replaced by <paramref name="marker"/>; every other value
    /// as it was. One record at a time (the export's memory stays flat); a record is copied only when a value of it goes.
    /// </summary>
    public static async IAsyncEnumerable<StoreRecord> WithholdAsync(StoreMap store, IAsyncEnumerable<StoreRecord> records, IReadOnlyCollection<WithheldValue> withheld, string marker)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(withheld);
        var here = withheld.Where(w => w.StoreKey == store.Key).ToHashSet();
        if (here.Count == 0)
        {
            await foreach (var record in records)
            {
                yield return record;
            }

            yield break;
        }

        await foreach (var (record, _, key) in Keyed(store, records))
        {
            var columns = here.Where(w => w.Table == record.Table && w.Record == key && record.Fields.ContainsKey(w.Column)).Select(w => w.Column).ToList();
            if (columns.Count == 0)
            {
                yield return record;
                continue;
            }

            var fields = (JsonObject)record.Fields.DeepClone();
            foreach (var column in columns)
            {
                fields[column] = marker;
            }

            yield return record with { Fields = fields };
        }
    }

    /// <summary>Each record with its table's map (null when the map does not know the table) and its key.</summary>
    private static async IAsyncEnumerable<(StoreRecord Record, TableMap? Table, string Key)> Keyed(StoreMap store, IAsyncEnumerable<StoreRecord> records)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var record in records)
        {
            var index = positions.GetValueOrDefault(record.Table);
            positions[record.Table] = index + 1;
            // A table retired since the records were collected is still the map's (decision 114): its free text is reviewed and withheld.
            var table = store.TryTable(record.Table);
            yield return (record, table, table is null ? "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) : RecordKey(table, record.Fields, index));
        }
    }

    private static string? Text(JsonObject fields, string column) =>
        fields.TryGetPropertyValue(column, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && value.GetValue<string>() is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
}

/// <summary>
/// What free text a set of staged records holds, as a fingerprint: an HMAC-SHA256, under a key derived from the
/// pseudonymisation key, over each value's place (store, table, record, column) and text, in a fixed order. The same
/// values give the same fingerprint; a value added, removed or edited gives another. Keyed, so that a short value cannot
/// be checked by guessing without the key; still pseudonymised data (of the requester and of others), kept in the case
/// and cleared with its identifiers when the register's retention ends (decision 117). A value seen twice (a store read
/// twice) counts once.
/// </summary>
public sealed class Fingerprint(byte[] key)
{
    private readonly Dictionary<string, byte[]> values = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public int Values
    {
        get
        {
            lock (gate)
            {
                return values.Count;
            }
        }
    }

    public string Value
    {
        get
        {
            using var all = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, key);
            lock (gate)
            {
                foreach (var (place, text) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    all.AppendData(System.Text.Encoding.UTF8.GetBytes(place + "\n"));
                    all.AppendData(text);
                }
            }

            return Convert.ToHexString(all.GetHashAndReset());
        }
    }

    public void Add(FreeTextValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value.Text));
        lock (gate)
        {
            values[value.At.FormValue] = text;
        }
    }
}

