using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tasks;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// Writes the case of a request. A mail (and a triaged mail made a case) that asks what an open case asks joins it
/// (<see cref="PrivacyCase.IsSameOpenRequest"/>), so a mail sent twice or handled twice at the same moment ends in one
/// case and one series of mails; its sender is told nothing either way. A form post or API call is a case of its own,
/// named by its submission when it has one (a double click, a retry: one case), and joins an open case only once its
/// address is confirmed (decision 84).
/// </summary>
public sealed class OpenRequests(ICaseRegister register, KeyedHash hash, TimeProvider time, PrivacyMetrics? metrics = null)
{
    /// <summary>How long a claim on "this request is being registered" holds off an identical one (see <see cref="CreateOrJoinAsync(PrivacyCase, ValidRequest, CancellationToken)"/>).</summary>
    private static readonly TimeSpan ClaimWindow = TimeSpan.FromMinutes(5);

    private readonly byte[] claimKey = hash.DeriveKey("open-request");

    private readonly byte[] submissionKey = hash.DeriveKey("submission");

    /// <summary>
    /// Registers a form post or API call as a case of its own (decision 84): it never joins an open case by what it asks,
    /// because its sender has not proven the address and would be given that case's reference, and with it its status
    /// and dates. The same request while one is open is answered together with it once its address is confirmed
    /// (<see cref="PrivacyCase.JoinedOnConfirmation"/>). When the post names its <paramref name="submission"/>
    /// (<see cref="Submission"/>), the case is named after it and the requester's address (so one client's keys never
    /// meet another person's case): the same submission sent again ends in the case it made, open or answered, and is
    /// not taken twice. A form page's submission is named after what it asks as well
    /// (<see cref="PrivacyCase.SubmissionFingerprint"/>): the page sent back from the browser's history with anything
    /// changed is another request. A client's key sent again with anything changed is refused
    /// (<see cref="Registration.SubmissionAskedOtherwise"/>), as the IETF draft answers a reused key.
    /// </summary>
    public async Task<Registration> RegisterAsync(PrivacyCase candidate, ValidRequest request, Submission? submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(request);
        if (submission is null)
        {
            // A fresh random id: found written only when the storage client's retry met its own first write (not begun
            // here then; the reconciler starts it and its first step sends the link).
            var (written, created) = await CreateOrReadAsync(candidate, cancellationToken);
            return new(written, created, SubmissionAskedOtherwise: false);
        }

        var whose = submission.Key + "\n" + EmailAddresses.Normalise(request.Email);
        var named = candidate with
        {
            Id = submission.FromPage ? CaseIds.Derived(submissionKey, whose + "\n" + PrivacyCase.SubmissionFingerprint(request)) : CaseIds.Derived(submissionKey, whose),
        };
        var (found, made) = await CreateOrReadAsync(named, cancellationToken);

        // Named after its content too, a page's submission cannot ask otherwise (a case whose identifiers were erased
        // at the end of its retention no longer compares equal, and the page still lands on it).
        return new(found, made, SubmissionAskedOtherwise: !submission.FromPage && !made && !found.IsSameSubmission(request));
    }

    /// <summary>
    /// The open cases of <paramref name="c"/>'s address, read, and of them the one its request joins when the address is
    /// confirmed now (<see cref="PrivacyCase.JoinedOnConfirmation"/>), or null.
    /// </summary>
    public async Task<PrivacyCase?> AnsweringAsync(PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        var open = new List<PrivacyCase>();
        await foreach (var id in register.ListUnfinishedOfAsync(c.Email, cancellationToken))
        {
            if (id != c.Id && await register.GetAsync(id, cancellationToken) is { } other)
            {
                open.Add(other);
            }
        }

        return c.JoinedOnConfirmation(open);
    }

    /// <summary>The open case that asks what <paramref name="request"/> asks, or null.</summary>
    public async Task<PrivacyCase?> FindSameAsync(ValidRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Only this requester's open cases: reading every open case here made each submission cost one read per open
        // case (issue 21: a minute per request at 64 clients with a thousand open cases).
        await foreach (var id in register.ListUnfinishedOfAsync(request.Email, cancellationToken))
        {
            if (await register.GetAsync(id, cancellationToken) is { } open && open.IsSameOpenRequest(request))
            {
                return open;
            }
        }

        return null;
    }

