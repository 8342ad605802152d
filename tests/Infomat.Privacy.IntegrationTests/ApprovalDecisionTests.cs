using System.Net;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Issue 17 items 6 and 8 on the local host: staff refuse a request as manifestly unfounded or excessive (Art. 12(5)),
/// and give a note with evidence "other". Staff pages speak Dutch here (the local host's staff language).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApprovalDecisionTests(Azurite azurite) : LocalHostTests(azurite)
{
    private const string Reasons = "Dit is uw twaalfde identieke verzoek deze maand; elk werd binnen de week volledig beantwoord.";

    private static string Fresh(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    [Fact]
    public async Task A_request_refused_as_manifestly_unfounded_or_excessive_tells_the_requester_why_and_shows_as_its_own_outcome()
    {
        var id = await Flows.SubmitAsync(Fresh("herhaald"), language: "nl");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        var page = await Flows.Http.GetStringAsync(link);
        Assert.Contains("Weigeren: kennelijk ongegrond of buitensporig verzoek (art. 12, lid 5, AVG)", page, StringComparison.Ordinal);
        Assert.Contains("Infomat moet aantonen", page, StringComparison.Ordinal);

        // Without its reasons nothing is decided.
        var bare = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "manifestly-unfounded-or-excessive"), ("reason", " "));
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        using (var waiting = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingIdentityApproval", waiting.RootElement.GetProperty("status").GetString());
        }

        var decided = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "manifestly-unfounded-or-excessive"), ("reason", Reasons));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var mail = await Host.Mailbox.WaitForAsync("rejection", id);
        Assert.Contains("kennelijk ongegrond of buitensporig", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("art. 12, lid 5, AVG", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(Reasons, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("art. 79 AVG", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("zes weken", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Autoriteit Persoonsgegevens", mail.TextBody, StringComparison.Ordinal);

        using (var status = await Flows.StatusOnceAsync(id, "Rejected"))
        {
            Assert.Equal("Rejected", status.RootElement.GetProperty("status").GetString());
            Assert.Equal("manifestly-unfounded-or-excessive", status.RootElement.GetProperty("refusal").GetString());
        }

        var outcome = "geweigerd: kennelijk ongegrond of buitensporig verzoek (art. 12, lid 5, AVG)";
        var casePage = await Flows.Http.GetStringAsync($"/cases/{id}");
        Assert.Contains(outcome, casePage, StringComparison.Ordinal);
        Assert.Contains(Reasons, casePage, StringComparison.Ordinal);
        var auditTable = casePage[casePage.IndexOf("<table", StringComparison.Ordinal)..];
        Assert.Contains("refused manifestly-unfounded-or-excessive (Art. 12(5))", auditTable, StringComparison.Ordinal);
        // Decision 139: staff read what each event is in their language; the record beside it stays as chained.
        Assert.Contains("<td>Beslissing van medewerkers over het verzoek</td>", auditTable, StringComparison.Ordinal);
        Assert.Contains("<td>Verzoek ontvangen</td><td>Systeem (automatisch)</td>", auditTable, StringComparison.Ordinal);
        Assert.Contains("<td>Link om het adres te bevestigen naar de verzoeker verstuurd</td>", auditTable, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>identity-decided</td>", auditTable, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>system</td>", auditTable, StringComparison.Ordinal);
        Assert.DoesNotContain("twaalfde", auditTable, StringComparison.Ordinal);
        Assert.Contains(outcome, await Flows.Http.GetStringAsync($"/cases?q={id}"), StringComparison.Ordinal);
        var csv = await Flows.Http.GetStringAsync("/cases.csv");
        Assert.EndsWith(",manifestly-unfounded-or-excessive,", csv.Split("\r\n").Single(line => line.StartsWith(id, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Empty(Host.Mailbox.Of("export-ready", id));
    }

    [Fact]
    public async Task Evidence_other_needs_a_note_which_is_kept_and_shown_on_the_case_page_but_not_in_the_audit()
    {
        var id = await Flows.SubmitAsync(Fresh("ander.bewijs"), language: "nl");
        await Flows.VerifyAsync(id);
        var link = await Flows.ApprovalLinkAsync(id);
        var page = await Flows.Http.GetStringAsync(link);
        Assert.Contains("andere (licht toe in de notitie hieronder)", page, StringComparison.Ordinal);
        Assert.DoesNotContain("dossiernotities", page, StringComparison.Ordinal);

        var missing = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "approve"), ("evidence", "other"), ("evidence_note", "  "));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("Notitie bij het bewijs", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var waiting = await Flows.StatusAsync(id))
        {
            Assert.Equal("AwaitingIdentityApproval", waiting.RootElement.GetProperty("status").GetString());
        }

        Assert.DoesNotContain("identity-approved", await Flows.Http.GetStringAsync($"/cases/{id}"), StringComparison.Ordinal);

        const string note = "Teruggebeld op het vaste nummer uit ons CRM; zij bevestigde het verzoek.";
        var approved = await Flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "approve"), ("evidence", "other"), ("evidence_note", note));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await Flows.DownloadLinkAsync(id);

        var casePage = await Flows.Http.GetStringAsync($"/cases/{id}");
        var auditTable = casePage[casePage.IndexOf("<table", StringComparison.Ordinal)..];
        Assert.Contains(note, casePage[..casePage.IndexOf("<table", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("evidence=other note=given", auditTable, StringComparison.Ordinal);
        Assert.DoesNotContain("Teruggebeld", auditTable, StringComparison.Ordinal);
    }
}
