using Infomat.Privacy.Cases;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The intake's rules about a mail: when it was received, whether it is our own, which case it belongs to.</summary>
public sealed class MailRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_mail_counts_as_received_when_the_mailbox_got_it_not_when_it_was_handled()
    {
        var delivered = Now.AddDays(-3);
        Assert.Equal(delivered, MailReceipt.ReceivedAt(delivered, Now.AddDays(-4), Now));
    }

    [Fact]
    public void Without_a_delivery_time_the_Date_header_counts_but_never_later_than_now()
    {
        Assert.Equal(Now.AddHours(-5), MailReceipt.ReceivedAt(null, Now.AddHours(-5), Now));
        Assert.Equal(Now, MailReceipt.ReceivedAt(null, Now.AddDays(2), Now));
        Assert.Equal(Now, MailReceipt.ReceivedAt(Now.AddMinutes(10), null, Now));
        Assert.Equal(Now, MailReceipt.ReceivedAt(null, null, Now));
    }

    [Theory]
    [InlineData("info@infomat.eu", null, true)]
    [InlineData(" INFO@Infomat.eu ", null, true)]
    [InlineData("privacy-staff@infomat.eu", null, true)]
    [InlineData("jan.devries@example.nl", "X-Infomat-Kind", true)]
    [InlineData("jan.devries@example.nl", null, false)]
    public void Our_own_mail_is_known_by_its_sender_or_by_our_headers(string from, string? header, bool ours)
    {
        var mail = new InboundMail("<1@x>", from, null, "s", "b", DmarcVerdict.Pass, Now, InfomatHeader: header);
        Assert.Equal(ours, OwnMail.Reason(mail, ["info@infomat.eu", "privacy-staff@infomat.eu; dpo@infomat.eu"]) is not null);
    }

    [Fact]
    public void A_case_id_derived_from_a_message_is_the_same_each_time_and_differs_per_key_and_message()
    {
        byte[] key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        var id = CaseIds.Derived(key, "abc@example.nl");
        Assert.True(CaseIds.IsWellFormed(id), id);
        Assert.Equal(id, CaseIds.Derived(key, "abc@example.nl"));
        Assert.NotEqual(id, CaseIds.Derived(key, "abd@example.nl"));
        Assert.NotEqual(id, CaseIds.Derived([.. key.Select(b => (byte)(b + 1))], "abc@example.nl"));
    }

    [Fact]
    public void Case_references_are_found_in_a_reply_subject_whatever_the_case_of_the_letters()
    {
        Assert.Equal(["PR-7K3M-9QXD-2HBT"], CaseIds.FindIn("RE: Uw verzoek pr-7k3m-9qxd-2hbt over uw persoonsgegevens: we hebben iets meer nodig (PR-7K3M-9QXD-2HBT)"));
        Assert.Empty(CaseIds.FindIn("XPR-7K3M-9QXD-2HBT and PR-7K3M-9QXD-2HBTX"));
    }

    [Fact]
    public void Our_message_ids_name_the_case_so_a_reply_finds_it_and_each_is_unique()
    {
        var sent = new Mail.OutgoingMail(Mail.MailKind.ExportReady, Mail.Audience.Requester, "PR-7K3M-9QXD-2HBT", "an@example.be", "s", "t", "h");
        var id = Mail.OutgoingMessageIds.For(sent, "info@infomat.eu", Key);
        Assert.EndsWith("@infomat.eu", id, StringComparison.Ordinal);
        Assert.Equal(["PR-7K3M-9QXD-2HBT"], CaseIds.FindIn("<" + id + ">"));
        Assert.NotEqual(id, Mail.OutgoingMessageIds.For(sent, "info@infomat.eu", Key));
    }

    [Fact]
    public void Only_a_message_id_we_sent_for_the_case_proves_a_reply_answers_our_mail()
    {
        // Review of issue 15: anyone can put a case reference in a subject or an In-Reply-To header and a requester's
        // address in From. Our Message-IDs carry a keyed tag, so only someone who received our mail can quote one.
        var sent = new Mail.OutgoingMail(Mail.MailKind.IdentificationRequest, Mail.Audience.Requester, "PR-7K3M-9QXD-2HBT", "an@example.be", "s", "t", "h");
        var ours = Mail.OutgoingMessageIds.For(sent, "info@infomat.eu", Key);

        Assert.True(Mail.OutgoingMessageIds.Answers("PR-7K3M-9QXD-2HBT", ["<other@example.be>", "<" + ours + ">"], Key));
        Assert.False(Mail.OutgoingMessageIds.Answers("PR-7K3M-9QXD-2HBT", ["<" + ours + ">"], new byte[32]));
        Assert.False(Mail.OutgoingMessageIds.Answers("PR-9QXD-7K3M-2HBT", ["<" + ours + ">"], Key));
        var forged = ours[..(ours.IndexOf('@', StringComparison.Ordinal) - 1)] + (ours[ours.IndexOf('@', StringComparison.Ordinal) - 1] == '0' ? '1' : '0') + ours[ours.IndexOf('@', StringComparison.Ordinal)..];
        Assert.False(Mail.OutgoingMessageIds.Answers("PR-7K3M-9QXD-2HBT", [forged], Key));
        Assert.False(Mail.OutgoingMessageIds.Answers("PR-7K3M-9QXD-2HBT", ["PR-7K3M-9QXD-2HBT.identification-request.00@infomat.eu", "", "@"], Key));
        Assert.False(Mail.OutgoingMessageIds.Answers("PR-7K3M-9QXD-2HBT", null, Key));
    }

    [Theory]
    [InlineData(DmarcVerdict.Pass, false, true)]
    [InlineData(DmarcVerdict.None, true, true)]
    [InlineData(DmarcVerdict.Fail, true, true)]
    [InlineData(DmarcVerdict.None, false, false)]
    [InlineData(DmarcVerdict.Fail, false, false)]
    public void A_reply_is_known_to_come_from_the_requester_when_their_domain_vouches_for_it_or_it_answers_our_mail(DmarcVerdict dmarc, bool answersOurMail, bool confirmed)
    {
        var sent = new Mail.OutgoingMail(Mail.MailKind.IdentificationRequest, Mail.Audience.Requester, "PR-7K3M-9QXD-2HBT", "an@example.be", "s", "t", "h");
        var reply = new InboundMail("<r@example.be>", "an@example.be", null, "RE: PR-7K3M-9QXD-2HBT", "Hierbij.", dmarc, Now,
            References: answersOurMail ? [Mail.OutgoingMessageIds.For(sent, "info@infomat.eu", Key)] : ["<PR-7K3M-9QXD-2HBT.x@infomat.eu>"]);
        Assert.Equal(confirmed, reply.SenderConfirmedFor("PR-7K3M-9QXD-2HBT", Key));
    }

    [Fact]
    public void Staff_hear_of_a_requesters_replies_at_most_once_an_hour_and_a_case_records_at_most_fifty()
    {
        // Review of issue 15: a requester (or a loop) writing every minute sent staff a mail per reply and grew the case without end.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an@example.be", "An", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, null), Channel.Form, Now, TestDataMaps.Real);
        var told = new List<DateTimeOffset>();
        for (var i = 0; i < 80; i++)
        {
            var at = Now.AddMinutes(i * 5);
            var t = c.ReplyReceived(at);
            if (i >= PrivacyCase.MaxRecordedReplies)
            {
                Assert.Equal(CaseRefusal.TooMany, t.Refusal);
                continue;
            }

            c = t.Changed!;
            if (c.StaffToldOfReply(at))
            {
                told.Add(at);
            }
        }

        Assert.Equal(PrivacyCase.MaxRecordedReplies, c.RequesterReplies.Count);
        // Replies every five minutes for 250 minutes: staff are told at 0, 60, 120, 180 and 240 minutes.
        Assert.Equal([0, 60, 120, 180, 240], told.Select(t => (int)(t - Now).TotalMinutes));
        // A retry of a reply staff were told of tells them again (rather than not at all); a quiet one stays quiet.
        Assert.True(c.StaffToldOfReply(Now.AddMinutes(60)));
        Assert.False(c.StaffToldOfReply(Now.AddMinutes(65)));
    }

    [Theory]
    [InlineData(Language.Nl, "art. 7, lid 3, AVG")]
    [InlineData(Language.Fr, "art. 7, paragraphe 3, RGPD")]
    [InlineData(Language.En, "Art. 7(3) GDPR")]
    public void The_acknowledgement_of_an_unsubscribe_says_marketing_consent_and_names_the_article(Language language, string article)
    {
        var request = new ValidRequest(RequestType.WithdrawConsent, "an@example.be", "An", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), language, null) { Consent = ConsentScope.Marketing };
        var ack = Mail.PrivacyMails.Acknowledgement(PrivacyCase.Received(request, Channel.Email, Now, TestDataMaps.Real), TestDataMaps.Real);
        Assert.Contains(Localization.Texts.Get("TypeWithdrawMarketingConsent", language), ack.TextBody, StringComparison.Ordinal);
        Assert.Contains(article, ack.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Localization.Texts.Get("TypeWithdrawConsent", language), ack.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_request_while_the_case_is_open_is_the_same_address_right_and_controllers_once_the_address_is_confirmed()
    {
        var all = ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes);
        var request = new ValidRequest(RequestType.Erasure, "Jan.deVries@example.nl ", "Jan", null, all, Language.Nl, null);
        var unconfirmed = PrivacyCase.Received(request with { Email = "jan.devries@example.nl" }, Channel.Form, Now, TestDataMaps.Real);
        var open = unconfirmed with { EmailVerifiedAt = Now.AddMinutes(5) };

        Assert.True(open.IsSameOpenRequest(request));
        // Nobody confirmed the address (a form sent in Jan's name and left): his mail does not join it.
        Assert.False(unconfirmed.IsSameOpenRequest(request));
        Assert.False(open.IsSameOpenRequest(request with { Type = RequestType.Access }));
        Assert.False(open.IsSameOpenRequest(request with { Entity = ControllerScope.Of("be") }));
        Assert.False(open.IsSameOpenRequest(request with { Email = "other@example.nl" }));
        Assert.False((open with { Status = CaseStatus.Completed }).IsSameOpenRequest(request));
    }

    [Fact]
    public void A_request_adds_to_a_case_when_it_brings_words_of_its_own_and_the_same_words_again_add_nothing()
    {
        var all = ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes);
        var request = new ValidRequest(RequestType.Rectification, "jan.devries@example.nl", "Jan", null, all, Language.Nl, "Mijn telefoonnummer is 0612345678.");
        var open = PrivacyCase.Received(request, Channel.Email, Now, TestDataMaps.Real) with { EmailVerifiedAt = Now };

        Assert.False(open.IsAddedToBy(request.Details));
        Assert.False(open.IsAddedToBy("  Mijn telefoonnummer is 0612345678.\n"));
        Assert.False(open.IsAddedToBy(null));
        Assert.False(open.IsAddedToBy(" "));
        Assert.True(open.IsAddedToBy("Ook mijn adres is onjuist: Dorpsstraat 3, Utrecht."));
        Assert.True((open with { Details = null }).IsAddedToBy("Mijn telefoonnummer is 0612345678."));

        // The same rule decides whether a request confirmed later is answered by the open case (decision 84).
        var later = PrivacyCase.Received(request with { Details = "Ook mijn adres is onjuist." }, Channel.Form, Now.AddDays(1), TestDataMaps.Real);
        Assert.False(later.IsAnsweredBy(open));
        Assert.True((later with { Details = request.Details }).IsAnsweredBy(open));
    }
}
