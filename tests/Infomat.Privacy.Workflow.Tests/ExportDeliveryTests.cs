using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Workflow.Activities.Closing;
using Infomat.Privacy.Workflow.Activities.Export;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// The zip must exist for as long as the mail says its link works. The exports account's lifecycle rule deletes a zip
/// some days after its last change; the zip is built before the mail, and when the mail cannot go at first (the mail
/// service down past the retries, staff retry days later) counting from the build would delete it before the end the
/// mail names. So the zip is marked delivered, a change, as its mail goes.
/// </summary>
public sealed class ExportDeliveryTests
{
    [Fact]
    public async Task A_zip_whose_mail_goes_three_days_after_it_was_built_is_marked_delivered_then_so_the_storage_keeps_it_until_the_end_the_mail_names()
    {
        var built = new DateTimeOffset(2027, 3, 15, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(built);
        var register = new InMemoryRegister();
        var mail = new RecordingMail();
        var exports = new InMemoryExports();
        var options = new PrivacyOptions();
        var zip = BuildExport.BlobNameFor("PR-DELIVERY");
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "an.peeters@example.be", "An Peeters", null, ControllerScope.Of("be"), Language.En, null, null),
            Channel.Form, built.AddDays(-2), TestDataMaps.Real) with { Id = "PR-DELIVERY", EmailVerifiedAt = built.AddDays(-2), ExportBlobName = zip };
        await register.CreateAsync(c, default);
        exports.Blobs[zip] = [1, 2, 3];
        var deliver = new DeliverExport(
            register, mail, new Tokens.LinkTokenService(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), clock), exports, TestDataMaps.Real,
            Microsoft.Extensions.Options.Options.Create(options), clock, NullLogger<DeliverExport>.Instance);

        // The mail service is down when the zip is built; staff retry three days later.
        mail.FailNext(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => deliver.RunAsync(null!, c.Id));
        clock.Advance(TimeSpan.FromDays(3));
        await deliver.RunAsync(null!, c.Id);

        var sent = clock.GetUtcNow();
        var end = sent + options.Export.LinkLifetime;
        Assert.Contains(Texts.Deadline(end, Language.En), Assert.Single(mail.Sent).TextBody, StringComparison.Ordinal);
        Assert.Equal(end, (await register.GetAsync(c.Id, default))!.ExportExpiresAt);
        // The zip's last change is the mail's moment: the lifecycle rule (the link's days + 1 after it) outlasts the link.
        Assert.Equal(sent, exports.Delivered[zip]);
    }
}
