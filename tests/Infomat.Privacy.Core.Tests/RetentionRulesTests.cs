using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;
using Infomat.Privacy.TestSupport;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Issue 16, items 3 and 9: the end of each record the system keeps, as the case and the privacy notice state it.</summary>
public sealed class RetentionRulesTests
{
    private static readonly DateTimeOffset Closed = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static PrivacyCase Access(string email = "an.peeters@example.be")
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, email, "An", null, ControllerScope.Of("be"), Language.Nl, null, null), Channel.Form, Closed.AddDays(-2), TestDataMaps.Real);
        return (c with { ExportBlobName = c.Id + "/x.zip", AnswerSentAt = Closed, ExportExpiresAt = Closed.AddDays(7) }).WithStatus(CaseStatus.Completed, Closed);
    }

    [Fact]
    public void Every_kept_record_has_a_rule_and_each_rule_is_stated_with_its_reason_in_nl_fr_and_en()
    {
        Assert.Equal(Enum.GetValues<KeptRecord>(), SystemRetention.Rules.Select(r => r.Record));
        foreach (var rule in SystemRetention.Rules)
        {
            var texts = new[] { Language.Nl, Language.Fr, Language.En }.Select(l => rule.Describe(l, TimeSpan.FromDays(7))).ToList();
            Assert.All(texts, t => Assert.True(t.Length > 40, $"{rule.Record}: '{t}' says too little"));
            Assert.Equal(3, texts.Distinct().Count());
        }

        Assert.Contains("(7 dagen)", SystemRetention.Rules.Single(r => r.Record == KeptRecord.Export).Describe(Language.Nl, TimeSpan.FromDays(7)), StringComparison.Ordinal);
        Assert.Contains("5 years", SystemRetention.Rules.Single(r => r.Record == KeptRecord.CaseIdentifiers).Describe(Language.En, TimeSpan.FromDays(7)), StringComparison.Ordinal);
        Assert.Contains("6 ans", SystemRetention.Rules.Single(r => r.Record == KeptRecord.Case).Describe(Language.Fr, TimeSpan.FromDays(7)), StringComparison.Ordinal);
        Assert.True(SystemRetention.Case > SystemRetention.CaseIdentifiers);
    }

    [Fact]
    public void Identifiers_are_kept_five_calendar_years_and_the_case_six_whatever_day_it_closed()
    {
        // Every closing day of eight years, leap days included: never erased or removed before the policy's years.
        for (var day = new DateTimeOffset(2023, 1, 1, 9, 0, 0, TimeSpan.Zero); day.Year < 2031; day = day.AddDays(1))
        {
            Assert.True(day + SystemRetention.CaseIdentifiers >= day.AddYears(5), $"closed {day:yyyy-MM-dd}: identifiers erased before five years");
            Assert.True(day + SystemRetention.Case >= day.AddYears(6), $"closed {day:yyyy-MM-dd}: case removed before six years");
        }
    }

    [Fact]
    public void A_deleted_export_refuses_the_download_once_and_for_all()
    {
        var c = Access();
        Assert.False(c.IsExportDueForDeletion(Closed.AddDays(7).AddMinutes(-1)));
        Assert.True(c.IsExportDueForDeletion(Closed.AddDays(7)));

        var deleted = c.DeleteExport(Closed.AddDays(7), ExportDeletionReason.LinkEnded).Changed!;
        Assert.Equal(CaseRefusal.ExportDeleted, deleted.DownloadRefusal(5));
        Assert.Equal(CaseRefusal.ExportDeleted, deleted.RecordDownload(Closed.AddDays(7), 5).Refusal);
        Assert.Equal(CaseRefusal.AlreadyDone, deleted.DeleteExport(Closed.AddDays(8), ExportDeletionReason.Erasure, "PR-X").Refusal);
        Assert.False(deleted.IsExportDueForDeletion(Closed.AddDays(30)));
    }

    [Fact]
    public void A_withdrawn_zip_whose_deletion_is_not_recorded_is_due_for_the_sweep_at_once()
    {
        // Staff withdrew it a day after the answer; the delete that followed failed (storage 503), so nothing recorded it gone.
        var withdrawn = Access().RevokeExport("Els Janssens", Closed.AddDays(1)).Changed!;
        Assert.True(withdrawn.IsExportDueForDeletion(Closed.AddDays(1)), "a withdrawn zip left in storage must be swept, not kept until the case is removed");
        Assert.Equal(ExportDeletionReason.Withdrawn, withdrawn.ExportDeletionDue(Closed.AddDays(1)));
        // Past its link's end it is still the withdrawal that deletes it.
        Assert.Equal(ExportDeletionReason.Withdrawn, withdrawn.ExportDeletionDue(Closed.AddDays(30)));

        // Recorded once deleted (by the withdrawal itself, or by the sweep): not due again, and a second record is refused.
        var deleted = withdrawn.RecordExportDeleted(Closed.AddDays(1).AddHours(1), withdrawn).Changed!;
        Assert.Equal(new ExportDeletion(Closed.AddDays(1).AddHours(1), ExportDeletionReason.Withdrawn, null), deleted.ExportDeleted);
        Assert.False(deleted.IsExportDueForDeletion(Closed.AddDays(30)));
        Assert.Equal(CaseRefusal.AlreadyDone, deleted.RecordExportDeleted(Closed.AddDays(2), withdrawn).Refusal);
        // The download page still says it was withdrawn.
        Assert.Equal(CaseRefusal.ExportRevoked, deleted.DownloadRefusal(5));

        // Neither withdrawn nor past its link: nothing to record.
        Assert.Null(Access().ExportDeletionDue(Closed.AddDays(1)));
        var answered = Access();
        Assert.Equal(CaseRefusal.NoExport, answered.RecordExportDeleted(Closed.AddDays(1), answered).Refusal);
        Assert.Equal(ExportDeletionReason.LinkEnded, answered.RecordExportDeleted(Closed.AddDays(7), answered).Changed!.ExportDeleted!.Reason);
    }

    [Fact]
    public void A_case_is_about_the_person_by_address_or_after_its_identifiers_are_erased_by_keyed_hash()
    {
        var c = Access(" AN.Peeters@Example.be ");
        Assert.True(c.IsAbout("an.peeters@example.be", "h1"));
        Assert.False(c.IsAbout("zoe.maes@example.be", "h1"));

        var erased = c.EraseIdentifiers("h1", Closed.AddYears(6), SystemRetention.CaseIdentifiers).Changed!;
        Assert.True(erased.IsAbout("an.peeters@example.be", "h1"));
        Assert.False(erased.IsAbout("an.peeters@example.be", "h2"));
    }

    [Fact]
    public void A_case_is_removed_only_after_its_identifiers_once_closed_and_answered_for_the_whole_retention()
    {
        var c = Access();
        Assert.False(c.IsDueForRemoval(Closed.AddYears(10), SystemRetention.Case));
        var erased = c.EraseIdentifiers("h", Closed.AddYears(6), SystemRetention.CaseIdentifiers).Changed!;
        Assert.False(erased.IsDueForRemoval(Closed.AddYears(6), SystemRetention.Case));
        Assert.True(erased.IsDueForRemoval(Closed.AddYears(6).AddDays(5), SystemRetention.Case));
        Assert.False((erased with { Status = CaseStatus.Failed }).IsDueForRemoval(Closed.AddYears(9), SystemRetention.Case));
    }

    [Fact]
    public void A_joined_request_is_kept_as_long_as_the_request_that_answers_it()
    {
        // Session 45's hunt: a request that joined an open one (decision 84) started its retention when it joined, so its
        // identifiers went months before the five years from the answer that answered it (our last step on it too).
        var joinedAt = Closed.AddMonths(-3);
        var joined = (Access("jan@example.be") with { JoinedCaseId = "PR-OPEN" }).WithStatus(CaseStatus.Joined, joinedAt);
        joined = joined with { History = [new StatusChange(CaseStatus.Joined, joinedAt)] };
        var answering = Access("jan@example.be") with { Id = "PR-OPEN" };
        var open = answering with { Status = CaseStatus.InProgress, History = [new StatusChange(CaseStatus.InProgress, joinedAt)] };
        var justPast = joinedAt + SystemRetention.CaseIdentifiers + TimeSpan.FromDays(1);

        Assert.True(joined.IsDueForIdentifierErasure(justPast, SystemRetention.CaseIdentifiers), "alone, from its own closing");
        Assert.False(joined.IsDueForIdentifierErasure(justPast, SystemRetention.CaseIdentifiers, answering), "the answer came three months after the join");
        Assert.False(joined.IsDueForIdentifierErasure(justPast.AddYears(10), SystemRetention.CaseIdentifiers, open), "the answering request is still open");
        var failed = open.WithStatus(CaseStatus.Failed, Closed.AddDays(1));
        Assert.False(joined.IsDueForIdentifierErasure(justPast.AddYears(10), SystemRetention.CaseIdentifiers, failed), "the answering request failed and still owes its answer");
        Assert.True(joined.IsDueForIdentifierErasure(Closed + SystemRetention.CaseIdentifiers + TimeSpan.FromDays(1), SystemRetention.CaseIdentifiers, answering));
        Assert.Equal(CaseRefusal.NotDueForErasure, joined.EraseIdentifiers("h", justPast, SystemRetention.CaseIdentifiers, answering).Refusal);

        var erased = joined.EraseIdentifiers("h", Closed.AddYears(6), SystemRetention.CaseIdentifiers, answering).Changed!;
        Assert.False(erased.IsDueForRemoval(joinedAt + SystemRetention.Case + TimeSpan.FromDays(1), SystemRetention.Case, answering));
        Assert.True(erased.IsDueForRemoval(Closed + SystemRetention.Case + TimeSpan.FromDays(1), SystemRetention.Case, answering));
    }
}
