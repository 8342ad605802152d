using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Mail;

using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// SendGrid's signed event reports (decision 148): only a post SendGrid's key signed, recently, is taken, and only a
/// bounce for good of mail this system tagged is read from it.
/// </summary>
public sealed class SendGridEventReportsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private SendGridEventReports Reports(string? configured = null) =>
        new(Options.Create(new SendGridOptions { EventWebhookPublicKey = configured ?? Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) }));

    private static string Stamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Sign(ECDsa by, string timestamp, byte[] body) =>
        Convert.ToBase64String(by.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => key.Dispose();

    [Fact]
    public void A_post_is_taken_only_when_SendGrids_key_signed_its_timestamp_and_body_recently()
    {
        var body = Encoding.UTF8.GetBytes("""[{"event":"bounce"}]""");
        var at = Stamp(Now.AddMinutes(-3));
        var reports = Reports();
        Assert.Equal(MailReportCheck.Valid, reports.Check(Sign(key, at, body), at, body, Now));

        // The body or the timestamp changed after signing; another key; no signature; not base64.
        Assert.Equal(MailReportCheck.BadSignature, reports.Check(Sign(key, at, body), at, Encoding.UTF8.GetBytes("""[{"event":"delivered"}]"""), Now));
        Assert.Equal(MailReportCheck.BadSignature, reports.Check(Sign(key, at, body), Stamp(Now), body, Now));
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            Assert.Equal(MailReportCheck.BadSignature, reports.Check(Sign(other, at, body), at, body, Now));
        }

        Assert.Equal(MailReportCheck.NotSigned, reports.Check(null, at, body, Now));
        Assert.Equal(MailReportCheck.NotSigned, reports.Check(Sign(key, at, body), "", body, Now));
        Assert.Equal(MailReportCheck.BadSignature, reports.Check("not base64!", at, body, Now));

        // Signed, but a day and more ago (SendGrid posts again for 24 hours), or as far in the future.
        var old = Stamp(Now - SendGridEventReports.MaxAge - TimeSpan.FromMinutes(1));
        Assert.Equal(MailReportCheck.Stale, reports.Check(Sign(key, old, body), old, body, Now));
        var ahead = Stamp(Now + SendGridEventReports.MaxAge + TimeSpan.FromMinutes(1));
        Assert.Equal(MailReportCheck.Stale, reports.Check(Sign(key, ahead, body), ahead, body, Now));
        var recent = Stamp(Now - SendGridEventReports.MaxAge + TimeSpan.FromMinutes(1));
        Assert.Equal(MailReportCheck.Valid, reports.Check(Sign(key, recent, body), recent, body, Now));
    }

    [Fact]
    public void Without_a_key_nothing_is_taken_and_a_key_that_is_not_one_is_refused_at_start()
    {
        var none = new SendGridEventReports(Options.Create(new SendGridOptions()));
        Assert.False(none.Enabled);
        var body = Encoding.UTF8.GetBytes("[]");
        var at = Stamp(Now);
        Assert.Equal(MailReportCheck.NotSigned, none.Check(Sign(key, at, body), at, body, Now));

        Assert.True(SendGridEventReports.IsKey(null));
        Assert.True(SendGridEventReports.IsKey(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())));
        Assert.False(SendGridEventReports.IsKey("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"));
        Assert.False(SendGridEventReports.IsKey("-----BEGIN PUBLIC KEY-----"));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.False(SendGridEventReports.IsKey(Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo())));
    }

    [Fact]
    public void Mail_SendGrid_will_not_deliver_is_read_when_this_system_tagged_it_and_the_address_is_at_fault_only_when_SendGrid_says_so()
    {
        static string E(string kind, string type, string extra = "", string caseId = "PR-AAAA-BBBB-CCCC") =>
            $$"""{"email":"x@example.org","event":"{{type}}","infomat_case":"{{caseId}}","infomat_kind":"{{kind}}"{{extra}}}""";
        var body = Encoding.UTF8.GetBytes("[" + string.Join(',',
            E("verification", "bounce", ""","type":"bounce","bounce_classification":"Invalid Address" """),
            E("verification", "bounce", ""","type":"bounce","bounce_classification":"Reputation","infomat_sending":"v1" """),
            E("export-ready", "bounce", ""","bounce_classification":"Content","infomat_sending":"x<script>" """),
            E("verification", "bounce", ""","bounce_classification":"a new word" """),
            E("verification", "dropped", ""","reason":"Bounced Address" """),
            E("action-report", "dropped", ""","reason":"Invalid" """),
            E("verification", "bounce", ""","type":"blocked","bounce_classification":"Invalid Address" """),
            E("verification", "dropped", ""","reason":"Unsubscribed Address" """),
            E("verification", "dropped", ""","reason":"Spam Reporting Address" """),
            E("verification", "dropped", ""","reason":"someone wrote x@example.org here" """),
            E("verification", "deferred"),
            E("verification", "delivered"),
            E("not-a-kind", "bounce"),
            E("verification", "bounce", caseId: "PR-AAAA/../x"),
            """{"event":"bounce","type":"bounce","email":"someone.else@example.org"}""",
            "42") + "]");

        const string Id = "PR-AAAA-BBBB-CCCC";
        Assert.Equal(
            [new MailBounce(Id, MailKind.Verification, true, "bounce/Invalid Address"), new MailBounce(Id, MailKind.Verification, false, "bounce/Reputation") { Sending = "v1" },
             new MailBounce(Id, MailKind.ExportReady, false, "bounce/Content"), new MailBounce(Id, MailKind.Verification, false, "bounce/other"),
             new MailBounce(Id, MailKind.Verification, true, "dropped/Bounced Address"), new MailBounce(Id, MailKind.ActionReport, true, "dropped/Invalid"),
             // Blocked or dropped for another reason: not delivered and not sent again, but not the address's fault.
             new MailBounce(Id, MailKind.Verification, false, "blocked/Invalid Address"), new MailBounce(Id, MailKind.Verification, false, "dropped/Unsubscribed Address"),
             new MailBounce(Id, MailKind.Verification, false, "dropped/Spam Reporting Address"), new MailBounce(Id, MailKind.Verification, false, "dropped/other")],
            Reports().Bounces(body));
        Assert.ThrowsAny<JsonException>(() => Reports().Bounces(Encoding.UTF8.GetBytes("""{"event":"bounce"}""")));
        Assert.ThrowsAny<JsonException>(() => Reports().Bounces(Encoding.UTF8.GetBytes("[{")));
    }
}
