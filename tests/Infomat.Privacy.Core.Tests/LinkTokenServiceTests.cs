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
        var parts = token.Split('.');
        var forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString("""{"N":"x","C":"PR-ZZZZ-ZZZZ-ZZZZ","P":1,"E":99999999999}"""u8) + "." + parts[2];
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
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
        Assert.Contains("PR-AAAA-BBBB-CCCC", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("@", payload, StringComparison.Ordinal);
    }

    private static readonly byte[] OldKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] NewKey = RandomNumberGenerator.GetBytes(32);

    private LinkTokenService Ring(params byte[][] keys) => new(keys.Select(k => new LinkTokenKey(k)).ToList(), time);

    [Fact]
    public void After_a_rotation_a_link_signed_with_the_previous_key_works_until_it_expires_and_new_links_use_the_new_key()
    {
        var staffTask = Ring(OldKey).Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.StaffTask, TimeSpan.FromDays(90));

        var rotated = Ring(NewKey, OldKey);
        Assert.Equal(TokenState.Valid, rotated.Check(staffTask, TokenPurpose.StaffTask).State);
        var fresh = rotated.Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Verify, TimeSpan.FromDays(7));
        Assert.Equal(TokenState.Valid, Ring(NewKey).Check(fresh, TokenPurpose.Verify).State);
        Assert.Equal(TokenState.Invalid, Ring(OldKey).Check(fresh, TokenPurpose.Verify).State);

        time.Advance(TimeSpan.FromDays(90));
        Assert.Equal(TokenState.Expired, rotated.Check(staffTask, TokenPurpose.StaffTask).State);
    }

    [Fact]
    public void A_link_signed_with_a_key_no_longer_configured_is_refused_like_a_forged_one()
    {
        var token = Ring(OldKey).Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Download, TimeSpan.FromDays(7));

        Assert.Equal(TokenState.Invalid, Ring(NewKey).Check(token, TokenPurpose.Download).State);
    }

    [Fact]
    public void A_token_names_its_key_and_an_edited_key_id_is_refused()
    {
        var token = Ring(NewKey, OldKey).Issue("PR-AAAA-BBBB-CCCC", TokenPurpose.Approve, TimeSpan.FromDays(14));
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal(new LinkTokenKey(NewKey).Id, parts[0]);

        // The same signature presented as the previous key's, or under an unknown id, opens nothing.
        var asOldKey = new LinkTokenKey(OldKey).Id + "." + parts[1] + "." + parts[2];
        Assert.Equal(TokenState.Invalid, Ring(NewKey, OldKey).Check(asOldKey, TokenPurpose.Approve).State);
        Assert.Equal(TokenState.Invalid, Ring(NewKey, OldKey).Check("AAAAAAAA." + parts[1] + "." + parts[2], TokenPurpose.Approve).State);
        // Without its key id the token is not an older-format token either.
        Assert.Equal(TokenState.Invalid, Ring(NewKey, OldKey).Check(parts[1] + "." + parts[2], TokenPurpose.Approve).State);
    }

    [Fact]
    public void A_link_mailed_before_key_ids_existed_keeps_working_while_its_key_is_configured()
    {
        // The format of every link in a mailbox at the release: base64url(payload).base64url(HMAC(key, payload)).
        var payload = System.Text.Encoding.UTF8.GetBytes("""{"N":"0123456789abcdef0123456789abcdef","C":"PR-AAAA-BBBB-CCCC","P":0,"E":""" + time.GetUtcNow().AddDays(7).ToUnixTimeSeconds() + "}");
        var unversioned = System.Buffers.Text.Base64Url.EncodeToString(payload) + "." + System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(OldKey, payload));

        Assert.Equal(TokenState.Valid, Ring(OldKey).Check(unversioned, TokenPurpose.Verify).State);
        Assert.Equal(TokenState.Valid, Ring(NewKey, OldKey).Check(unversioned, TokenPurpose.Verify).State);
        Assert.Equal(TokenState.Invalid, Ring(NewKey).Check(unversioned, TokenPurpose.Verify).State);
    }

    [Fact]
    public void The_configured_ring_is_the_current_key_then_the_previous_ones_and_anything_short_or_not_base64_is_refused()
    {
        var ring = LinkTokenKeys.TryParse(Convert.ToBase64String(NewKey) + ", " + Convert.ToBase64String(OldKey));
        Assert.Equal([new LinkTokenKey(NewKey).Id, new LinkTokenKey(OldKey).Id], ring!.Select(k => k.Id));
        Assert.Single(LinkTokenKeys.TryParse(Convert.ToBase64String(OldKey))!);
        Assert.Null(LinkTokenKeys.TryParse(Convert.ToBase64String(NewKey) + "," + Convert.ToBase64String(new byte[16])));
        Assert.Null(LinkTokenKeys.TryParse(Convert.ToBase64String(NewKey) + ",not base64!"));
        Assert.Null(LinkTokenKeys.TryParse(" "));
        Assert.NotEqual(new LinkTokenKey(NewKey).Id, new LinkTokenKey(OldKey).Id);
    }
}
