using System.Text;
using System.Text.Json;

using Infomat.Privacy.Configuration;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Staff;

/// <summary>Who is acting on a staff page, or why nobody may.</summary>
public sealed record StaffIdentity(string? Name, StaffRefusal? Refusal)
{
    public bool Allowed => Refusal is null;
}

public enum StaffRefusal
{
    /// <summary>Sign-in is required and no signed-in principal came with the request.</summary>
    NotSignedIn,

    /// <summary>Signed in, but without the staff role or group.</summary>
    NotStaff,

    /// <summary>In Azure with sign-in switched off or App Service Authentication off: nobody may (<see cref="HostingPlatform.StaffProblem"/>).</summary>
    SignInOff,
}

/// <summary>
/// The staff check the app makes itself, behind App Service Authentication: the platform signs people in with Entra ID
/// and passes the principal in <c>X-MS-CLIENT-PRINCIPAL</c> (base64 JSON of the token's claims), removing any such
/// header a client sends. The principal must carry the configured app role or group. The local host runs without
/// sign-in (<c>Privacy:Staff:RequireSignIn=false</c>): the person gives a name on the form, recorded as "(no sign-in)".
/// </summary>
public sealed partial class StaffAccess(IOptions<PrivacyOptions> options, HostingPlatform platform, ILogger<StaffAccess>? log = null)
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string NoSignInSuffix = " (no sign-in)";

    public bool SignInRequired => options.Value.Staff.RequireSignIn;

    /// <summary>The acting person. <paramref name="typedName"/> is the name field of a local (no sign-in) form.</summary>
    public StaffIdentity Identify(HttpRequest request, string? typedName = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var staff = options.Value.Staff;
        if (platform.StaffProblem(staff.RequireSignIn) is { } problem)
        {
            if (log is not null)
            {
                StaffPagesClosed(log, problem);
            }

            return new StaffIdentity(null, StaffRefusal.SignInOff);
        }

        if (!staff.RequireSignIn)
        {
            var name = (typedName ?? string.Empty).Trim();
            return new StaffIdentity(name.Length is > 0 and <= 100 ? name + NoSignInSuffix : null, null);
        }

        if (Claims(request.Headers[PrincipalHeader].ToString()) is not { } principal)
        {
            return new StaffIdentity(null, StaffRefusal.NotSignedIn);
        }

        var roles = principal.Claims.Where(c => c.Type == principal.RoleType || c.Type == "roles" || c.Type.EndsWith("/role", StringComparison.Ordinal)).Select(c => c.Value);
        var groups = principal.Claims.Where(c => c.Type == "groups").Select(c => c.Value);
        var isStaff = roles.Contains(staff.Role, StringComparer.Ordinal) || (staff.Group is { Length: > 0 } group && groups.Contains(group, StringComparer.OrdinalIgnoreCase));
        if (!isStaff)
        {
            return new StaffIdentity(null, StaffRefusal.NotStaff);
        }

        var who = principal.Claims.FirstOrDefault(c => c.Type == "preferred_username")?.Value
            ?? principal.Claims.FirstOrDefault(c => c.Type == principal.NameType)?.Value
            ?? request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].ToString();
        return new StaffIdentity(string.IsNullOrWhiteSpace(who) ? "signed-in staff" : who, null);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Staff pages are closed: {Problem}")]
    private static partial void StaffPagesClosed(ILogger logger, string problem);

    private sealed record Claim(string Type, string Value);

    private sealed record Principal(string? NameType, string? RoleType, IReadOnlyList<Claim> Claims);

    private static Principal? Claims(string header)
    {
        if (header.Length is 0 or > 32_768)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var root = json.RootElement;
            var claims = root.TryGetProperty("claims", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray()
                    .Where(c => c.TryGetProperty("typ", out _) && c.TryGetProperty("val", out _))
                    .Select(c => new Claim(c.GetProperty("typ").GetString() ?? string.Empty, c.GetProperty("val").GetString() ?? string.Empty))
                    .ToList()
                : [];
            return new Principal(
                root.TryGetProperty("name_typ", out var n) ? n.GetString() : null,
                root.TryGetProperty("role_typ", out var r) ? r.GetString() : null,
                claims);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
