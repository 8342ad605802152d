using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Approval;

/// <summary>
/// Acts on the recorded staff decision: a refusal (identity not confirmed, or manifestly unfounded or excessive) closes
/// the case with a mail to the requester.
/// </summary>
public sealed class ApplyDecision(ICaseRegister register, IMailSender mail, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<ApplyDecision> log)
    : TaskActivity<string, DecisionResult>
{
    public override async Task<DecisionResult> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        var decision = c.Decision ?? throw new InvalidOperationException($"Case {c.Id} has no decision.");
        if (decision.Outcome == DecisionOutcome.RequestIdentification)
        {
            throw new InvalidOperationException($"Case {c.Id}: asking for more identification is not offered by this build.");
        }

        if (decision.IsRefusal)
        {
            if (c.NeedsAnswer)
            {
                // Claimed before the rejection goes: a second run of this step does not send it again (decision 116).
                var (_, sent) = await Closing.AnswerOnce.SendAsync(register, time, c.Id, async claimed =>
                {
                    await mail.SendAsync(PrivacyMails.Rejection(claimed, dataMap, options.Value.NoticeLink(claimed.Language)), CancellationToken.None);
                    var at = time.GetUtcNow();
                    return x => x.RejectionSent(at);
                });
                if (sent)
                {
                    log.Step(c.Id, "rejected");
                }
            }

            return new DecisionResult(false, CasePlan.Export, []);
        }

        var startedAt = time.GetUtcNow();
        var started = await register.ApplyAsync(c.Id, x => x.StartWork(startedAt), CancellationToken.None);
        if (started.Refused && started.Case.Status is CaseStatus.AwaitingEmailVerification or CaseStatus.AwaitingIdentityApproval)
        {
            // Work that cannot start is not done as if it had (the steps after it rely on InProgress): the step fails, and
            // the case with it, for staff. A retry after work started is refused too, and goes on.
            throw new InvalidOperationException($"Case {c.Id}: work could not start ({started.Refusal}) from {started.Case.Status}.");
        }
        var stores = dataMap.StoresOf(c.Entity).Select(s => s.Key).ToList();
        return c.Type switch
        {
            RequestType.Access or RequestType.Portability => new DecisionResult(true, CasePlan.Export, stores),
            // An erasure that also answers an objection to direct marketing or a withdrawal (decisions 42, 49): those
            // first (applied at once when the address was confirmed, so the store returns what it recorded then), so the
            // address stays off marketing after the erasure; then the erasure.
            RequestType.Erasure when c.ActionsAtOnce is { Count: > 0 } atOnce
                => new DecisionResult(true, CasePlan.ApplyInStores, stores, atOnce[0], [.. atOnce.Skip(1), StoreAction.Erase]),
            RequestType.Erasure => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.Erase),
            RequestType.Restriction => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.Restrict),
            RequestType.WithdrawConsent => new DecisionResult(true, CasePlan.ApplyInStores, stores, ImmediateRights.WithdrawalFor(c.Consent)),
            RequestType.Objection when c.Objection != ObjectionScope.Other => new DecisionResult(true, CasePlan.ApplyInStores, stores, StoreAction.ObjectToDirectMarketing),
            _ => new DecisionResult(true, CasePlan.StaffTasks, stores),
        };
    }
}

/// <summary>How an approved case is carried out, from its type.</summary>
public enum CasePlan
{
    /// <summary>Access and portability: collect, package, deliver a link.</summary>
    Export,

    /// <summary>Erasure, restriction, withdrawal of consent, objection to direct marketing: act in every store, report.</summary>
    ApplyInStores,

    /// <summary>Rectification and other objections: staff act first, then the stores (if needed) and the report.</summary>
    StaffTasks,
}

/// <summary>
/// The staff decision as the orchestration needs it, the plan, the stores in scope, and for
/// <see cref="CasePlan.ApplyInStores"/> the action, and the actions after it when the case answers more than one right
/// (<see cref="ThenActions"/>; absent in the history of instances started before it existed).
/// </summary>
public sealed record DecisionResult(bool Approved, CasePlan Plan, IReadOnlyList<string> StoreKeys, StoreAction? Action = null, IReadOnlyList<StoreAction>? ThenActions = null);
