using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Triage;

/// <summary>What staff chose on the triage page: the right, the controllers, and for an objection what it is against (wire values).</summary>
public sealed record TriageChoice(string? Type, string? Entity, string? Objection)
{
    /// <summary>The requester's address and name, for a mail a system sent on their behalf (<see cref="TriagedMail.SentOnBehalf"/>).</summary>
    public string? Email { get; init; }

    /// <inheritdoc cref="Email"/>
    public string? Name { get; init; }

    /// <summary>
    /// A case for another right the same mail asks for, once it is a case (a letter asking a correction and a
    /// restriction while the accuracy is checked, Art. 18(1)(a)): received and due as the mail, a case of its own.
    /// </summary>
    public bool AnotherRight { get; init; }
}

/// <summary>The case a triaged mail became (or already was), or what is wrong with the choice.</summary>
public sealed record TriageResult(PrivacyCase? Case, bool Created, IReadOnlyList<FieldError> Errors);

/// <summary>
/// Makes a triaged mail a case as intake would have: from the mail itself (its sender, the name it gives, its language,
/// its DMARC verdict), received when the mail reached info@ (so the due date runs from then), with the id intake derives
/// from the Message-ID. Pressing twice, or two colleagues at once, makes one case; an identical open case is joined.
/// </summary>
public sealed partial class TriagedMailCases(
    ITriagedMails records, ICaseRegister register, NewCases newCases, OpenRequests openRequests, KeyedHash hash, DataMap dataMap, TimeProvider time, ILogger<TriagedMailCases> log)
{
    private readonly byte[] caseIdKey = hash.DeriveKey(MailIntake.CaseIdKey);

    public Task<TriagedMail?> GetAsync(string id, CancellationToken cancellationToken) => records.GetAsync(id, cancellationToken);

    /// <summary>
    /// The case made of the mail before (by this page or by intake), or the sender's open case it joined (recorded on the
    /// triage record), or null: either way the mail is a case's, and is not made a second one.
    /// </summary>
    public async Task<PrivacyCase?> ExistingAsync(TriagedMail triaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        return await register.GetAsync(MailIntake.CaseIdFor(caseIdKey, triaged.MessageId), cancellationToken)
            ?? (triaged.CaseId is { } joined ? await register.GetAsync(joined, cancellationToken) : null);
    }

    /// <summary>True when <paramref name="c"/> is not the mail's own case but one it joined (the sender's open case asking the same).</summary>
    public bool Joined(TriagedMail triaged, PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        ArgumentNullException.ThrowIfNull(c);
        return !IsOwnCase(triaged, c.Id);
    }

    /// <summary>True when <paramref name="caseId"/> is a case made of this mail: its first, or one for another right it asks for.</summary>
    private bool IsOwnCase(TriagedMail triaged, string caseId) =>
        caseId == MailIntake.CaseIdFor(caseIdKey, triaged.MessageId)
        || Enum.GetValues<RequestType>().Any(type => caseId == AnotherRightId(triaged, type));

    /// <summary>The id of the case for another right (<paramref name="type"/>) of a mail that is a case already.</summary>
    private string AnotherRightId(TriagedMail triaged, RequestType type) => MailIntake.CaseIdFor(caseIdKey, triaged.MessageId + "\n" + type.ToWire());

    /// <summary>Makes the case (<paramref name="by"/>: the staff member, kept in the case's intake reason) and starts it.</summary>
    public async Task<TriageResult> MakeCaseAsync(TriagedMail triaged, TriageChoice choice, string by, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        ArgumentNullException.ThrowIfNull(choice);
        var existing = await ExistingAsync(triaged, cancellationToken);
        if (existing is not null && !choice.AnotherRight)
        {
            await RecordCaseAsync(triaged, existing.Id);
            return new TriageResult(existing, false, []);
        }

        // Another right of a mail that is a case: a case of its own, under an id derived from the mail and the right (a
        // second press, or a colleague's, makes no third); not the right the mail's case answers already.
        var another = existing is not null;
        if (another && RequestTypes.TryParse(choice.Type, out var anotherType) && (existing!.Type == anotherType || existing.AlsoRights.Contains(anotherType)))
        {
            return new TriageResult(null, false, [new FieldError("type", "TriageSameRight")]);
        }

        // A mail a system sent on a person's behalf: the case is the person's, at the address staff read in it.
        // Another right's case is the same requester's as the mail's first case.
        var onBehalf = triaged.SentOnBehalf;
        var email = another ? existing!.Email : onBehalf ? choice.Email?.Trim() : triaged.FromAddress;
        var name = another ? existing!.Name : onBehalf ? (string.IsNullOrWhiteSpace(choice.Name) ? email?.Split('@')[0] : choice.Name.Trim()) : triaged.FromName ?? triaged.FromAddress.Split('@')[0];
        var (request, errors) = RequestValidator.Validate(
            new RequestSubmission(
                choice.Type, email, name, null, choice.Entity, triaged.Language.ToWire(), triaged.Details,
                choice.Type == RequestType.Objection.ToWire() ? choice.Objection : null),
            dataMap.ControllerCodes);
        if (request is null)
        {
            return new TriageResult(null, false, errors);
        }

        var candidate = PrivacyCase.Received(request, Channel.Email, triaged.ReceivedAt, dataMap, onBehalf ? null : triaged.Dmarc) with
        {
            Id = another ? AnotherRightId(triaged, request.Type) : MailIntake.CaseIdFor(caseIdKey, triaged.MessageId),
            IntakeReason = CodedReason.Of("MadeFromTriage", by).Then(CodedReason.Decode(triaged.Reason) ?? CodedReason.Of("Text", triaged.Reason)).Encode(),
        };
        var (c, created) = await openRequests.CreateOrJoinAsync(candidate, request, cancellationToken);
        if (created)
        {
            try
            {
                // Not cancelled by a staff member who closes the page: the case is written and must be begun.
                await newCases.BeginAsync(client, c, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The case is written (and the token is none: a timeout too lands here): the reconciler starts it within
                // minutes; staff see the case either way.
                NotStarted(log, c.Id, ex.GetType().Name);
            }

            // As it stands now: the link's mail may have closed it (the mail service refused the address: decision 141),
            // and the page must not tell staff of a due date then.
            try
            {
                c = await register.GetAsync(c.Id, CancellationToken.None) ?? c;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not cancellable (the case is made): a storage timeout too leaves the page showing the case as written.
                NotReloaded(log, c.Id, ex.GetType().Name);
            }
        }

        Made(log, triaged.Id, c.Id, created);
        if (!another)
        {
            await RecordCaseAsync(triaged, c.Id);
        }

        return new TriageResult(c, created, []);
    }

    /// <summary>
    /// Records on the triage record the case the mail is now (made, or the open one it joined), so the daily sweep stops
    /// reminding staff of it (decision 155). A failure is logged: the sweep finds a case made under the mail's own id by
    /// itself, and at worst reminds staff of a mail that joined a case.
    /// </summary>
    private async Task RecordCaseAsync(TriagedMail triaged, string caseId)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        if (triaged.CaseId == caseId)
        {
            return;
        }

        try
        {
            // On the record as stored now: the daily sweep may have recorded a reminder on it since the page read it.
            await records.ChangeAsync(triaged.Id, m => m.CaseId == caseId ? null : m with { CaseId = caseId }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            CaseNotRecorded(log, triaged.Id, caseId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// A staff member (<paramref name="by"/>) marks the mail as not a privacy request: no reminders about it from then
    /// (decision 155). Staff may still make it a case later from the same link.
    /// </summary>
    public async Task<TriagedMail> MarkNotARequestAsync(TriagedMail triaged, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        if (triaged.NotARequestAt is not null)
        {
            return triaged;
        }

        var at = time.GetUtcNow();
        var marked = await records.ChangeAsync(triaged.Id, m => m.NotARequestAt is null ? m with { NotARequestAt = at, NotARequestBy = by } : null, cancellationToken) ?? triaged;
        MarkedNotARequest(log, triaged.Id);
        return marked;
    }

    [LoggerMessage(182, LogLevel.Warning, "Triaged mail {TriageId}: the case {CaseId} it became could not be recorded on it ({Error}); the sweep may remind staff of it")]
    private static partial void CaseNotRecorded(ILogger logger, string triageId, string caseId, string error);

    [LoggerMessage(183, LogLevel.Information, "Triaged mail {TriageId}: marked as not a privacy request")]
    private static partial void MarkedNotARequest(ILogger logger, string triageId);

    [LoggerMessage(68, LogLevel.Information, "Triaged mail {TriageId}: case {CaseId} (created: {Created})")]
    private static partial void Made(ILogger logger, string triageId, string caseId, bool created);

    [LoggerMessage(69, LogLevel.Warning, "Case {CaseId} made from triage was not started now ({Error}); the reconciler starts it")]
    private static partial void NotStarted(ILogger logger, string caseId, string error);

    [LoggerMessage(173, LogLevel.Warning, "Case {CaseId} made from triage could not be read again after its start ({Error}); the page shows it as written")]
    private static partial void NotReloaded(ILogger logger, string caseId, string error);
}
