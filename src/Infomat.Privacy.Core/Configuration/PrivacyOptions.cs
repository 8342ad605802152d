using System.ComponentModel.DataAnnotations;

using Infomat.Privacy.Requests;
using Infomat.Privacy.Tokens;

namespace Infomat.Privacy.Configuration;

/// <summary>The <c>Privacy</c> configuration section (DESIGN §4). Durations are TimeSpan strings.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    /// <summary>Absolute base URL that links in mails point at, e.g. <c>http://127.0.0.1:7071</c>.</summary>
    [Required]
    public Uri PublicBaseUrl { get; set; } = new("http://127.0.0.1:7071");

    public ExportOptions Export { get; set; } = new();

    public VerificationOptions Verification { get; set; } = new();

    public ApprovalOptions Approval { get; set; } = new();

    public StaffOptions Staff { get; set; } = new();

    public TokenOptions Tokens { get; set; } = new();

    public PseudonymisationOptions Pseudonymisation { get; set; } = new();

    public IntakeOptions Intake { get; set; } = new();

    public ActionableMessageOptions ActionableMessages { get; set; } = new();

    /// <summary>
    /// Whether approval mails carry the card and <c>/api/approvals/card</c> takes its actions: the card is set up
    /// (<see cref="ActionableMessageOptions.Enabled"/>) and staff sign in with Entra ID, whose tokens the actions are
    /// checked against (sign-in required, the client id and the tenant or authority set). One condition for both, so a
    /// mail never carries a card whose buttons cannot work.
    /// </summary>
    public bool ApprovalCardsOn =>
        ActionableMessages.Enabled && Staff.RequireSignIn && !string.IsNullOrWhiteSpace(Staff.ClientId)
        && (!string.IsNullOrWhiteSpace(Staff.TenantId) || !string.IsNullOrWhiteSpace(Staff.Authority));

    /// <summary>Builds an absolute link on <see cref="PublicBaseUrl"/>.</summary>
    public Uri Link(string path, string token) =>
        new(PublicBaseUrl, path.TrimStart('/') + "?token=" + Uri.EscapeDataString(token));

    /// <summary>An absolute link to a page that needs no token (staff pages behind sign-in).</summary>
    public Uri Link(string path) => new(PublicBaseUrl, path.TrimStart('/'));

    /// <summary>
    /// A fresh link to the decision page of case <paramref name="caseId"/> (<c>/approvals</c>), valid for
    /// <see cref="ApprovalOptions.LinkLifetime"/>: the one home of that link, for the approval mail, its reminders, the
    /// card's page link and the case page. Minting a signed token records nothing, so a page may show one.
    /// </summary>
    public Uri ApprovalLink(LinkTokenService tokens, string caseId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Link("approvals", tokens.Issue(caseId, TokenPurpose.Approve, Approval.LinkLifetime));
    }

    /// <summary>
    /// A fresh link to the staff tasks of case <paramref name="caseId"/> (<c>/tasks</c>), valid for
    /// <see cref="StaffOptions.TaskLinkLifetime"/>: the one home of that link, for the tasks mail and the case page.
    /// </summary>
    public Uri TasksLink(LinkTokenService tokens, string caseId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Link("tasks", tokens.Issue(caseId, TokenPurpose.StaffTask, Staff.TaskLinkLifetime));
    }

    /// <summary>
    /// A fresh link to the review of the export of case <paramref name="caseId"/> (<c>/review</c>), valid for
    /// <see cref="StaffOptions.TaskLinkLifetime"/>: the one home of that link, for the review mail and the case page.
    /// </summary>
    public Uri ReviewLink(LinkTokenService tokens, string caseId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Link("review", tokens.Issue(caseId, TokenPurpose.ExportReview, Staff.TaskLinkLifetime));
    }

    /// <summary>A fresh token for the actions of the approval card of case <paramref name="caseId"/>, valid as long as the decision link.</summary>
    public string ApprovalCardToken(LinkTokenService tokens, string caseId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return tokens.Issue(caseId, TokenPurpose.ApprovalCard, Approval.LinkLifetime);
    }

    /// <summary>The privacy notice of this system (Art. 13) in <paramref name="language"/>, which every requester mail links.</summary>
    public Uri NoticeLink(Requests.Language language) => Link("privacy/notice?lang=" + Requests.Languages.ToWire(language));
}

/// <summary>
/// The approval card Outlook shows staff inside the approval mail (an actionable message, issue 20). Off unless
/// <see cref="Originator"/> is set; the link to the decision page stays in every mail either way.
/// </summary>
public sealed class ActionableMessageOptions
{
    /// <summary>The Microsoft Entra app id of the Actionable Messages service, the client every action token must name (<c>azp</c>/<c>appid</c>).</summary>
    public const string ActionsServiceAppId = "48af08dc-f6d2-435f-b2a7-069abd99c086";

    /// <summary>The provider id the Actionable Email Developer Dashboard gave our registration (the card's <c>originator</c>).</summary>
    public string? Originator { get; set; }

    /// <summary>
    /// The Application ID URI the registration generated (<c>api://auth-am-…</c>), exposed on the staff sign-in app
    /// registration: the audience of the Entra access token Outlook sends with each action.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>Whether approval mails carry the card: a provider id and the token audience are both set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Originator) && !string.IsNullOrWhiteSpace(Audience);
}

