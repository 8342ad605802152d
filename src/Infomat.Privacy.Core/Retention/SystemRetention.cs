using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Retention;

/// <summary>The records this system itself keeps about requesters (the data map covers Infomat's own stores).</summary>
public enum KeptRecord
{
    /// <summary>The records collected for an export, staged between the stores and the zip (blob <c>staging</c>).</summary>
    StagedRecords,

    /// <summary>The zip of an access or portability request (blob <c>exports</c>).</summary>
    Export,

    /// <summary>The case in the register with the requester's address, name, company and free text (table <c>PrivacyCases</c>); the link uses and downloads recorded on it.</summary>
    CaseIdentifiers,

    /// <summary>The case without them (the keyed hash of the address stays) and its audit trail (table <c>PrivacyAudit</c>).</summary>
    Case,

    /// <summary>A handled mail's marker: a hash of its Message-ID or mailbox id and the case it went to (table <c>PrivacyUsedTokens</c>).</summary>
    MailMarker,

    /// <summary>A claim on "this request is being registered" (a keyed hash, table <c>PrivacyUsedTokens</c>) that makes a double click one case.</summary>
    IntakeClaim,

    /// <summary>A mail sent to staff to decide (its sender, subject and text; table <c>PrivacyUsedTokens</c>), from which staff make a case.</summary>
    TriagedMail,

    /// <summary>A submission limit's count for a keyed hash of an IP address or an email address (table <c>submissionlimits</c>).</summary>
    SubmissionCounter,
}

/// <summary>
/// How long one kind of record is kept, counted from what, and the sentence (NL/FR/EN, resource
/// <c>Retention{Record}</c>) that states it with its reason, as the form's privacy notice shows it.
/// </summary>
public sealed record RetentionRule(KeptRecord Record, TimeSpan Keep, string CountedFrom)
{
    /// <summary>
    /// The rule in words; for the export, <paramref name="linkLifetime"/> is the link's configured life, in whole days
    /// rounded up (Bicep sets whole days; a shorter setting is never stated shorter than it is).
    /// </summary>
    public string Describe(Language language, TimeSpan linkLifetime) =>
        Texts.Format("Retention" + Record, language, Math.Max(1, (int)Math.Ceiling(linkLifetime.TotalDays)));
}

/// <summary>
/// The end date of every record the system keeps about requesters, stated once, with its reason in the resources
/// (issue 16, item 9). The sweep (<c>RetentionSweep</c>) enforces it; the Bicep lifecycle rule is the backstop for the
/// blobs. Periods are defaults: <c>Privacy:Export:LinkLifetime</c>, <c>Privacy:Staff:RegisterRetention</c> and
/// <c>Privacy:Staff:CaseRetention</c> may shorten them (tests, demos), never the policy's reasons.
/// </summary>
public static class SystemRetention
{
    /// <summary>Staged records: none kept once the zip is written; a case that ended another way loses them at the next sweep.</summary>
    public static readonly TimeSpan StagedRecords = TimeSpan.Zero;

    /// <summary>
    /// Identifiers in the register: five years after our last step on the case (<c>PrivacyCase.RetentionStart</c>: its
    /// closing, or a later lift of a restriction or notice to a recipient), the limitation period of a claim about how the
    /// request was handled (BE: art. 2262bis §1 old Civil Code; NL: art. 3:310 BW), counted from when the person knew.
    /// 1,827 days: five calendar years hold at most two 29 Februaries (1,826 erased a day early after a close between
    /// 1 March 2023 and 28 February 2024).
    /// </summary>
    public static readonly TimeSpan CaseIdentifiers = TimeSpan.FromDays((5 * 365) + 2);

    /// <summary>
    /// The pseudonymous case and its audit trail: one year after the identifiers, so a claim brought at the end of the
    /// limitation period still finds the record of how it was handled; then removed, a signed checkpoint in its place.
    /// </summary>
    public static readonly TimeSpan Case = TimeSpan.FromDays(6 * 365 + 2);

    /// <summary>A handled mail's marker: a year, so a mail brought back (a repeated notification or sweep, a mail moved back to the inbox) is not handled twice.</summary>
    public static readonly TimeSpan MailMarker = TimeSpan.FromDays(365);

    /// <summary>A registration claim: needed five minutes; a day leaves room for clocks and retries.</summary>
    public static readonly TimeSpan IntakeClaim = TimeSpan.FromDays(1);

    /// <summary>
    /// A triaged mail's record: 90 days, time for staff to make it a request dated the day the mail arrived (the legal
    /// month is long past by then); a case made from it keeps what it needs.
    /// </summary>
    public static readonly TimeSpan TriagedMail = TimeSpan.FromDays(90);

    /// <summary>
    /// A submission counter: two of its windows at most (it counts in its own window and, weighted, in the next), with
    /// the default windows 2 hours for an address; the hourly sweep deletes it after that.
    /// </summary>
    public static readonly TimeSpan SubmissionCounter = TimeSpan.FromHours(2);

    /// <summary>Every rule, in the order the privacy notice lists them.</summary>
    public static IReadOnlyList<RetentionRule> Rules { get; } =
    [
        new(KeptRecord.StagedRecords, StagedRecords, "the zip is written"),
        new(KeptRecord.Export, TimeSpan.FromDays(7), "the download link is sent (Privacy:Export:LinkLifetime)"),
        new(KeptRecord.CaseIdentifiers, CaseIdentifiers, "the case is closed"),
        new(KeptRecord.Case, Case, "the case is closed"),
        new(KeptRecord.MailMarker, MailMarker, "the mail is handled"),
        new(KeptRecord.IntakeClaim, IntakeClaim, "the request is registered"),
        new(KeptRecord.TriagedMail, TriagedMail, "the mail is sent to staff"),
        new(KeptRecord.SubmissionCounter, SubmissionCounter, "the request is counted (Privacy:Intake:PerClientWindow, PerAddressWindow)"),
    ];
}