    /// <summary>
    /// The open case that asks the same as <paramref name="candidate"/> (not created: false), or <paramref name="candidate"/>
    /// written to the register (created: true). Two identical requests handled at the same moment both find no open case;
    /// the first to claim the request's key (an insert-if-absent row in the register) names the case. The other writes
    /// the same request under that name at once rather than waiting for it: whichever write lands first is the one case
    /// and the other joins it, however slow the claimant is (a storage account under pressure) or if it died between its
    /// claim and its write. A candidate whose id is in the register already (a mail's case, derived from its Message-ID)
    /// is that case.
    /// </summary>
    public Task<(PrivacyCase Case, bool Created)> CreateOrJoinAsync(PrivacyCase candidate, ValidRequest request, CancellationToken cancellationToken) =>
        CreateOrJoinAsync(candidate, request, FindSameTimedAsync(request, cancellationToken), cancellationToken);

    /// <summary>
    /// As <see cref="CreateOrJoinAsync(PrivacyCase, ValidRequest, CancellationToken)"/>, with the search for an open case
    /// that asks the same already under way (<see cref="FindSameTimedAsync"/>).
    /// </summary>
    public async Task<(PrivacyCase Case, bool Created)> CreateOrJoinAsync(PrivacyCase candidate, ValidRequest request, Task<PrivacyCase?> findingSame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(findingSame);
        if (await findingSame is { } open)
        {
            return (open, false);
        }

        // Two claims on two grids of windows, half a window apart: twins less than half a window apart share at least
        // one, even either side of a window's turn (with one grid, a double click at 02:00:00 made two cases). The first
        // claim found taken names the case; a later one is taken in that case's name.
        var named = false;
        foreach (var claim in ClaimsFor(request))
        {
            if (await register.TryConsumeTokenAsync(claim, candidate.Id, cancellationToken) || named
                || await register.UsedForAsync(claim, cancellationToken) is not { } other || other == candidate.Id)
            {
                continue;
            }

            named = true;
            if (await register.GetAsync(other, cancellationToken) is not { } theirs)
            {
                candidate = candidate with { Id = other };
            }
            else if (theirs.IsTwinOf(request))
            {
                return (theirs, false);
            }
        }

        return await CreateOrReadAsync(candidate, cancellationToken);
    }

    /// <summary>
    /// <paramref name="candidate"/> written to the register (created: true), or the case already under its id (a mail's
    /// case, a second handling of the same mail, the same submission sent again, the claimant's own write).
    /// </summary>
    private async Task<(PrivacyCase Case, bool Created)> CreateOrReadAsync(PrivacyCase candidate, CancellationToken cancellationToken)
    {
        try
        {
            // An insert: refused when the id is taken, so a case already written under it is read below instead of being
            // read first every time.
            await register.CreateAsync(candidate, cancellationToken);
            return (candidate, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Written already or meanwhile under this id: that is the case. Anything else is a real failure.
            return (await register.GetAsync(candidate.Id, cancellationToken) ?? throw new InvalidOperationException($"Case {candidate.Id} could not be written ({ex.GetType().Name}).", ex), false);
        }
    }

    /// <summary><see cref="FindSameAsync"/>, its duration recorded as the intake's <c>find-same</c> step.</summary>
    public async Task<PrivacyCase?> FindSameTimedAsync(ValidRequest request, CancellationToken cancellationToken)
    {
        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        var same = await FindSameAsync(request, cancellationToken);
        metrics?.IntakeStep("find-same", System.Diagnostics.Stopwatch.GetElapsedTime(began));
        return same;
    }

    /// <summary>
    /// The register keys two identical requests share when they come less than half a claim window apart: one per grid
    /// of windows (the second grid shifted by half a window); a keyed hash, never the address.
    /// </summary>
    private IEnumerable<string> ClaimsFor(ValidRequest request)
    {
        var what = string.Join('\n', request.Type.ToWire(), EmailAddresses.Normalise(request.Email), request.Entity.ToWire(), request.Objection?.ToString() ?? "-", string.Join('+', request.AlsoRights.Order()), request.Consent?.ToString() ?? "-");
        var key = Convert.ToHexStringLower(HMACSHA256.HashData(claimKey, Encoding.UTF8.GetBytes(what)))[..40];
        var ticks = time.GetUtcNow().UtcTicks;
        yield return "open." + key + "." + (ticks / ClaimWindow.Ticks).ToString(CultureInfo.InvariantCulture);
        yield return "open." + key + ".h" + ((ticks + (ClaimWindow.Ticks / 2)) / ClaimWindow.Ticks).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>What <see cref="OpenRequests.RegisterAsync"/> did with a request.</summary>
/// <param name="Case">The case the request is in (written now or before).</param>
/// <param name="Created">True when this request wrote it (and so begins it).</param>
/// <param name="SubmissionAskedOtherwise">True when the client's <c>Idempotency-Key</c> names a case asking something else: nothing was recorded.</param>
public sealed record Registration(PrivacyCase Case, bool Created, bool SubmissionAskedOtherwise);
