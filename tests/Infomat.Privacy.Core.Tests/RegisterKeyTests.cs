using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The key the register keeps to find one requester's open cases (issue 21): a repeated request joins the open case
/// only if its address gives the same key however it was typed, and another person's address never does.
/// </summary>
public sealed class RegisterKeyTests
{
    [Theory]
    [InlineData("An.Peeters@Example.be", "an.peeters@example.be")]
    [InlineData(" an.peeters@example.be ", "an.peeters@example.be")]
    [InlineData("Ame\u0301lie@example.be", "am\u00e9lie@example.be")]
    public void An_address_typed_differently_gives_the_same_key(string typed, string stored) =>
        Assert.Equal(EmailAddresses.RegisterKey(stored), EmailAddresses.RegisterKey(typed));

    [Fact]
    public void Another_address_gives_another_key_of_fixed_length_without_the_address_in_it()
    {
        var key = EmailAddresses.RegisterKey("an.peeters@example.be");
        Assert.NotEqual(key, EmailAddresses.RegisterKey("an.peeters+1@example.be"));
        Assert.NotEqual(key, EmailAddresses.RegisterKey("jan.peeters@example.be"));
        Assert.Matches("^[0-9a-f]{32}$", key);
    }
}
