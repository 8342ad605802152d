using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Infomat.Privacy.Localization;

/// <summary>HTML-encodes text while leaving letters of every script as they are (é stays é, not &amp;#233;).</summary>
public static class HtmlText
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Encode(string? value) => Encoder.Encode(value ?? string.Empty);
}
