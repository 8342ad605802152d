using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The app's own staff check: the Entra ID token App Service Authentication passes (token store on) is validated against
/// the tenant's keys, issuer, audience and lifetime (a stand-in authority with a locally generated key); the unsigned
/// principal header alone lets nobody in.
/// </summary>
public sealed class StaffAccessTests : IDisposable
{
    private const string ElsOid = "0c7e2b1a-5d0f-4f6e-9a43-3c2d8e1f7a01";

    private readonly StaffSignInAuthority authority = StaffSignInAuthority.InProcess();

    public void Dispose() => authority.Dispose();

    private StaffAccess Access(bool requireSignIn = true, string? group = null, HostingPlatform? platform = null, string? clientId = StaffSignInAuthority.ClientId, bool withAuthority = true)
    {
        var options = Options.Create(new PrivacyOptions
        {
            Staff = new StaffOptions { RequireSignIn = requireSignIn, Role = "Privacy.Staff", Group = group, ClientId = clientId, Authority = withAuthority ? authority.Authority : null },
        });
        return new StaffAccess(options, platform ?? HostingPlatform.Local, new StaffSignIn(options, authority.Handler));
    }

    private static Task<StaffIdentity> IdentifyAsync(StaffAccess access, HttpRequest request, string? typedName = null) => access.IdentifyAsync(request, typedName, default);

    /// <summary>A request as App Service Authentication passes it: the principal header (unsigned) and, when given, the ID token.</summary>
    private static HttpRequest Request(string? idToken, string? principal = null)
    {
        var context = new DefaultHttpContext();
        if (principal is not null)
        {
            context.Request.Headers[StaffAccess.PrincipalHeader] = principal;
        }

        if (idToken is not null)
        {
            context.Request.Headers[StaffSignIn.IdTokenHeader] = idToken;
        }

        return context.Request;
    }

    private static HttpRequest ForgedStaffHeader(string? idToken = null) =>
        Request(idToken, StaffSignInAuthority.Principal("els.janssens@infomat.eu", "Privacy.Staff"));

    [Fact]
    public async Task In_Azure_staff_pages_stay_closed_when_sign_in_is_switched_off_or_the_platform_does_not_sign_people_in()
    {
        // Issue 18, items 1 and 2: a configuration slip (RequireSignIn=false, authentication off on a slot) must not open
        // every case to anyone.
        var staffRequest = ForgedStaffHeader(authority.Staff(ElsOid, "els@infomat.eu"));
        var azureWithAuth = HostingPlatform.From(Config(("WEBSITE_SITE_NAME", "infomat-privacy"), ("WEBSITE_AUTH_ENABLED", "True")));
        var azureWithoutAuth = HostingPlatform.From(Config(("WEBSITE_SITE_NAME", "infomat-privacy")));

        Assert.Equal(StaffRefusal.SignInOff, (await IdentifyAsync(Access(requireSignIn: false, platform: azureWithAuth), staffRequest, "Els")).Refusal);
        Assert.Equal(StaffRefusal.SignInOff, (await IdentifyAsync(Access(platform: azureWithoutAuth), staffRequest)).Refusal);
        Assert.Equal(StaffRefusal.SignInOff, (await IdentifyAsync(Access(requireSignIn: false, platform: azureWithoutAuth), staffRequest, "Els")).Refusal);
        Assert.True((await IdentifyAsync(Access(platform: azureWithAuth), staffRequest)).Allowed);
        // Locally (no platform variables) the typed name still works.
        Assert.True((await IdentifyAsync(Access(requireSignIn: false, platform: HostingPlatform.From(Config())), new DefaultHttpContext().Request, "Els")).Allowed);
        Assert.Contains("WEBSITE_AUTH_ENABLED", azureWithoutAuth.StaffProblem(requireSignIn: true), StringComparison.Ordinal);
        Assert.Contains("RequireSignIn", azureWithAuth.StaffProblem(requireSignIn: false), StringComparison.Ordinal);
        Assert.Null(azureWithAuth.StaffProblem(requireSignIn: true));
    }

    private static Microsoft.Extensions.Configuration.IConfiguration Config(params (string Key, string Value)[] values) =>
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    public enum Forgery
    {
        NoToken,
        SignedByAnotherKey,
        ForAnotherApp,
        FromAnotherIssuer,
        Expired,
        NotAToken,
    }

