using Infomat.Privacy.Cases;

namespace Infomat.Privacy.Workflow.Activities.Closing;

/// <summary>
/// The requester's answer (the export link, the report, the rejection, the expiry notice) goes once however often its
/// step runs (decision 116). The durable provider delivers a step at least once, and two runs of one step can overlap:
/// each read the case, saw no answer recorded, and mailed the requester. Now a run claims the answer in the register
/// before the send (<see cref="PrivacyCase.ClaimAnswer"/>). A run that finds another's claim waits for it to end: the
/// answer recorded (nothing more to do) or the claim taken back after a failed send (it claims and sends itself). A claim
/// older than <see cref="PrivacyCase.AnswerClaimHold"/> (a host that stopped mid-send) no longer holds.
/// </summary>
public static class AnswerOnce
{
    /// <summary>How often a run waiting on another's claim reads the case again.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>How often the record of a sent answer, or the release of a claim whose send failed, is tried (1, 2, 3 and 4 s apart).</summary>
    private const int RecordAttempts = 5;

    /// <summary>
    /// Claims the answer of <paramref name="caseId"/>, runs <paramref name="send"/> on the case as claimed (it sends the
    /// mail and returns the transition that records it), and records it. Returns the case as stored after, with whether
    /// this run sent it (false: it was recorded already, by this step's earlier run or another).
    /// </summary>
    public static Task<(PrivacyCase Case, bool Sent)> SendAsync(
        ICaseRegister register, TimeProvider time, string caseId, Func<PrivacyCase, Task<Func<PrivacyCase, CaseTransition>>> send) =>
        SendAsync(register, time, caseId, (x, at) => x.ClaimAnswer(at), (x, at) => x.AnswerNotSent(at), send);

    /// <summary>
    /// As the answer, for another mail the requester gets once (the acknowledgement): <paramref name="claim"/> and
    /// <paramref name="release"/> are its own claim's transitions.
    /// </summary>
    public static async Task<(PrivacyCase Case, bool Sent)> SendAsync(
        ICaseRegister register, TimeProvider time, string caseId,
        Func<PrivacyCase, DateTimeOffset, CaseTransition> claim, Func<PrivacyCase, DateTimeOffset, CaseTransition> release,
        Func<PrivacyCase, Task<Func<PrivacyCase, CaseTransition>>> send)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(send);
        // Bounded in real time as well as by the claim's hold, so a clock that does not move cannot keep a run here.
        var patience = DateTimeOffset.UtcNow + PrivacyCase.AnswerClaimHold + Poll;
        while (true)
        {
            var claimedAt = time.GetUtcNow();
            var claimed = await register.ApplyAsync(caseId, x => claim(x, claimedAt), CancellationToken.None);
            if (claimed.Refusal == CaseRefusal.AlreadyDone)
            {
                return (claimed.Case, false);
            }

            if (claimed.Refusal == CaseRefusal.UnderWay)
            {
                if (DateTimeOffset.UtcNow > patience)
                {
                    throw new InvalidOperationException($"Case {caseId}: another run of this step has been sending its answer for longer than it may.");
                }

                await Task.Delay(Poll);
                continue;
            }

            Func<PrivacyCase, CaseTransition> record;
            try
            {
                record = await send(claimed.Case);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not sent (or not known to be): the claim goes, tried again in place like the record below, so the
                // step's retry sends at once rather than wait for the claim to run out. One that cannot be taken back
                // runs out after its hold; the send's failure is what the step reports.
                try
                {
                    await WriteAsync(() => register.ApplyAsync(caseId, x => release(x, claimedAt), CancellationToken.None));
                }
                catch (Exception notReleased) when (notReleased is not OutOfMemoryException)
                {
                }

                throw;
            }

            // The mail went: its record is tried again in place, so a passing storage fault does not leave the claim to
            // run out and the step's retry to mail the requester a second time.
            return ((await WriteAsync(() => register.ApplyAsync(caseId, record, CancellationToken.None))).Case, true);
        }
    }

    /// <summary>A register write tried up to <see cref="RecordAttempts"/> times, 1, 2, 3 and 4 s apart; the last failure is thrown.</summary>
    private static async Task<CaseUpdate> WriteAsync(Func<Task<CaseUpdate>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && attempt < RecordAttempts)
            {
                await Task.Delay(Poll * attempt);
            }
        }
    }
}
