using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

using Azure.Data.Tables;

namespace Infomat.Privacy.Adapters.Storage;

/// <summary>
/// A record kept as JSON in a Table row. A Table string property holds at most 32 K UTF-16 characters (64 KiB) and a
/// row 1 MiB, so: text outside ASCII is written as itself, not as six-character <c>\uXXXX</c> escapes (4,000 Greek
/// characters were 24,000), and JSON longer than one property goes on in <c>Data1</c>, <c>Data2</c>, … A row written
/// before this (one <c>Data</c>) reads as before.
/// </summary>
internal static class TableJson
{
    /// <summary>Characters per property, under the service's 32 K with room to spare.</summary>
    internal const int CharsPerProperty = 30_000;

    /// <summary>Properties one record may use: 16 × 30,000 characters × 2 bytes stays under the 1 MiB row with the other columns.</summary>
    internal const int MaxProperties = 16;

    private const string Column = "Data";

    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },

        // Stored, never put into HTML or script: escaping non-ASCII text only multiplies its size.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="value"/> into <paramref name="entity"/>; a record too large for one row is refused by kind and size, never by content.</summary>
    internal static TableEntity With<T>(this TableEntity entity, T value)
    {
        var json = JsonSerializer.Serialize(value, Options);
        var parts = (json.Length + CharsPerProperty - 1) / CharsPerProperty;
        if (parts > MaxProperties)
        {
            throw new InvalidOperationException($"A {typeof(T).Name} of {json.Length} JSON characters is more than one Table row holds.");
        }

        for (var i = 0; i < Math.Max(1, parts); i++)
        {
            entity[Name(i)] = json.Substring(i * CharsPerProperty, Math.Min(CharsPerProperty, json.Length - (i * CharsPerProperty)));
        }

        return entity;
    }

    /// <summary>The record in <paramref name="entity"/>, or null when it has none.</summary>
    internal static T? Read<T>(this TableEntity entity)
    {
        var first = entity.GetString(Column);
        if (first is null)
        {
            return default;
        }

        var json = new System.Text.StringBuilder(first);
        for (var i = 1; entity.GetString(Name(i)) is { } more; i++)
        {
            json.Append(more);
        }

        return JsonSerializer.Deserialize<T>(json.ToString(), Options);
    }

    private static string Name(int part) => part == 0 ? Column : Column + part.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
