using Infomat.Privacy.Configuration;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Staff;

/// <summary>
/// Who is acting on a staff page, or why nobody may. <paramref name="Id"/> tells people apart (the Entra object id,
/// <c>oid</c>; without sign-in the typed name); <paramref name="Name"/> is what pages, reports and the register show;
/// <paramref name="Addresses"/> the addresses the validated token names the person by (none without sign-in), so that
/// nobody decides on their own request (<see cref="Infomat.Privacy.Cases.PrivacyCase.IsRequestOf"/>).
/// </summary>
public sealed record StaffIdentity(string? Id, string? Name, StaffRefusal? Refusal, IReadOnlyList<string>? Addresses = null)
{
    public bool Allowed => Refusal is null;
}

public enum StaffRefusal
{
    /// <summary>Sign-in is required and no valid staff token came with the request (a principal header alone is not enough).</summary>
    NotSignedIn,

    /// <summary>Signed in, but without the staff role or group.</summary>
    NotStaff,

    /// <summary>
    /// Nobody may: in Azure with sign-in switched off or App Service Authentication off (<see cref="HostingPlatform.StaffProblem"/>),
    /// or sign-in required without the settings to check a token (<see cref="StaffSignIn.Problem"/>).
    /// </summary>
    SignInOff,
}

/// <summary>
/// The staff check the app makes itself. App Service Authentication signs people in with Entra ID and, with its token
/// store on, passes their ID token (<see cref="StaffSignIn.IdTokenHeader"/>); the app validates it
/// (<see cref="StaffSignIn"/>) and takes the role or group, the object id and the name from the validated claims, never
/// from the unsigned principal header (<c>X-MS-CLIENT-PRINCIPAL</c>), which anyone can send where the platform does not
/// strip it. The local host runs without sign-in (<c>Privacy:Staff:RequireSignIn=false</c>): the person gives a name on
/// the form, recorded as "(no sign-in)".
/// </summary>
public sealed partial class StaffAccess(IOptions<PrivacyOptions> options, HostingPlatform platform, StaffSignIn signIn, ILogger<StaffAccess>? log = null)
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string NoSignInSuffix = " (no sign-in)";

    public bool SignInRequired => options.Value.Staff.RequireSignIn;

    /// <summary>Whether staff pages are closed because sign-in is required without the settings to check a token (not by the platform).</summary>
    public bool SignInUnconfigured => platform.StaffProblem(options.Value.Staff.RequireSignIn) is null && signIn.Problem is not null;

    /// <summary>The acting person. <paramref name="typedName"/> is the name field of a local (no sign-in) form.</summary>
    public async Task<StaffIdentity> IdentifyAsync(HttpRequest request, string? typedName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var staff = options.Value.Staff;
        if ((platform.StaffProblem(staff.RequireSignIn) ?? signIn.Problem) is { } problem)
        {
            if (log is not null)
            {
                StaffPagesClosed(log, problem);
            }

            return new StaffIdentity(null, null, StaffRefusal.SignInOff);
        }

        if (!staff.RequireSignIn)
        {
            var name = (typedName ?? string.Empty).Trim();
            var typed = name.Length is > 0 and <= 100 ? name + NoSignInSuffix : null;
            return new StaffIdentity(typed, typed, null);
        }

        if (await signIn.ValidateAsync(request.Headers[StaffSignIn.IdTokenHeader].ToString(), cancellationToken) is not { } claims)
        {
            return new StaffIdentity(null, null, StaffRefusal.NotSignedIn);
        }

        return FromClaims(claims);
    }

    /// <summary>
    /// Who the validated claims of an Entra token name, and whether they make a privacy staff member: the app role
    /// (<c>roles</c>) or the staff group (<c>groups</c>), and an object id (<c>oid</c>) to tell people apart. The one
    /// home of "who may decide", for the staff pages and the approval card in Outlook alike.
    /// </summary>
    public StaffIdentity FromClaims(IReadOnlyList<System.Security.Claims.Claim> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var staff = options.Value.Staff;
        var roles = claims.Where(c => c.Type == "roles").Select(c => c.Value);
        var groups = claims.Where(c => c.Type == "groups").Select(c => c.Value);
        var isStaff = roles.Contains(staff.Role, StringComparer.Ordinal) || (staff.Group is { Length: > 0 } group && groups.Contains(group, StringComparer.OrdinalIgnoreCase));
        if (!isStaff)
        {
            return new StaffIdentity(null, null, StaffRefusal.NotStaff);
        }

        if (claims.FirstOrDefault(c => c.Type == "oid")?.Value is not { Length: > 0 } oid)
        {
            // Entra puts oid in ID tokens requested with the profile scope (App Service Authentication asks for it).
            if (log is not null)
            {
                TokenWithoutObjectId(log);
            }

            return new StaffIdentity(null, null, StaffRefusal.NotSignedIn);
        }

        var shown = claims.FirstOrDefault(c => c.Type == "preferred_username")?.Value is { Length: > 0 } username ? username
            : claims.FirstOrDefault(c => c.Type == "name")?.Value is { Length: > 0 } display ? display
            : oid;
        // Every address the token names the person by: the sign-in name (a UPN, usually the mail address), the mail
        // address and the older tokens' names for them.
        var addresses = claims.Where(c => c.Type is "preferred_username" or "email" or "upn" or "unique_name" && c.Value.Contains('@', StringComparison.Ordinal))
            .Select(c => c.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new StaffIdentity(oid, shown, null, addresses);
    }

    [LoggerMessage(EventId = 168, Level = LogLevel.Error, Message = "The staff token is valid but has no oid claim: the sign-in must ask for the profile scope")]
    private static partial void TokenWithoutObjectId(ILogger logger);

    [LoggerMessage(EventId = 169, Level = LogLevel.Error, Message = "Staff pages are closed: {Problem}")]
    private static partial void StaffPagesClosed(ILogger logger, string problem);
}
