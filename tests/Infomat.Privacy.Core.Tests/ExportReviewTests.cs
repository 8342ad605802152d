using System.Text.Json.Nodes;

using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The rights of others (Art. 15(4)): which exports wait for a staff review of their free text, what the register keeps
/// of a withheld value, and what the export says in its place.
/// </summary>
public sealed class ExportReviewTests
{
    private static readonly DateTimeOffset Received = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly DataMap Map = TestDataMaps.Real;

    private static readonly StoreMap Crm = Map.Store("be/crm");

    private static readonly byte[] Key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    private static PrivacyCase InProgress(RequestType type, params RequestType[] also)
    {
        var c = PrivacyCase.Received(new ValidRequest(type, "an.peeters@example.be", "An Peeters", null, ControllerScope.AllOf(Map.ControllerCodes), Language.Nl, null, null) { AlsoRights = also }, Channel.Form, Received, Map);
        c = Taken(c.Verify(Received.AddMinutes(5)));
        c = Taken(c.RequestApproval(Received.AddMinutes(6)));
        c = Taken(c.Approve(1, "staff", Received.AddMinutes(7), "evidence"));
        return Taken(c.StartWork(Received.AddMinutes(8)));
    }

    private static PrivacyCase Taken(CaseTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Changed!;
    }

    private static async IAsyncEnumerable<StoreRecord> Records(params StoreRecord[] records)
    {
        await Task.Yield();
        foreach (var r in records)
        {
            yield return r;
        }
    }

    private static StoreRecord Note(int id, string? note) =>
        new("activity_notes", new JsonObject { ["id"] = id, ["email"] = "an.peeters@example.be", ["note"] = note });

    [Fact]
    public void An_access_export_with_free_text_waits_for_staff_and_one_without_does_not()
    {
        var access = InProgress(RequestType.Access);

        Assert.True(access.NeedsExportReview(2));
        Assert.False(access.NeedsExportReview(0));
        var waiting = Taken(access.OpenExportReview(2, Received.AddMinutes(9)));
        Assert.Equal(CaseStatus.AwaitingStaffAction, waiting.Status);
        Assert.True(waiting.AwaitsExportReview);
        // The case page offers the review's link while the case waits on it, not once the case failed.
        Assert.False(access.AwaitsExportReviewByStaff);
        Assert.True(waiting.AwaitsExportReviewByStaff);
        Assert.False(Taken(waiting.Fail(Received.AddMinutes(10), "BuildExport")).AwaitsExportReviewByStaff);
        Assert.Equal(CaseRefusal.NotAsked, access.OpenExportReview(0, Received.AddMinutes(9)).Refusal);
    }