    [Theory]
    [InlineData(Forgery.NoToken)]
    [InlineData(Forgery.SignedByAnotherKey)]
    [InlineData(Forgery.ForAnotherApp)]
    [InlineData(Forgery.FromAnotherIssuer)]
    [InlineData(Forgery.Expired)]
    [InlineData(Forgery.NotAToken)]
    public async Task A_principal_header_with_the_staff_role_lets_nobody_in_without_a_valid_token_of_the_tenant_for_this_app(Forgery forgery)
    {
        // Issue 18 item 1: with App Service Authentication off or not covering a route, anyone can send this header.
        string roles = "Privacy.Staff";
        var token = forgery switch
        {
            Forgery.NoToken => null,
            Forgery.SignedByAnotherKey => authority.Mint(ElsOid, "els@infomat.eu", [roles], signWithAnotherKey: true),
            Forgery.ForAnotherApp => authority.Mint(ElsOid, "els@infomat.eu", [roles], audience: "11111111-2222-3333-4444-555555555555"),
            Forgery.FromAnotherIssuer => authority.Mint(ElsOid, "els@infomat.eu", [roles], issuer: "https://login.microsoftonline.com/99999999-8888-7777-6666-555555555555/v2.0"),
            Forgery.Expired => authority.Mint(ElsOid, "els@infomat.eu", [roles], expires: DateTime.UtcNow.AddMinutes(-10)),
            _ => "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJQcml2YWN5LlN0YWZmIl19.",
        };

        var identity = await IdentifyAsync(Access(), ForgedStaffHeader(token));

        Assert.Equal(StaffRefusal.NotSignedIn, identity.Refusal);
        Assert.Null(identity.Name);
    }

    [Fact]
    public async Task A_valid_token_lets_the_staff_member_in_as_their_object_id_shown_by_name_and_the_keys_are_read_once()
    {
        var access = Access();

        var identity = await IdentifyAsync(access, ForgedStaffHeader(authority.Staff(ElsOid, "els.janssens@infomat.eu")));
        var again = await IdentifyAsync(access, Request(authority.Staff(ElsOid, "els.janssens@infomat.eu")));

        Assert.True(identity.Allowed);
        Assert.Equal(ElsOid, identity.Id);
        Assert.Equal("els.janssens@infomat.eu", identity.Name);
        // The principal header plays no part: the token alone is the sign-in.
        Assert.Equal((identity.Id, identity.Name, identity.Refusal), (again.Id, again.Name, again.Refusal));
        Assert.Equal(["els.janssens@infomat.eu"], again.Addresses!);
        Assert.Equal(1, authority.MetadataReads);
    }

    [Fact]
    public async Task The_role_comes_from_the_token_not_from_the_principal_header()
    {
        // The header says staff; the validated token says otherwise.
        var identity = await IdentifyAsync(Access(), ForgedStaffHeader(authority.Mint(ElsOid, "visitor@infomat.eu", ["Sales.Reader"])));

        Assert.Equal(StaffRefusal.NotStaff, identity.Refusal);
        Assert.Null(identity.Name);
    }

    [Fact]
    public async Task Membership_of_the_configured_group_in_the_token_also_lets_in()
    {
        var token = authority.Mint(ElsOid, "dpo@infomat.eu", groups: ["5F0B4A4E-1111-4C5E-9A55-1F0C1E1F2A3B"]);

        var identity = await IdentifyAsync(Access(group: "5f0b4a4e-1111-4c5e-9a55-1f0c1e1f2a3b"), Request(token));

        Assert.Equal("dpo@infomat.eu", identity.Name);
    }

    [Fact]
    public async Task Sign_in_required_without_the_app_registration_or_the_tenant_closes_staff_pages()
    {
        var token = authority.Staff(ElsOid, "els@infomat.eu");

        Assert.Equal(StaffRefusal.SignInOff, (await IdentifyAsync(Access(clientId: null), Request(token))).Refusal);
        Assert.Equal(StaffRefusal.SignInOff, (await IdentifyAsync(Access(withAuthority: false), Request(token))).Refusal);
        // The page then says what is missing (settings), not that the platform's sign-in is off.
        Assert.True(Access(clientId: null).SignInUnconfigured);
        Assert.False(Access().SignInUnconfigured);
        Assert.Contains("Privacy:Staff:ClientId", new StaffSignIn(Options.Create(new PrivacyOptions { Staff = new StaffOptions { TenantId = StaffSignInAuthority.TenantId } })).Problem, StringComparison.Ordinal);
        Assert.Null(new StaffSignIn(Options.Create(new PrivacyOptions { Staff = new StaffOptions { TenantId = StaffSignInAuthority.TenantId, ClientId = StaffSignInAuthority.ClientId } })).Problem);
    }

    [Fact]
    public async Task Without_sign_in_the_typed_name_is_recorded_as_such_is_the_id_and_a_missing_name_is_not_a_person()
    {
        var local = Access(requireSignIn: false, clientId: null, withAuthority: false);
        var els = await IdentifyAsync(local, Request(null), "  Els ");

        Assert.Equal("Els (no sign-in)", els.Name);
        Assert.Equal("Els (no sign-in)", els.Id);
        Assert.Null((await IdentifyAsync(local, Request(null), "   ")).Name);
        Assert.True((await IdentifyAsync(local, Request(null), null)).Allowed);
    }
}
