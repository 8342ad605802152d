using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// Writes a new case for a request, unless an open case already asks the same (<see cref="PrivacyCase.IsSameOpenRequest"/>):
/// then the request joins that case. One place for the form and the mail intake, so a double-clicked form, a mail sent
/// twice or one mail handled twice at the same moment ends in one case and one series of mails.
/// </summary>
public sealed class OpenRequests(ICaseRegister register, KeyedHash hash, TimeProvider time)
{
    /// <summary>How long a claim on "this request is being registered" holds off an identical one (see <see cref="CreateOrJoinAsync"/>).</summary>
    private static readonly TimeSpan ClaimWindow = TimeSpan.FromMinutes(5);

    private readonly byte[] claimKey = hash.DeriveKey("open-request");

    /// <summary>The open case that asks what <paramref name="request"/> asks, or null.</summary>
    public async Task<PrivacyCase?> FindSameAsync(ValidRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await foreach (var id in register.ListUnfinishedAsync(cancellationToken))
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
    public async Task<(PrivacyCase Case, bool Created)> CreateOrJoinAsync(PrivacyCase candidate, ValidRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (await FindSameAsync(request, cancellationToken) is { } open)
        {
            return (open, false);
        }

        var claim = ClaimFor(request);
        if (!await register.TryConsumeTokenAsync(claim, candidate.Id, cancellationToken)
            && await register.UsedForAsync(claim, cancellationToken) is { } other && other != candidate.Id)
        {
            if (await register.GetAsync(other, cancellationToken) is not { } theirs)
            {
                candidate = candidate with { Id = other };
            }
            else if (theirs.IsSameOpenRequest(request))
            {
                return (theirs, false);
            }
        }

        if (await register.GetAsync(candidate.Id, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        try
        {
            await register.CreateAsync(candidate, cancellationToken);
            return (candidate, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Written meanwhile by a second handling of the same mail: that is the case. Anything else is a real failure.
            return (await register.GetAsync(candidate.Id, cancellationToken) ?? throw new InvalidOperationException($"Case {candidate.Id} could not be written ({ex.GetType().Name}).", ex), false);
        }
    }

    /// <summary>The register key two identical requests share within one claim window; a keyed hash, never the address.</summary>
    private string ClaimFor(ValidRequest request)
    {
        var what = string.Join('\n', request.Type.ToWire(), EmailAddresses.Normalise(request.Email), request.Entity.ToWire(), request.Objection?.ToString() ?? "-", string.Join('+', request.AlsoRights.Order()), request.Consent?.ToString() ?? "-");
        var window = time.GetUtcNow().UtcTicks / ClaimWindow.Ticks;
        return "open." + Convert.ToHexStringLower(HMACSHA256.HashData(claimKey, Encoding.UTF8.GetBytes(what)))[..40] + "." + window.ToString(CultureInfo.InvariantCulture);
    }
}
