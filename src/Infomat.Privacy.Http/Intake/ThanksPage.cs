using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// The thank-you page after a form submission, and what its address shows later (a bookmark, the same form sent again):
/// the reference and where the request stands (<see cref="PrivacyCase.Progress"/>), each stage in its own sentence: the
/// link to confirm the address with the due date and the way to have it sent again, under way with the due date, answered,
/// or closed and why, with the way to ask again.
/// </summary>
public static class ThanksPage
{
    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>The page's address for a case (after the form's 303 and a resend), in <paramref name="language"/>.</summary>
    public static string PathFor(string id, Language language, bool resent = false) =>
        $"/privacy/thanks?request={id}&lang={language.ToWire()}" + (resent ? "&resent=1" : string.Empty);

    /// <summary>The page's title: "check your mailbox" while the address waits for its link (sent or on its way), else "your request".</summary>
    public static string Title(PrivacyCase c, Language language)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Texts.Get(c.Progress is RequestProgress.AwaitingAddressConfirmation or RequestProgress.AddressLinkComing ? "ThanksTitle" : "ThanksCaseTitle", language);
    }

    /// <summary>The page's text for <paramref name="c"/> as it stands at <paramref name="now"/> (the legal date may have passed).</summary>
    /// <remarks>
    /// <paramref name="confirmBy"/> and <paramref name="identificationBy"/>: until when the requester may confirm the
    /// address, or answer the request for identification (said while the request waits for that; the mail said it once).
    /// </remarks>
    public static string Body(PrivacyCase c, Stores.DataMap map, Language language, bool resent, bool canResend, DateTimeOffset now,
        DateTimeOffset? confirmBy = null, DateTimeOffset? identificationBy = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        var due = Texts.Date(c.DueDate, language);
        var body = new StringBuilder(P(c.Progress switch
        {
            RequestProgress.AwaitingAddressConfirmation => Texts.Format("ThanksBody", language, c.Id, due) + " " + PrivacyMails.DueSentence(c, language, now),
            RequestProgress.AddressLinkComing => Texts.Format("ThanksLinkComingBody", language, c.Id, due) + " " + PrivacyMails.DueSentence(c, language, now),
            RequestProgress.HeldUpBeforeAddressConfirmed => Texts.Format(c.FailedStep == PrivacyCase.MailNotDeliveredStep ? "ThanksHeldUpLinkNotDelivered" : "ThanksHeldUpBody", language, c.Id, due)
                + " " + PrivacyMails.DueSentence(c, language, now, promise: false),
            RequestProgress.AddressRefusedByMailService => Texts.Format(c.VerificationLinkBounced ? "ThanksAddressBouncedBody" : "ThanksAddressRefusedBody", language, c.Id),
            // A mail of theirs that may be the answer is with staff (decision 152): the page does not ask for it again.
            RequestProgress.AwaitingIdentification => Texts.Format(c.IdentificationMailInTriageAt is null ? "ThanksIdentificationBody" : "ThanksIdentificationMailInTriage", language, c.Id,
                Texts.Date(Deadlines.DueDateCalculator.Today(c.IdentificationMailSentAt ?? c.IdentificationRequestedAt ?? c.ReceivedAt), language),
                Texts.Date(Deadlines.DueDateCalculator.Today(c.IdentificationMailInTriageAt ?? c.ReceivedAt), language)),
            RequestProgress.UnderWay => Texts.Format("ThanksUnderWayBody", language, c.Id, due) + " " + PrivacyMails.DueSentence(c, language, now, promise: false),
            // A bundled request whose rest staff refused: what was refused, before the lines on what stands.
            RequestProgress.Answered when c.StatusNamedWhenClosed == CaseStatus.Rejected && c.AppliedAtOnceAt is not null =>
                Texts.Format("ThanksAnsweredRefusedPartly", language, c.Id, PrivacyMails.RestNames(c, language)),
            RequestProgress.Answered => Texts.Format("ThanksAnsweredBody", language, c.Id),
            RequestProgress.AnsweredOutside => Texts.Format("ThanksAnsweredOutsideBody", language, c.Id, Texts.Date(c.AnsweredOutside!.AnsweredOn, language))
                + (c.StatusNamedWhenClosed == CaseStatus.Rejected && c.AppliedAtOnceAt is not null ? " " + Texts.Format("ThanksRestRefused", language, PrivacyMails.RestNames(c, language)) : string.Empty),
            RequestProgress.ClosedAddressNotConfirmed => Texts.Format("ThanksClosedAddressBody", language, c.Id),
            // Not the other case's reference, status or dates: this page shows to whoever has this reference.
            RequestProgress.JoinedEarlierRequest => Texts.Format("ThanksJoinedBody", language, c.Id),
            // Beside what was applied at once, only the rest closed: said as the expiry mail says it (review of 7 December).
            _ => c.AppliedAtOnceAt is null ? Texts.Format("ThanksClosedIdentityBody", language, c.Id) : PrivacyMails.IdentificationExpiredText(c, language),
        }));
        if (c.StandingExtension is not null && c.Progress is RequestProgress.AwaitingAddressConfirmation or RequestProgress.AddressLinkComing
            or RequestProgress.HeldUpBeforeAddressConfirmed or RequestProgress.UnderWay)
        {
            // Beside the date it gives: that it is an extended one, from which date (Art. 12(3)); the mail gave the reason.
            body.Append(P(Texts.Format("ThanksExtended", language, Texts.Date(c.FirstDueDate, language))));
        }

        // Until when the requester may act, while the request waits on them and that moment is ahead: not once the link
        // bounced (the case then waits on staff for a new link) nor while a reply of theirs is with staff.
        if (c.Progress == RequestProgress.AwaitingAddressConfirmation && c.LinkBouncedAt is null && confirmBy is { } confirm && now < confirm)
        {
            body.Append(P(Texts.Format("ThanksConfirmBy", language, Texts.Deadline(confirm, language))));
        }

        if (c.Progress == RequestProgress.AwaitingIdentification && c.IdentificationMailInTriageAt is null && c.IdentificationRequestBouncedAt is null
            && identificationBy is { } answer && now < answer)
        {
            // Beside what was applied at once, only the rest may close.
            body.Append(P(c.AppliedAtOnceAt is null
                ? Texts.Format("ThanksIdentificationBy", language, Texts.Deadline(answer, language))
                : Texts.Format("ThanksIdentificationByPartly", language, Texts.Deadline(answer, language), PrivacyMails.RestNames(c, language))));
        }

        if (c.Progress == RequestProgress.AwaitingAddressConfirmation && c.LinkBouncedAt is { } bouncedAt)
        {
            // The mail service took the link and then reported it undeliverable, for a reason that did not close the case
            // (decision 148): "we sent a link" stays true, but the requester should not wait for it.
            body.Append(P(Texts.Format(canResend ? "ThanksLinkNotDelivered" : "ThanksLinkNotDeliveredNoResend", language, Texts.Date(Deadlines.DueDateCalculator.Today(bouncedAt), language))));
        }

        if (c.Progress == RequestProgress.AwaitingIdentification && c.IdentificationRequestBouncedAt is { } notDelivered)
        {
            // The request for identification did not reach them (decision 151): the case waits on staff, not on them.
            body.Append(P(Texts.Format("ThanksIdentificationNotDelivered", language, Texts.Date(Deadlines.DueDateCalculator.Today(notDelivered), language), c.Id)));
        }

        if (c.RestMayNotBeCarriedOut)
        {
            // What was applied at once stands, whatever becomes of the rest (also when staff refused it: the mail said so),
            // after the state's own paragraphs and before the remedies (the lines begin "This does not affect ...").
            foreach (var line in PrivacyMails.AppliedAtOnceStandsLines(c, language))
            {
                body.Append(P(line));
            }
        }

        if (c.AnswerBounce is { } answerBounced)
        {
            // "We sent our answer" stays true; that it did not arrive is for the requester to know too (the case page tells staff).
            body.Append(P(Texts.Format("ThanksAnswerBounced", language, Texts.Date(Deadlines.DueDateCalculator.Today(answerBounced.ReportedAt), language), c.Id)));
        }

        if (c.Progress == RequestProgress.AddressRefusedByMailService || c.ClosedUntold || c.AnswerBounce is not null)
        {
            // Also while the notice of a request closed otherwise has not gone (it failed; staff see it), or when the
            // answer was reported undelivered: this page is then the only place the requester can read the remedies.
            // Not acted on, and no mail can say so (the address does not take mail): this page is where the requester
            // learns of the remedies Art. 12(4) asks for, as the notice of a request closed otherwise says them.
            foreach (var line in PrivacyMails.Remedies(c, map, language))
            {
                body.Append(P(line));
            }
        }

        // The page a resend leads to: the banner only while the link is what the request waits for (the same address
        // bookmarked or opened later would show it on an answered or closed request).
        if (resent && c.Progress == RequestProgress.AwaitingAddressConfirmation)
        {
            body.Append("<p role=\"status\"><strong>").Append(E(Texts.Get("ResentDone", language))).Append("</strong></p>");
        }

        if (canResend)
        {
            body.Append("<form method=\"post\" action=\"/privacy/resend\"><input type=\"hidden\" name=\"request\" value=\"").Append(E(c.Id))
                .Append("\"><input type=\"hidden\" name=\"lang\" value=\"").Append(language.ToWire()).Append("\"><p>").Append(E(Texts.Get("ResentHint", language)))
                .Append("</p><button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("ResendButton", language))).Append("</button></form>");
        }

        if (c.Progress is RequestProgress.Answered or RequestProgress.AnsweredOutside or RequestProgress.ClosedAddressNotConfirmed or RequestProgress.ClosedIdentityNotConfirmed
            or RequestProgress.AddressRefusedByMailService)
        {
            // A new request is a new page (a new submission): this page sent again from the browser's history names this case.
            body.Append(Inv, $"<p><a href=\"{E(RequestFormPage.PathFor(language))}\">{E(Texts.Get("ThanksNewRequest", language))}</a></p>");
        }

        body.Append(StatusLink(c.Id, language));
        return body.ToString();
    }

    /// <summary>
    /// The link a requester follows the request by: this page, in their language (<c>GET /api/requests/{id}</c> is the same
    /// status as JSON for scripts, with English wire values: not a page for a person).
    /// </summary>
    public static string StatusLink(string id, Language language) =>
        $"<p><a href=\"{E(PathFor(id, language))}\">{E(Texts.Get("StatusLink", language))}</a></p>";
}
