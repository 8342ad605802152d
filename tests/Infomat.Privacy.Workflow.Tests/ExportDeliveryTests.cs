using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The zip must exist for as long as the mail says its link works. The exports account's lifecycle rule deletes a zip
/// some days after its last change; the zip is built before the mail, and when the mail cannot go at first (the mail
/// service down past the retries, staff retry days later) counting from the build would delete it before the end the
/// mail names. So the zip is marked delivered, a change, as its mail goes.
/// </summary>
public sealed class ExportDeliveryTests
{
    [Fact]
    public async Task A_zip_whose_mail_goes_three_days_after_it_was_built_is_marked_delivered_then_so_the_storage_keeps_it_until_the_end_the_mail_names()
    {
        var built = new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(built);
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var exports = new InMemoryExports();
        var options = new PrivacyOptions();
        var zip = BuildExport.BlobNameFor("PR-DELIVERY");
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, built.AddDays(-2), TestDataMaps.Real) with { Id = "PR-DELIVERY", EmailVerifiedAt = built.AddDays(-2), ExportBlobName = zip };
        await register.CreateAsync(c, default);
        exports.Blobs[zip] = [1, 2, 3];
        var deliver = new DeliverExport(
            register, mail, new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock), exports, TestDataMaps.Real,
            Microsoft.Extensions.Options.Options.Create(options), clock, NullLogger<DeliverExport>.Instance);

        // The mail service is down when the zip is built; staff retry three days later.
        mail.FailNext(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => deliver.RunAsync(null!, c.Id));
        clock.Advance(TimeSpan.FromDays(3));
        await deliver.RunAsync(null!, c.Id);

        var sent = clock.GetUtcNow();
        var end = sent + options.Export.LinkLifetime;
        Assert.Contains(Texts.Deadline(end, Language.En), Assert.Single(mail.Sent).TextBody, StringComparison.Ordinal);
        Assert.Equal(end, (await register.GetAsync(c.Id, default))!.ExportExpiresAt);
        // The zip's last change is the mail's moment: the lifecycle rule (the link's days + 1 after it) outlasts the link.
        Assert.Equal(sent, exports.Delivered[zip]);
    }
    [Fact]
    public async Task Two_runs_of_the_delivery_step_at_once_send_one_link_and_a_failed_send_leaves_the_answer_to_the_retry()
    {
        // The durable provider delivers a step at least once; two runs overlap (review of 5 December, decision 116).
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var exports = new InMemoryExports();
        var zip = BuildExport.BlobNameFor("PR-TWICE");
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, clock.GetUtcNow().AddDays(-1), TestDataMaps.Real) with { Id = "PR-TWICE", EmailVerifiedAt = clock.GetUtcNow().AddDays(-1), ExportBlobName = zip };
        await register.CreateAsync(c, default);
        exports.Blobs[zip] = [1, 2, 3];
        var tokens = new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock);
        DeliverExport Run() => new(register, mail, tokens, exports, TestDataMaps.Real, Microsoft.Extensions.Options.Options.Create(new PrivacyOptions()), clock, NullLogger<DeliverExport>.Instance);

        // The first send fails once the mail service is reached, and so does the first try to take its claim back (a
        // storage 503): the claim is taken back all the same, and the retry sends at once.
        mail.FailNext(1);
        var faulty = new FailingUpdates(register) { FailUpdate = 2 };
        await Assert.ThrowsAsync<HttpRequestException>(() => new DeliverExport(faulty, mail, tokens, exports, TestDataMaps.Real,
            Microsoft.Extensions.Options.Options.Create(new PrivacyOptions()), clock, NullLogger<DeliverExport>.Instance).RunAsync(null!, c.Id));
        Assert.Equal(3, faulty.Updates);
        Assert.Null((await register.GetAsync(c.Id, default))!.AnswerClaimedAt);

        await TwiceAtOnceAsync(mail, () => Run().RunAsync(null!, c.Id));

        Assert.Single(mail.Of(MailKind.ExportReady));
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.Completed, stored.Status);
        Assert.Contains(Texts.Deadline(stored.ExportExpiresAt!.Value, Language.En), mail.Of(MailKind.ExportReady)[0].TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_of_the_report_step_at_once_send_one_report()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, clock.GetUtcNow().AddDays(-1), TestDataMaps.Real) with { Id = "PR-REPORT", EmailVerifiedAt = clock.GetUtcNow().AddDays(-1), Status = CaseStatus.InProgress };
        await register.CreateAsync(c, default);
        var outcomes = new[] { new StoreOutcome("be/crm", StoreAction.Erase, [new TableOutcome("contacts", 1, 1, 0, 0, 0, 0, [], 0)], false) };
        SendActionReport Run() => new(register, mail, TestDataMaps.Real, Microsoft.Extensions.Options.Options.Create(new PrivacyOptions()), clock, NullLogger<SendActionReport>.Instance);

        await TwiceAtOnceAsync(mail, () => Run().RunAsync(null!, new ReportInput(c.Id, outcomes)));

        Assert.Single(mail.Of(MailKind.ActionReport));
        Assert.Equal(CaseStatus.Completed, (await register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task Two_runs_of_the_acknowledgement_step_at_once_acknowledge_the_request_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, clock.GetUtcNow(), TestDataMaps.Real) with { Id = "PR-ACK", EmailVerifiedAt = clock.GetUtcNow() };
        await register.CreateAsync(c, default);
        Activities.Verification.SendAcknowledgement Run() => new(register, mail, TestDataMaps.Real, Microsoft.Extensions.Options.Options.Create(new PrivacyOptions()), clock);

        await TwiceAtOnceAsync(mail, () => Run().RunAsync(null!, c.Id));

        Assert.Single(mail.Of(MailKind.Acknowledgement));
        Assert.NotNull((await register.GetAsync(c.Id, default))!.AcknowledgedAt);
    }

    [Fact]
    public async Task Two_runs_of_the_approval_step_at_once_ask_staff_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, clock.GetUtcNow(), TestDataMaps.Real) with { Id = "PR-APPROVAL", EmailVerifiedAt = clock.GetUtcNow() };
        await register.CreateAsync(c, default);
        var options = new PrivacyOptions();
        var tokens = new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock);
        Activities.Approval.RequestApproval Run() =>
            new(register, new FakeStores(), TestDataMaps.Real, mail, tokens, Microsoft.Extensions.Options.Options.Create(options), clock, NullLogger<Activities.Approval.RequestApproval>.Instance);

        await TwiceAtOnceAsync(mail, () => Run().RunAsync(null!, c.Id));

        Assert.Single(mail.Of(MailKind.ApprovalRequest));
        var stored = (await register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);
        Assert.NotNull(stored.ApprovalMailSentAt);
    }

    [Fact]
    public async Task Two_runs_of_the_tasks_step_at_once_mail_staff_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Rectification, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, "My job title is wrong.", null),
            Channel.Form, clock.GetUtcNow(), TestDataMaps.Real) with { Id = "PR-TASKS", EmailVerifiedAt = clock.GetUtcNow(), Status = CaseStatus.InProgress };
        await register.CreateAsync(c, default);
        var stores = new FakeStores();
        stores.Data["be/crm"] = new() { ["an.peeters@example.be"] = [new System.Text.Json.Nodes.JsonObject { ["email"] = "an.peeters@example.be" }] };
        var tokens = new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock);
        Activities.StaffTasks.OpenStaffTasks Run() =>
            new(register, stores, TestDataMaps.Real, mail, tokens, Microsoft.Extensions.Options.Options.Create(new PrivacyOptions()), clock, NullLogger<Activities.StaffTasks.OpenStaffTasks>.Instance);

        await TwiceAtOnceAsync(mail, () => Run().RunAsync(null!, c.Id));

        Assert.Single(mail.Of(MailKind.StaffTask));
        Assert.NotNull((await register.GetAsync(c.Id, default))!.TasksMailSentAt);
    }

    /// <summary>
    /// Two runs of a step at once (the provider delivers a step at least once, decision 116), against a slow mail service:
    /// both are under way before either has recorded its mail.
    /// </summary>
    private static async Task TwiceAtOnceAsync(RecordingMail mail, Func<Task> run)
    {
        var slow = new TaskCompletionSource();
        mail.Gate = slow.Task;
        Task[] runs = [run(), run()];
        await Task.Delay(300);
        slow.SetResult();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
