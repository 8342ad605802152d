using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.MailEvents;
using Infomat.Privacy.Mail;

using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The mail service's bounce report when the register cannot record it (decision 148): nothing may be lost, so the post
/// is answered 503 and SendGrid posts it again, which then closes the case and ends its run.
/// </summary>
public sealed class MailEventFaultTests
{
    [Fact]
    public async Task A_bounce_report_the_register_cannot_record_answers_503_and_the_post_again_closes_the_case_and_ends_its_run()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var c = await h.NewCaseAsync();
        await h.WaitingForAsync(c.Id, CaseWait.EmailVerification);

        // The first write of the register answers 503 (after the SDK's own retries), as a storage account under pressure.
        var register = new FailingUpdates(h.Register) { FailUpdate = 1 };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var endpoints = new MailEventEndpoints(new SignedReport(new MailBounce(c.Id, MailKind.Verification, AddressAtFault: true, "bounce/Invalid Address")),
            register, h.Workflow, new PrivacyMetrics(meters), TimeProvider.System, NullLogger<MailEventEndpoints>.Instance);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, await PostAsync(endpoints, h.Client));
        Assert.Equal(CaseStatus.AwaitingEmailVerification, (await h.Register.GetAsync(c.Id, default))!.Status);

        Assert.Equal(StatusCodes.Status200OK, await PostAsync(endpoints, h.Client));
        var closed = (await h.Register.GetAsync(c.Id, default))!;
        Assert.True(closed.ClosedAsAddressRefused);
        Assert.True(closed.VerificationLinkBounced);

        // Its run, waiting for a confirmation that cannot come, is ended rather than left until its timer.
        var until = DateTime.UtcNow.AddSeconds(15);
        while ((await h.Client.GetInstanceAsync(c.Id))?.RuntimeStatus is not OrchestrationRuntimeStatus.Terminated)
        {
            Assert.True(DateTime.UtcNow < until, "the case's run was not ended within 15 s");
            await Task.Delay(100);
        }

        // SendGrid posts the same report again: taken, nothing more changes.
        Assert.Equal(StatusCodes.Status200OK, await PostAsync(endpoints, h.Client));
        Assert.Equal(closed, await h.Register.GetAsync(c.Id, default));
    }

    private static async Task<int> PostAsync(MailEventEndpoints endpoints, DurableTaskClient client)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream("[]"u8.ToArray());
        var result = await endpoints.ReportsAsync(context.Request, client, default);
        return Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode!.Value;
    }

    /// <summary>The mail service's report, signed, naming one bounce (what is on the wire is SendGridEventReportsTests' part).</summary>
    private sealed class SignedReport(MailBounce bounce) : IMailServiceReports
    {
        public bool Enabled => true;

        public MailReportCheck Check(string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now) => MailReportCheck.Valid;

        public IReadOnlyList<MailBounce> Bounces(ReadOnlySpan<byte> body) => [bounce];
    }
}
