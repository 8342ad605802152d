using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The task hub's storage down at the moment a page tells a case's orchestration of a step it recorded (the requester's
/// confirmation, a staff decision, a task done, a review): the step stands in the register, so the person's page must
/// say it was done, and the orchestration learns of it from the reconciliation (review of 5 December: the page was a
/// bare 500 after the step was recorded, and a second click then said the link was used).
/// </summary>
public sealed class SignalOutageTests
{
    [Fact]
    public async Task A_signal_the_task_hub_cannot_take_is_not_an_error_for_the_page_and_the_reconciliation_sends_it_again()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);

        // The confirmation is recorded, as the page records it before it signals; then the signal cannot go.
        await h.Register.UpdateAsync(c.Id, x => x.Verify(DateTimeOffset.UtcNow).Changed!, default);
        Assert.False(await h.Workflow.SignalAsync(new DownClient(), c.Id, CaseEvents.EmailVerified, default));

        // The reconciliation sees the case moved past the step its run waits on, and signals it again.
        var reconciled = await h.Workflow.ReconcileAsync(h.Client, default);
        Assert.Equal(new ReconcileResult(1, 0, 0, 1, 0, 0), reconciled);
        await h.WaitForMailAsync(MailKind.ApprovalRequest);
        Assert.Equal(CaseStatus.AwaitingIdentityApproval, (await h.Register.GetAsync(c.Id, default))!.Status);
    }

    [Fact]
    public async Task A_lost_signal_of_the_requesters_identification_reply_is_sent_again_by_the_reconciliation()
    {
        // Orchestration hunt of 8 December: asked for identification, the run looks again only at the requester's
        // deadline (14 days); their reply recorded with its signal lost left staff without reminders until then.
        await using var h = await WorkflowHarness.StartAsync(o => o.Approval.ReminderAfter = TimeSpan.FromMinutes(10));
        var c = await h.NewCaseAsync();
        await h.VerifyAndAwaitApprovalAsync(c.Id);
        await h.Register.ApplyAsync(c.Id, x => x.RequestIdentification("tester", "Uw klantnummer.", DateTimeOffset.UtcNow).Changed!.IdentificationMailSent(DateTimeOffset.UtcNow), default);
        await h.Client.RaiseEventAsync(c.Id, CaseEvents.IdentityDecided);
        await WaitOnRequesterAsync(h, c.Id, true);
        // Nothing to send again while they have not replied.
        Assert.Equal(0, (await h.Workflow.ReconcileAsync(h.Client, default)).Resignalled);

        // The reply is recorded (as mail intake records it); its signal cannot go.
        await h.Register.ApplyAsync(c.Id, x => x.IdentificationAnswered(DateTimeOffset.UtcNow), default);
        Assert.False(await h.Workflow.SignalAsync(new DownClient(), c.Id, CaseEvents.IdentityDecided, default));

        Assert.Equal(1, (await h.Workflow.ReconcileAsync(h.Client, default)).Resignalled);
        // The run looked again: it waits on staff now, and nothing more is sent again.
        await WaitOnRequesterAsync(h, c.Id, false);
        Assert.Equal(0, (await h.Workflow.ReconcileAsync(h.Client, default)).Resignalled);
    }

    private static async Task WaitOnRequesterAsync(WorkflowHarness h, string caseId, bool onRequester)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await h.Client.GetInstanceAsync(caseId, getInputsAndOutputs: true))?.ReadCustomStatusAs<WaitingFor>() is not { Step: CaseWait.IdentityDecision } waiting || waiting.OnRequester != onRequester)
        {
            Assert.True(DateTime.UtcNow < until, $"the run did not wait on the identity decision with OnRequester={onRequester} within 30 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_staff_retry_the_task_hub_cannot_start_now_is_recorded_for_the_page_and_the_reconciliation_starts_the_case()
    {
        // Review of 7 December: the retry was recorded, then starting its run threw: the page was a bare 500, and a
        // second press said the case was not failed (any more), with nothing telling staff it would start by itself.
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);
        await h.Client.TerminateInstanceAsync(c.Id);
        await h.CompletionAsync(c.Id);
        await h.Register.UpdateAsync(c.Id, x => x.Fail(DateTimeOffset.UtcNow, "TendVerificationWait").Changed!, default);

        var (update, startPending) = await h.Workflow.RetryAndStartAsync(new DownClient(), c.Id, "Els", default);

        Assert.False(update.Refused);
        Assert.True(startPending);
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await h.Register.GetAsync(c.Id, default))!.Status);
        // The reconciliation finds the open case's run stopped and starts it again.
        Assert.Equal(1, (await h.Workflow.ReconcileAsync(h.Client, default)).Restarted);
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);
    }

    [Fact]
    public async Task A_staff_retry_whose_start_meets_a_passing_fault_starts_the_case_at_once()
    {
        // A fault of a moment (one call of the task hub failing) left a retried case to the reconciliation, up to five
        // minutes, while the page said it would start by itself: the start is tried again once, a second later.
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);
        await h.Client.TerminateInstanceAsync(c.Id);
        await h.CompletionAsync(c.Id);
        await h.Register.UpdateAsync(c.Id, x => x.Fail(DateTimeOffset.UtcNow, "TendVerificationWait").Changed!, default);

        var (update, startPending) = await h.Workflow.RetryAndStartAsync(new FailsOnceClient(h.Client), c.Id, "Els", default);

        Assert.False(update.Refused);
        Assert.False(startPending);
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);
    }

    /// <summary>A durable client whose first look-up fails as the SDK fails after its retries; everything else is the real client's.</summary>
    private sealed class FailsOnceClient(DurableTaskClient inner) : DurableTaskClient("fails-once")
    {
        private int failed;

        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            Interlocked.Exchange(ref failed, 1) == 0
                ? Task.FromException<OrchestrationMetadata?>(new Azure.RequestFailedException(503, "The task hub's storage is unavailable."))
                : inner.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
            inner.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => inner.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => inner.GetAllInstancesAsync(filter);

        public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => inner.PurgeInstanceAsync(instanceId, options, cancellation);

        public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => inner.PurgeAllInstancesAsync(filter, options, cancellation);

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => inner.ResumeInstanceAsync(instanceId, reason, cancellation);

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => inner.SuspendInstanceAsync(instanceId, reason, cancellation);

        public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) => inner.TerminateInstanceAsync(instanceId, options, cancellation);

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => inner.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => inner.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A durable client whose storage answers nothing (every call fails as the SDK fails after its retries).</summary>
    private sealed class DownClient() : DurableTaskClient("down")
    {
        private static Exception Down() => new Azure.RequestFailedException(503, "The task hub's storage is unavailable.");

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) => Task.FromException<string>(Down());

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => Task.FromException(Down());

        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => Task.FromException<OrchestrationMetadata?>(Down());

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw Down();

        public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => Task.FromException<PurgeResult>(Down());

        public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) => Task.FromException<PurgeResult>(Down());

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => Task.FromException(Down());

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => Task.FromException(Down());

        public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) => Task.FromException(Down());

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => Task.FromException<OrchestrationMetadata>(Down());

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => Task.FromException<OrchestrationMetadata>(Down());

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
