using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A withdrawal of consent (Art. 7(3)) and an objection to direct marketing (Art. 21(3)) are applied as soon as the
/// address is confirmed, without staff identity approval (issue 16 item 7; decision 49); staff are told afterwards.
/// </summary>
public sealed class ImmediateRightsWorkflowTests
{
    private static void Holds(WorkflowHarness h) =>
        h.Stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new JsonObject { ["first_name"] = "An" }] };

    [Theory]
    [InlineData(RequestType.WithdrawConsent, null, null, StoreAction.WithdrawConsent)]
    [InlineData(RequestType.WithdrawConsent, null, ConsentScope.Marketing, StoreAction.WithdrawMarketingConsent)]
    [InlineData(RequestType.WithdrawConsent, null, ConsentScope.Other, StoreAction.WithdrawOtherConsent)]
    [InlineData(RequestType.Objection, ObjectionScope.DirectMarketing, null, StoreAction.ObjectToDirectMarketing)]
    public async Task A_withdrawal_or_an_objection_to_direct_marketing_is_applied_once_the_address_is_confirmed_without_approval(
        RequestType type, ObjectionScope? objection, ConsentScope? consent, StoreAction action)
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var c = await h.NewCaseAsync(type, entity: ControllerScope.Of("be"), objection: objection, consent: consent);
        await h.WaitForMailAsync(MailKind.Verification);
        Assert.Empty(h.Stores.Applied);

        await h.VerifyAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.CaseId == c.Id && a.Key.Action == action));
        Assert.All(h.Stores.Applied.Keys, k => Assert.Equal(action, k.Action));
        Assert.Empty(h.Mail.Of(MailKind.ApprovalRequest));
        Assert.Single(h.Mail.Of(MailKind.ActionReport));
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Null(stored.Decision);

        // Staff are told afterwards what was applied, in the staff language; the mail names the case, not the person.
        var staff = Assert.Single(h.Mail.Of(MailKind.AppliedAtOnce));
        Assert.Contains(c.Id, staff.Subject, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("AtOnceName" + action, h.Options.Staff.Language), staff.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("peeters", done.SerializedInput + done.SerializedOutput + done.SerializedCustomStatus, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_erasure_with_an_objection_to_direct_marketing_suppresses_at_once_and_a_rejected_identity_leaves_the_objection_in_force()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"), objection: ObjectionScope.DirectMarketing, also: [RequestType.Objection]);
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        // Before any staff decision: the objection part is done and staff were told; the erasure waits.
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.ObjectToDirectMarketing));
        Assert.DoesNotContain(h.Stores.Applied.Keys, k => k.Action == StoreAction.Erase);
        Assert.Single(h.Mail.Of(MailKind.AppliedAtOnce));

        await h.DecideAsync(c.Id, DecisionOutcome.Reject, "Het adres hoort niet bij de gevraagde persoon.");

        Assert.Equal("\"rejected\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.DoesNotContain(h.Stores.Applied.Keys, k => k.Action == StoreAction.Erase);
        var rejection = Assert.Single(h.Mail.Of(MailKind.Rejection));
        Assert.Contains(Texts.Get("AtOnceObjectToDirectMarketing", Language.Nl), rejection.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_that_also_withdraws_consent_withdraws_at_once_and_the_expiry_notice_says_the_withdrawal_stands()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
            o.Approval.Timeout = TimeSpan.FromSeconds(3);
        });
        Holds(h);
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"), also: [RequestType.WithdrawConsent]);
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.WithdrawConsent));

        // Staff ask for more identification, which never comes: the erasure expires, the withdrawal stays applied.
        var asked = DateTimeOffset.UtcNow;
        await h.Register.ApplyAsync(c.Id, x => x.RequestIdentification("tester", "Uw klantnummer.", asked).Changed!.IdentificationMailSent(asked), default);
        await h.Client.RaiseEventAsync(c.Id, Orchestration.CaseEvents.IdentityDecided);

        Assert.Equal("\"expired\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.DoesNotContain(h.Stores.Applied.Keys, k => k.Action == StoreAction.Erase);
        var notice = Assert.Single(h.Mail.Of(MailKind.Rejection));
        Assert.Contains(Texts.Get("AtOnceWithdrawConsent", Language.Nl), notice.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approved_erasure_that_also_withdraws_consent_reports_the_withdrawal_applied_at_once_and_the_erasure()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"), also: [RequestType.WithdrawConsent]);
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);

        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.WithdrawConsent));
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.Erase));
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody;
        Assert.Contains(Texts.Get("ReportAlsoWithdrawal", Language.Nl), report, StringComparison.Ordinal);
        Assert.Contains("We hebben 1 record over u gewist", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_alone_still_waits_for_staff_and_nothing_is_applied_at_once()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h);
        var c = await h.NewCaseAsync(RequestType.Erasure, entity: ControllerScope.Of("be"));
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        Assert.Empty(h.Stores.Applied);
        Assert.Empty(h.Mail.Of(MailKind.AppliedAtOnce));
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
    }
}
