using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 17 item 7: a correction can be refused with reasons (Art. 16, 12(4)), and the report says so per store.</summary>
public sealed class RectificationRefusalTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static PrivacyCase Rectification(Language language = Language.En)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Rectification, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), language,
            "My job title is Finance director.", null), Channel.Form, Received, Map);
        c = c with { EmailVerifiedAt = Received, Decision = new IdentityDecision(DecisionOutcome.Approve, Received, "Els", null) };
        return c.OpenTasks(c.PlanTasks([("be/crm", 2), ("nl/crm", 1)]), Received.AddHours(1)).Changed!;
    }

    [Fact]
    public void A_correction_can_be_refused_only_with_the_reasons_the_requester_will_read()
    {
        var c = Rectification();

        Assert.Equal(CaseRefusal.ReasonRequired, c.TaskRefusal("be/crm", StaffTaskOutcome.Refused, "  "));
        Assert.Equal(CaseRefusal.WrongTaskOutcome, c.TaskRefusal("be/crm", StaffTaskOutcome.Upheld, "x"));
        var refused = c.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Our invoices show a different title.", "Els", Received.AddHours(2));

        Assert.Null(refused.Refusal);
        Assert.Equal(StaffTaskOutcome.Refused, refused.Changed!.Tasks[0].Outcome);
        Assert.Equal(1, refused.Changed.OpenTaskCount);
    }

    [Fact]
    public void A_partly_refused_correction_is_reported_store_by_store_with_the_reasons_and_where_to_complain()
    {
        var c = Rectification();
        c = c.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Our signed contract shows the title you had then.", "Els", Received.AddHours(2)).Changed!;
        c = c.CompleteTask("nl/crm", StaffTaskOutcome.Done, null, "Jan", Received.AddHours(3)).Changed!;

        var report = PrivacyMails.ActionReport(c, Map, []).TextBody;

        Assert.DoesNotContain("We have corrected your data as you asked", report, StringComparison.Ordinal);
        Assert.Contains("we made some of the corrections you asked for and not others", report, StringComparison.Ordinal);
        var be = report[report.IndexOf("Infomat België (BE0460190566) — CRM:", StringComparison.Ordinal)..];
        be = be[..be.IndexOf("\n\n", StringComparison.Ordinal)];
        Assert.Contains("We did not make the correction you asked for here (Art. 16 GDPR). Our reasons (Art. 12(4) GDPR): Our signed contract shows the title you had then.", be, StringComparison.Ordinal);
        var nl = report[report.IndexOf("Infomat Nederland (NL810585091B01) — CRM:", StringComparison.Ordinal)..];
        Assert.StartsWith("Infomat Nederland (NL810585091B01) — CRM:\nCorrected on", nl, StringComparison.Ordinal);
        // Art. 12(4): the complaint and the court, with the Dutch six weeks for Infomat Nederland.
        Assert.Contains("(Art. 77 GDPR)", report, StringComparison.Ordinal);
        Assert.Contains("judicial remedy before the courts (Art. 79 GDPR)", report, StringComparison.Ordinal);
        Assert.Contains("within six weeks of receiving this message (UAVG art. 35(2))", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_correction_is_reported_with_when_it_was_made_not_with_every_record_the_store_holds_on_the_person()
    {
        // The CRM holds 8 rows on the person; staff fix one phone number. "8 records corrected" would be untrue.
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Rectification, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl,
            "Mijn telefoonnummer is 0470 12 34 56.", null), Channel.Form, Received, Map);
        c = c with { EmailVerifiedAt = Received, Decision = new IdentityDecision(DecisionOutcome.Approve, Received, "Els", null) };
        c = c.OpenTasks(c.PlanTasks([("be/crm", 8)]), Received.AddHours(1)).Changed!;
        c = c.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Jan", Received.AddHours(3)).Changed!;

        var report = PrivacyMails.ActionReport(c, Map, []).TextBody;

        Assert.Contains("Verbeterd op " + Localization.Texts.Deadline(Received.AddHours(3), Language.Nl) + ".", report, StringComparison.Ordinal);
        Assert.DoesNotContain("8 records", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.Nl, "We hebben de verbetering die u vroeg hier niet aangebracht (art. 16 AVG).")]
    [InlineData(Language.Fr, "Nous n'avons pas apporté ici la rectification que vous demandiez (art. 16 RGPD).")]
    [InlineData(Language.En, "We did not make the correction you asked for here (Art. 16 GDPR).")]
    public void A_wholly_refused_correction_says_nothing_was_corrected_and_tells_no_recipient(Language language, string refusedLine)
    {
        var c = Rectification(language);
        c = c.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Reden.", "Els", Received.AddHours(2)).Changed!;
        c = c.CompleteTask("nl/crm", StaffTaskOutcome.Refused, "Reden.", "Els", Received.AddHours(2)).Changed!;

        var report = PrivacyMails.ActionReport(c, Map, []).TextBody;

        Assert.Equal(2, report.Split(refusedLine).Length - 1);
        Assert.DoesNotContain(Localization.Texts.Get("ReportArt19NoRecipients", language), report, StringComparison.Ordinal);
        Assert.DoesNotContain(Localization.Texts.Format("ReportArt19Recipients", language, "X").Split('(')[0], report, StringComparison.Ordinal);
        Assert.DoesNotContain(Localization.Texts.Format("ReportIntroRectification", language, c.Id), report, StringComparison.Ordinal);
        Assert.Contains(Localization.Texts.Format("ReportIntroRectificationRefused", language, c.Id), report, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_recipient_of_a_correction_made_becomes_a_notice_staff_record_once_and_the_audit_names_only_its_id()
    {
        var c = Rectification();
        c = c.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Els", Received.AddHours(2)).Changed!;
        c = c.CompleteTask("nl/crm", StaffTaskOutcome.Refused, "Reden.", "Els", Received.AddHours(2)).Changed!;
        Assert.True(c.Art19Applies);
        var recipients = c.RecipientsToInform(Map, []);
        Assert.NotEmpty(recipients);

        c = c.OpenRecipientNotices(recipients.Select(r => r.Key), Received.AddHours(3)).Changed!;
        Assert.Equal(CaseRefusal.AlreadyDone, c.OpenRecipientNotices(recipients.Select(r => r.Key), Received.AddHours(4)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, c.RecipientInformed("nobody", "Els", Received.AddHours(5)).Refusal);
        var first = recipients[0].Key;
        c = c.RecipientInformed(first, "Els", Received.AddHours(5)).Changed!;
        Assert.Equal(CaseRefusal.AlreadyDone, c.RecipientInformed(first, "Jan", Received.AddHours(6)).Refusal);
        Assert.Equal("Els", c.RecipientNotices.Single(n => n.Recipient == first).InformedBy);

        var audit = Audit.CaseAudit.Entries(c, new KeyedHash(new byte[32]));
        Assert.Contains(audit, e => e.Action == "recipient-informed" && e.Outcome == "art. 19 " + first && e.Actor == "Els");
        Assert.DoesNotContain(audit, e => e.Outcome.Contains("an.peeters", StringComparison.OrdinalIgnoreCase));

        // A correction refused in every store tells no recipient.
        var refused = Rectification().CompleteTask("be/crm", StaffTaskOutcome.Refused, "R.", "Els", Received).Changed!.CompleteTask("nl/crm", StaffTaskOutcome.Refused, "R.", "Els", Received).Changed!;
        Assert.False(refused.Art19Applies);
    }

    [Fact]
    public void A_system_holding_nothing_the_correction_is_about_is_neither_corrected_nor_refused_in_the_report()
    {
        // Review of 5 December: a task opens for every system that holds the person; staff could only say "made" (the
        // report then said "Corrected on …" and named the system's recipients under Art. 19) or "refused" (the report then
        // gave reasons for a refusal that was none, and said "we made some of the corrections and not others").
        var c = Rectification();
        Assert.Null(c.TaskRefusal("nl/crm", StaffTaskOutcome.NothingToCorrect, null));
        Assert.Equal(CaseRefusal.WrongTaskOutcome, c.TaskRefusal("nl/crm", StaffTaskOutcome.Upheld, null));
        var made = c.CompleteTask("be/crm", StaffTaskOutcome.Done, null, "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.NothingToCorrect, null, "Jan", Received.AddHours(3)).Changed!;
        var none = c.CompleteTask("be/crm", StaffTaskOutcome.NothingToCorrect, null, "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.NothingToCorrect, "Your title there is already Finance director.", "Jan", Received.AddHours(3)).Changed!;
        var refusedAndNone = c.CompleteTask("be/crm", StaffTaskOutcome.Refused, "Our contract shows otherwise.", "Els", Received.AddHours(2)).Changed!
            .CompleteTask("nl/crm", StaffTaskOutcome.NothingToCorrect, null, "Jan", Received.AddHours(3)).Changed!;

        var madeReport = PrivacyMails.ActionReport(made, Map, []).TextBody;
        var noneReport = PrivacyMails.ActionReport(none, Map, []).TextBody;
        var refusedReport = PrivacyMails.ActionReport(refusedAndNone, Map, []).TextBody;

        Assert.Contains("We have corrected your data as you asked", madeReport, StringComparison.Ordinal);
        var nl = madeReport[madeReport.IndexOf("Infomat Nederland (NL810585091B01) — CRM:", StringComparison.Ordinal)..];
        Assert.StartsWith("Infomat Nederland (NL810585091B01) — CRM:\nThis system holds none of the data your correction is about", nl, StringComparison.Ordinal);
        // Art. 19: the recipients of the corrected system only.
        Assert.Equal(Map.RecipientsToInform(Map.Store("be/crm").Tables), made.RecipientsToInform(Map, []));

        Assert.Contains("none of them holds the data your correction is about other than as you asked, so nothing was changed", noneReport, StringComparison.Ordinal);
        Assert.Contains("Our staff add: Your title there is already Finance director.", noneReport, StringComparison.Ordinal);
        Assert.DoesNotContain("Corrected on", noneReport, StringComparison.Ordinal);
        Assert.DoesNotContain("Our reasons", noneReport, StringComparison.Ordinal);
        Assert.False(none.Art19Applies);

        Assert.Contains("did not make the correction you asked for", refusedReport, StringComparison.Ordinal);
        Assert.DoesNotContain("we made some of the corrections you asked for and not others", refusedReport, StringComparison.Ordinal);
    }
}
