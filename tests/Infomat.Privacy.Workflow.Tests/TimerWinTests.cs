using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Closing;

using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A wait's timer that fires after the person acted but before the orchestration heard of it (the signal was lost, or
/// came a moment too late) must not expire the case: the register says what was done, so the case goes on.
/// </summary>
public sealed class TimerWinTests
{
    [Fact]
    public async Task A_verification_recorded_whose_signal_was_lost_goes_on_to_staff_approval_when_the_timer_fires()
    {
        await using var h = await WorkflowHarness.StartAsync(o => o.Verification.Timeout = TimeSpan.FromSeconds(3));
        var c = await h.NewCaseAsync();
        await h.WaitForMailAsync(MailKind.Verification);

        // What POST /verify records; the RaiseEventAsync after it failed.
        await h.Register.UpdateAsync(c.Id, x => x with { EmailVerifiedAt = DateTimeOffset.UtcNow }, default);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);

        var stored = (await h.Register.GetAsync(c.Id, default))!;
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, stored.Status);
        Assert.Empty(h.Mail.Of(MailKind.Rejection));
    }

    [Fact]
    public async Task A_decision_recorded_whose_signal_was_lost_is_carried_out_when_the_timer_fires()
    {
        await using var h = await WorkflowHarness.StartAsync(o =>
        {
            o.Approval.ReminderAfter = TimeSpan.FromMinutes(10);
            o.Approval.Timeout = TimeSpan.FromSeconds(3);
        });
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);

        // What POST /approvals records; the signal after it never arrived.
        await h.Register.UpdateAsync(c.Id, x => x with { Decision = new IdentityDecision(DecisionOutcome.Approve, DateTimeOffset.UtcNow, "tester", null) }, default);
        var done = await h.CompletionAsync(c.Id);

        Assert.Equal("\"completed\"", done.SerializedOutput);
        Assert.Single(h.Mail.Of(MailKind.ExportReady));
        Assert.Empty(h.Mail.Of(MailKind.Rejection));
        Assert.Equal(CaseStatus.Completed, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task The_expiry_step_does_not_expire_a_case_staff_decided_a_moment_before_and_says_so()
    {
        // The timer won and the register showed no decision; staff decided just before the expiry step ran.
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real) with { EmailVerifiedAt = DateTimeOffset.UtcNow };
        await register.CreateAsync(c, default);
        var expire = new ExpireCase(register, mail, TestDataMaps.Real, new FakeMailProgress(), NoTimeToRespond, TimeProvider.System, TestWorkflows.Metrics(), NullLogger<ExpireCase>.Instance);
        await register.UpdateAsync(c.Id, x => x with { Decision = new IdentityDecision(DecisionOutcome.Approve, DateTimeOffset.UtcNow, "tester", null) }, default);

        var expired = await expire.RunAsync(null!, c.Id);

        // The orchestration goes on with the decision: no expiry, no "we could not complete the check" mail.
        Assert.False(expired);
        Assert.Empty(mail.Sent);
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task The_expiry_step_expires_an_undecided_case_once_and_a_retry_mails_nothing_more()
    {
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real) with { VerificationMailSentAt = DateTimeOffset.UtcNow };
        await register.CreateAsync(c, default);
        var expire = new ExpireCase(register, mail, TestDataMaps.Real, new FakeMailProgress(), NoTimeToRespond, TimeProvider.System, TestWorkflows.Metrics(), NullLogger<ExpireCase>.Instance);

        Assert.True(await expire.RunAsync(null!, c.Id));
        Assert.True(await expire.RunAsync(null!, c.Id));

        Assert.Single(mail.Sent);
        Assert.Equal(CaseStatus.Expired, (await register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task The_expiry_step_does_not_expire_a_case_whose_address_was_confirmed_a_moment_before()
    {
        // The verification timer won and the register showed no confirmation; the requester confirmed just before the
        // expiry step ran (the race the old step lost: it looked only at the decision).
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real);
        await register.CreateAsync(c, default);
        await register.ApplyAsync(c.Id, x => x.Verify(DateTimeOffset.UtcNow), default);

        var expired = await new ExpireCase(register, mail, TestDataMaps.Real, new FakeMailProgress(), NoTimeToRespond, TimeProvider.System, TestWorkflows.Metrics(), NullLogger<ExpireCase>.Instance).RunAsync(null!, c.Id);

        Assert.False(expired);
        Assert.Empty(mail.Sent);
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task An_expiry_whose_notice_failed_sends_the_notice_on_the_retry_and_only_once()
    {
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, DateTimeOffset.UtcNow, TestDataMaps.Real) with { VerificationMailSentAt = DateTimeOffset.UtcNow };
        await register.CreateAsync(c, default);
        mail.FailNext(1);
        var expire = new ExpireCase(register, mail, TestDataMaps.Real, new FakeMailProgress(), NoTimeToRespond, TimeProvider.System, TestWorkflows.Metrics(), NullLogger<ExpireCase>.Instance);

        await Assert.ThrowsAsync<HttpRequestException>(() => expire.RunAsync(null!, c.Id));
        Assert.True((await register.GetAsync(c.Id, default))!.NeedsExpiryNotice);
        Assert.True(await expire.RunAsync(null!, c.Id));
        Assert.True(await expire.RunAsync(null!, c.Id));

        var notice = Assert.Single(mail.Sent);
        Assert.Contains("art. 79 AVG", notice.TextBody, StringComparison.Ordinal);
        Assert.False((await register.GetAsync(c.Id, default))!.NeedsExpiryNotice);
    }

    [Fact]
    public async Task A_mail_state_that_cannot_be_read_neither_fails_nor_expires_a_case_waiting_on_a_reply_and_does_not_touch_other_expiries()
    {
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var broken = new FakeMailProgress { Broken = true };
        var log = new ListLogger<ExpireCase>();
        var expire = new ExpireCase(register, mail, TestDataMaps.Real, broken, NoTimeToRespond, TimeProvider.System, TestWorkflows.Metrics(), log);
        var at = DateTimeOffset.UtcNow;
        var asked = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, at, TestDataMaps.Real) with { EmailVerifiedAt = at };
        asked = asked.RequestIdentification("tester", "Uw klantnummer.", at).Changed!.IdentificationMailSent(at).Changed!;
        await register.CreateAsync(asked, default);
        var unconfirmed = PrivacyCase.Received(new ValidRequest(RequestType.Access, "jan.peeters@example.be", "Jan Peeters", null, ControllerScope.Of("be"), Language.Nl, null, null),
            Channel.Form, at, TestDataMaps.Real) with { VerificationMailSentAt = at };
        await register.CreateAsync(unconfirmed, default);

        // The requester's time is over, but whether their reply is still unread cannot be told: the case stays open, no throw.
        Assert.False(await expire.RunAsync(null!, asked.Id));
        Assert.NotEqual(CaseStatus.Expired, (await register.GetAsync(asked.Id, default))!.Status);
        Assert.Contains(log.Lines, l => l.Contains(asked.Id, StringComparison.Ordinal) && l.Contains("HttpRequestException", StringComparison.Ordinal));
        // An address never confirmed does not depend on mail: it expires as before.
        Assert.True(await expire.RunAsync(null!, unconfirmed.Id));
        Assert.Equal([unconfirmed.Id], mail.Sent.Select(m => m.RequestId));

        // The state can be read again and all is read: the first expires too.
        broken.Broken = false;
        Assert.True(await expire.RunAsync(null!, asked.Id));
    }

    /// <summary>Options in which every wait on the requester is over at once.</summary>
    private static readonly Microsoft.Extensions.Options.IOptions<Infomat.Privacy.Configuration.PrivacyOptions> NoTimeToRespond =
        Microsoft.Extensions.Options.Options.Create(new Infomat.Privacy.Configuration.PrivacyOptions
        {
            Verification = new Infomat.Privacy.Configuration.VerificationOptions { Timeout = TimeSpan.Zero },
            Approval = new Infomat.Privacy.Configuration.ApprovalOptions { Timeout = TimeSpan.Zero },
        });
}
