using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.Http.Staff;

/// <summary>
/// What the platform says about where the app runs: in Azure App Service / Functions (<c>WEBSITE_SITE_NAME</c> is set)
/// and whether App Service Authentication signs people in and strips a client's own principal header
/// (<c>WEBSITE_AUTH_ENABLED=True</c>). Staff pages open only then, and only to a staff member whose ID token the app
/// validates itself (<see cref="StaffSignIn"/>).
/// </summary>
public sealed record HostingPlatform(bool InAzure, bool AuthenticationOn)
{
    /// <summary>Not in Azure: the local host and the tests.</summary>
    public static readonly HostingPlatform Local = new(false, false);

    public static HostingPlatform From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(
            !string.IsNullOrWhiteSpace(configuration["WEBSITE_SITE_NAME"]),
            string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "True", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Why staff pages must stay closed on this platform, for ops (logged at start-up and on the refusal page), or null.
    /// In Azure a typed name is never accepted (anyone could type one) and the principal header only while the platform
    /// signs people in. The intake is not affected: requests keep being taken whatever this says.
    /// </summary>
    public string? StaffProblem(bool requireSignIn) =>
        !InAzure ? null
        : !requireSignIn ? "Privacy:Staff:RequireSignIn=false is refused in Azure: set it to true (staff sign in with Entra ID)."
        : !AuthenticationOn ? "App Service Authentication is off (WEBSITE_AUTH_ENABLED is not True): the staff principal header could be forged. Turn authentication on for this app (infra/main.bicep does)."
        : null;
}
