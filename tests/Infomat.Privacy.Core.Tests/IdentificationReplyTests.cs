using System.Security.Cryptography;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 17 item 9: the reply with more identification is shown to staff, who record that they checked it; nothing of it is kept.</summary>
public sealed class IdentificationReplyTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase Asked(Language language = Language.En)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), language, null, null),
            Channel.Email, Received, Map) with { EmailVerifiedAt = Received };
        c = c.RequestIdentification("Els", "Your last invoice number, please.", Received.AddHours(1)).Changed!;
        return c.IdentificationMailSent(Received.AddHours(1)).Changed!;
    }

    [Fact]
    public void Past_the_end_the_case_expires_only_once_the_mail_up_to_the_end_has_been_read()
    {
        var timeout = TimeSpan.FromDays(14);
        var c = Asked();
        var end = c.IdentificationReplyDue(timeout)!.Value;
        var recheck = TimeSpan.FromMinutes(10);

        // Before the end: wait for it, whatever the mailbox.
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, end), c.ApprovalWaitAt(end.AddTicks(-1), TimeSpan.FromDays(2), timeout, DateTimeOffset.MinValue, recheck));

        // Past the end, with the mail read up to one tick before it (a reply may have come in that last tick): wait, and look
        // again after the recheck. The expiry is refused for the same reason.
        var now = end.AddHours(3);
        Assert.False(c.MayExpireForIdentification(now, timeout, end.AddTicks(-1)));
        Assert.Equal(new ApprovalWaitStep(ApprovalWaitAction.Wait, null, now + recheck), c.ApprovalWaitAt(now, TimeSpan.FromDays(2), timeout, end.AddTicks(-1), recheck));
        Assert.Equal(CaseRefusal.StillWaiting, c.Expire(now, TimeSpan.FromDays(30), timeout, end.AddTicks(-1)).Refusal);
        Assert.Equal(now + PrivacyCase.DefaultUnreadMailRecheck, c.ApprovalWaitAt(now, TimeSpan.FromDays(2), timeout, DateTimeOffset.MinValue).NextCheck);

        // Read up to the end (or no mailbox at all): it expires.
        Assert.True(c.MayExpireForIdentification(now, timeout, end));
        Assert.Equal(ApprovalWaitAction.Expire, c.ApprovalWaitAt(now, TimeSpan.FromDays(2), timeout, end, recheck).Action);
        Assert.Equal(ApprovalWaitAction.Expire, c.ApprovalWaitAt(now, TimeSpan.FromDays(2), timeout).Action);
        Assert.Equal(CaseStatus.Expired, c.Expire(now, TimeSpan.FromDays(30), timeout, end).Changed!.Status);

        // The late-read reply, dated when it reached the mailbox (before the end), is recorded: the case waits on staff.
        var answered = c.IdentificationAnswered(end.AddMinutes(-1)).Changed!;
        Assert.False(answered.MayExpireForIdentification(now, timeout, now));
        Assert.Equal(CaseRefusal.StaffMustDecide, answered.Expire(now, TimeSpan.FromDays(30), timeout, now).Refusal);
    }

    [Fact]
    public void An_earlier_reply_read_after_a_later_one_does_not_put_the_case_back_to_waiting_on_the_requester()
    {
        var timeout = TimeSpan.FromDays(14);
        // First reply, then staff ask again, then the second reply; the intake reads the second before the first.
        var first = Received.AddDays(1);
        var askedAgain = Received.AddDays(2);
        var second = Received.AddDays(3);
        var c = Asked().IdentificationAnswered(first).Changed!;
        c = c.RequestIdentification("Els", "And the invoice date, please.", askedAgain).Changed!.IdentificationMailSent(askedAgain).Changed!;
        c = c.IdentificationAnswered(second).Changed!;

        c = c.IdentificationAnswered(first).Changed ?? c;

        Assert.Equal(second, c.IdentificationAnsweredAt);
        Assert.False(c.AwaitsIdentification);
        Assert.False(c.MayExpireForIdentification(askedAgain + timeout + TimeSpan.FromDays(1), timeout, null));
    }

    [Fact]
    public void Each_reply_is_recorded_with_its_time_and_attachment_count_only_and_once()
    {
        var c = Asked().IdentificationAnswered(Received.AddDays(1), attachments: 2).Changed!;
        c = c.IdentificationAnswered(Received.AddDays(1), attachments: 2).Changed ?? c;
        c = c.IdentificationAnswered(Received.AddDays(2), attachments: null).Changed!;

        Assert.Equal([new IdentificationReply(Received.AddDays(1), 2), new IdentificationReply(Received.AddDays(2), null)], c.IdentificationReplies);
        Assert.Equal(Received.AddDays(2), c.IdentificationAnsweredAt);
    }

    [Fact]
    public void Staff_record_that_they_checked_the_reply_only_once_there_is_one_and_the_trail_says_who_and_when()
    {
        var asked = Asked();
        Assert.Equal(CaseRefusal.NotAsked, asked.IdentificationSeen("Els", Received.AddDays(1)).Refusal);

        var c = asked.IdentificationAnswered(Received.AddDays(1), attachments: 1).Changed!;
        c = c.IdentificationSeen("Els Janssens", Received.AddDays(1).AddHours(2)).Changed!;
        Assert.Equal(CaseRefusal.AlreadyDone, c.IdentificationSeen("Jan", Received.AddDays(1).AddHours(3)).Refusal);
        // A later reply can be checked again.
        c = c.IdentificationAnswered(Received.AddDays(3), attachments: 0).Changed!;
        c = c.IdentificationSeen("Jan", Received.AddDays(3).AddHours(1)).Changed!;

        Assert.Equal([new IdentificationCheck("Els Janssens", Received.AddDays(1).AddHours(2)), new IdentificationCheck("Jan", Received.AddDays(3).AddHours(1))], c.IdentificationChecks);
        var entries = CaseAudit.Entries(c, new KeyedHash(RandomNumberGenerator.GetBytes(32)));
        var seen = entries.Where(e => e.Action == "identification-seen").ToList();
        Assert.Equal(["Els Janssens", "Jan"], seen.Select(e => e.Actor));
        var replies = entries.Where(e => e.Action == "identification-received").ToList();
        Assert.Equal(["attachments=1", "attachments=0"], replies.Select(e => e.Outcome));
    }

    [Theory]
    [InlineData(Language.Nl, "lezen uw antwoord en wat u meestuurt in onze mailbox info@infomat.eu", "wordt niet automatisch verwijderd")]
    [InlineData(Language.Fr, "lit votre réponse et ce que vous y joignez dans notre boîte info@infomat.eu", "n'est pas supprimée automatiquement")]
    [InlineData(Language.En, "read your reply and anything you attach in our mailbox info@infomat.eu", "it is not deleted automatically")]
    public void The_mail_asking_for_identification_says_where_the_reply_is_read_that_nothing_is_copied_and_does_not_promise_its_deletion(
        Language language, string readWhere, string notDeleted)
    {
        var c = Asked(language);

        var text = PrivacyMails.IdentificationRequest(c, Map, "Your last invoice number, please.", TimeSpan.FromDays(14)).TextBody;

        Assert.Contains(readWhere, text, StringComparison.Ordinal);
        Assert.Contains(notDeleted, text, StringComparison.Ordinal);
        Assert.Contains(language == Language.En ? "Art. 5(1)(c)" : language == Language.Nl ? "art. 5, lid 1, c, AVG" : "art. 5, paragraphe 1, c, RGPD", text, StringComparison.Ordinal);
        // The old promise that "we do not keep the document" was not true of the mailbox.
        Assert.DoesNotContain(language == Language.Fr ? "nous ne conservons pas le document" : language == Language.Nl ? "we bewaren het document niet" : "we do not keep the document", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "Reply to this mail before 15 March 2027 11:00 (Brussels time)")]
    [InlineData(Language.Nl, "Antwoord op deze e-mail vóór 15 maart 2027 11:00 (Brusselse tijd)")]
    [InlineData(Language.Fr, "Répondez à ce courriel avant le 15 mars 2027 11:00 (heure de Bruxelles)")]
    public void The_mail_asking_for_identification_names_the_moment_after_which_the_request_may_be_closed_and_it_is_not_closed_before(Language language, string before)
    {
        // Asked at 11:00 Brussels (10:00 UTC) on 1 March; the mail recorded as sent a few seconds later; 14 days to answer.
        var asked = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), language, null, null),
            Channel.Email, Received, Map) with { EmailVerifiedAt = Received };
        asked = asked.RequestIdentification("Els", "Your last invoice number, please.", Received.AddHours(1)).Changed!;

        var text = PrivacyMails.IdentificationRequest(asked, Map, "Your last invoice number, please.", TimeSpan.FromDays(14)).TextBody;

        Assert.Contains(before, text, StringComparison.Ordinal);
        Assert.Contains(language == Language.En ? "Art. 12(6) and 12(4)" : language == Language.Nl ? "art. 12, leden 6 en 4" : "art. 12, paragraphes 6 et 4", text, StringComparison.Ordinal);
        // The case does not close before the moment named (the mail went 3 s after the request), and then may.
        var sent = asked.IdentificationMailSent(Received.AddHours(1).AddSeconds(3)).Changed!;
        var named = Received.AddHours(1).AddDays(14);
        Assert.Equal(ApprovalWaitAction.Wait, sent.ApprovalWaitAt(named.AddSeconds(2), TimeSpan.FromDays(2), TimeSpan.FromDays(14)).Action);
        Assert.NotNull(sent.ExpireRefusal(named.AddSeconds(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14)));
        Assert.Equal(ApprovalWaitAction.Expire, sent.ApprovalWaitAt(named.AddSeconds(3), TimeSpan.FromDays(2), TimeSpan.FromDays(14)).Action);
        Assert.Null(sent.ExpireRefusal(named.AddSeconds(3), TimeSpan.FromDays(7), TimeSpan.FromDays(14)));
    }

    [Theory]
    [InlineData(Language.En, "Download it before 15 March 2027 11:00 (Brussels time):")]
    [InlineData(Language.Nl, "Download het vóór 15 maart 2027 11:00 (Brusselse tijd):")]
    [InlineData(Language.Fr, "Téléchargez-le avant le 15 mars 2027 11:00 (heure de Bruxelles) :")]
    public void The_export_mail_names_the_link_s_end_in_Brussels_time_and_says_so(Language language, string until)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), language, null, null),
            Channel.Email, Received, Map) with { EmailVerifiedAt = Received };

        // 10:00 UTC on 15 March 2027 is 11:00 in Brussels (winter time): a requester elsewhere must know which 11:00.
        var text = PrivacyMails.ExportReady(c, Map, new Uri("https://privacy.example/d"), new DateTimeOffset(2027, 3, 15, 10, 0, 0, TimeSpan.Zero)).TextBody;

        Assert.Contains(until, text, StringComparison.Ordinal);
    }
}
