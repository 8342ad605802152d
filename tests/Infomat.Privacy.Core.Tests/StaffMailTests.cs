using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

public sealed class StaffMailTests
{
    [Theory]
    [InlineData(Language.Nl, "Identiteitscontrole nodig: verzoek {0} (Inzage), uiterlijk 28 december 2026")]
    [InlineData(Language.Fr, "Vérification d'identité requise : demande {0} (Accès), échéance 28 décembre 2026")]
    [InlineData(Language.En, "Identity check needed: request {0} (Access), due 28 December 2026")]
    public void The_approval_request_subject_names_the_right_in_the_staff_language_and_the_legal_due_date(Language staffLanguage, string expected)
    {
        var request = new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Fr, "", null);
        var privacyCase = PrivacyCase.Received(request, Channel.Email, new DateTimeOffset(2026, 11, 26, 7, 28, 0, TimeSpan.FromHours(1)), TestDataMaps.Real);

        var mail = PrivacyMails.ApprovalRequest(privacyCase, DataMapLoader.Load(DataMapFiles.Default), new Uri("https://privacy.example/approvals?token=t"), "staff@infomat.eu", staffLanguage);

        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, privacyCase.Id), mail.Subject);
    }
}

public sealed class ApprovalMailHoldingsTests
{
    [Fact]
    public void The_approval_request_lists_what_each_store_holds_as_counts_and_asks_for_two_approvers_for_an_erasure()
    {
        var request = new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, "", null);
        var privacyCase = PrivacyCase.Received(request, Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real) with
        {
            ApprovalsRequired = 2,
            Holdings = new Dictionary<string, int> { ["be/crm"] = 3, ["nl/crm"] = 1, ["be/finance"] = 0 },
        };

        var mail = PrivacyMails.ApprovalRequest(privacyCase, DataMapLoader.Load(DataMapFiles.Default), new Uri("https://privacy.example/approvals?token=t"), "staff@infomat.eu", Language.En);

        Assert.Contains("2 different colleagues must approve", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("- Infomat België, CRM: 3", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("- Infomat Nederland, CRM: 1", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(": 0", mail.TextBody, StringComparison.Ordinal);
    }
}

public sealed class RequesterMailDueDateTests
{
    [Fact]
    public void Every_mail_to_the_requester_shows_the_reference_and_the_legal_due_date()
    {
        var request = new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(TestDataMaps.Real.ControllerCodes), Language.Nl, "", null);
        var c = PrivacyCase.Received(request, Channel.Form, new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), TestDataMaps.Real) with
        {
            Decision = new IdentityDecision(DecisionOutcome.Reject, DateTimeOffset.UtcNow, "staff", "no match"),
        };
        var link = new Uri("https://privacy.example/x?token=t");
        OutgoingMail[] mails =
        [
            PrivacyMails.Verification(c, TestDataMaps.Real, link, TimeSpan.FromDays(7)),
            PrivacyMails.Acknowledgement(c, TestDataMaps.Real),
            PrivacyMails.IdentificationRequest(c with { IdentificationRequestedAt = DateTimeOffset.UtcNow }, TestDataMaps.Real, "Uw klantnummer.", TimeSpan.FromDays(14)),
            PrivacyMails.ExtensionNotice(c, TestDataMaps.Real, new DeadlineExtension(1, c.DueDate, new DateOnly(2027, 1, 26), "complex", "staff", DateTimeOffset.UtcNow)),
            PrivacyMails.ExportReady(c, TestDataMaps.Real, link, DateTimeOffset.UtcNow.AddDays(7)),
            PrivacyMails.Rejection(c, TestDataMaps.Real),
            PrivacyMails.Expired(c, TestDataMaps.Real),
            PrivacyMails.Expired(c with { EmailVerifiedAt = DateTimeOffset.UtcNow, IdentificationRequestedAt = DateTimeOffset.UtcNow }, TestDataMaps.Real),
        ];

        Assert.All(mails, m => Assert.Contains($"Referentie {c.Id} · wettelijke antwoorddatum 28 december 2026", m.TextBody, StringComparison.Ordinal));
    }
}

