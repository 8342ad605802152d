using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.Verification;

/// <summary>
/// Sends the verification link if it has not gone yet (the intake sends it as it writes the case; this is the step that
/// sends it when that failed) and says until when the orchestration waits for it (the timeout from that mail). A run's
/// first step (<see cref="LoadProgress"/>) does the same; this step runs when that could not send it.
/// </summary>
public sealed class SendVerification(ICaseRegister register, VerificationMail verification) : TaskActivity<string, WaitStep>
{
    public override async Task<WaitStep> RunAsync(TaskActivityContext context, string input)
    {
        PrivacyCase sent;
        try
        {
            sent = await verification.SendOnceAsync(await register.RequireAsync(input), CancellationToken.None);
        }
        catch (MailRefusedException)
        {
            // Refused for good, and on record (VerificationMail): every retry would be refused alike (decision 141).
            return new WaitStep(DateTime.MinValue) { AddressRefused = true };
        }

        return new(verification.WaitUntilUtc(sent));
    }
}
