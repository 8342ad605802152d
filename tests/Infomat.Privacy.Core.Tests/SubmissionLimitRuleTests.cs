using System.Net;

using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// Issue 18 item 10: the rule of the submission limits shared by every instance (a sliding window over two counters),
/// and which client a submission comes from.
/// </summary>
public sealed class SubmissionLimitRuleTests
{
    private static readonly SubmissionWindow FivePerHour = new(5, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Hour = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Windows_are_aligned_so_every_instance_counts_in_the_same_one() =>
        Assert.Equal(Hour, FivePerHour.Start(Hour.AddMinutes(59).AddSeconds(59)));

    [Fact]
    public void The_sixth_in_one_hour_waits_until_the_next_is_allowed()
    {
        Assert.Null(FivePerHour.Refusal(previous: 0, current: 4, Hour.AddMinutes(10)));
        var wait = FivePerHour.Refusal(previous: 0, current: 5, Hour.AddMinutes(10));
        Assert.NotNull(wait);
        // The next window starts in 50 minutes; there the five weigh 5 * (1 - g) <= 4 from g = 1/5, i.e. 12 minutes in.
        Assert.InRange(wait!.Value, TimeSpan.FromMinutes(62) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(62) + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_burst_at_the_end_of_a_window_still_counts_right_after_it()
    {
        // Five at 14:59; at 15:01 the previous window still weighs 5 * 58/60, so a sixth is refused (a fixed window would take five more).
        Assert.NotNull(FivePerHour.Refusal(previous: 5, current: 0, Hour.AddHours(1).AddMinutes(1)));
        // Once enough of it has slid out, one is allowed again.
        Assert.Null(FivePerHour.Refusal(previous: 5, current: 0, Hour.AddHours(1).AddMinutes(13)));
    }

    [Theory]
    [InlineData("[2001:db8::5]:50000", "2001:db8::5")]
    [InlineData("[2001:DB8:0::5]:50001", "2001:db8::5")]
    [InlineData("2001:db8::5", "2001:db8::5")]
    [InlineData("203.0.113.7:50000", "203.0.113.7")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("198.51.100.1, [2001:db8::5]:443", "2001:db8::5")]
    [InlineData("[::ffff:203.0.113.7]:80", "203.0.113.7")]
    public void A_client_is_its_address_whatever_the_port_of_the_connection(string forwardedFor, string key) =>
        Assert.Equal(key, ClientKeys.From(forwardedFor, IPAddress.Loopback));

    [Theory]
    [InlineData(Language.En, "Art. 6(1)(f) GDPR")]
    [InlineData(Language.Nl, "art. 6, lid 1, f), AVG")]
    [InlineData(Language.Fr, "art. 6, par. 1, f), RGPD")]
    public void The_privacy_notice_states_the_counts_kept_against_floods_with_their_legal_basis(Language language, string basis)
    {
        var rule = SystemRetention.Rules.Single(r => r.Record == KeptRecord.SubmissionCounter);
        Assert.Contains(basis, rule.Describe(language, TimeSpan.FromDays(7)), StringComparison.Ordinal);
        Assert.Equal(new SubmissionWindow(5, TimeSpan.FromHours(1)).Ends(default) - default(DateTimeOffset), rule.Keep);
    }

    [Fact]
    public void Without_a_forwarded_header_the_client_is_the_connection_address() =>
        Assert.Equal("2001:db8::9", ClientKeys.From(null, IPAddress.Parse("2001:db8::9")));
}
