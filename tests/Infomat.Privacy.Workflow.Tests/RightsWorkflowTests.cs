using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>Every right other than access, through the real orchestration: what the stores get, what the requester reads.</summary>
public sealed class RightsWorkflowTests
{
    private static void Holds(WorkflowHarness h, string store, string email = "an.peeters@example.be") =>
        h.Stores.Data[store] = new() { [email] = [new JsonObject { ["first_name"] = "An", ["phone"] = "+32 3 555 01 01" }] };

    [Fact]
    public async Task Erasure_acts_once_in_every_store_and_ends_with_a_report_naming_both_controllers()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        Holds(h, "nl/crm");
        h.Stores.FailuresLeft["nl/crm"] = 1;
        var c = await h.NewCaseAsync(RequestType.Erasure);
        await h.ApproveAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"completed\"", done.SerializedOutput);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Equal(8, h.Stores.Applied.Count(a => a.Key.CaseId == c.Id && a.Key.Action == StoreAction.Erase));
        Assert.Empty(h.Stores.Data["be/crm"]["an.peeters@example.be"]);

        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        Assert.Equal("an.peeters@example.be", report.To);
        Assert.Contains("We hebben 2 records over u gewist", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Infomat België (BE0460190566) — CRM:", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Infomat Nederland (NL810585091B01) — CRM:", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Resultaat: niets in dit systeem komt nog overeen met uw adres.", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", report.TextBody, StringComparison.Ordinal);
        Assert.Empty(h.Mail.Of(MailKind.ExportReady));

        var payloads = string.Join("|", done.SerializedInput, done.SerializedOutput, done.SerializedCustomStatus);
        Assert.DoesNotContain("peeters", payloads, StringComparison.OrdinalIgnoreCase);

        // The audit trail has one event per store (the retried one too: once), with counts and no address.
        var events = await h.Audit.ListAsync(c.Id, default);
        var storeEvents = events.Where(e => e.Action == "store-action").ToList();
        Assert.Equal(8, storeEvents.Count);
        Assert.Contains(storeEvents, e => e.Outcome.StartsWith("be/crm erase matched=1 deleted=1", StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain("peeters", e.Outcome + e.Actor + e.Subject, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_store_down_during_erasure_fails_the_case_sends_nothing_and_keeps_what_the_other_store_did()
    {
        await using var h = await WorkflowHarness.StartAsync(orchestrator: WorkflowHarness.QuickStoreRetries);
        Holds(h, "be/crm");
        h.Stores.FailuresLeft["nl/crm"] = 100;
        var c = await h.NewCaseAsync(RequestType.Erasure);
        await h.ApproveAsync(c.Id);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal("\"failed\"", done.SerializedOutput);
        Assert.Equal(CaseStatus.Failed, (await h.Register.GetAsync(c.Id, default))!.Status);
        Assert.Empty(h.Mail.Of(MailKind.ActionReport));
        Assert.Contains(h.Stores.Applied.Keys, k => k.CaseId == c.Id && k.Store == "be/crm");
        Assert.DoesNotContain(h.Stores.Applied.Keys, k => k.CaseId == c.Id && k.Store == "nl/crm");
    }

    [Fact]
    public async Task Rectification_waits_for_staff_on_each_store_holding_data_then_reports_their_notes()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        Holds(h, "nl/crm");
        var c = await h.NewCaseAsync(RequestType.Rectification, details: "Mijn functie is nu Finance director.");
        await h.ApproveAsync(c.Id);

        await h.WaitForMailAsync(MailKind.StaffTask);
        var waiting = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingStaffAction, waiting.Status);
        Assert.Equal(["be/crm", "nl/crm"], waiting.Tasks.Select(t => t.StoreKey));
        var staffMail = Assert.Single(h.Mail.Of(MailKind.StaffTask));
        Assert.Contains("/tasks?token=", staffMail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Mijn functie is nu Finance director.", staffMail.TextBody, StringComparison.Ordinal);

        await h.CompleteTaskAsync(c.Id, "be/crm", StaffTaskOutcome.Done, "Functie aangepast naar Finance director.");
        await Task.Delay(500);
        Assert.Empty(h.Mail.Of(MailKind.ActionReport));
        Assert.Equal(CaseStatus.AwaitingStaffAction, (await h.Register.GetAsync(c.Id, default))!.Status);

        await h.CompleteTaskAsync(c.Id, "nl/crm", StaffTaskOutcome.Done);
        await h.CompletionAsync(c.Id);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Equal([CaseStatus.AwaitingStaffAction, CaseStatus.InProgress, CaseStatus.Completed], stored.History.Select(x => x.Status).TakeLast(3));
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport));
        Assert.Contains("We hebben uw gegevens verbeterd", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("Functie aangepast naar Finance director.", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("We brengen elk van hen op de hoogte van deze wijziging", report.TextBody, StringComparison.Ordinal);
        // Art. 19: each recipient the report names is a notice staff work through on the case page.
        Assert.NotEmpty(stored.RecipientNotices);
        Assert.Equal(stored.RecipientsToInform(h.Map, []).Select(r => r.Key), stored.RecipientNotices.Select(n => n.Recipient));
        Assert.All(stored.RecipientNotices, n => Assert.Null(n.InformedAt));
        // Staff are told which recipients to tell, with the case page to record it.
        var toTell = Assert.Single(h.Mail.Of(MailKind.RecipientNotice));
        Assert.All(stored.RecipientsToInform(h.Map, []), r => Assert.Contains(r.Name.In(Language.Nl), toTell.TextBody, StringComparison.Ordinal));
        Assert.Contains($"/cases/{c.Id}", toTell.TextBody, StringComparison.Ordinal);
        Assert.Empty(h.Stores.Applied);
    }

    [Fact]
    public async Task A_staff_mail_failing_after_the_report_leaves_the_recipients_to_tell_on_the_case_and_the_daily_sweep_mails_them()
    {
        // The report tells the requester we tell each recipient (Art. 19); then the mail service goes down before staff are
        // mailed which ones. The case is finished (no failure flag, no retry): the notices must already be on it, and the
        // mail owed must go with the next daily sweep.
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(RequestType.Restriction);
        h.Mail.AfterSend = m => h.Mail.Down |= m.Kind == MailKind.ActionReport;
        await h.ApproveAsync(c.Id);

        await h.CompletionAsync(c.Id);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Contains("We brengen elk van hen op de hoogte", Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody, StringComparison.Ordinal);
        Assert.Empty(h.Mail.Of(MailKind.RecipientNotice));
        Assert.NotEmpty(stored.RecipientNotices);
        Assert.All(stored.RecipientNotices, n => Assert.Null(n.InformedAt));
        Assert.True(stored.NeedsRecipientsMail);

        h.Mail.Down = false;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        var sweep = new Http.Cases.CaseMaintenance(h.Register, h.Mail, new KeyedHash(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            Microsoft.Extensions.Options.Options.Create(h.Options), clock, TestWorkflows.Metrics(), new ListLogger<Http.Cases.CaseMaintenance>(), h.Map);
        var result = await sweep.RunAsync(h.Client, CancellationToken.None);

        Assert.Equal(1, result.RecipientMails);
        var toTell = Assert.Single(h.Mail.Of(MailKind.RecipientNotice));
        Assert.Contains($"/cases/{c.Id}", toTell.TextBody, StringComparison.Ordinal);
        Assert.All(stored.RecipientNotices, n => Assert.Contains(h.Map.Recipients[n.Recipient].Name.In(Language.Nl), toTell.TextBody, StringComparison.Ordinal));
        Assert.False((await h.Register.GetAsync(c.Id, default))!.NeedsRecipientsMail);
        Assert.Equal(0, (await sweep.RunAsync(h.Client, CancellationToken.None)).RecipientMails);
        Assert.Single(h.Mail.Of(MailKind.RecipientNotice));
    }

    [Fact]
    public async Task Rectification_for_an_address_nobody_holds_is_answered_without_staff_tasks()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync(RequestType.Rectification, email: "nobody@example.org", details: "Spelling van mijn naam.");
        await h.ApproveAsync(c.Id);

        await h.CompletionAsync(c.Id);
        Assert.Empty(h.Mail.Of(MailKind.StaffTask));
        Assert.Contains("er was dus niets te verbeteren", Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upheld_objection_restricts_the_records_in_every_store()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(RequestType.Objection, objection: ObjectionScope.Other, details: "Ik wil niet in de notities staan.");
        await h.ApproveAsync(c.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);
        Assert.Equal("objection", Assert.Single((await h.Register.GetAsync(c.Id, default))!.Tasks).Key);

        await h.CompleteTaskAsync(c.Id, "objection", StaffTaskOutcome.Upheld);
        await h.CompletionAsync(c.Id);

        Assert.Equal(8, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.Restrict));
        Assert.True(h.Stores.Data["be/crm"]["an.peeters@example.be"][0]["restricted"]!.GetValue<bool>());
        Assert.Contains("ingewilligd", Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_objection_tells_the_requester_why_and_changes_no_store()
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(RequestType.Objection, objection: ObjectionScope.Other, details: "Stop met mijn facturen.");
        await h.ApproveAsync(c.Id);
        await h.WaitForMailAsync(MailKind.StaffTask);

        await h.CompleteTaskAsync(c.Id, "objection", StaffTaskOutcome.Refused, "Facturen moeten we 10 jaar bewaren (fiscale plicht).");
        await h.CompletionAsync(c.Id);

        Assert.Empty(h.Stores.Applied);
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody;
        Assert.Contains("dwingende gerechtvaardigde gronden", report, StringComparison.Ordinal);
        Assert.Contains("Facturen moeten we 10 jaar bewaren (fiscale plicht).", report, StringComparison.Ordinal);
        Assert.Contains("Gegevensbeschermingsautoriteit", report, StringComparison.Ordinal);
    }

    // A withdrawal of consent and an objection to direct marketing need no approval: ImmediateRightsWorkflowTests.
    [Theory]
    [InlineData(RequestType.Restriction, StoreAction.Restrict)]
    public async Task Each_store_right_runs_its_action_without_staff_tasks(RequestType type, StoreAction action)
    {
        await using var h = await WorkflowHarness.StartAsync();
        Holds(h, "be/crm");
        var c = await h.NewCaseAsync(type, entity: ControllerScope.Of("be"), objection: type == RequestType.Objection ? ObjectionScope.DirectMarketing : null);
        await h.ApproveAsync(c.Id);

        await h.CompletionAsync(c.Id);
        Assert.Equal(4, h.Stores.Applied.Count(a => a.Key.Action == action));
        Assert.All(h.Stores.Applied.Keys, k => Assert.StartsWith("be/", k.Store, StringComparison.Ordinal));
        Assert.Empty(h.Mail.Of(MailKind.StaffTask));
        Assert.Single(h.Mail.Of(MailKind.ActionReport));
    }
}
