using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// `Privacy:Staff:Address` may list several mailboxes (README, deploy.md: "a@x;b@x"). Every staff mail goes once to each
/// of them, as one mail per mailbox (a mail service takes one recipient per address), and a mailbox the mail service
/// refuses neither fails the case nor repeats the mail to the others.
/// </summary>
public sealed class StaffMailboxesTests
{
    private const string Staff = "privacy-staff@infomat.eu; backup-staff@infomat.eu";
    private static readonly string[] Mailboxes = ["privacy-staff@infomat.eu", "backup-staff@infomat.eu"];

    private static void Holds(WorkflowHarness h, string store, JsonObject? extra = null) =>
        h.Stores.Data[store] = new() { ["an.peeters@example.be"] = [new JsonObject { ["id"] = 1, ["first_name"] = "An" }, .. extra is null ? Array.Empty<JsonObject>() : [extra]] };

    /// <summary>Waits until the case has <paramref name="status"/>, and fails at once when it was flagged Failed instead.</summary>
    private static async Task<PrivacyCase> ReachesAsync(WorkflowHarness h, string caseId, CaseStatus status)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var c = (await h.Register.GetAsync(caseId, default))!;
            Assert.NotEqual(CaseStatus.Failed, c.Status);
            if (c.Status == status)
            {
                return c;
            }

            Assert.True(DateTime.UtcNow < until, $"the case is {c.Status}, not {status}, after 30 s");
            await Task.Delay(100);
        }
    }

    private static void EachMailboxOnce(WorkflowHarness h, MailKind kind, params string[] mailboxes) =>
        Assert.Equal(mailboxes.Order(), h.Mail.Of(kind).Select(m => m.To).Order());

    [Fact]
    public async Task The_export_review_reaches_each_staff_mailbox_and_the_case_waits_for_it()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = Staff);
        Holds(h, "be/crm", new JsonObject { ["_table"] = "activity_notes", ["id"] = 7, ["email"] = "an.peeters@example.be", ["note"] = "Called An back." });
        var c = await h.NewCaseAsync(RequestType.Access, entity: ControllerScope.Of("be"));
        await h.ApproveAsync(c.Id);

        await ReachesAsync(h, c.Id, CaseStatus.AwaitingStaffAction);
        await h.WaitForMailAsync(MailKind.StaffTask, 2);
        EachMailboxOnce(h, MailKind.StaffTask, Mailboxes);
        EachMailboxOnce(h, MailKind.ApprovalRequest, Mailboxes);
    }

    [Fact]
    public async Task Staff_tasks_and_the_recipients_to_tell_reach_each_staff_mailbox()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = Staff);
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(RequestType.Rectification, entity: ControllerScope.Of("be"), details: "Mijn functie is nu Finance director.");
        await h.ApproveAsync(c.Id);

        await ReachesAsync(h, c.Id, CaseStatus.AwaitingStaffAction);
        await h.WaitForMailAsync(MailKind.StaffTask, 2);
        EachMailboxOnce(h, MailKind.StaffTask, Mailboxes);

        await h.CompleteTaskAsync(c.Id, "be/crm", StaffTaskOutcome.Done, "Functie aangepast.");
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        EachMailboxOnce(h, MailKind.RecipientNotice, Mailboxes);
        Assert.Single(h.Mail.Of(MailKind.ActionReport));
    }

    [Fact]
    public async Task An_approval_request_one_mailbox_refuses_reaches_the_other_once_and_the_case_waits_for_approval()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = Staff);
        h.Mail.Refuses = "backup-staff@infomat.eu";
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);
        await h.VerifyAsync(c.Id);

        await ReachesAsync(h, c.Id, CaseStatus.AwaitingIdentityApproval);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        // Long enough for the retries the old step made (each resending to the mailbox that took it).
        await Task.Delay(3000);
        EachMailboxOnce(h, MailKind.ApprovalRequest, "privacy-staff@infomat.eu");
        Assert.NotNull((await h.Register.GetAsync(c.Id, default))!.ApprovalMailSentAt);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);

        await h.DecideAsync(c.Id, DecisionOutcome.Approve);
        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
    }

    [Fact]
    public async Task A_passing_fault_on_one_mailbox_is_retried_so_that_mailbox_gets_the_approval_request_too()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = Staff);
        h.Mail.FailNextFor("backup-staff@infomat.eu", 1);
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);
        await h.VerifyAsync(c.Id);

        await ReachesAsync(h, c.Id, CaseStatus.AwaitingIdentityApproval);
        // The step failed on the 503 and ran again: the first mailbox may have it twice, the second has it.
        await h.WaitForMailAsync(MailKind.ApprovalRequest, 3);
        Assert.Single(h.Mail.Of(MailKind.ApprovalRequest), m => m.To == "backup-staff@infomat.eu");
        Assert.NotNull((await h.Register.GetAsync(c.Id, default))!.ApprovalMailSentAt);
    }

    [Fact]
    public async Task A_withdrawal_applied_at_once_is_told_once_to_each_staff_mailbox_that_takes_it()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = Staff);
        h.Mail.Refuses = "backup-staff@infomat.eu";
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(RequestType.WithdrawConsent, entity: ControllerScope.Of("be"));
        await h.WaitForMailAsync(MailKind.Verification);

        await h.VerifyAsync(c.Id);

        Assert.Equal("\"completed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        EachMailboxOnce(h, MailKind.AppliedAtOnce, "privacy-staff@infomat.eu");
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.NotNull(stored.AppliedAtOnceStaffToldAt);
        Assert.Single(h.Mail.Of(MailKind.ActionReport));
    }

    [Fact]
    public async Task When_no_staff_mailbox_takes_the_approval_request_the_step_fails_and_is_not_recorded_as_sent()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Staff.Address = "privacy-staff@infomat.eu");
        h.Mail.Refuses = "privacy-staff@infomat.eu";
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);

        await h.VerifyAsync(c.Id);

        // The mail service took it for nobody: the step is retried, then the case is flagged for staff; never
        // recorded as requested (the approval wait's reminders count from that record).
        Assert.Equal("\"failed\"", (await h.CompletionAsync(c.Id)).SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Null(stored.ApprovalMailSentAt);
        Assert.Empty(h.Mail.Of(MailKind.ApprovalRequest));
    }
}

