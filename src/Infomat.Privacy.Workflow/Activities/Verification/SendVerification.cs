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
        var c = await register.RequireAsync(input);
        if (c.ClosedAsAddressRefused)
        {
            return Refused(c);
        }

        try
        {
            c = await verification.SendOnceAsync(c, CancellationToken.None);
        }
        catch (MailRefusedException)
        {
            // Refused for good and on record, which closed the case (decision 141): every retry would be refused alike.
            // Not on record (the case moved on meanwhile: confirmed by an earlier link, closed by staff): thrown as it is.
            var stored = await register.RequireAsync(input);
            if (!stored.ClosedAsAddressRefused)
            {
                throw;
            }

            return Refused(stored);
        }

        return new(verification.WaitUntilUtc(c));
    }

    /// <summary>The flag, with the wait's usual end: a run of the release before, which does not know the flag, waits and then finds the case closed.</summary>
    private WaitStep Refused(PrivacyCase c) => new(verification.WaitUntilUtc(c)) { AddressRefused = true };
}
