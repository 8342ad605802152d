using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// A stand-in for the tenant's Entra ID: OpenID metadata and a JWKS with a locally generated RSA key, and ID tokens
/// minted with it as App Service Authentication would pass them (<c>X-MS-TOKEN-AAD-ID-TOKEN</c>). In process it answers
/// through <see cref="Handler"/>; <see cref="Serve"/> puts it on a loopback port for a local host process.
/// </summary>
public sealed class StaffSignInAuthority : IDisposable
{
    public const string ClientId = "6d1f0c2e-8a7b-4c3d-9e5f-0a1b2c3d4e5f";
    public const string TenantId = "2b7c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e";

    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;
    private readonly WireMockServer? server;

    private StaffSignInAuthority(string? authority)
    {
        key = new RsaSecurityKey(rsa) { KeyId = "stand-in-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) };
        if (authority is null)
        {
            server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{Repo.FreePort()}"] });
            authority = server.Url + "/" + TenantId + "/v2.0";
            server.Given(Request.Create().UsingGet().WithPath("/" + TenantId + "/v2.0/.well-known/openid-configuration"))
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Metadata(authority)));
            server.Given(Request.Create().UsingGet().WithPath("/" + TenantId + "/discovery/v2.0/keys"))
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Keys()));
        }

        Authority = authority;
    }

    /// <summary>In process: the metadata and keys are answered by <see cref="Handler"/>, at an https authority.</summary>
    public static StaffSignInAuthority InProcess() => new("https://login.stand-in.test/" + TenantId + "/v2.0");

    /// <summary>On a loopback port (WireMock.Net), for the local host as a process.</summary>
    public static StaffSignInAuthority Serve() => new(null);

    /// <summary>The issuer, and where its metadata lives (<c>Privacy:Staff:Authority</c>).</summary>
    public string Authority { get; }

    /// <summary>How many times the metadata document was read (the key is cached, not fetched per request).</summary>
    public int MetadataReads { get; private set; }

    /// <summary>The host settings that make a host check tokens against this authority.</summary>
    public IDictionary<string, string> HostSettings => new Dictionary<string, string>
    {
        ["Privacy__Staff__RequireSignIn"] = "true",
        ["Privacy__Staff__ClientId"] = ClientId,
        ["Privacy__Staff__Authority"] = Authority,
    };

    /// <summary>Answers the metadata and key requests of an app configured with <see cref="Authority"/>.</summary>
    public HttpMessageHandler Handler => new StandIn(this);

    /// <summary>
    /// An ID token for a colleague. The defaults make a valid one; each parameter makes it wrong in one way (another
    /// audience, issuer, expiry, or a key the tenant never published).
    /// </summary>
    public string Mint(
        string oid, string username, IEnumerable<string>? roles = null, IEnumerable<string>? groups = null,
        string? audience = null, string? issuer = null, DateTime? expires = null, bool signWithAnotherKey = false,
        IReadOnlyDictionary<string, object>? extra = null, bool unsigned = false)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["oid"] = oid,
            ["tid"] = TenantId,
            ["sub"] = "sub-" + oid,
            ["preferred_username"] = username,
            ["name"] = username,
        };
        if (roles?.ToArray() is { Length: > 0 } r)
        {
            claims["roles"] = r;
        }

        if (groups?.ToArray() is { Length: > 0 } g)
        {
            claims["groups"] = g;
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, object>())
        {
            claims[name] = value;
        }

        var expiry = expires ?? now.AddHours(1);
        using var other = RSA.Create(2048);
        var signing = signWithAnotherKey ? new RsaSecurityKey(other) { KeyId = key.KeyId } : key;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience ?? ClientId,
            IssuedAt = expiry.AddHours(-1),
            NotBefore = expiry.AddHours(-1),
            Expires = expiry,
            Claims = claims,
            // Unsigned: the handler writes alg "none" and an empty signature.
            SigningCredentials = unsigned ? null : new SigningCredentials(signing, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The Application ID URI an Actionable Messages registration would generate (the audience of Outlook's action tokens).</summary>
    public const string ActionsAudience = "api://auth-am-5a0c1e2d-3b4f-4a6b-8c7d-9e0f1a2b3c4d/6d1f0c2e-8a7b-4c3d-9e5f-0a1b2c3d4e5f";

    /// <summary>The host settings that switch the approval card on (a made-up provider id) on top of <see cref="HostSettings"/>.</summary>
    public IDictionary<string, string> CardHostSettings => new Dictionary<string, string>(HostSettings)
    {
        ["Privacy__ActionableMessages__Originator"] = "0f6b2a4c-1d3e-4f5a-8b7c-9d0e1f2a3b4c",
        ["Privacy__ActionableMessages__Audience"] = ActionsAudience,
    };

    /// <summary>
    /// The access token Outlook sends with a card action for a colleague: for <see cref="ActionsAudience"/>, issued to
    /// the Actionable Messages service (<c>azp</c>), with the user's app roles. Each parameter makes it wrong in one way.
    /// </summary>
    public string Action(
        string oid, string username, IEnumerable<string>? roles = null, string? audience = null, string? issuer = null, string? azp = null,
        DateTime? expires = null, bool signWithAnotherKey = false, bool unsigned = false) =>
        Mint(oid, username, roles ?? ["Privacy.Staff"], audience: audience ?? ActionsAudience, issuer: issuer, expires: expires, signWithAnotherKey: signWithAnotherKey,
            extra: new Dictionary<string, object> { ["azp"] = azp ?? Infomat.Privacy.Configuration.ActionableMessageOptions.ActionsServiceAppId, ["scp"] = "Global.Act", ["ver"] = "2.0" },
            unsigned: unsigned);

    /// <summary>A valid token of a privacy staff member (the <c>Privacy.Staff</c> role).</summary>
    public string Staff(string oid, string username) => Mint(oid, username, ["Privacy.Staff"]);

    /// <summary>The principal header App Service Authentication passes beside the token (unsigned: anyone can write one).</summary>
    public static string Principal(string username, params string[] roles) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        auth_typ = "aad",
        name_typ = "name",
        role_typ = "roles",
        claims = new[] { new { typ = "preferred_username", val = username } }.Concat(roles.Select(r => new { typ = "roles", val = r })),
    })));

    private string Metadata(string authority) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["issuer"] = authority,
        ["jwks_uri"] = authority[..authority.LastIndexOf("/v2.0", StringComparison.Ordinal)] + "/discovery/v2.0/keys",
        ["authorization_endpoint"] = authority + "/oauth2/v2.0/authorize",
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
    });

    private string Keys()
    {
        var p = rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", kid = key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } },
        });
    }

    public void Dispose()
    {
        server?.Stop();
        server?.Dispose();
        rsa.Dispose();
    }

    private sealed class StandIn(StaffSignInAuthority authority) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.AbsoluteUri;
            string? body = null;
            if (url == authority.Authority + "/.well-known/openid-configuration")
            {
                authority.MetadataReads++;
                body = authority.Metadata(authority.Authority);
            }
            else if (url.EndsWith("/discovery/v2.0/keys", StringComparison.Ordinal))
            {
                body = authority.Keys();
            }

            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
