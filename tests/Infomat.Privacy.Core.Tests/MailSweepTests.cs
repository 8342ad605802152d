using Infomat.Privacy.Intake;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>How far back a sweep of the mailbox without a delta link asks (decision 99).</summary>
public sealed class MailSweepTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 16, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void The_first_sweep_ever_looks_back_the_first_sweep_look_back() =>
        Assert.Equal(Now - Day, MailSweep.LookBackFrom(Now, null, Day).From);

    [Fact]
    public void After_an_outage_longer_than_the_look_back_it_goes_back_to_before_the_last_complete_sweep()
    {
        var lastSweep = Now.AddDays(-4);

        Assert.Equal(lastSweep - MailSweep.Settle, MailSweep.LookBackFrom(Now, lastSweep, Day).From);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(23 * 60)]
    public void A_recent_last_sweep_never_shortens_the_look_back(int minutesAgo) =>
        Assert.Equal(Now - Day, MailSweep.LookBackFrom(Now, Now.AddMinutes(-minutesAgo), Day).From);

    [Fact]
    public void At_the_edge_the_earlier_of_the_two_wins()
    {
        // The last sweep began exactly a day ago: a day less the settle time would miss mail of its last minutes.
        Assert.Equal(Now - Day - MailSweep.Settle, MailSweep.LookBackFrom(Now, Now - Day, Day).From);
        Assert.Equal(Now - Day, MailSweep.LookBackFrom(Now, Now - Day + MailSweep.Settle, Day).From);
    }

    [Fact]
    public void Nothing_is_said_unread_while_the_look_back_reaches_the_last_sweep()
    {
        Assert.Null(MailSweep.LookBackFrom(Now, null, Day).UnreadSince);
        Assert.Null(MailSweep.LookBackFrom(Now, Now.AddDays(-4), Day).UnreadSince);
        Assert.Null(MailSweep.LookBackFrom(Now, Now - MailSweep.MaxLookBack + MailSweep.Settle, Day).UnreadSince);
    }

    [Fact]
    public void A_sweep_looks_back_at_most_the_longest_look_back_and_says_since_when_mail_went_unread()
    {
        var lastSweep = Now.AddDays(-60);

        var start = MailSweep.LookBackFrom(Now, lastSweep, Day);

        Assert.Equal(Now - MailSweep.MaxLookBack, start.From);
        Assert.Equal(lastSweep - MailSweep.Settle, start.UnreadSince);
    }

    [Fact]
    public void A_first_sweep_look_back_set_beyond_the_longest_is_held_to_it_on_a_whole_minute()
    {
        var now = new DateTimeOffset(2027, 3, 16, 9, 0, 37, TimeSpan.Zero);

        var start = MailSweep.LookBackFrom(now, null, TimeSpan.FromDays(90));

        Assert.Equal(new DateTimeOffset(2027, 3, 16, 9, 0, 0, TimeSpan.Zero) - MailSweep.MaxLookBack, start.From);
        Assert.Null(start.UnreadSince);
        // Capped after a long outage too: the stretch named to staff ends on the minute the read starts from.
        Assert.Equal(start.From, MailSweep.LookBackFrom(now, now.AddDays(-60), TimeSpan.FromDays(1)).From);
    }

    [Theory]
    [InlineData(Language.Nl, "van 4 januari 2027 09:55 tot 29 januari 2027 10:00", "(35 dagen)", "loopt de wettelijke termijn vanaf het moment dat hij binnenkwam")]
    [InlineData(Language.Fr, "du 4 janvier 2027 09:55 au 29 janvier 2027 10:00", "(35 jours)", "le délai légal court depuis son arrivée")]
    [InlineData(Language.En, "from 4 January 2027 09:55 to 29 January 2027 10:00", "(35 days)", "the legal deadline runs from when it arrived")]
    public void Staff_are_told_in_their_language_which_stretch_of_mail_was_not_read_and_that_its_time_runs_from_arrival(Language language, string stretch, string days, string deadline)
    {
        var mail = PrivacyMails.MailNotSwept(new DateTimeOffset(2027, 1, 4, 8, 55, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 29, 9, 0, 0, TimeSpan.Zero), "privacy@infomat.eu", language);

        Assert.Equal((MailKind.StaffTask, Audience.Staff), (mail.Kind, mail.Audience));
        Assert.Equal(Texts.Get("MailNotSweptSubject", language), mail.Subject);
        Assert.Contains(stretch, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(days, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(deadline, mail.TextBody, StringComparison.Ordinal);
    }
}
