using System.Security.Cryptography;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Requests;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>The moment the pages state for the verification link is the moment it stops working (deadline hunt of 7 December).</summary>
public sealed class VerificationLinkTimeTests
{
    [Fact]
    public async Task The_link_works_until_the_moment_the_pages_state_however_long_the_mail_service_took_to_answer()
    {
        // The token was issued before the send and the time recorded after it: a mail service that took 4 s made the
        // link stop working 4 s before the moment the thank-you page and the orchestration's wait counted to.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));
        var register = new InMemoryRegister();
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Access, "jan.devries@example.nl", "Jan", null, ControllerScope.Of("nl"), Language.En, null), Channel.Form, time.GetUtcNow(), TestDataMaps.Real);
        await register.CreateAsync(c, default);
        var mail = new RecordingMail { AfterSend = _ => time.Advance(TimeSpan.FromSeconds(4)) };
        var tokens = new LinkTokenService(RandomNumberGenerator.GetBytes(32), time);
        var options = new PrivacyOptions();
        var verification = new VerificationMail(register, mail, tokens, TestDataMaps.Real, Options.Create(options), time, TestWorkflows.Metrics(), NullLogger<VerificationMail>.Instance);

        var stored = await verification.SendOnceAsync(c, default);

        var deadline = stored.VerificationDeadline(options.Verification.Timeout, time.GetUtcNow());
        var text = Assert.Single(mail.Sent).TextBody;
        var at = text.IndexOf("/verify?token=", StringComparison.Ordinal) + "/verify?token=".Length;
        var token = Uri.UnescapeDataString(new string(text[at..].TakeWhile(ch => !char.IsWhiteSpace(ch)).ToArray()));
        time.SetUtcNow(deadline.AddSeconds(-1));
        Assert.Equal(TokenState.Valid, tokens.Check(token, TokenPurpose.Verify).State);
        time.SetUtcNow(deadline.AddSeconds(1));
        Assert.Equal(TokenState.Expired, tokens.Check(token, TokenPurpose.Verify).State);
    }
}
