using System.IO.Compression;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// Controllers are data: Infomat Luxembourg is added to the data map (controller, authority, store) and nothing else,
/// and a request addressed to it runs through the real orchestration like any other.
/// </summary>
public sealed class ThirdControllerTests
{
    private const string Email = "an.peeters@example.be";

    [Fact]
    public async Task An_access_request_to_a_controller_added_in_the_data_map_collects_only_its_store_and_exports_under_its_name()
    {
        var map = TestDataMaps.WithLuxembourg();
        await using var h = await WorkflowHarness.StartAsync(map: map);
        h.Stores.Data["be/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An", ["company"] = "Brouwerij Peeters NV" }] };
        h.Stores.Data["lu/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An", ["company"] = "Peeters Luxembourg SARL" }] };
        var c = await h.NewCaseAsync(entity: ControllerScope.Of("lu"));

        await h.VerifyAndAwaitApprovalAsync(c.Id);
        var approval = Assert.Single(h.Mail.Of(MailKind.ApprovalRequest));
        Assert.Contains("Infomat Luxembourg", approval.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Infomat België", approval.TextBody, StringComparison.Ordinal);
        await h.DecideAsync(c.Id, DecisionOutcome.Approve);

        var done = await h.CompletionAsync(c.Id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Equal(ControllerScope.Of("lu"), stored.Entity);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));

        // Only the Luxembourg store was read.
        Assert.Equal(["lu/crm"], h.Stores.Calls.Keys);
        using var zip = new ZipArchive(new MemoryStream(h.Exports.Blobs[stored.ExportBlobName!]));
        Assert.Equal(["summary.html", "lu/crm.json", "lu/crm/contacts.csv"], zip.Entries.Select(e => e.FullName));
        using var summary = new StreamReader(zip.GetEntry("summary.html")!.Open());
        var html = await summary.ReadToEndAsync();
        Assert.Contains(TestDataMaps.LuxembourgLegalName, html, StringComparison.Ordinal);
        Assert.Contains(TestDataMaps.LuxembourgEnterpriseNumber, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Brouwerij Peeters NV", html, StringComparison.Ordinal);
        using var crm = new StreamReader(zip.GetEntry("lu/crm.json")!.Open());
        Assert.Contains("Peeters Luxembourg SARL", await crm.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_to_every_controller_of_a_three_controller_map_acts_in_the_new_store_too_and_names_all_three()
    {
        var map = TestDataMaps.WithLuxembourg();
        await using var h = await WorkflowHarness.StartAsync(map: map);
        h.Stores.Data["lu/crm"] = new() { [Email] = [new JsonObject { ["first_name"] = "An" }] };
        var c = await h.NewCaseAsync(RequestType.Erasure);
        Assert.Equal(["be", "nl", "lu"], c.Entity.Codes);

        await h.ApproveAsync(c.Id);
        await h.CompletionAsync(c.Id);

        Assert.Equal(map.Stores.Count, h.Stores.Applied.Count(a => a.Key.Action == StoreAction.Erase));
        Assert.Empty(h.Stores.Data["lu/crm"][Email]);
        var report = Assert.Single(h.Mail.Of(MailKind.ActionReport)).TextBody;
        Assert.Contains("BE0460190566", report, StringComparison.Ordinal);
        Assert.Contains("NL810585091B01", report, StringComparison.Ordinal);
        Assert.Contains(TestDataMaps.LuxembourgEnterpriseNumber, report, StringComparison.Ordinal);
        Assert.Contains("CNPD", report, StringComparison.Ordinal);
    }
}
