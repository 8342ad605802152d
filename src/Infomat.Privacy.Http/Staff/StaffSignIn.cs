using System.Net;
using System.Security.Claims;

using Infomat.Privacy.Configuration;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Infomat.Privacy.Http.Staff;

/// <summary>
/// Checks the staff member's Entra ID token in the app itself, so that staff pages never rest on the unsigned principal
/// header alone: App Service Authentication (token store on) passes the ID token in <see cref="IdTokenHeader"/>, and it
/// must be signed by one of the tenant's keys (read from its OpenID metadata, cached and refreshed by
/// <see cref="ConfigurationManager{T}"/>), issued by the tenant, for this app's client id, and not expired.
/// </summary>
public sealed partial class StaffSignIn
{
    public const string IdTokenHeader = "X-MS-TOKEN-AAD-ID-TOKEN";

    private readonly ConfigurationManager<OpenIdConnectConfiguration>? metadata;
    private readonly string? clientId;
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly ILogger? log;

    /// <param name="options">The <c>Privacy:Staff</c> settings (<c>TenantId</c>, <c>ClientId</c>, optional <c>Authority</c>).</param>
    /// <param name="backchannel">Where the metadata and keys are fetched from; tests pass their stand-in.</param>
    /// <param name="log">Why a token was refused (the failure's type, never the token or its claims).</param>
    public StaffSignIn(IOptions<PrivacyOptions> options, HttpMessageHandler? backchannel = null, ILogger<StaffSignIn>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.log = log;
        var staff = options.Value.Staff;
        Problem = staff.RequireSignIn ? ProblemWith(staff) : null;
        if (!staff.RequireSignIn || Problem is not null)
        {
            return;
        }

        var authority = Authority(staff)!;
        var http = new HttpClient(backchannel ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(15) }) { Timeout = TimeSpan.FromSeconds(20) };
        metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = !IsLoopback(authority) });
        clientId = staff.ClientId;
    }

    /// <summary>Why signed-in staff cannot be checked with these settings (for ops, no personal data), or null.</summary>
    public string? Problem { get; }

    /// <summary>
    /// The validated token's claims, or null when the token is missing, forged, for another app or issuer, or expired.
    /// <paramref name="audiences"/> are the audiences it may name: the staff sign-in client id unless given (the approval
    /// card's actions come with an access token for the API the Actionable Messages registration names).
    /// </summary>
    public async Task<IReadOnlyList<Claim>?> ValidateAsync(string? token, CancellationToken cancellationToken, IReadOnlyList<string>? audiences = null)
    {
        if (metadata is null || string.IsNullOrEmpty(token) || token.Length > 16_384)
        {
            return null;
        }

        var result = await ValidateOnceAsync(token, audiences ?? [clientId!], cancellationToken);
        if (result is { IsValid: false, Exception: SecurityTokenSignatureKeyNotFoundException })
        {
            // The tenant may have rolled its keys since the metadata was read: read it again (throttled by the manager).
            metadata.RequestRefresh();
            result = await ValidateOnceAsync(token, audiences ?? [clientId!], cancellationToken);
        }

        if (result is { IsValid: true, ClaimsIdentity: { } identity })
        {
            return [.. identity.Claims];
        }

        if (log is not null && result is not null)
        {
            // The type says which check failed (signature, audience, issuer, lifetime); IdentityModel's messages stay out.
            TokenRefused(log, result.Exception?.GetType().Name ?? "unknown");
        }

        return null;
    }

    [LoggerMessage(EventId = 166, Level = LogLevel.Warning, Message = "A staff token was refused: {Failure}")]
    private static partial void TokenRefused(ILogger logger, string failure);

    [LoggerMessage(EventId = 167, Level = LogLevel.Error, Message = "The staff sign-in metadata could not be read from the authority: nobody is let in as staff")]
    private static partial void MetadataUnavailable(ILogger logger);

    private async Task<TokenValidationResult?> ValidateOnceAsync(string token, IReadOnlyList<string> audiences, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await metadata!.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // The metadata cannot be read (and none was read before): nobody can be checked, so nobody is let in.
            if (log is not null)
            {
                MetadataUnavailable(log);
            }

            return null;
        }

        return await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudiences = audiences,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromMinutes(5),
        });
    }

    private static string? ProblemWith(StaffOptions staff) =>
        string.IsNullOrWhiteSpace(staff.ClientId)
            ? "Privacy:Staff:ClientId is not set: the staff sign-in app registration's client id is needed to check staff tokens."
        : Authority(staff) is null
            ? "Privacy:Staff:TenantId is not set (or Privacy:Staff:Authority is not an absolute https URL): the tenant whose keys sign staff tokens is needed."
        : null;

    private static Uri? Authority(StaffOptions staff)
    {
        if (!string.IsNullOrWhiteSpace(staff.Authority))
        {
            return Uri.TryCreate(staff.Authority, UriKind.Absolute, out var given) && (given.Scheme == Uri.UriSchemeHttps || (given.Scheme == Uri.UriSchemeHttp && IsLoopback(given)))
                ? given : null;
        }

        return string.IsNullOrWhiteSpace(staff.TenantId) || staff.TenantId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            ? null
            : new Uri($"https://login.microsoftonline.com/{staff.TenantId}/v2.0");
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
}
