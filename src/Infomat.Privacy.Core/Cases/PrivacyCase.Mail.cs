using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Cases;

// What the intake (form and mail) asks of a case before it creates one or routes a mail to one.
public sealed partial record PrivacyCase
{
    /// <summary>
    /// True when <paramref name="request"/> (a mail, or a triaged mail made a case) asks again what this open case
    /// already asks — the same address, right, controllers and (for an objection) the same kind of objection — and this
    /// case's address is confirmed. Such a mail joins this case instead of making a second one (a mail sent twice), so
    /// the person gets one answer, not two. A case whose address nobody confirmed is not joined: the mail's sender is
    /// sent nothing of their own when it joins (no link, no acknowledgement), and that case — a form sent in their name
    /// by someone else and left, or their own they never confirmed — would close as unconfirmed and take the mail's
    /// request with it. The mail makes its own case instead; whichever is confirmed second joins the first then
    /// (<see cref="JoinedOnConfirmation"/>).
    /// </summary>
    public bool IsSameOpenRequest(ValidRequest request) => IsTwinOf(request) && EmailVerifiedAt is not null;

    /// <summary>
    /// True when a request with <paramref name="details"/> asks this case something it was not sent with: details of its
    /// own that are not this case's (a rectification's further corrections, an objection's further grounds). A request
    /// that joins this case (<see cref="IsSameOpenRequest"/>, <see cref="IsTwinOf"/>) and adds to it is recorded on it for
    /// staff to read, so nothing it asks is lost; one that adds nothing (the same mail sent again) is not. A request that
    /// adds to an open case is not answered by it on confirmation either (<see cref="IsAnsweredBy"/>).
    /// </summary>
    public bool IsAddedToBy(string? details) =>
        !string.IsNullOrWhiteSpace(details) && !string.Equals(details.Trim(), Details?.Trim(), StringComparison.Ordinal);

    /// <summary>
    /// True when <paramref name="request"/>, arriving within the same claim window as this case (minutes apart: the same
    /// mail handled twice, a letter sent twice at once), asks what this open case asks, confirmed or not: the two are one
    /// request from one sender, and make one case. Beyond the window, <see cref="IsSameOpenRequest"/> decides.
    /// </summary>
    public bool IsTwinOf(ValidRequest request) => !Status.IsFinished() && AsksTheSame(request);

    /// <summary>
    /// True when <paramref name="request"/> asks what this case asks (the same address, right, controllers, kind of
    /// objection and consent), whatever the case's status. A form sent again (the same page's submission, or an API
    /// call with the same <c>Idempotency-Key</c>) names its case this way even after the case was answered.
    /// </summary>
    public bool AsksTheSame(ValidRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Asks(request.Type, request.AlsoRights, request.Entity, request.Objection, request.Consent, request.Email);
    }

    /// <summary>True when <paramref name="other"/> asks what this case asks (as <see cref="AsksTheSame(ValidRequest)"/>).</summary>
    public bool AsksTheSame(PrivacyCase other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Asks(other.Type, other.AlsoRights, other.Entity, other.Objection, other.Consent, other.Email);
    }

    private bool Asks(RequestType type, IEnumerable<RequestType> alsoRights, ControllerScope entity, ObjectionScope? objection, ConsentScope? consent, string email) =>
        Type == type
        && AlsoRights.Order().SequenceEqual(alsoRights.Order())
        && Entity == entity
        && Objection == objection
        && Consent == consent
        && EmailAddresses.Normalise(Email) == EmailAddresses.Normalise(email);

    /// <summary>
    /// True when <paramref name="request"/> is what was sent to make this case, word for word: what
    /// <see cref="AsksTheSame(ValidRequest)"/> compares, and the same name, company and details. An API client's
    /// <c>Idempotency-Key</c> sent again with anything else is refused (a rectification's new details must not be lost
    /// in the old case).
    /// </summary>
    public bool IsSameSubmission(ValidRequest request) => SubmissionFingerprint(request) == SubmissionFingerprint(this);

    /// <summary>
    /// What a form page's submission is named after beside its id (a page sent back from the browser's history with
    /// anything changed is another request): the fields <see cref="IsSameSubmission"/> compares.
    /// </summary>
    public static string SubmissionFingerprint(ValidRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Fingerprint(request.Type, request.AlsoRights, request.Email, request.Entity, request.Objection, request.Consent, request.Name, request.Company, request.Details);
    }

    private static string SubmissionFingerprint(PrivacyCase c) =>
        Fingerprint(c.Type, c.AlsoRights, c.Email, c.Entity, c.Objection, c.Consent, c.Name, c.Company, c.Details);

    private static string Fingerprint(RequestType type, IEnumerable<RequestType> alsoRights, string email, ControllerScope entity, ObjectionScope? objection, ConsentScope? consent, string name, string? company, string? details) =>
        string.Join('\u001f', type.ToWire(), string.Join('+', alsoRights.Order()), EmailAddresses.Normalise(email), entity.ToWire(),
            objection?.ToWire() ?? "-", consent?.ToString() ?? "-", name, company ?? string.Empty, details ?? string.Empty);

    /// <summary>
    /// True when a mail from <paramref name="fromAddress"/> that names no case, received at <paramref name="receivedAt"/>,
    /// may be taken as this case's answer to the request for identification: it awaits one from that address
    /// (<see cref="AwaitsIdentificationFrom"/>), none came since it was asked (<see cref="AwaitsIdentification"/>; once
    /// one came, further mail is read on its own), and it came within the requester's time
    /// (<see cref="IdentificationReplyDue"/> with <paramref name="identificationTimeout"/>). An open case expires at that
    /// end; one flagged failed does not, and must not take, months later, a mail that is a new request of its own. The
    /// mail recorded as the answer already (handled again after a fault: its staff mail or the case's signal did not
    /// go) is still taken, so its handling finishes rather than filing it away as any mail.
    /// </summary>
    public bool TakesUnnamedAnswerFrom(string fromAddress, DateTimeOffset receivedAt, TimeSpan identificationTimeout) =>
        AwaitsIdentificationFrom(fromAddress)
        && ((AwaitsIdentification && receivedAt <= IdentificationReplyDue(identificationTimeout)) || IdentificationReplies.Any(r => r.At == receivedAt));

    /// <summary>
    /// True when staff asked the requester for more identification, the case still waits for the identity decision
    /// (also while flagged failed: <see cref="StillOpen"/>), and <paramref name="fromAddress"/> is the requester's
    /// address: a mail from them about this case is their answer.
    /// </summary>
    public bool AwaitsIdentificationFrom(string fromAddress)
    {
        ArgumentNullException.ThrowIfNull(fromAddress);
        return IdentificationRequestedAt is not null && Decision is null && StillOpen
            && EmailAddresses.Normalise(Email) == EmailAddresses.Normalise(fromAddress);
    }
}
