using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The storage adapters against Azurite: the case register, staging and exports with their links.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageAdapterTests(Azurite azurite)
{
    private StorageClients Clients => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build());

    private static PrivacyCase NewCase() => new()
    {
        Id = CaseIds.New(), Type = RequestType.Access, Email = "an.peeters@example.be", Name = "An Peeters", Entity = ControllerScope.AllOf(["be", "nl"]),
        Language = Language.Nl, Channel = Channel.Form, Status = CaseStatus.AwaitingEmailVerification, ReceivedAt = DateTimeOffset.UtcNow,
        DueDate = new DateOnly(2026, 12, 28),
    };

    [Fact]
    public async Task The_register_round_trips_a_case_and_lists_it_until_it_is_finished()
    {
        var register = new TableCaseRegister(Clients);
        var c = NewCase();
        await register.CreateAsync(c, default);
        Assert.Equal(c.Email, (await register.GetAsync(c.Id, default))!.Email);
        Assert.Contains(c.Id, await register.ListUnfinishedAsync(default).ToListAsync());

        await register.UpdateAsync(c.Id, x => x.WithStatus(CaseStatus.Completed, DateTimeOffset.UtcNow), default);
        Assert.DoesNotContain(c.Id, await register.ListUnfinishedAsync(default).ToListAsync());
        Assert.Null(await register.GetAsync(CaseIds.New(), default));

        // An expired case whose notice to the requester has not gone yet is still listed (the reconciler sends it).
        var expired = NewCase();
        await register.CreateAsync(expired, default);
        await register.UpdateAsync(expired.Id, x => x.WithStatus(CaseStatus.Expired, DateTimeOffset.UtcNow), default);
        Assert.Contains(expired.Id, await register.ListUnfinishedAsync(default).ToListAsync());
        await register.UpdateAsync(expired.Id, x => x with { AnswerSentAt = DateTimeOffset.UtcNow }, default);
        Assert.DoesNotContain(expired.Id, await register.ListUnfinishedAsync(default).ToListAsync());
    }

    /// <summary>
    /// Issue 21 item 1: a request that repeats an open one joins it, so the intake looks for such a case on every
    /// submission. With many open cases of other people (a spike), that search must ask the register for this
    /// requester's cases only, not read every open case one by one (each submission would then cost one read per open
    /// case: the intake benchmark saw 0.4 s per request with 600 open cases, a minute at 64 clients).
    /// </summary>
    [Fact]
    public async Task Finding_an_open_case_that_asks_the_same_reads_only_that_requesters_cases_however_many_others_are_open()
    {
        var counting = new CountingPolicy();
        var register = new TableCaseRegister(azurite.ClientsWithTablePolicies(counting));
        var run = Guid.NewGuid().ToString("N")[..8];
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await register.CreateAsync(NewCase() with { Id = CaseIds.New(), Email = $"other.{run}.{i}@example.be" }, ct));
        // Confirmed: a mail joins only a request whose address is confirmed (decision 107).
        var mine = NewCase() with { Email = $"Same.{run}@example.be", EmailVerifiedAt = DateTimeOffset.UtcNow };
        await register.CreateAsync(mine, default);
        var openRequests = new Http.Intake.OpenRequests(register, new KeyedHash(new byte[32]), TimeProvider.System);
        var request = new ValidRequest(RequestType.Access, $" same.{run}@EXAMPLE.be", "An Peeters", null, mine.Entity, Language.En, null);

        counting.Reset();
        var found = await openRequests.FindSameAsync(request, default);

        Assert.Equal(mine.Id, found?.Id);
        Assert.True(counting.Requests <= 3, $"{counting.Requests} table requests to find one requester's open case among 200 others");
        // Another right of the same person is another request, found to be none as cheaply; a finished case is joined by nothing.
        counting.Reset();
        Assert.Null(await openRequests.FindSameAsync(request with { Type = RequestType.Erasure }, default));
        Assert.True(counting.Requests <= 3, $"{counting.Requests} table requests to find that one requester has no such open case among 200 others");
        await register.UpdateAsync(mine.Id, x => x.WithStatus(CaseStatus.Completed, DateTimeOffset.UtcNow), default);
        Assert.Null(await openRequests.FindSameAsync(request, default));
    }

    /// <summary>
    /// Mail from a requester must still find their case while it is flagged failed (a fresh mail answering a request
    /// for identification): the look-up by address lists their failed cases with the open ones, not others' nor their
    /// answered ones.
    /// </summary>
    [Fact]
    public async Task The_look_up_by_address_for_mail_lists_the_requesters_open_and_failed_cases_only()
    {
        var register = new TableCaseRegister(Clients);
        var run = Guid.NewGuid().ToString("N")[..8];
        var open = NewCase() with { Id = CaseIds.New(), Email = $"mail.{run}@example.be" };
        var failed = NewCase() with { Id = CaseIds.New(), Email = $"mail.{run}@example.be" };
        var answered = NewCase() with { Id = CaseIds.New(), Email = $"mail.{run}@example.be" };
        var someoneElse = NewCase() with { Id = CaseIds.New(), Email = $"other.{run}@example.be" };
        foreach (var c in new[] { open, failed, answered, someoneElse })
        {
            await register.CreateAsync(c, default);
        }

        await register.UpdateAsync(failed.Id, x => x.Fail(DateTimeOffset.UtcNow, "TendApprovalWait").Changed, default);
        await register.UpdateAsync(answered.Id, x => x.WithStatus(CaseStatus.Completed, DateTimeOffset.UtcNow), default);

        var listed = await register.ListUnansweredOfAsync($"Mail.{run}@EXAMPLE.be", default).ToListAsync();
        Assert.Equal(new[] { open.Id, failed.Id }.Order(), listed.Order());
        // The look-up for joining requests keeps to open cases.
        Assert.Equal([open.Id], await register.ListUnfinishedOfAsync($"mail.{run}@example.be", default).ToListAsync());
    }

    /// <summary>
    /// A lift asks the register for the requester's own cases, whatever their status, to find an upheld objection it
    /// must not undo (decision 123). An objection upheld years ago may have had its address erased by the register since
    /// (its keyed hash stays): it is still that person's, and still found.
    /// </summary>
    [Fact]
    public async Task The_look_up_of_a_persons_cases_finds_them_whatever_their_status_and_those_whose_address_was_erased_by_its_keyed_hash()
    {
        var register = new TableCaseRegister(Clients);
        var hash = new KeyedHash(new byte[32]);
        var run = Guid.NewGuid().ToString("N")[..8];
        var address = $"lift.{run}@example.be";
        var open = NewCase() with { Id = CaseIds.New(), Email = address };
        var answered = NewCase() with { Id = CaseIds.New(), Email = address };
        var probe = NewCase() with { Email = address };
        var erased = NewCase() with { Id = CaseIds.New(), Email = string.Empty, Name = string.Empty, SubjectHash = probe.SubjectIn(hash), IdentifiersErasedAt = DateTimeOffset.UtcNow };
        var someoneElse = NewCase() with { Id = CaseIds.New(), Email = $"other.{run}@example.be" };
        var someoneElseErased = NewCase() with { Id = CaseIds.New(), Email = string.Empty, Name = string.Empty, SubjectHash = someoneElse.SubjectIn(hash), IdentifiersErasedAt = DateTimeOffset.UtcNow };
        foreach (var c in new[] { open, answered, erased, someoneElse, someoneElseErased })
        {
            await register.CreateAsync(c, default);
        }

        await register.UpdateAsync(answered.Id, x => x.WithStatus(CaseStatus.Completed, DateTimeOffset.UtcNow), default);

        var listed = await register.ListOfAsync($" Lift.{run}@EXAMPLE.be", probe.SubjectIn(hash), default).ToListAsync();

        Assert.Equal(new[] { open.Id, answered.Id, erased.Id }.Order(), listed.Order());
        // Without the keyed hash, only the cases that still hold the address.
        Assert.Equal(new[] { open.Id, answered.Id }.Order(), (await register.ListOfAsync(address, null, default).ToListAsync()).Order());

        // A row the register wrote before it kept the hash in a column of its own (shape 2): still listed for the look-up,
        // and given the column by the daily rewrite.
        var table = Clients.Tables.GetTableClient(TableCaseRegister.CasesTable);
        var row = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(erased.Id, "case")).Value;
        row.Remove("Subject");
        row["ListVersion"] = 2;
        await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        Assert.Contains(erased.Id, await register.ListOfAsync(address, probe.SubjectIn(hash), default).ToListAsync());
        Assert.InRange(await register.RefreshListEntriesAsync(default), 1, int.MaxValue);
        var rewritten = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(erased.Id, "case")).Value;
        Assert.Equal((probe.SubjectIn(hash), 3), (rewritten.GetString("Subject"), rewritten.GetInt32("ListVersion")));
    }

    /// <summary>
    /// Issue 21: the intake writes a case and records its link a moment later, and each step reads the case then records
    /// what it did. The second write costs one request, not a read and a write; another instance's change in between is
    /// never written over, and a change that refuses on what this instance last saw is decided again on the row as it is.
    /// </summary>
    [Fact]
    public async Task An_update_after_this_instances_write_is_one_request_and_never_loses_or_misjudges_another_instances_change()
    {
        var counting = new CountingPolicy();
        var here = new TableCaseRegister(azurite.ClientsWithTablePolicies(counting));
        var elsewhere = new TableCaseRegister(Clients);
        var c = NewCase();
        await here.CreateAsync(c, default);
        var sentAt = DateTimeOffset.UtcNow;

        counting.Reset();
        await here.UpdateAsync(c.Id, x => x with { VerificationMailSentAt = sentAt }, default);
        Assert.Equal(1, counting.Requests);
        Assert.Equal(sentAt, (await elsewhere.GetAsync(c.Id, default))!.VerificationMailSentAt);

        // Another instance confirms the address; this one, which last saw it unconfirmed, records an answer: both stay.
        var verifiedAt = sentAt.AddMinutes(1);
        await elsewhere.UpdateAsync(c.Id, x => x with { EmailVerifiedAt = verifiedAt }, default);
        await here.UpdateAsync(c.Id, x => x with { AnswerSentAt = verifiedAt }, default);
        var both = (await elsewhere.GetAsync(c.Id, default))!;
        Assert.Equal(verifiedAt, both.EmailVerifiedAt);
        Assert.Equal(verifiedAt, both.AnswerSentAt);

        // A change that refuses unless the address is confirmed: refused on what this instance saw last (unconfirmed), it
        // is decided again on the row, where another instance confirmed it meanwhile, and it is written.
        var other = NewCase();
        await here.CreateAsync(other, default);
        await elsewhere.UpdateAsync(other.Id, x => x with { EmailVerifiedAt = verifiedAt }, default);
        var stored = await here.UpdateAsync(other.Id, x => x.EmailVerifiedAt is null ? null : x with { AnswerSentAt = verifiedAt }, default);
        Assert.Equal(verifiedAt, stored.AnswerSentAt);
        Assert.Equal(verifiedAt, (await elsewhere.GetAsync(other.Id, default))!.AnswerSentAt);
    }

    /// <summary>
    /// Decision 135: the zip's commit went through but its reply was lost, so the client sent it again, which then fails
    /// its condition on this very zip. The write is still this write's: its version comes back, not "written by another".
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_zip_commit_whose_reply_was_lost_and_was_sent_again_counts_as_written(bool overAnEarlierZip)
    {
        var lost = new ReplyLostOnce(r => r.Method == Azure.Core.RequestMethod.Put && r.Uri.Query.Contains("comp=blocklist", StringComparison.Ordinal));
        var exports = new BlobExportStorage(new StorageClients(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build(), [lost]));
        var name = CaseIds.New() + "/lost-reply.zip";
        string? before = null;
        if (overAnEarlierZip)
        {
            before = await new BlobExportStorage(Clients).WriteAsync(name, null, (s, ct) => s.WriteAsync("earlier"u8.ToArray(), ct).AsTask(), default);
        }

        var written = await exports.WriteAsync(name, before, (s, ct) => s.WriteAsync("the zip"u8.ToArray(), ct).AsTask(), default);

        Assert.Equal(2, lost.Commits);
        Assert.NotNull(written);
        Assert.Equal(await exports.GetVersionAsync(name, default), written);
        Assert.Equal(7, await exports.GetSizeAsync(name, default));
    }

    /// <summary>Sends the first matching request, then throws as if its reply were lost (the client sends it again).</summary>
    private sealed class ReplyLostOnce(Func<Azure.Core.Request, bool> matches) : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int commits;

        public int Commits => commits;

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("asynchronous only");

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (matches(message.Request) && Interlocked.Increment(ref commits) == 1)
            {
                throw new IOException("The connection closed before the reply came.");
            }
        }
    }

    /// <summary>Counts the requests sent (those <paramref name="only"/> accepts, if given).</summary>
    private sealed class CountingPolicy(Func<Azure.Core.Request, bool>? only = null) : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int requests;

        public int Requests => requests;

        public void Reset() => requests = 0;

        public override void OnSendingRequest(Azure.Core.HttpMessage message)
        {
            if (only is null || only(message.Request))
            {
                Interlocked.Increment(ref requests);
            }
        }
    }

    /// <summary>
    /// Issue 18 item 12: a Table string property holds 64 KiB. A case with the longest text every field allows, in Greek
    /// (which the default JSON encoder wrote as six characters each), staff notes at their limit and many replies and
    /// reminders is still written, read back whole and updated.
    /// </summary>
    [Fact]
    public async Task A_case_with_every_text_at_its_limit_in_a_non_latin_script_is_written_and_read_back_whole()
    {
        var register = new TableCaseRegister(Clients);
        var greek = string.Concat(Enumerable.Repeat("Καλημέρα σας, ", 1000));
        var now = DateTimeOffset.UtcNow;
        var c = NewCase() with
        {
            Name = greek[..RequestValidator.MaxNameLength],
            Company = greek[..RequestValidator.MaxNameLength],
            Details = greek[..RequestValidator.MaxDetailsLength],
            RequesterReplies = [.. Enumerable.Range(0, PrivacyCase.MaxRecordedReplies).Select(i => now.AddMinutes(i))],
            Tasks = [.. Enumerable.Range(0, 8).Select(i => new StaffTask($"be/store{i}", StaffTaskKind.Rectify, $"be/store{i}", 3) { Note = greek[..2000], DoneBy = greek[..200] })],
            Decision = new IdentityDecision(DecisionOutcome.Reject, now, greek[..200], greek[..2000]),
        };
        await register.CreateAsync(c, default);
        var read = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(c.Details, read.Details);
        Assert.Equal(c.Decision!.Reason, read.Decision!.Reason);
        Assert.Equal(8, read.Tasks.Count);
        Assert.Equal(greek[..2000], read.Tasks[7].Note);

        var updated = await register.UpdateAsync(c.Id, x => x with { Details = x.Details + " τέλος" }, default);
        Assert.EndsWith(" τέλος", (await register.GetAsync(c.Id, default))!.Details, StringComparison.Ordinal);
        Assert.Equal(updated.Details, (await register.GetAsync(c.Id, default))!.Details);
    }

    /// <summary>
    /// Decision 128: a lift whose notice said another restriction of the person keeps the records at one company stays
    /// that way when it is finished later (a store failed after the notice): the stores it changes are read from the row.
    /// Read back by another instance (no memory of the write), the kept companies must be there, or the finish would lift
    /// the records the other request keeps restricted.
    /// </summary>
    [Fact]
    public async Task A_lift_kept_by_another_restriction_reads_back_with_the_companies_it_keeps()
    {
        var map = TestDataMaps.Real;
        var now = DateTimeOffset.UtcNow;
        var c = NewCase() with
        {
            Type = RequestType.Restriction,
            Status = CaseStatus.Completed,
            RestrictionLift = new RestrictionLift("Els", "Uw adres is juist.", now) { Kept = [new KeptUnder("PR-OTHR-0000-0001", ["be"])] },
        };
        await new TableCaseRegister(Clients).CreateAsync(c, default);

        var read = (await new TableCaseRegister(Clients).GetAsync(c.Id, default))!;
        var kept = Assert.Single(read.RestrictionLift!.Kept!);
        Assert.Equal("PR-OTHR-0000-0001", kept.By);
        Assert.Equal(["be"], kept.Entities);
        var toLift = read.StoresToLift(map).Select(s => s.Key).ToList();
        Assert.NotEmpty(toLift);
        Assert.All(toLift, key => Assert.Equal("nl", map.Store(key).Entity));
        Assert.Equal(c.StoresToLift(map).Select(s => s.Key), toLift);

        // A whole lift reads back whole.
        var whole = NewCase() with { Type = RequestType.Restriction, Status = CaseStatus.Completed, RestrictionLift = new RestrictionLift("Els", "Uw adres is juist.", now) };
        await new TableCaseRegister(Clients).CreateAsync(whole, default);
        Assert.Null((await new TableCaseRegister(Clients).GetAsync(whole.Id, default))!.RestrictionLift!.Kept);
    }

    [Fact]
    public async Task A_case_stored_before_controllers_were_data_reads_with_the_controllers_it_named()
    {
        // Rows as the register wrote them when the controller was an enum (Both/Be/Nl, by name).
        var register = new TableCaseRegister(Clients);
        await register.ListUnfinishedAsync(default).ToListAsync(); // creates the table
        var table = Clients.Tables.GetTableClient(TableCaseRegister.CasesTable);
        var ids = new Dictionary<string, string> { ["Both"] = CaseIds.New(), ["Be"] = CaseIds.New(), ["Nl"] = CaseIds.New() };
        foreach (var (old, id) in ids)
        {
            var data = $$"""
                {"id":"{{id}}","type":"Access","email":"an.peeters@example.be","name":"An Peeters","company":null,"entity":"{{old}}",
                 "language":"Nl","details":null,"senderAuthentication":null,"acknowledgedAt":null,"objection":null,"channel":"Form",
                 "status":"AwaitingEmailVerification","receivedAt":"2026-03-10T12:00:00+01:00","dueDate":"2026-04-10",
                 "history":[{"status":"AwaitingEmailVerification","at":"2026-03-10T12:00:00+01:00"}]}
                """;
            await table.AddEntityAsync(new Azure.Data.Tables.TableEntity(id, "case") { ["Status"] = "AwaitingEmailVerification", ["Finished"] = false, ["Data"] = data });
        }

        var both = (await register.GetAsync(ids["Both"], default))!;
        var be = (await register.GetAsync(ids["Be"], default))!;
        var nl = (await register.GetAsync(ids["Nl"], default))!;

        Assert.Equal(ControllerScope.AllOf(["be", "nl"]), both.Entity);
        Assert.Equal("both", both.Entity.ToWire());
        Assert.Equal(ControllerScope.Of("be"), be.Entity);
        Assert.Equal(ControllerScope.Of("nl"), nl.Entity);
        Assert.Equal(new DateOnly(2026, 4, 10), nl.DueDate);
        Assert.Equal(["be/crm", "be/finance", "be/recruitment", "be/portal", "nl/crm", "nl/finance", "nl/recruitment", "nl/portal"],
            TestDataMaps.Real.StoresOf(both.Entity).Select(s => s.Key));

        // Updated, the case is written in the new form and still reads the same.
        await register.UpdateAsync(ids["Nl"], x => x.WithStatus(CaseStatus.Expired, DateTimeOffset.UtcNow), default);
        var row = await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(ids["Nl"], "case");
        Assert.Contains("\"entity\":{\"controllers\":[\"nl\"],\"all\":false}", row.Value.GetString("Data"), StringComparison.Ordinal);
        Assert.Equal(ControllerScope.Of("nl"), (await register.GetAsync(ids["Nl"], default))!.Entity);
    }

    /// <summary>
    /// Decision 74: the staff list reads each case's entry, kept in its row, through a copy in the process. A case changed
    /// or added by another instance is in this one's next list; a row written before the entries were kept is listed
    /// from the case itself, and the daily sweep's rebuild writes its entry, once.
    /// </summary>
    [Fact]
    public async Task The_list_entries_follow_changes_made_by_another_instance_and_rows_without_an_entry_are_rebuilt()
    {
        var here = new TableCaseRegister(Clients);
        var elsewhere = new TableCaseRegister(Clients);
        var c = NewCase() with { Type = RequestType.Erasure, AlsoRights = [RequestType.Objection], Entity = ControllerScope.Of("nl"), Channel = Channel.Email };
        await elsewhere.CreateAsync(c, default);
        var listed = (await here.ListEntriesAsync(default).ToListAsync()).Single(e => e.Reference == c.Id);
        Assert.Equal([RequestType.Erasure, RequestType.Objection], listed.Rights);
        Assert.Equal((ControllerScope.Of("nl"), Channel.Email, CaseStatus.AwaitingEmailVerification, c.DueDate), (listed.Entity, listed.Channel, listed.Status, listed.DueDate));
        Assert.Equal(c.ReceivedAt, listed.ReceivedAt);

        // Changed and added elsewhere after this instance made its copy: both in its next list.
        var closedAt = DateTimeOffset.UtcNow;
        await elsewhere.UpdateAsync(c.Id, x => x.WithStatus(CaseStatus.Rejected, closedAt), default);
        var added = NewCase();
        await elsewhere.CreateAsync(added, default);
        var entries = await here.ListEntriesAsync(default).ToListAsync();
        var rejected = entries.Single(e => e.Reference == c.Id);
        Assert.Equal((CaseStatus.Rejected, RefusalGround.IdentityNotConfirmed), (rejected.Status, rejected.RejectedAs));
        Assert.Equal(closedAt, rejected.ClosedAt);
        Assert.Contains(entries, e => e.Reference == added.Id);

        // A row as the register wrote it before the entries: listed from its case, then given its entry by the rebuild.
        var table = Clients.Tables.GetTableClient(TableCaseRegister.CasesTable);
        var old = NewCase() with { Status = CaseStatus.AwaitingStaffAction };
        await elsewhere.CreateAsync(old, default);
        var row = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(old.Id, "case")).Value;
        row.Remove("List");
        row.Remove("ListVersion");
        await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        Assert.Equal(CaseStatus.AwaitingStaffAction, (await here.ListEntriesAsync(default).ToListAsync()).Single(e => e.Reference == old.Id).Status);
        Assert.Null((await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(old.Id, "case")).Value.GetString("List"));

        Assert.InRange(await elsewhere.RefreshListEntriesAsync(default), 1, int.MaxValue);
        Assert.Contains("\"status\":\"AwaitingStaffAction\"", (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(old.Id, "case")).Value.GetString("List"), StringComparison.Ordinal);
        Assert.Equal(0, await elsewhere.RefreshListEntriesAsync(default));
        Assert.Equal(old.Email, (await here.GetAsync(old.Id, default))!.Email);

        // Removed by this instance (the retention sweep): gone from its list at once.
        await here.DeleteCaseAsync(old.Id, default);
        Assert.DoesNotContain(await here.ListEntriesAsync(default).ToListAsync(), e => e.Reference == old.Id);
    }

    /// <summary>
    /// Decision 146: the copy's whole re-read, due every five minutes so that a case removed elsewhere drops out, is the
    /// slow read under a spike (every row, page after page). The staff list must not wait on it: a look when it is due
    /// still reads the rows written since the last look and answers from the table, with a case added elsewhere; the
    /// whole read runs once, behind the looks, and when it lands the case removed elsewhere is gone while a case added
    /// after it began (so not in what it read) stays.
    /// </summary>
    [Fact]
    public async Task A_look_when_the_whole_re_read_is_due_answers_from_the_table_and_the_whole_read_drops_removed_cases_without_losing_new_ones()
    {
        var (here, faults, wholeReads, time) = WatchedRegister();
        try
        {
            var elsewhere = new TableCaseRegister(Clients);
            var removed = NewCase();
            await elsewhere.CreateAsync(removed, default);
            Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == removed.Id);

            var added = NewCase();
            await elsewhere.CreateAsync(added, default);
            await elsewhere.DeleteCaseAsync(removed.Id, default);
            // Sorted first, so in the whole read's first page, which the table answers before the case is written.
            var addedDuring = NewCase() with { Id = "0000" + CaseIds.New()[4..] };
            // The whole read is held until the look has answered (storage slow on it); once the table has answered its
            // first page, a case is added elsewhere and listed here, and from then on the reads of recent rows are held,
            // so what the looks show after is the copy as the whole read leaves it.
            var looked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            faults.HoldWhen(CaseListRequests.WholeReadFirstPage, looked.Task);
            faults.StepAround(CaseListRequests.WholeReadFirstPage, after: async () =>
            {
                await elsewhere.CreateAsync(addedDuring, default);
                Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == addedDuring.Id);
                faults.HoldWhen(CaseListRequests.RecentRead, new TaskCompletionSource().Task);
            });
            time.Advance(TimeSpan.FromMinutes(5)); // the copy reads every row again every 5 minutes (decision 74)
            wholeReads.Reset();

            var watch = Stopwatch.StartNew();
            var look = await here.ReadListAsync(TimeSpan.FromSeconds(10), default);
            Assert.True(look.Age is null, $"the look answered from the copy ({watch.Elapsed.TotalSeconds:0.00} s) while the whole re-read was due");
            Assert.Contains(look.Entries, e => e.Reference == added.Id);
            looked.SetResult();

            // The whole read lands behind the looks: the removed case drops out, the one added while it ran stays.
            while (look.Entries.Any(e => e.Reference == removed.Id))
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                {
                    faults.AssertStepped();
                    Assert.Fail("the removed case is still listed 30 s after the whole re-read fell due");
                }

                await Task.Delay(100);
                look = await here.ReadListAsync(TimeSpan.FromSeconds(0.5), default);
            }

            faults.AssertStepped();
            Assert.NotNull(look.Age);
            Assert.Contains(look.Entries, e => e.Reference == added.Id);
            Assert.Contains(look.Entries, e => e.Reference == addedDuring.Id);
            // One whole read, not one per look.
            Assert.Equal(1, wholeReads.Requests);
        }
        finally
        {
            faults.Heal();
        }
    }

    /// <summary>
    /// Decision 146: a read of recent rows answered before a case was removed elsewhere, and merged only after the whole
    /// read found the case gone, does not put it back on the list.
    /// </summary>
    [Fact]
    public async Task A_read_answered_before_a_removal_and_landing_after_the_whole_read_does_not_put_the_removed_case_back()
    {
        var (here, faults, _, time) = WatchedRegister();
        try
        {
            var elsewhere = new TableCaseRegister(Clients);
            var removed = NewCase();
            await elsewhere.CreateAsync(removed, default);
            Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == removed.Id);

            // The look's read of recent rows is answered with the case in it; then, before it lands, the case is removed
            // elsewhere and the whole read (held until then, so it asks after the removal) finds it gone.
            var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            faults.HoldWhen(CaseListRequests.WholeReadFirstPage, deleted.Task);
            faults.StepAround(CaseListRequests.RecentRead, after: async () =>
            {
                await elsewhere.DeleteCaseAsync(removed.Id, default);
                deleted.SetResult();
                var watch = Stopwatch.StartNew();
                while ((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries.Any(e => e.Reference == removed.Id))
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the whole read did not drop the removed case within 30 s");
                    await Task.Delay(100);
                }
            });
            time.Advance(TimeSpan.FromMinutes(5));

            var look = await here.ReadListAsync(TimeSpan.FromSeconds(90), default);

            faults.AssertStepped();
            Assert.Null(look.Age);
            Assert.DoesNotContain(look.Entries, e => e.Reference == removed.Id);
            Assert.DoesNotContain((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == removed.Id);
        }
        finally
        {
            faults.Heal();
        }
    }

    /// <summary>A register on a clock of the test's, its table requests passing through faults and a count of its whole reads.</summary>
    private (TableCaseRegister Register, StorageFaults Faults, CountingPolicy WholeReads, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time) WatchedRegister(
        ListLogger<TableCaseRegister>? log = null)
    {
        var faults = new StorageFaults();
        var wholeReads = new CountingPolicy(CaseListRequests.WholeReadFirstPage);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var clients = azurite.ClientsWithTablePolicies(faults, wholeReads);
        return (log is null ? new TableCaseRegister(clients, time) : new TableCaseRegister(clients, time, log), faults, wholeReads, time);
    }

    /// <summary>
    /// A whole re-read that fails (storage refusing it) left no trace, and every look began another as soon as the last
    /// had failed. Now it is logged (error type only) and the looks leave it for 30 s (<c>CaseListCopy.WholeReadRetry</c>).
    /// </summary>
    [Fact]
    public async Task A_whole_re_read_that_fails_is_logged_and_not_begun_again_by_every_look_until_its_retry_time()
    {
        var log = new ListLogger<TableCaseRegister>();
        var (here, faults, wholeReads, time) = WatchedRegister(log);
        try
        {
            var listed = NewCase();
            await new TableCaseRegister(Clients).CreateAsync(listed, default);
            Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == listed.Id);

            faults.FailWhen(CaseListRequests.WholeRead);
            time.Advance(TimeSpan.FromMinutes(5)); // due every 5 minutes (CaseListCopy.WholeReadEvery)
            wholeReads.Reset();
            // The look answers from the rows since the copy's starting point; the whole read it begins fails behind it.
            Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == listed.Id);
            var watch = Stopwatch.StartNew();
            while (log.Lines.IsEmpty)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"nothing logged 30 s after the whole re-read began ({wholeReads.Requests} requests of its first page, {faults.Injected} refused)");
                await Task.Delay(100);
            }

            var line = Assert.Single(log.Lines);
            Assert.StartsWith("Warning: The case list's whole re-read failed (RequestFailedException, status 503)", line, StringComparison.Ordinal);
            Assert.Contains("began 5 min ago", line, StringComparison.Ordinal);
            Assert.DoesNotContain(listed.Id, line, StringComparison.Ordinal);
            Assert.DoesNotContain(listed.Email, line, StringComparison.OrdinalIgnoreCase);
            // Its requests are refused before they are counted: the refusals count them.
            var tried = faults.Injected;

            // Looks within the retry time answer and begin no other whole read.
            for (var i = 0; i < 5; i++)
            {
                time.Advance(TimeSpan.FromSeconds(5));
                Assert.Contains((await here.ReadListAsync(TimeSpan.FromSeconds(30), default)).Entries, e => e.Reference == listed.Id);
            }

            await Task.Delay(1000);
            Assert.True(tried == faults.Injected, $"{faults.Injected - tried} more whole reads begun by the looks within the retry time");
            Assert.Single(log.Lines);

            // Once it is over (and storage answers again), the next look begins it, and it lands.
            faults.Heal();
            time.Advance(TimeSpan.FromSeconds(5)); // 30 s after the failure (CaseListCopy.WholeReadRetry)
            await here.ReadListAsync(TimeSpan.FromSeconds(30), default);
            watch.Restart();
            while (wholeReads.Requests == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "no whole re-read was begun once its retry time was over");
                await Task.Delay(100);
            }

            Assert.Single(log.Lines);
        }
        finally
        {
            faults.Heal();
        }
    }

    [Fact]
    public async Task Concurrent_updates_are_all_kept_and_only_the_first_decision_wins()
    {
        var register = new TableCaseRegister(Clients);
        var c = NewCase();
        await register.CreateAsync(c, default);

        var decisions = Enumerable.Range(0, 8).Select(i => register.UpdateAsync(c.Id,
            x => x.Decision is null ? x with { Decision = new IdentityDecision(DecisionOutcome.Approve, DateTimeOffset.UtcNow, "staff-" + i, null) } : null, default));
        var results = await Task.WhenAll(decisions);
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.All(results, r => Assert.Equal(stored.Decision, r.Decision));

        var history = Enumerable.Range(0, 5).Select(i => register.UpdateAsync(c.Id, x => x with { History = [.. x.History, new StatusChange(CaseStatus.InProgress, DateTimeOffset.UnixEpoch.AddDays(i))] }, default));
        await Task.WhenAll(history);
        Assert.Equal(5, (await register.GetAsync(c.Id, default))!.History.Count);
    }

    /// <summary>
    /// A case's collect fans out over every store, and each collect appends its event to the case's audit chain: 20
    /// stores on two hosts (instances) at once. Every event is kept, numbered without a gap, and the chain verifies
    /// against its heads; before, writers that lost the race ten times failed the collect (409), which the orchestration
    /// then retried seconds later.
    /// </summary>
    [Fact]
    public async Task Twenty_collects_appending_to_one_case_at_once_on_two_instances_all_land_in_one_unbroken_chain()
    {
        var chain = new Infomat.Privacy.Audit.AuditChain(new byte[32]);
        var instances = new[] { new TableAuditTrail(Clients, chain, TimeProvider.System), new TableAuditTrail(Clients, chain, TimeProvider.System) };
        var caseId = CaseIds.New();

        var appends = Enumerable.Range(0, 20).Select(i => Task.Run(() => instances[i % 2].AppendAsync(
            new Infomat.Privacy.Audit.AuditEntry(caseId, $"collect.store{i:D2}", "store-collect", Infomat.Privacy.Audit.AuditEvent.System, $"store{i:D2} records=1"), default)));
        var events = await Task.WhenAll(appends);

        var stored = await instances[0].ListAsync(caseId, default);
        Assert.Equal(20, stored.Count);
        Assert.Equal(Enumerable.Range(1, 20), stored.Select(e => e.Sequence));
        Assert.Equal(20, events.Select(e => e.Sequence).Distinct().Count());
        var verification = chain.Verify(caseId, stored, heads: await instances[1].HeadsAsync(caseId, default));
        Assert.True(verification.Intact, verification.ToString());
    }

    /// <summary>
    /// Issue 21: a case's steps append to its chain one after the other on the same instance (the intake's write, then
    /// its link's record). Each append after the first is one table request (the transaction), not a read of the chain
    /// and a transaction; another instance's appends in between are chained after, and the chain stays unbroken.
    /// </summary>
    [Fact]
    public async Task An_append_after_this_instances_own_is_one_table_request_and_chains_after_another_instances()
    {
        var counting = new CountingPolicy();
        var chain = new Infomat.Privacy.Audit.AuditChain(new byte[32]);
        var here = new TableAuditTrail(azurite.ClientsWithTablePolicies(counting), chain, TimeProvider.System);
        var elsewhere = new TableAuditTrail(Clients, chain, TimeProvider.System);
        var caseId = CaseIds.New();
        Infomat.Privacy.Audit.AuditEntry Entry(string key) => new(caseId, key, "case-step", Infomat.Privacy.Audit.AuditEvent.System, key);
        await here.AppendAsync(Entry("received"), default);

        counting.Reset();
        await here.AppendMissingAsync([Entry("received"), Entry("link-sent")], default);
        Assert.Equal(1, counting.Requests);

        await elsewhere.AppendAsync(Entry("verified"), default);
        await here.AppendMissingAsync([Entry("received"), Entry("link-sent"), Entry("verified"), Entry("acknowledged")], default);

        var stored = await elsewhere.ListAsync(caseId, default);
        Assert.Equal(["received", "link-sent", "verified", "acknowledged"], stored.Select(e => e.Outcome));
        Assert.Equal([1, 2, 3, 4], stored.Select(e => e.Sequence));
        var verification = chain.Verify(caseId, stored, heads: await here.HeadsAsync(caseId, default));
        Assert.True(verification.Intact, verification.ToString());
    }

    /// <summary>
    /// Each step of a case appends to its audit chain and records the new head in the case's heads blob. Once the blob
    /// exists, that is one request: the cost benchmark saw 29 heads-blob requests per access case, half of them asking
    /// to create a blob that was there already.
    /// </summary>
    [Fact]
    public async Task Recording_an_audit_head_costs_one_blob_request_once_the_cases_heads_blob_exists()
    {
        var counting = new CountingPolicy();
        var blobOptions = new Azure.Storage.Blobs.BlobClientOptions();
        blobOptions.AddPolicy(counting, Azure.Core.HttpPipelinePosition.PerCall);
        var clients = new StorageClients(
            new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString, blobOptions), new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString),
            new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString));
        var chain = new Infomat.Privacy.Audit.AuditChain(new byte[32]);
        var trail = new TableAuditTrail(clients, chain, TimeProvider.System);
        var caseId = CaseIds.New();
        Infomat.Privacy.Audit.AuditEntry Entry(int i) => new(caseId, $"step{i}", "case-step", Infomat.Privacy.Audit.AuditEvent.System, $"step {i}");
        await trail.AppendAsync(Entry(0), default);

        counting.Reset();
        for (var i = 1; i <= 5; i++)
        {
            await trail.AppendAsync(Entry(i), default);
        }

        Assert.Equal(5, counting.Requests);
        var verification = chain.Verify(caseId, await trail.ListAsync(caseId, default), heads: await trail.HeadsAsync(caseId, default));
        Assert.True(verification.Intact, verification.ToString());
        Assert.Equal(6, (await trail.HeadsAsync(caseId, default)).Count);
    }

    [Fact]
    public async Task A_triaged_mails_record_is_listed_with_the_markers_and_the_retention_sweep_can_delete_it()
    {
        // The record holds the sender and the mail's text: it must end (90 days), and its row is not the markers' empty one.
        var register = new TableCaseRegister(Clients);
        var triaged = new TableTriagedMails(Clients);
        var id = "triage." + Guid.NewGuid().ToString("N");
        var arrived = DateTimeOffset.UtcNow.AddDays(-80);
        await triaged.SaveAsync(new TriagedMail(id, "<m@example.be>", arrived, "unclear", "an@example.be", "An", Language.Nl, "Wat weten jullie?", DmarcVerdict.Pass), default);

        // Listed for the daily sweep (decision 155), and what staff did with it is kept.
        var listed = Assert.Single(await triaged.ListAsync(default).Where(m => m.Id == id).ToListAsync());
        Assert.True(listed.AwaitsStaff);
        // The sweep's reminder and a colleague's mark at the same moment: both stand (each changes the record as stored).
        await Task.WhenAll(
            Task.Run(() => triaged.ChangeAsync(id, m => m with { Reminders = [.. m.Reminders, "due-7.2026-12-31"] }, default)),
            Task.Run(() => triaged.ChangeAsync(id, m => m with { NotARequestAt = DateTimeOffset.UtcNow, NotARequestBy = "Els" }, default)));
        var read = (await triaged.GetAsync(id, default))!;
        Assert.Equal(["due-7.2026-12-31"], read.Reminders);
        Assert.Equal(("Els", false), (read.NotARequestBy, read.AwaitsStaff));

        var marker = Assert.Single(await register.ListMarkersAsync(default).Where(m => m.Id == id).ToListAsync());
        Assert.True(marker.IsTriage);
        // Its 90 days count from the mail's arrival, not from the last write (a reminder, a mark: review of decision 155).
        Assert.Equal(arrived.ToUnixTimeMilliseconds(), marker.UsedAt.ToUnixTimeMilliseconds());
        Assert.Equal(SystemRetention.TriagedMail, marker.Keep);

        await register.DeleteMarkerAsync(marker, default);
        Assert.Null(await triaged.GetAsync(id, default));
    }

    [Fact]
    public async Task A_mail_handled_again_keeps_what_staff_did_with_its_triage_record()
    {
        // Handling saved the record and mailed staff, then died before the mail's marker was written: the queue hands the
        // mail over again minutes (or a redrive days) later, after staff marked it "not a privacy request".
        var triaged = new TableTriagedMails(Clients);
        var id = "triage." + Guid.NewGuid().ToString("N");
        var record = new TriagedMail(id, "<m@example.be>", DateTimeOffset.UtcNow.AddDays(-3), "unclear", "an@example.be", "An", Language.Nl, "Wat weten jullie?", DmarcVerdict.Pass);
        await triaged.SaveAsync(record, default);
        await triaged.ChangeAsync(id, m => m with { NotARequestAt = DateTimeOffset.UtcNow, NotARequestBy = "Els", Reminders = ["due-7.2026-12-31"] }, default);

        await triaged.SaveAsync(record, default);

        var read = (await triaged.GetAsync(id, default))!;
        Assert.Equal(("Els", false), (read.NotARequestBy, read.AwaitsStaff));
        Assert.Equal(["due-7.2026-12-31"], read.Reminders);
    }

    [Fact]
    public async Task A_token_can_be_consumed_once()
    {
        var register = new TableCaseRegister(Clients);
        var tokenId = Guid.NewGuid().ToString("N");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => register.TryConsumeTokenAsync(tokenId, "PR-AAAA-BBBB-CCCC", default)));
        Assert.Equal(1, attempts.Count(a => a));
    }

    [Fact]
    public async Task A_zip_written_again_stays_whole_until_the_new_one_is_complete_and_a_write_that_breaks_leaves_it()
    {
        // A step the durable provider delivers twice (or a retry) writes the zip again while the requester's link points
        // at it: readers see the old zip until the new one is whole, and a write that breaks part-way (a staged part
        // deleted by the first run) never replaces it.
        var exports = new BlobExportStorage(Clients);
        var name = CaseIds.New() + "/twice.zip";
        var first = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var firstVersion = await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync(first, ct).AsTask(), default);

        await Assert.ThrowsAsync<IOException>(() => exports.WriteAsync(name, firstVersion, async (again, ct) =>
        {
            Assert.Equal(first.Length, await exports.GetSizeAsync(name, ct));
            await again.WriteAsync(first.AsMemory(0, 4_500_000), ct);
            Assert.Equal(first.Length, await exports.GetSizeAsync(name, ct));
            throw new IOException("a staged part is gone");
        }, default));

        var blob = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobExportStorage.Container).GetBlobClient(name);
        Assert.Equal(first, (await blob.DownloadContentAsync()).Value.Content.ToArray());

        // Blocks left uncommitted by the Blob SDK's own write stream (a write of the release before, cut short) do not
        // stop the next write: its ids have their length.
        var leftover = Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlockBlobClient(
            new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobExportStorage.Container), name);
        using (var block = new MemoryStream(new byte[1024]))
        {
            // The SDK's ids are 48 bytes in base64 (64 characters), as its stream stages them.
            await leftover.StageBlockAsync(Convert.ToBase64String(new byte[48]), block);
        }

        // A whole second write replaces it at once, as a zip (its type kept).
        var second = System.Security.Cryptography.RandomNumberGenerator.GetBytes(9 * 1024 * 1024 + 17);
        Assert.NotNull(await exports.WriteAsync(name, firstVersion, (again, ct) => again.WriteAsync(second, ct).AsTask(), default));
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(("application/zip", second.Length), (properties.ContentType, properties.ContentLength));
        Assert.Equal(second, (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_store_collected_again_keeps_its_staged_records_whole_until_the_new_ones_are_all_written()
    {
        var staging = new BlobStagingStorage(Clients);
        var caseId = CaseIds.New();
        Assert.Equal(3, await staging.WriteAsync(caseId, "be/crm", Records(3), default));

        // A second collect (a step delivered twice) whose store breaks after one record: the three stay for the export.
        await Assert.ThrowsAsync<IOException>(() => staging.WriteAsync(caseId, "be/crm", Records(1, breakAfter: true), default));

        Assert.Equal(3, await staging.ReadAsync(caseId, "be/crm", default).CountAsync());

        static async IAsyncEnumerable<StoreRecord> Records(int count, bool breakAfter = false)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                yield return new StoreRecord("contacts", new System.Text.Json.Nodes.JsonObject { ["id"] = i });
            }

            if (breakAfter)
            {
                throw new IOException("the store went away");
            }
        }
    }

    [Fact]
    public async Task Marking_a_zip_delivered_changes_it_so_the_lifecycle_rule_counts_from_the_mail()
    {
        var exports = new BlobExportStorage(Clients);
        var name = CaseIds.New() + "/delivered.zip";
        await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("zip bytes"u8.ToArray(), ct).AsTask(), default);

        var blob = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobExportStorage.Container).GetBlobClient(name);
        var written = (await blob.GetPropertiesAsync()).Value.LastModified;
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        await exports.MarkDeliveredAsync(name, DateTimeOffset.UtcNow, default);

        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.True(properties.LastModified > written, $"last modified {properties.LastModified:o}, written {written:o}");
        Assert.True(properties.Metadata.ContainsKey("delivered"));
        Assert.Equal(9, await exports.GetSizeAsync(name, default));
    }

    [Fact]
    public async Task A_zip_is_deleted_only_at_the_version_read_and_one_written_again_since_stays()
    {
        var exports = new BlobExportStorage(Clients);
        var name = CaseIds.New() + "/again.zip";
        Assert.Null(await exports.GetVersionAsync(name, default));
        var written = await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("first zip"u8.ToArray(), ct).AsTask(), default);
        var first = await exports.GetVersionAsync(name, default);
        Assert.NotNull(first);
        Assert.Equal(first, written);

        // Written again under the same name (a staff retry): a delete made on the first version leaves it.
        Assert.NotNull(await exports.WriteAsync(name, first, (stream, ct) => stream.WriteAsync("second zip!"u8.ToArray(), ct).AsTask(), default));
        Assert.False(await exports.DeleteAsync(name, first!, default));
        Assert.Equal(11, await exports.GetSizeAsync(name, default));

        // Marked delivered since its version was read: changed, left too.
        var second = await exports.GetVersionAsync(name, default);
        await exports.MarkDeliveredAsync(name, DateTimeOffset.UtcNow, default);
        Assert.False(await exports.DeleteAsync(name, second!, default));
        Assert.Equal(11, await exports.GetSizeAsync(name, default));

        // A write over a version since replaced, or over none while a zip is there (the export step's other run, decision
        // 135), writes nothing and leaves the zip as it is.
        Assert.Null(await exports.WriteAsync(name, first, (stream, ct) => stream.WriteAsync("stale"u8.ToArray(), ct).AsTask(), default));
        Assert.Null(await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("stale"u8.ToArray(), ct).AsTask(), default));
        Assert.Equal(11, await exports.GetSizeAsync(name, default));

        // At the version read: gone; gone already: nothing to do, and it says so.
        var last = (await exports.GetVersionAsync(name, default))!;
        Assert.True(await exports.DeleteAsync(name, last, default));
        Assert.Null(await exports.GetSizeAsync(name, default));
        Assert.True(await exports.DeleteAsync(name, second!, default));

        // A write over the version deleted writes nothing either; over none it writes.
        Assert.Null(await exports.WriteAsync(name, last, (stream, ct) => stream.WriteAsync("stale"u8.ToArray(), ct).AsTask(), default));
        Assert.Null(await exports.GetSizeAsync(name, default));
        Assert.NotNull(await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("third"u8.ToArray(), ct).AsTask(), default));
        Assert.Equal(5, await exports.GetSizeAsync(name, default));
    }

    [Fact]
    public async Task The_download_link_is_read_only_for_one_blob_and_stops_working_when_it_expires()
    {
        var exports = new BlobExportStorage(Clients);
        var name = CaseIds.New() + "/test.zip";
        await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("zip bytes"u8.ToArray(), ct).AsTask(), default);

        var link = await exports.CreateReadLinkAsync(name, TimeSpan.FromSeconds(3), default);
        using var http = new HttpClient();
        Assert.Equal("zip bytes", await http.GetStringAsync(link));

        using var put = new HttpRequestMessage(HttpMethod.Put, link) { Content = new ByteArrayContent("overwritten"u8.ToArray()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(put)).StatusCode);

        var other = new UriBuilder(link) { Path = link.AbsolutePath.Replace("test.zip", "other.zip", StringComparison.Ordinal) }.Uri;
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(other)).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(link)).StatusCode);
    }

    [Fact]
    public async Task With_an_exports_account_the_zip_its_link_and_its_deletion_are_there_and_never_touch_the_records_account()
    {
        // Issue 19, decision 67: the records account refuses the internet, so the browser fetches the zip from the exports
        // account. Here the records account refuses every blob call: anything export-related sent there fails the test.
        var records = new StorageFaults();
        var refusing = new Azure.Storage.Blobs.BlobClientOptions();
        refusing.AddPolicy(records, Azure.Core.HttpPipelinePosition.PerRetry);
        refusing.Retry.MaxRetries = 0;
        records.RefuseWhen(_ => true);
        var exportsAccount = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString);
        var clients = new StorageClients(
            new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString, refusing), new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString), new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString), exportsAccount);
        var exports = new BlobExportStorage(clients);
        var caseId = CaseIds.New();
        var name = caseId + "/export.zip";
        await exports.WriteAsync(name, null, (stream, ct) => stream.WriteAsync("zip bytes"u8.ToArray(), ct).AsTask(), default);

        Assert.Equal(9, await exports.GetSizeAsync(name, default));
        var link = await exports.CreateReadLinkAsync(name, TimeSpan.FromMinutes(5), default);
        using var http = new HttpClient();
        Assert.Equal("zip bytes", await http.GetStringAsync(link));

        Assert.Equal(1, await exports.DeleteCaseAsync(caseId, default));
        Assert.False(await exportsAccount.GetBlobContainerClient(BlobExportStorage.Container).GetBlobClient(name).ExistsAsync());
        Assert.Equal(0, records.Injected);
    }

    [Fact]
    public void The_exports_account_is_the_one_Exports_BlobServiceUri_names_and_the_records_account_without_it()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://strecords.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://strecords.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://strecords.table.core.windows.net",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        };
        var without = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        Assert.Same(without.Blobs, without.Exports);
        Assert.Equal(Clients.Blobs.Uri, Clients.Exports.Uri);

        settings[StorageClients.ExportsSetting] = "https://stexports.blob.core.windows.net";
        var with = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        Assert.Equal("stexports", with.Exports.AccountName);
        Assert.Equal("strecords", with.Blobs.AccountName);
    }

    [Fact]
    public async Task A_large_export_is_streamed_from_staging_into_the_blob_and_reads_back_whole()
    {
        const int records = 100_000;
        var clients = Clients;
        var staging = new BlobStagingStorage(clients);
        var exports = new BlobExportStorage(clients);
        var caseId = CaseIds.New();
        Assert.Equal(records, await staging.WriteAsync(caseId, "be/crm", Generate(records), default));

        var map = DataMapLoader.Load(DataMapFiles.Default);
        var manifest = new ExportManifest(caseId, Language.En, "an.peeters@example.be", DateTimeOffset.UtcNow, map, map.Controllers,
            [new StorePart(map.Store("be/crm"), new Dictionary<string, int> { ["contacts"] = records })]);
        var watch = Stopwatch.StartNew();
        await exports.WriteAsync(caseId + "/export.zip", null, (output, ct) => ExportPackageWriter.WriteAsync(output, manifest, s => staging.ReadAsync(caseId, s.Key, ct), ct), default);

        var size = await exports.GetSizeAsync(caseId + "/export.zip", default);
        Assert.True(size > 100_000, $"export of {size} bytes in {watch.ElapsedMilliseconds} ms");

        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(await exports.CreateReadLinkAsync(caseId + "/export.zip", TimeSpan.FromMinutes(1), default));
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var json = JsonDocument.Parse(zip.GetEntry("be/crm.json")!.Open());
        var rows = json.RootElement.GetProperty("tables")[0].GetProperty("records");
        Assert.Equal(records, rows.GetArrayLength());
        Assert.Equal(records - 1, rows[records - 1].GetProperty("id").GetInt32());
    }

    private static async IAsyncEnumerable<StoreRecord> Generate(int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 10_000 == 0)
            {
                await Task.Yield();
            }

            yield return new StoreRecord("contacts", new JsonObject { ["id"] = i, ["note"] = "Contact note " + i + " for Brouwerij Peeters NV" });
        }
    }
}