public sealed class ExportOptions
{
    /// <summary>How long the download link in the export-ready mail works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the read-only SAS that <c>POST /download</c> redirects to lives.</summary>
    public TimeSpan SasLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times the requester may download the zip (each download is audited).</summary>
    public int MaxDownloads { get; set; } = 5;
}

public sealed class VerificationOptions
{
    /// <summary>How long a requester has to confirm the email address before the request expires.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromDays(7);
}

public sealed class ApprovalOptions
{
    /// <summary>Staff get a reminder when a case waits this long for the identity decision; after twice this, it escalates.</summary>
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Erasure needs two different staff members to approve the identity.</summary>
    public bool TwoApproversForErasure { get; set; } = true;

    /// <summary>
    /// How long before an undecided case escalates to the escalation address, and how long the requester has to send
    /// the identification staff asked for before the case may expire (Art. 12(4)). Staff not deciding never ends a case.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// When the requester's time to send the identification asked for is over but mail that reached the mailbox before
    /// then is not all read yet (a backlog, an outage), how often the case looks again before it may expire.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UnreadMailRecheck { get; set; } = Cases.PrivacyCase.DefaultUnreadMailRecheck;

    /// <summary>
    /// How long a decision link (and the card's actions) works: past the timeout and two reminders after it, so a
    /// decision is welcome whenever it comes. Not a setting: it follows the two above.
    /// </summary>
    public TimeSpan LinkLifetime => Timeout + (2 * ReminderAfter);
}

public sealed class StaffOptions
{
    /// <summary>Where approval requests go.</summary>
    [Required]
    public string Address { get; set; } = "privacy-staff@infomat.eu";

    /// <summary>Language of staff mails and pages (nl, fr, en).</summary>
    public Language Language { get; set; } = Language.Nl;

    /// <summary>
    /// How long the case list waits for storage before it shows the copy it last read, saying how old it is (decision 80):
    /// a list that hangs while a spike loads storage helps no one; half a second leaves the page its second (issue 21).
    /// The CSV always waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.05", "00:10:00")]
    public TimeSpan ListPatience { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Whether staff pages sit behind sign-in (App Service Authentication in Azure). The local host sets it to false,
    /// and every staff page then says that it runs without sign-in.
    /// </summary>
    public bool RequireSignIn { get; set; } = true;

    /// <summary>How long the link in a staff-task mail works.</summary>
    public TimeSpan TaskLinkLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Where reminders escalate when staff do not act (a second mailbox, e.g. the DPO).</summary>
    public string? EscalationAddress { get; set; }

    /// <summary>With sign-in: the app role (roles claim) that lets a signed-in person act as privacy staff.</summary>
    public string Role { get; set; } = "Privacy.Staff";

    /// <summary>With sign-in: alternatively, the object id of an Entra group (groups claim) whose members are privacy staff.</summary>
    public string? Group { get; set; }

    /// <summary>
    /// With sign-in: the Entra tenant (directory) id whose signing keys, published at
    /// <c>https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration</c>, sign the staff member's
    /// ID token, which the app checks itself on every staff request.
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>With sign-in: the client id of the staff sign-in app registration, the audience the ID token must name.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// With sign-in: the token issuer whose OpenID metadata (<c>{Authority}/.well-known/openid-configuration</c>) is read,
    /// instead of the tenant's Entra ID endpoint. Tests point it at their stand-in; plain http only on a loopback address.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>Cases finished longer ago than this have their identifiers erased from the register (5 years; reason in <see cref="Retention.SystemRetention"/>).</summary>
    public TimeSpan RegisterRetention { get; set; } = Retention.SystemRetention.CaseIdentifiers;

    /// <summary>Cases finished longer ago than this are removed with their audit trail, a signed checkpoint in its place (6 years).</summary>
    public TimeSpan CaseRetention { get; set; } = Retention.SystemRetention.Case;
}

public sealed class TokenOptions
{
    /// <summary>
    /// The link-token key ring: base64 HMAC keys (at least 32 bytes each) separated by commas, the current (signing) key
    /// first, then previous keys still accepted until their links expire. One key alone is a ring of one. In Azure: a
    /// Key Vault reference (docs/deploy.md, rotating the token signing key).
    /// </summary>
    [Required]
    public string SigningKey { get; set; } = string.Empty;
}

public sealed class PseudonymisationOptions
{
    /// <summary>
    /// Base64 HMAC key (at least 32 bytes) for the suppression list, the legal holds and the audit trail's keyed hashes. Keep it
    /// for good: a new key makes earlier suppression entries unrecognisable. In Azure: a Key Vault reference.
    /// </summary>
    [Required]
    public string Key { get; set; } = string.Empty;
}

public sealed class IntakeOptions
{
    /// <summary>Submissions one client (IP address) may make per <see cref="PerClientWindow"/>.</summary>
    public int PerClientLimit { get; set; } = 20;

    public TimeSpan PerClientWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests accepted for one email address per <see cref="PerAddressWindow"/>.</summary>
    public int PerAddressLimit { get; set; } = 5;

    public TimeSpan PerAddressWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The Azure Table holding the limits' counters, shared by every instance of the app (a table name: letters and
    /// digits, starting with a letter). Hosts that must not share their limits (tests) use tables of their own.
    /// </summary>
    public string LimitTable { get; set; } = "submissionlimits";
}
