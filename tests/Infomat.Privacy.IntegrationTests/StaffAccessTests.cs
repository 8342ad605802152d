using System.Text;
using System.Text.Json;

using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Staff;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>The app's own staff check behind App Service Authentication (the principal header the platform passes).</summary>
public sealed class StaffAccessTests
{
    private static StaffAccess Access(bool requireSignIn = true, string? group = null, HostingPlatform? platform = null) => new(Options.Create(new PrivacyOptions
    {
        Staff = new StaffOptions { RequireSignIn = requireSignIn, Role = "Privacy.Staff", Group = group },
    }), platform ?? HostingPlatform.Local);

    [Fact]
    public void In_Azure_staff_pages_stay_closed_when_sign_in_is_switched_off_or_the_platform_does_not_sign_people_in()
    {
        // Issue 18, items 1 and 2: the principal header is only trustworthy while App Service Authentication is on; a
        // configuration slip (RequireSignIn=false, authentication off on a slot) must not open every case to anyone.
        var staffHeader = Request(("preferred_username", "els@infomat.eu"), ("roles", "Privacy.Staff"));
        var azureWithAuth = HostingPlatform.From(Config(("WEBSITE_SITE_NAME", "infomat-privacy"), ("WEBSITE_AUTH_ENABLED", "True")));
        var azureWithoutAuth = HostingPlatform.From(Config(("WEBSITE_SITE_NAME", "infomat-privacy")));

        Assert.Equal(StaffRefusal.SignInOff, Access(requireSignIn: false, platform: azureWithAuth).Identify(staffHeader, "Els").Refusal);
        Assert.Equal(StaffRefusal.SignInOff, Access(platform: azureWithoutAuth).Identify(staffHeader).Refusal);
        Assert.Equal(StaffRefusal.SignInOff, Access(requireSignIn: false, platform: azureWithoutAuth).Identify(staffHeader, "Els").Refusal);
        Assert.True(Access(platform: azureWithAuth).Identify(staffHeader).Allowed);
        // Locally (no platform variables) the typed name still works.
        Assert.True(Access(requireSignIn: false, platform: HostingPlatform.From(Config())).Identify(new DefaultHttpContext().Request, "Els").Allowed);
        Assert.Contains("WEBSITE_AUTH_ENABLED", azureWithoutAuth.StaffProblem(requireSignIn: true), StringComparison.Ordinal);
        Assert.Contains("RequireSignIn", azureWithAuth.StaffProblem(requireSignIn: false), StringComparison.Ordinal);
        Assert.Null(azureWithAuth.StaffProblem(requireSignIn: true));
    }

    private static Microsoft.Extensions.Configuration.IConfiguration Config(params (string Key, string Value)[] values) =>
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static HttpRequest Request(params (string Type, string Value)[] claims)
    {
        var context = new DefaultHttpContext();
        if (claims.Length > 0)
        {
            var principal = new
            {
                auth_typ = "aad",
                name_typ = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                role_typ = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
                claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
            };
            context.Request.Headers[StaffAccess.PrincipalHeader] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(principal)));
        }

        return context.Request;
    }

    [Fact]
    public void Without_a_signed_in_principal_staff_pages_are_refused()
    {
        Assert.Equal(StaffRefusal.NotSignedIn, Access().Identify(Request()).Refusal);
    }

    [Fact]
    public void A_forged_or_garbled_principal_header_counts_as_not_signed_in()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[StaffAccess.PrincipalHeader] = "not base64 {{{";
        Assert.Equal(StaffRefusal.NotSignedIn, Access().Identify(request).Refusal);
    }

    [Fact]
    public void A_signed_in_colleague_without_the_staff_role_is_refused()
    {
        var identity = Access().Identify(Request(("preferred_username", "visitor@infomat.eu"), ("roles", "Sales.Reader")));
        Assert.Equal(StaffRefusal.NotStaff, identity.Refusal);
        Assert.Null(identity.Name);
    }

    [Fact]
    public void The_staff_role_lets_in_and_names_the_signed_in_person()
    {
        var identity = Access().Identify(Request(("preferred_username", "els.janssens@infomat.eu"), ("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "Privacy.Staff")));
        Assert.True(identity.Allowed);
        Assert.Equal("els.janssens@infomat.eu", identity.Name);
    }

    [Fact]
    public void Membership_of_the_configured_group_also_lets_in()
    {
        var identity = Access(group: "5f0b4a4e-1111-4c5e-9a55-1f0c1e1f2a3b").Identify(Request(("preferred_username", "dpo@infomat.eu"), ("groups", "5F0B4A4E-1111-4C5E-9A55-1F0C1E1F2A3B")));
        Assert.Equal("dpo@infomat.eu", identity.Name);
    }

    [Fact]
    public void Without_sign_in_the_typed_name_is_recorded_as_such_and_a_missing_name_is_not_a_person()
    {
        Assert.Equal("Els (no sign-in)", Access(requireSignIn: false).Identify(Request(), "  Els ").Name);
        Assert.Null(Access(requireSignIn: false).Identify(Request(), "   ").Name);
        Assert.True(Access(requireSignIn: false).Identify(Request(), null).Allowed);
    }
}