    [Fact]
    public async Task Free_text_collected_again_is_reviewed_again_when_it_is_not_what_staff_saw_and_each_review_is_audited()
    {
        var (count, seen) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained."), Note(8, "Called back.")))], Key);
        var (_, same) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(8, "Called back."), Note(7, "Jan Janssens complained.")))], Key);
        var (_, edited) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained again."), Note(8, "Called back.")))], Key);
        var (more, added) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained."), Note(8, "Called back."), Note(9, "Piet too.")))], Key);
        Assert.Equal((2, 3), (count, more));
        Assert.Equal(seen, same);
        Assert.NotEqual(seen, edited);
        Assert.NotEqual(seen, added);
        Assert.DoesNotContain("Janssens", seen, StringComparison.Ordinal);
        // Keyed: without the key, a guess of the text cannot be checked against the register.
        Assert.NotEqual(seen, (await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained."), Note(8, "Called back.")))], new byte[32])).Fingerprint);

        var waiting = Taken(Taken(InProgress(RequestType.Access).OpenExportReview(count, Received.AddMinutes(9), seen)).ExportReviewMailSent(Received.AddMinutes(10)));
        Assert.False(waiting.NeedsExportReviewAgain(more, added));
        var done = Taken(waiting.CompleteExportReview([new WithheldValue("be/crm", "activity_notes", "7", "note")], "Els", Received.AddHours(2)));

        // A retry that collects the same text goes on; other text (or none the review can show it saw) waits again.
        // The zip is built only from the free text the review covered.
        Assert.Null(done.ExportBuildRefusal(count, seen));
        Assert.Null(done.ExportBuildRefusal(0, "none"));
        Assert.Equal(CaseRefusal.NotReviewed, done.ExportBuildRefusal(more, added));
        Assert.Equal(CaseRefusal.NotReviewed, waiting.ExportBuildRefusal(count, seen));
        Assert.Null(InProgress(RequestType.Portability).ExportBuildRefusal(count, seen));
        Assert.False(done.NeedsExportReviewAgain(count, seen));
        Assert.False(done.NeedsExportReviewAgain(0, "none"));
        Assert.True((done with { Review = done.Review! with { Fingerprint = null } }).NeedsExportReviewAgain(count, seen));
        Assert.Equal(CaseRefusal.NotAsked, done.ReopenExportReview(count, seen, Received.AddDays(3)).Refusal);
        var again = Taken(done.ReopenExportReview(more, added, Received.AddDays(3)));
        Assert.Equal(CaseStatus.AwaitingStaffAction, again.Status);
        Assert.True(again.AwaitsExportReview);
        Assert.Empty(again.Withheld);
        Assert.Equal(done.Review, Assert.Single(again.EarlierReviews));

        again = Taken(Taken(again.ExportReviewMailSent(Received.AddDays(3))).CompleteExportReview([], "Jan", Received.AddDays(4)));

        // The fingerprints go with the identifiers when the register's retention ends.
        var kept = Taken(Taken(again.Complete(Received.AddDays(5))).EraseIdentifiers("subject", Received.AddYears(10), TimeSpan.FromDays(365)));
        Assert.Null(kept.Review!.Fingerprint);
        Assert.All(kept.EarlierReviews, r => Assert.Null(r.Fingerprint));
        Assert.Single(kept.EarlierReviews);
        var audit = CaseAudit.Entries(again, new KeyedHash(new byte[32]));
        Assert.Equal(["export-review-opened", "export-review-opened.1"], audit.Where(e => e.Action == "export-review-opened").Select(e => e.Key));
        Assert.Equal([("Els", "withheld=1 columns=be/crm.activity_notes.note"), ("Jan", "withheld=0")],
            audit.Where(e => e.Action == "export-reviewed").Select(e => (e.Actor, e.Outcome)));
    }

    [Fact]
    public void A_zip_written_before_the_review_that_now_stands_is_written_again_unless_its_link_may_have_gone()
    {
        // Reviewed, the zip written, then the case failed before its link went (a mail outage); retried, it collected
        // again, the free text had changed, and staff reviewed it again, withholding a value. Review of 5 December: the
        // old zip was handed out, with neither the new data nor the new withholding.
        var reviewed = Taken(Taken(Taken(InProgress(RequestType.Access).OpenExportReview(2, Received.AddMinutes(9), "first")).ExportReviewMailSent(Received.AddMinutes(10)))
            .CompleteExportReview([], "Els", Received.AddHours(2)));
        var written = Taken(reviewed.ExportWritten("c/x.zip", Received.AddHours(3)));
        Assert.False(written.ExportPredatesReview);

        var reopened = Taken(Taken(Taken(written.ReopenExportReview(3, "second", Received.AddDays(3))).ExportReviewMailSent(Received.AddDays(3)))
            .CompleteExportReview([new WithheldValue("be/crm", "activity_notes", "9", "note")], "Jan", Received.AddDays(4)));
        Assert.True(reopened.ExportPredatesReview);
        var replaced = Taken(reopened.ReplaceExport(Received.AddDays(4)));
        Assert.Null(replaced.ExportWrittenAt);
        Assert.False(Taken(replaced.ExportWritten("c/x.zip", Received.AddDays(4).AddMinutes(1))).ExportPredatesReview);

        // Its link may have reached the requester: that zip is their answer and stands.
        Assert.False(Taken(reopened.ClaimAnswer(Received.AddDays(4))).ExportPredatesReview);
        // Recorded before the time was kept: older than any review after the first.
        Assert.True((reopened with { ExportWrittenAt = null }).ExportPredatesReview);
        Assert.False((written with { ExportWrittenAt = null }).ExportPredatesReview);
    }

    [Fact]
    public void A_portability_export_alone_goes_out_without_review_but_one_beside_access_is_reviewed()
    {
        Assert.False(InProgress(RequestType.Portability).NeedsExportReview(3));
        Assert.True(InProgress(RequestType.Portability, RequestType.Access).NeedsExportReview(3));
        Assert.False(InProgress(RequestType.Erasure).NeedsExportReview(3));
    }

    [Fact]
    public async Task Free_text_collected_again_while_the_review_is_open_is_what_staff_review_and_a_page_opened_before_is_refused()
    {
        // Review of 7 December: a release restarted the run (or a staff retry did) while staff had not yet reviewed; it
        // collected again and a note had changed. The open review kept the fingerprint of the first collect, staff
        // reviewed the new values on the page, and the build then refused them as unreviewed: the case failed.
        var (count, seen) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained."), Note(8, "Called back.")))], Key);
        var (more, added) = await FreeTextReview.FingerprintAsync([(Crm, Records(Note(7, "Jan Janssens complained."), Note(8, "Called back."), Note(9, "Piet too.")))], Key);
        var waiting = Taken(Taken(InProgress(RequestType.Access).OpenExportReview(count, Received.AddMinutes(9), seen)).ExportReviewMailSent(Received.AddMinutes(10)));
        var pageBefore = waiting.ExportReviewBasis;

        Assert.Equal(CaseRefusal.NotAsked, waiting.RefreshOpenExportReview(count, seen, Received.AddHours(1)).Refusal);
        var refreshed = Taken(waiting.RefreshOpenExportReview(more, added, Received.AddHours(1)));

        Assert.True(refreshed.AwaitsExportReviewByStaff);
        // Its link went already: no second mail; the same link shows what is staged now.
        Assert.False(refreshed.NeedsReviewMail);
        // A page opened before shows values that are no longer what goes out: its review is refused.
        Assert.Equal(CaseRefusal.DecisionBasisChanged, refreshed.CompleteExportReviewAsShown(pageBefore, [], "Els", Received.AddHours(2)).Refusal);
        var done = Taken(refreshed.CompleteExportReviewAsShown(refreshed.ExportReviewBasis, [], "Els", Received.AddHours(2)));
        // The zip is built from what was reviewed.
        Assert.Null(done.ExportBuildRefusal(more, added));
        Assert.Equal(CaseRefusal.NotReviewed, done.ExportBuildRefusal(count, seen));
        // Reviewed already: nothing to refresh.
        Assert.Equal(CaseRefusal.NotAsked, done.RefreshOpenExportReview(count, seen, Received.AddHours(3)).Refusal);
    }

    [Fact]
    public void The_review_records_which_values_were_withheld_by_whom_and_the_first_review_stands()
    {
        var waiting = Taken(InProgress(RequestType.Access).OpenExportReview(2, Received.AddMinutes(9)));
        var withheld = new WithheldValue("be/crm", "activity_notes", "7", "note");

        var done = Taken(waiting.CompleteExportReview([withheld], "Els (DPO)", Received.AddHours(2)));

        Assert.Equal(CaseStatus.InProgress, done.Status);
        Assert.False(done.AwaitsExportReview);
        Assert.Equal([withheld], done.Withheld);
        Assert.Equal("Els (DPO)", done.Review!.DoneBy);
        Assert.Equal(CaseRefusal.AlreadyDone, done.CompleteExportReview([], "Jan", Received.AddHours(3)).Refusal);
        Assert.Equal(CaseRefusal.NotAsked, InProgress(RequestType.Access).CompleteExportReview([], "Jan", Received.AddHours(3)).Refusal);
    }

    [Fact]
    public void A_withheld_value_is_kept_as_where_it_was_never_as_what_it_said_and_audited_as_a_count_and_column()
    {
        var waiting = Taken(InProgress(RequestType.Access).OpenExportReview(1, Received.AddMinutes(9)));
        waiting = Taken(waiting.ExportReviewMailSent(Received.AddMinutes(10)));
        var done = Taken(waiting.CompleteExportReview([new WithheldValue("be/crm", "activity_notes", "7", "note")], "Els", Received.AddHours(2)));

        var stored = System.Text.Json.JsonSerializer.Serialize(done);
        Assert.Contains("activity_notes", stored, StringComparison.Ordinal);
        var audit = CaseAudit.Entries(done, new KeyedHash(new byte[32]));
        var reviewed = Assert.Single(audit, e => e.Action == "export-reviewed");
        Assert.Equal("Els", reviewed.Actor);
        Assert.Equal("withheld=1 columns=be/crm.activity_notes.note", reviewed.Outcome);
        Assert.Contains(audit, e => e.Action == "export-review-opened" && e.Outcome == "values=1");
    }

    [Fact]
    public async Task Only_non_empty_free_text_values_are_listed_each_with_its_table_record_and_column()
    {
        var values = await FreeTextReview.ValuesAsync(Crm, Records(
            new StoreRecord("contacts", new JsonObject { ["id"] = 1, ["first_name"] = "An" }),
            Note(7, "Spoke with Jan Janssens of Brouwerij X about An's order."),
            Note(8, "  "),
            Note(9, null))).ToListAsync();

        var value = Assert.Single(values);
        Assert.Equal(new WithheldValue("be/crm", "activity_notes", "7", "note"), value.At);
        Assert.Equal("Spoke with Jan Janssens of Brouwerij X about An's order.", value.Text);
    }

    [Fact]
    public async Task A_withheld_value_is_replaced_by_the_marker_and_every_other_value_stays()
    {
        var records = await FreeTextReview.WithholdAsync(Crm, Records(Note(7, "About Jan Janssens."), Note(8, "Called An back.")),
            [new WithheldValue("be/crm", "activity_notes", "7", "note"), new WithheldValue("nl/crm", "activity_notes", "8", "note")], "[withheld]").ToListAsync();

        Assert.Equal("[withheld]", (string?)records[0].Fields["note"]);
        Assert.Equal("an.peeters@example.be", (string?)records[0].Fields["email"]);
        Assert.Equal("Called An back.", (string?)records[1].Fields["note"]);
    }

    [Fact]
    public void The_form_value_of_a_withheld_value_names_it_again_and_anything_else_is_not_one()
    {
        var value = new WithheldValue("be/portal", "helpdesk_tickets", "a|b", "body");

        Assert.Equal(value, WithheldValue.FromForm(value.FormValue));
        Assert.Null(WithheldValue.FromForm("be/crm|note"));
        Assert.Null(WithheldValue.FromForm(null));
    }

    [Fact]
    public async Task The_zip_shows_the_marker_in_json_and_csv_instead_of_a_withheld_value_and_the_summary_says_how_many_and_why()
    {
        var manifest = new ExportManifest("PR-AAAA-BBBB-CCCC", Language.Fr, "an.peeters@example.be", Received, Map, Map.Controllers,
            [new StorePart(Crm, new Dictionary<string, int> { ["activity_notes"] = 2 })])
        {
            Withheld = [new WithheldValue("be/crm", "activity_notes", "7", "note")],
        };
        using var output = new MemoryStream();
        await ExportPackageWriter.WriteAsync(output, manifest, _ => Records(Note(7, "About Jan Janssens."), Note(8, "Called An back.")), CancellationToken.None);

        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(output.ToArray()));
        string Read(string name)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }

        var json = Read("be/crm.json");
        var csv = Read("be/crm/activity_notes.csv");
        var summary = System.Net.WebUtility.HtmlDecode(Read("summary.html"));
        const string marker = "[retenu pour protéger les droits d'autrui, art. 15, par. 4, RGPD]";
        Assert.Contains(marker, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("tables")[0].GetProperty("records")[0].GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Jan Janssens", json + csv + summary, StringComparison.Ordinal);
        Assert.Contains("Called An back.", json, StringComparison.Ordinal);
        Assert.Contains(marker, csv, StringComparison.Ordinal);
        Assert.Contains("Called An back.", csv, StringComparison.Ordinal);
        Assert.Contains("1 valeur", summary, StringComparison.Ordinal);
        Assert.Contains("art. 15, par. 4, RGPD", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_review_recorded_whose_signal_was_lost_is_seen_by_the_reconciler()
    {
        var waiting = Taken(InProgress(RequestType.Access).OpenExportReview(1, Received.AddMinutes(9)));
        var done = Taken(waiting.CompleteExportReview([], "Els", Received.AddHours(2)));

        Assert.False(waiting.HasMovedPast(new WaitingFor(CaseWait.ExportReview)));
        Assert.True(done.HasMovedPast(new WaitingFor(CaseWait.ExportReview)));
    }
}
