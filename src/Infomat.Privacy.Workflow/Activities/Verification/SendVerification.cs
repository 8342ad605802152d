using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Verification;

/// <summary>
/// Sends the verification link if it has not gone yet (the intake sends it as it writes the case; this is the step that
/// sends it when that failed) and says until when the orchestration waits for it (the timeout from that mail).
/// </summary>
public sealed class SendVerification(ICaseRegister register, VerificationMail verification, IOptions<PrivacyOptions> options, TimeProvider time)
    : TaskActivity<string, WaitStep>
{
    public override async Task<WaitStep> RunAsync(TaskActivityContext context, string input)
    {
        var c = await verification.SendOnceAsync(await register.RequireAsync(input), CancellationToken.None);
        return new WaitStep(c.VerificationDeadline(options.Value.Verification.Timeout, time.GetUtcNow()).UtcDateTime);
    }
}
