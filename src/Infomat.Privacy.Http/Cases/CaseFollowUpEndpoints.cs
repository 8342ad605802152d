using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Configuration;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Cases;

/// <summary>
/// What staff do on a case page after the first answer (issue 17, decision 57): record that they checked the
/// identification the requester sent (<c>POST /cases/{id}/identification-seen</c>), and lift the restriction a
/// restriction request put in place (<c>POST /cases/{id}/lift-restriction</c>, Art. 18(3): the notice first, then the stores).
/// </summary>
public sealed partial class CaseFollowUpEndpoints(
    ICaseRegister register, CasePage page, IMailSender mail, IEntityStoreCatalog stores, DataMap dataMap, StaffPages staff, IOptions<PrivacyOptions> options, TimeProvider time,
    KeyedHash hash, ILogger<CaseFollowUpEndpoints> log)
{
    /// <summary><c>POST /cases/{id}/identification-seen</c>: the staff member checked the reply in the mailbox (audited).</summary>
    public Task<IResult> IdentificationSeenAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => IdentificationSeenCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> IdentificationSeenCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (c, by, failure) = await OpenAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var update = await register.ApplyAsync(c!.Id, x => x.IdentificationSeen(by!, time.GetUtcNow()), cancellationToken);
        return staff.Page(Texts.Format("CaseTitle", l, c.Id), await page.BodyAsync(request, update.Case, l, cancellationToken),
            update.Refused && update.Refusal != CaseRefusal.AlreadyDone ? StatusCodes.Status409Conflict : StatusCodes.Status200OK);
    }

    /// <summary><c>POST /cases/{id}/recipient-informed</c> with <c>recipient</c>: a staff member told that recipient of the change (Art. 19; audited).</summary>
    public Task<IResult> RecipientInformedAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => RecipientInformedCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> RecipientInformedCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (c, by, failure) = await OpenAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var recipient = request.HasFormContentType ? request.Form["recipient"].ToString() : string.Empty;
        var update = await register.ApplyAsync(c!.Id, x => x.RecipientInformed(recipient, by!, time.GetUtcNow()), cancellationToken);
        return staff.Page(Texts.Format("CaseTitle", l, c.Id), await page.BodyAsync(request, update.Case, l, cancellationToken),
            update.Refused && update.Refusal != CaseRefusal.AlreadyDone ? StatusCodes.Status409Conflict : StatusCodes.Status200OK);
    }

    /// <summary>
    /// <c>POST /cases/{id}/lift-restriction</c> with <c>reason</c>: claims the notice (a second post while it goes is
    /// refused, 409), mails the requester that and why the restriction will be lifted, records it, then marks the records
    /// no longer restricted in every store of the case and records that. When the mail fails the claim is taken back and
    /// nothing is lifted; when a store fails after the mail, the page finishes it later without a second mail.
    /// </summary>
    public Task<IResult> LiftRestrictionAsync(HttpRequest request, string caseId, CancellationToken cancellationToken) =>
        staff.GuardAsync(caseId, () => LiftRestrictionCoreAsync(request, caseId, cancellationToken), cancellationToken);

    private async Task<IResult> LiftRestrictionCoreAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        var (c, by, failure) = await OpenAsync(request, caseId, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var l = staff.Language;
        var title = Texts.Format("CaseTitle", l, c!.Id);
        async Task<IResult> Answer(string message, int status, PrivacyCase shown) =>
            staff.Page(title, StaffPages.Error(message) + await page.BodyAsync(request, shown, l, cancellationToken), status);

        if (c.LiftRefusal is not null)
        {
            return await Answer(page.LiftRefused(c, l), StatusCodes.Status409Conflict, c);
        }

        // The person's other cases, read for the lift's rules (PrivacyCase.Restriction): an upheld objection on these
        // records blocks the lift (decision 123); another restriction request still in force keeps its companies' records
        // restricted, and one whose lift is being sent now is waited for (decision 128); an erasure whose store actions
        // ran leaves what the law makes us keep restricted, and the notice says so. Asked before the claim, after it, and
        // again before the stores.
        async Task<(string? BlockedBy, IReadOnlyList<KeptUnder> Kept, string? HeldBy, string? UnderWay)> OthersAsync()
        {
            var subject = c.SubjectIn(hash);
            // The requester's own cases, by one query on the register (not every case: a lift must answer at once); an
            // objection upheld years ago whose address the register has erased since is found by its keyed hash.
            var others = new List<PrivacyCase>();
            await foreach (var otherId in register.ListOfAsync(c.Email, subject, cancellationToken))
            {
                if (otherId != c.Id && await register.GetAsync(otherId, cancellationToken) is { } other
                    && (other.RestrictsForGood || other.Rights.Contains(RequestType.Restriction) || other.Rights.Contains(RequestType.Erasure)))
                {
                    others.Add(other);
                }
            }

            return (c.LiftBlockedBy(others, subject), c.LiftKeptBy(others, subject), c.LiftLeavesHeldBy(others, subject),
                c.LiftUnderWayBy(others, subject, time.GetUtcNow()));
        }

        if (c.RestrictionLift is null)
        {
            var reason = request.Form["reason"].ToString().Trim();
            if (reason.Length is 0 or > 2000)
            {
                return await Answer(Texts.Get("CaseLiftReasonRequired", l), StatusCodes.Status400BadRequest, c);
            }

            var (blocker, _, _, _) = await OthersAsync();
            if (blocker is not null)
            {
                // The requester is told nothing: the upheld objection stays in force.
                return await Answer(Texts.Format("CaseLiftBlocked", l, blocker), StatusCodes.Status409Conflict, c);
            }

            // Art. 18(3): the requester is told before the restriction is lifted; no mail, no lift. The notice is claimed in
            // the register first, so a second click, another tab or a colleague does not mail the requester again.
            var claimedAt = time.GetUtcNow();
            var claimed = await register.ApplyAsync(c.Id, x => x.ClaimRestrictionLiftNotice(by!, reason, claimedAt), cancellationToken);
            if (claimed.Refused)
            {
                return await Answer(claimed.Refusal is CaseRefusal.UnderWay or CaseRefusal.AlreadyDone && claimed.Case.RestrictionLift?.LiftedAt is null
                    ? Texts.Get("CaseLiftUnderWay", l) : page.LiftRefused(claimed.Case, l), StatusCodes.Status409Conflict, claimed.Case);
            }

            c = claimed.Case;

            // Asked again once this lift holds its claim: what the notice says is what the register holds now, and a lift
            // of another restriction of the person being sent at this moment goes first (each would keep the other's
            // records restricted for good). Giving way sends nothing; the claim is taken back.
            var (blockedNow, kept, heldBy, underWay) = await OthersAsync();
            if (blockedNow is not null || underWay is not null)
            {
                var released = await register.ApplyAsync(c.Id, x => x.RestrictionLiftNoticeNotSent(claimedAt, time.GetUtcNow()), CancellationToken.None);
                return await Answer(blockedNow is not null ? Texts.Format("CaseLiftBlocked", l, blockedNow) : Texts.Format("CaseLiftOtherUnderWay", l, underWay),
                    StatusCodes.Status409Conflict, released.Case);
            }

            try
            {
                // Not cut short by the staff member's browser going away: a send half done is not taken back as not sent.
                await mail.SendAsync(PrivacyMails.RestrictionLiftNotice(c, dataMap, reason, options.Value.NoticeLink(c.Language), kept, heldBy), CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Not sent: the claim is taken back, so nothing reads as told and staff can try again; nothing is lifted.
                NoticeFailed(log, c.Id, ex.GetType().Name);
                var back = await register.ApplyAsync(c.Id, x => x.RestrictionLiftNoticeNotSent(claimedAt, time.GetUtcNow()), CancellationToken.None);
                return await Answer(Texts.Get("CaseLiftMailFailed", l), StatusCodes.Status503ServiceUnavailable, back.Case);
            }

            c = (await register.ApplyAsync(c.Id, x => x.RestrictionLiftNotified(by!, reason, time.GetUtcNow(), kept), CancellationToken.None)).Case;
        }

        if (c.RestrictionLift is null)
        {
            // The notice went but could not be recorded as sent (the case changed meanwhile): nothing is lifted without it,
            // and staff are told the requester has the notice.
            return await Answer(Texts.Get("CaseLiftNoticeNotRecorded", l), StatusCodes.Status409Conflict, c);
        }

        // Asked again before the stores, also right after the notice went: an objection upheld, or another restriction's
        // actions run, while it was being sent must not be undone by it.
        {
            var (since, keptNow, _, _) = await OthersAsync();
            if (since is not null)
            {
                // Upheld since the notice went: the records stay restricted (the safe side); staff write to the requester.
                return await Answer(Texts.Format("CaseLiftBlockedAfterNotice", l, since), StatusCodes.Status409Conflict, c);
            }

            if (c.LiftNowKeptBeyondNotice(keptNow) is { } keeper)
            {
                // Another restriction approved since the notice covers stores the notice said would be lifted: nothing more
                // is lifted (the safe side); staff write to the requester.
                return await Answer(Texts.Format("CaseLiftKeptAfterNotice", l, keeper), StatusCodes.Status409Conflict, c);
            }
        }

        try
        {
            // Each store records the lift under the case id: finishing a lift a store failed does not change any store twice.
            var records = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var store in c.StoresToLift(dataMap))
            {
                var outcome = await stores.Find(store.Key).ApplyAsync(new StoreActionRequest(c.Id, StoreAction.LiftRestriction, c.Email, time.GetUtcNow()), cancellationToken);
                records[store.Key] = outcome.Tables.Sum(t => t.Updated);
            }

            c = (await register.ApplyAsync(c.Id, x => x.RestrictionLifted(records, time.GetUtcNow()), cancellationToken)).Case;
            Lifted(log, c.Id, records.Values.Sum());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoresFailed(log, c.Id, ex.GetType().Name);
            return await Answer(Texts.Get("CaseLiftStoreFailed", l), StatusCodes.Status503ServiceUnavailable, c);
        }

        return staff.Page(title, await page.BodyAsync(request, c, l, cancellationToken));
    }

    /// <summary>The antiforgery token, the staff member (name required) and the case, or the page to answer with.</summary>
    private async Task<(PrivacyCase? Case, string? By, IResult? Failure)> OpenAsync(HttpRequest request, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (_, identity, refused) = await staff.ReadPostAsync(request, cancellationToken);
        if (refused is not null)
        {
            return (null, null, refused);
        }

        if (!CaseIds.IsWellFormed(caseId) || await register.GetAsync(caseId, cancellationToken) is not { } c)
        {
            return (null, null, staff.Page(Texts.Get("CaseNotFoundTitle", l), P(Texts.Get("CaseNotFoundBody", l)), StatusCodes.Status404NotFound));
        }

        if (staff.OwnRequest(c, identity, Texts.Format("CaseTitle", l, c.Id)) is { } own)
        {
            // Nobody handles their own request: not the lift of their restriction or the record of its notices either.
            return (c, null, own);
        }

        return identity.Name is null
            ? (c, null, staff.Page(Texts.Format("CaseTitle", l, c.Id), StaffPages.Error(Texts.Get("StaffNameRequired", l)) + await page.BodyAsync(request, c, l, cancellationToken), StatusCodes.Status400BadRequest))
            : (c, identity.Name, null);
    }

    [LoggerMessage(130, LogLevel.Warning, "Case {CaseId}: the notice that the restriction will be lifted could not be sent ({Error}); nothing lifted")]
    private static partial void NoticeFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(131, LogLevel.Warning, "Case {CaseId}: the restriction could not be lifted in every store ({Error}); the requester was told, staff finish it from the case page")]
    private static partial void StoresFailed(ILogger logger, string caseId, string error);

    [LoggerMessage(132, LogLevel.Information, "Case {CaseId}: restriction lifted ({Records} records)")]
    private static partial void Lifted(ILogger logger, string caseId, int records);
}