/// <summary>A staff setting the mail service would refuse stops the host at start, naming the setting.</summary>
public sealed class StaffSettingValidationTests
{
    private static PrivacyOptions Bind(string address, string? escalation = null)
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string?>
        {
            ["Privacy:Tokens:SigningKey"] = key,
            ["Privacy:Pseudonymisation:Key"] = key,
            ["Privacy:PublicBaseUrl"] = "https://privacy.example/",
            ["Privacy:Staff:Address"] = address,
            ["Privacy:Staff:EscalationAddress"] = escalation,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddLogging().AddInfomatPrivacy(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<PrivacyOptions>>().Value;
    }

    [Fact]
    public void Several_staff_mailboxes_are_accepted_and_a_name_or_a_missing_separator_is_refused_by_setting_name()
    {
        Assert.Equal("privacy@infomat.eu; backup@infomat.eu", Bind("privacy@infomat.eu; backup@infomat.eu", "dpo@infomat.eu").Staff.Address);

        var named = Assert.Throws<OptionsValidationException>(() => Bind("Privacy team <privacy@infomat.eu>"));
        Assert.Contains("Privacy:Staff:Address", named.Message, StringComparison.Ordinal);
        var spaced = Assert.Throws<OptionsValidationException>(() => Bind("privacy@infomat.eu", "dpo@infomat.eu backup@infomat.eu"));
        Assert.Contains("Privacy:Staff:EscalationAddress", spaced.Message, StringComparison.Ordinal);
    }
}