/// <summary>Who staff mail goes to (`Privacy:Staff:Address`, `EscalationAddress`): one rule, every staff mail.</summary>
public sealed class StaffMailboxRuleTests
{
    private sealed class Recording(string? refuses = null, string? down = null) : IMailSender
    {
        public List<string> To { get; } = [];

        public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
        {
            if (string.Equals(mail.To, refuses, StringComparison.OrdinalIgnoreCase))
            {
                throw new MailRefusedException("Graph 400 ErrorInvalidRecipients");
            }

            if (string.Equals(mail.To, down, StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpRequestException("Service unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
            }

            To.Add(mail.To);
            return Task.CompletedTask;
        }
    }

    private static OutgoingMail Mail(string to) =>
        new(MailKind.StaffTask, Audience.Staff, "IM-TEST", to, "Subject", "Body", "<p>Body</p>");

    [Theory]
    [InlineData("privacy@infomat.eu", true, true)]
    [InlineData("privacy@infomat.eu; dpo@infomat.eu", true, true)]
    [InlineData("privacy@infomat.eu,dpo@infomat.eu;", true, true)]
    [InlineData("", true, false)]
    [InlineData(" ; ", true, false)]
    [InlineData("", false, true)]
    [InlineData(null, false, true)]
    [InlineData("privacy@infomat.eu dpo@infomat.eu", true, false)]
    [InlineData("Privacy team <privacy@infomat.eu>", true, false)]
    [InlineData("privacy", true, false)]
    [InlineData("privacy@infomat.eu; not an address", false, false)]
    public void A_staff_setting_lists_addresses_only(string? setting, bool required, bool valid) =>
        Assert.Equal(valid, StaffMail.IsValidSetting(setting, required));

    [Fact]
    public async Task Staff_mail_goes_once_to_each_listed_mailbox_and_the_escalation_address_only_when_escalating()
    {
        var staff = new Infomat.Privacy.Configuration.StaffOptions { Address = "privacy@infomat.eu; backup@infomat.eu;PRIVACY@infomat.eu", EscalationAddress = "dpo@infomat.eu; backup@infomat.eu" };
        var plain = new Recording();
        var escalated = new Recording();

        await StaffMail.SendToStaffAsync(plain, staff, Mail, default);
        await StaffMail.SendToStaffAsync(escalated, staff, Mail, default, escalate: true);

        Assert.Equal(["privacy@infomat.eu", "backup@infomat.eu"], plain.To);
        Assert.Equal(["privacy@infomat.eu", "backup@infomat.eu", "dpo@infomat.eu"], escalated.To);
    }

    [Fact]
    public async Task A_refused_mailbox_is_returned_and_the_others_get_the_mail_but_none_taking_it_throws()
    {
        var staff = new Infomat.Privacy.Configuration.StaffOptions { Address = "privacy@infomat.eu; backup@infomat.eu" };
        var oneRefused = new Recording(refuses: "backup@infomat.eu");

        var refused = await StaffMail.SendToStaffAsync(oneRefused, staff, Mail, default);

        Assert.Equal(["Graph 400 ErrorInvalidRecipients"], refused);
        Assert.Equal(["privacy@infomat.eu"], oneRefused.To);
        var alone = new Infomat.Privacy.Configuration.StaffOptions { Address = "backup@infomat.eu" };
        await Assert.ThrowsAsync<MailRefusedException>(() => StaffMail.SendToStaffAsync(new Recording(refuses: "backup@infomat.eu"), alone, Mail, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => StaffMail.SendToStaffAsync(new Recording(), new Infomat.Privacy.Configuration.StaffOptions { Address = " ; " }, Mail, default));
    }

    [Fact]
    public async Task A_passing_fault_on_one_mailbox_is_not_taken_for_a_refusal_the_step_fails_to_be_retried()
    {
        var staff = new Infomat.Privacy.Configuration.StaffOptions { Address = "privacy@infomat.eu; backup@infomat.eu" };
        var secondDown = new Recording(down: "backup@infomat.eu");

        // The mail service answered 503 for the second mailbox (after its own retries): that mailbox must not miss the
        // mail, so the step fails and is retried (the first may get it twice).
        await Assert.ThrowsAsync<HttpRequestException>(() => StaffMail.SendToStaffAsync(secondDown, staff, Mail, default));
        Assert.Equal(["privacy@infomat.eu"], secondDown.To);
    }
}
