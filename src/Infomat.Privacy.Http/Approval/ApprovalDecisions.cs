using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Approval;

/// <summary>What became of a staff decision on the identity, whichever way it came (the decision page or the card in Outlook).</summary>
public enum ApprovalResult
{
    /// <summary>The final decision was recorded (approved by the last approver needed, rejected, or refused under Art. 12(5)).</summary>
    Decided,

    /// <summary>An approval was recorded and another, different approver is still needed.</summary>
    Approved,

    /// <summary>The requester was asked for more identification.</summary>
    IdentificationAsked,

    /// <summary>Nothing recorded: the input is incomplete (<see cref="ApprovalOutcome.Message"/> says what is missing).</summary>
    Invalid,

    /// <summary>Nothing recorded: decided already (the first final decision stands), or the case is closed.</summary>
    NoMoreDecision,

    /// <summary>Nothing recorded: this person approved already; an erasure needs a different colleague.</summary>
    SameApprover,

    /// <summary>Nothing recorded: the request came from the address this person is signed in with; a colleague must decide.</summary>
    OwnRequest,

    /// <summary>
    /// Nothing recorded: the approval came from a page or card that showed fewer approvals than there are now (a colleague
    /// approved meanwhile), and nothing else of the identity check changed since.
    /// </summary>
    Changed,

    /// <summary>
    /// Nothing recorded: since the page or card was made, the identity check moved on (a colleague approved or asked the
    /// requester for more identification, or the requester replied), or it did not say what it showed (one from before
    /// pages and cards carried it). <see cref="PrivacyCase.DecisionBasisRefusal"/>.
    /// </summary>
    StateChanged,

    /// <summary>Nothing recorded: this use of the link or card was spent before.</summary>
    LinkUsed,

    /// <summary>Nothing recorded: the register could not be written now, or the mail the step sends could not be sent.</summary>
    TryAgain,
}

/// <summary>The result, the case as it stands after it, and for <see cref="ApprovalResult.Invalid"/> what is missing.</summary>
public sealed record ApprovalOutcome(ApprovalResult Result, PrivacyCase Case, string? Message = null);

/// <summary>
/// What staff asked for: the decision's wire value and what came with it. <paramref name="Basis"/> is what the page or
/// card showed of the identity check (<see cref="PrivacyCase.DecisionBasis"/> when it was made), as sent; null when it
/// sent none. Every decision is refused when the case no longer stands so.
/// </summary>
public sealed record ApprovalRequestForm(string Decision, string Evidence, string EvidenceNote, string Reason, string? Basis = null);

