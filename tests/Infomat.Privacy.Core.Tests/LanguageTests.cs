using System.Globalization;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

public sealed class LanguageTests
{
    [Theory]
    [InlineData(null, "fr-BE,fr;q=0.9,en;q=0.5", Language.Fr)]
    [InlineData(null, "de-DE,nl;q=0.8", Language.Nl)]
    [InlineData(null, "en;q=0.2,nl-BE;q=0.9", Language.Nl)]
    [InlineData(null, "de-DE", Language.En)]
    [InlineData(null, null, Language.En)]
    [InlineData("fr", "nl", Language.Fr)]
    [InlineData("xx", "nl", Language.Nl)]
    public void Language_comes_from_the_explicit_choice_then_the_browser_then_English(string? explicitChoice, string? header, Language expected) =>
        Assert.Equal(expected, Languages.Negotiate(explicitChoice, header));

    [Fact]
    public void Every_text_exists_in_Dutch_French_and_English()
    {
        var neutral = Texts.Resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;
        var keys = neutral.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).Order().ToList();
        Assert.True(keys.Count > 50);
        foreach (var culture in new[] { "nl", "fr" })
        {
            var set = Texts.Resources.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: false)!;
            var missing = keys.Where(k => string.IsNullOrWhiteSpace(set.GetString(k))).ToList();
            Assert.True(missing.Count == 0, $"{culture} lacks: {string.Join(", ", missing)}");
        }
    }

    [Fact]
    public void Texts_are_actually_translated_not_copied()
    {
        Assert.Equal("Your privacy rights at Infomat", Texts.Get("AppTitle", Language.En));
        Assert.Equal("Uw privacyrechten bij Infomat", Texts.Get("AppTitle", Language.Nl));
        Assert.Equal("Vos droits sur vos données chez Infomat", Texts.Get("AppTitle", Language.Fr));
    }

    [Fact]
    public void Every_request_type_has_an_explanation_in_every_language()
    {
        foreach (var type in Enum.GetValues<RequestType>())
        {
            foreach (var language in Enum.GetValues<Language>())
            {
                Assert.False(string.IsNullOrWhiteSpace(Texts.RequestType(type, language)));
            }
        }
    }

    [Fact]
    public void Dates_are_written_as_people_of_that_language_write_them()
    {
        var date = new DateOnly(2026, 12, 28);
        Assert.Equal("28 december 2026", Texts.Date(date, Language.Nl));
        Assert.Equal("28 décembre 2026", Texts.Date(date, Language.Fr));
        Assert.Equal("28 December 2026", Texts.Date(date, Language.En));
    }
}
