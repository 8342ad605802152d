using System.Security.Cryptography;

using Infomat.Privacy.Tokens;

using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Core.Tests;

public sealed class LinkTokenServiceTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    private LinkTokenService Service => new(key, time);

    [Fact]
    public void A_token_is_valid_for_its_case_and_purpose_until_it_expires()
    {
        var token = Service.Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Verify, TimeSpan.FromHours(1));
        var (state, linkToken) = Service.Check(token, TokenPurpose.Verify);
        Assert.Equal(TokenState.Valid, state);
        Assert.Equal("PR-AAAA-BBBB-CCCC", linkToken!.CaseId);

        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(TokenState.Expired, Service.Check(token, TokenPurpose.Verify).State);
    }

    [Fact]
    public void A_token_for_one_purpose_opens_nothing_else()
    {
        var token = Service.Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Verify, TimeSpan.FromHours(1));
        Assert.Equal(TokenState.Invalid, Service.Check(token, TokenPurpose.Approve).State);
        Assert.Equal(TokenState.Invalid, Service.Check(token, TokenPurpose.Download).State);
    }

    [Fact]
    public void A_token_with_an_edited_payload_or_another_key_is_refused()
    {
        var token = Service.Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Approve, TimeSpan.FromHours(1));
        var forged = System.Buffers.Text.Base64Url.EncodeToString("""{"N":"x","C":"PR-ZZZZ-ZZZZ-ZZZZ","P":1,"E":99999999999}"""u8) + token[token.IndexOf('.', StringComparison.Ordinal)..];
        Assert.Equal(TokenState.Invalid, Service.Check(forged, TokenPurpose.Approve).State);

        var other = new LinkTokenService(RandomNumberGenerator.GetBytes(32), time);
        Assert.Equal(TokenState.Invalid, other.Check(token, TokenPurpose.Approve).State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("!!!.???")]
    [InlineData(".")]
    public void Garbage_is_refused_without_an_exception(string token) =>
        Assert.Equal(TokenState.Invalid, Service.Check(token, TokenPurpose.Verify).State);

    [Fact]
    public void The_token_carries_ids_only()
    {
        var token = Service.Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Download, TimeSpan.FromDays(7));
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.', StringComparison.Ordinal))));
        Assert.DoesNotContain("@", payload, StringComparison.Ordinal);
    }
}