/// <summary>
/// One home for taking a staff decision on the identity, used by the decision page (<c>POST /approvals</c>) and the
/// approval card (<c>POST /api/approvals/card</c>): which decisions exist and what each needs, that the first final
/// decision stands, that an erasure needs two different approvers (by id), that a closed case takes no decision, and
/// that each use of a link or card is spent in the same register write as its step. The rules themselves are the
/// case's transitions (Core); this runs them and what follows (the identification mail, the signal to the orchestration).
/// </summary>
public sealed partial class ApprovalDecisions(
    CaseLinks links, CaseWorkflow workflow, IMailSender mail, IAuditTrail audit, DataMap dataMap, IOptions<PrivacyOptions> options, TimeProvider time, ILogger<ApprovalDecisions> log)
{
    public static DecisionOutcome? Parse(string decision) => decision switch
    {
        "approve" => DecisionOutcome.Approve,
        "reject" => DecisionOutcome.Reject,
        "request-identification" => DecisionOutcome.RequestIdentification,
        "manifestly-unfounded-or-excessive" => DecisionOutcome.ManifestlyUnfoundedOrExcessive,
        _ => null,
    };

    /// <summary>Takes the decision <paramref name="form"/> of <paramref name="identity"/> on <paramref name="c"/> through <paramref name="token"/>.</summary>
    public async Task<ApprovalOutcome> DecideAsync(
        PrivacyCase c, LinkToken token, StaffIdentity identity, ApprovalRequestForm form, DurableTaskClient client, Language l, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(form);
        var outcome = Parse(form.Decision);
        var reason = form.Reason.Trim();
        var evidence = form.Evidence;
        var evidenceNote = form.EvidenceNote.Trim();
        if (c.Decision is not null || c.Status.IsFinished())
        {
            // Decided already (the first final decision stands), or closed (e.g. expired): nothing more is recorded.
            return new(ApprovalResult.NoMoreDecision, c);
        }

        if (c.IsRequestOf(identity.Addresses ?? []))
        {
            // Nobody checks their own identity, whatever the decision: a colleague must. In the audit trail by staff id.
            await AuditOwnRequestAsync(c.Id, identity.Id, cancellationToken);
            return new(ApprovalResult.OwnRequest, c);
        }

        var invalid = outcome switch
        {
            null => true,
            DecisionOutcome.Approve => !IdentityApproval.EvidenceKinds.Contains(evidence),
            _ => reason.Length == 0,
        };
        if (invalid || reason.Length > 2000 || evidenceNote.Length > 2000 || identity.Name is null
            || (outcome == DecisionOutcome.Approve && IdentityApproval.EvidenceRefusal(evidence, evidenceNote) is not null))
        {
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l)
                : outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive ? Texts.Get("ApprovalUnfoundedReasonsRequired", l)
                : outcome == DecisionOutcome.Approve && !invalid ? Texts.Get("ApprovalEvidenceNoteRequired", l)
                : Texts.Get("ApprovalChoiceRequired", l);
            return new(ApprovalResult.Invalid, c, message);
        }

        var by = identity.Name;
        var at = time.GetUtcNow();
        switch (outcome)
        {
            case DecisionOutcome.RequestIdentification:
                var askUse = token.Id + ".identification";
                // The stored case this request replaced (the last one the write was decided on), for a take-back.
                var before = c;
                if (await links.TakeAsync(c, askUse, x => { before = x; return x.DecideAsShown(form.Basis, y => y.RequestIdentification(by, reason, at)); }, cancellationToken) is not { } asked)
                {
                    return new(ApprovalResult.TryAgain, c);
                }

                c = asked.Case;
                if (asked.Refused)
                {
                    // Spent before, a colleague decided meanwhile, or the page is older than a colleague's request or the
                    // requester's reply: the requester is not asked for anything more.
                    return new(Refused(asked.Refusal), c);
                }

                try
                {
                    // Not cut short by the staff member's browser going away: a send half done is not taken back as not sent.
                    await mail.SendAsync(PrivacyMails.IdentificationRequest(c, dataMap, reason, options.Value.Approval.Timeout, options.Value.NoticeLink(c.Language)), CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // Not asked: taken back, with the link's use, so the page does not say the requester was asked and
                    // the same link asks again once mail works (the page says to try again). Only this request: when a
                    // colleague asked since, theirs stands and the page shows it.
                    IdentificationNotSent(log, c.Id, ex.GetType().Name);
                    var back = await links.WriteAsync(c.Id, x => x.IdentificationRequestNotSent(askUse, before, at, by, time.GetUtcNow()), CancellationToken.None)
                        ?? throw new InvalidOperationException($"Case {c.Id}: the request for identification was recorded, its mail not sent, and it could not be taken back.", ex);
                    return new(back.Refused ? ApprovalResult.IdentificationAsked : ApprovalResult.TryAgain, back.Case);
                }

                var mailed = time.GetUtcNow();
                // The requester's time runs from the mail. Not recorded (storage down): the case stays with staff, who are reminded.
                // Recorded whatever the staff member's browser does now: the mail went (as for an extension or a lift).
                c = (await links.WriteAsync(c.Id, x => x.IdentificationMailSent(mailed), CancellationToken.None))?.Case ?? c;
                // The orchestration starts its wait for the decision again from now.
                await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, CancellationToken.None);
                return new(ApprovalResult.IdentificationAsked, c);

            case DecisionOutcome.Approve when c.ApprovalRefusal(by, identity.Id) == CaseRefusal.SameApprover:
                return new(ApprovalResult.SameApprover, c);

            case DecisionOutcome.Approve:
                // Taken on the case as the approver saw it, not as it is now: from a page or card opened before a colleague
                // approved or asked for more identification, theirs would otherwise become the decision unknowingly.
                if (await links.WriteAsync(c.Id, x => x.ApproveThroughLink(token.Id, form.Basis, by, at, evidence, evidenceNote, identity.Id), cancellationToken) is not { } approved)
                {
                    return new(ApprovalResult.TryAgain, c);
                }

                c = approved.Case;
                if (approved.Refused)
                {
                    return new(Refused(approved.Refusal), c);
                }

                if (c.Decision is null)
                {
                    return new(ApprovalResult.Approved, c);
                }

                break;

            default:
                // A refusal: the identity not confirmed, or the request manifestly unfounded or excessive (Art. 12(5)).
                // Taken on the case as the page or card showed it: not right after a colleague's request for more.
                Func<PrivacyCase, CaseTransition> refuse = outcome == DecisionOutcome.ManifestlyUnfoundedOrExcessive
                    ? x => x.DecideAsShown(form.Basis, y => y.RefuseAsManifestlyUnfoundedOrExcessive(by, reason, at))
                    : x => x.DecideAsShown(form.Basis, y => y.Reject(by, reason, at));
                if (await links.TakeAsync(c, token.Id + ".decision", refuse, cancellationToken) is not { } rejected)
                {
                    return new(ApprovalResult.TryAgain, c);
                }

                c = rejected.Case;
                if (rejected.Refused)
                {
                    return new(Refused(rejected.Refusal), c);
                }

                break;
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.IdentityDecided, cancellationToken);
        return new(ApprovalResult.Decided, c);
    }

    /// <summary>What a decision refused by the case's rules comes to for the page or card.</summary>
    private static ApprovalResult Refused(CaseRefusal? refusal) => refusal switch
    {
        CaseRefusal.LinkUsed => ApprovalResult.LinkUsed,
        CaseRefusal.SameApprover => ApprovalResult.SameApprover,
        CaseRefusal.ApprovalOutOfTurn => ApprovalResult.Changed,
        CaseRefusal.DecisionBasisChanged => ApprovalResult.StateChanged,
        _ => ApprovalResult.NoMoreDecision,
    };

    /// <summary>A staff member's decision on their own request, refused: in the case's audit trail (their staff id, a code).</summary>
    private async Task AuditOwnRequestAsync(string caseId, string? actor, CancellationToken cancellationToken)
    {
        OwnRequestRefused(log, caseId);
        if (await RefusalAudit.TryAppendAsync(audit, time, caseId, "own-request-refused", AuditActions.IdentityDecisionRefused, actor, "own-request", cancellationToken) is { } error)
        {
            // The refusal stands whether or not it could be audited; the log line says it was not.
            OwnRequestNotAudited(log, caseId, error);
        }
    }

    [LoggerMessage(157, LogLevel.Warning, "Case {CaseId}: a staff member signed in with the requester's address tried to decide on the identity; refused (a colleague must)")]
    private static partial void OwnRequestRefused(ILogger logger, string caseId);

    [LoggerMessage(158, LogLevel.Error, "Case {CaseId}: a refused decision on one's own request could not be audited ({Error})")]
    private static partial void OwnRequestNotAudited(ILogger logger, string caseId, string error);

    [LoggerMessage(149, LogLevel.Warning, "Case {CaseId}: the request for identification could not be mailed ({Error}); it is taken back")]
    private static partial void IdentificationNotSent(ILogger logger, string caseId, string error);
}
