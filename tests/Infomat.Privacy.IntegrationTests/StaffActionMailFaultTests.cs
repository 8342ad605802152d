using System.Net;

using Infomat.Privacy.Cases;
using Infomat.Privacy.IntegrationTests.Infrastructure;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

using Microsoft.Extensions.DependencyInjection;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// An action whose mail to the requester cannot be sent is not recorded as done: a deadline extension holds only once
/// the requester is told of it, with the reasons (Art. 12(3)), a request for more identification is not one until it is
/// mailed, and a link sent again that did not go does not use up one of the requester's three. Whoever acted reads that
/// nothing was done and tries again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StaffActionMailFaultTests(Azurite azurite)
{
    [Fact]
    public async Task An_extension_whose_notice_cannot_be_sent_is_not_recorded_and_can_be_asked_again_once_mail_works()
    {
        var mail = new SwitchableMail();
        await using var host = new InProcessHost(azurite) { Replace = services => mail.Wrap(services) };
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(language: "fr");
        var before = (await flows.StatusAsync(id)).RootElement.GetProperty("dueDate").GetString();
        var casePage = new Uri($"{host.BaseUrl}/cases/{id}");

        // The mail service refuses the notice (a 503 after its retries).
        mail.Failing = MailKind.ExtensionNotice;
        var refused = await flows.StaffPostAsync($"/cases/{id}/extend", casePage, "Els Janssens", ("months", "2"), ("reason", "Dix ans de facturation."));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains(WebUtility.HtmlEncode(Texts.Get("ExtensionNotSent", Language.Nl).Split(':')[0]), page, StringComparison.Ordinal);
        // The requester's date, the reminders' and the list's stay what the requester was told.
        Assert.Equal(before, (await flows.StatusAsync(id)).RootElement.GetProperty("dueDate").GetString());
        var stored = (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!;
        Assert.Equal(0, stored.ExtendedMonths);
        Assert.NotNull(Assert.Single(stored.Extensions).WithdrawnAt);
        Assert.Empty(host.Mailbox.Of("extension-notice", id));

        // Mail works again: the same two months can be chosen, and the requester is told once.
        mail.Failing = null;
        var extended = await flows.StaffPostAsync($"/cases/{id}/extend", casePage, "Els Janssens", ("months", "2"), ("reason", "Dix ans de facturation."));

        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.NotEqual(before, (await flows.StatusAsync(id)).RootElement.GetProperty("dueDate").GetString());
        var notice = await host.Mailbox.WaitForAsync("extension-notice", id);
        Assert.Contains("Dix ans de facturation.", notice.TextBody, StringComparison.Ordinal);
        Assert.Single(host.Mailbox.Of("extension-notice", id));
        Assert.Equal(2, (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!.ExtendedMonths);
    }

    [Fact]
    public async Task A_request_for_identification_whose_mail_cannot_be_sent_is_not_recorded_and_the_same_link_asks_again()
    {
        var mail = new SwitchableMail();
        await using var host = new InProcessHost(azurite) { Replace = services => mail.Wrap(services) };
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(language: "fr");
        await flows.VerifyAsync(id);
        var link = await flows.ApprovalLinkAsync(id);

        mail.Failing = MailKind.IdentificationRequest;
        var failed = await flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "request-identification"), ("reason", "Geef het nummer van een factuur."));

        // Nothing reads as asked: the page says to try again, and the approval page does not say the requester was asked.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var stored = (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!;
        Assert.Null(stored.IdentificationRequestedAt);
        Assert.Single(stored.IdentificationRequestsNotSent);
        var asked = Texts.Format("ApprovalIdentificationSent", Language.Nl, "{0}", "{1}").Split("{0}")[0];
        Assert.DoesNotContain(WebUtility.HtmlEncode(asked), await flows.Http.GetStringAsync(link.PathAndQuery), StringComparison.Ordinal);

        // Mail works again: the same link asks, once.
        mail.Failing = null;
        var ask = await flows.StaffPostAsync("/approvals", link, "Els Janssens", ("decision", "request-identification"), ("reason", "Geef het nummer van een factuur."));

        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        var sent = await host.Mailbox.WaitForAsync("identification-request", id);
        Assert.Contains("Geef het nummer van een factuur.", sent.TextBody, StringComparison.Ordinal);
        Assert.Single(host.Mailbox.Of("identification-request", id));
        Assert.NotNull((await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!.IdentificationMailSentAt);
    }

    [Fact]
    public async Task A_link_sent_again_that_cannot_be_sent_uses_up_none_of_the_three_and_the_requester_is_told_to_try_again()
    {
        var mail = new SwitchableMail();
        await using var host = new InProcessHost(azurite) { Replace = services => mail.Wrap(services) };
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(email: $"opnieuw.{Guid.NewGuid():N}@example.be", language: "en");
        await host.Mailbox.WaitForAsync("verification", id);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!(await flows.Http.GetStringAsync($"/privacy/thanks?request={id}&lang=en")).Contains("Send the link again", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < until, "the thank-you page did not offer the link again");
            await Task.Delay(100);
        }

        mail.Failing = MailKind.Verification;
        var failed = await flows.Http.PostAsync("/privacy/resend", Flows.Form(("request", id), ("lang", "en")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(Texts.Get("ResendNotSentBody", Language.En)), await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!;
        Assert.Equal(0, stored.VerificationResends);

        // Mail works again: all three sends again are still there.
        mail.Failing = null;
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await flows.Http.PostAsync("/privacy/resend", Flows.Form(("request", id), ("lang", "en")))).StatusCode);
        }

        Assert.Equal(4, host.Mailbox.Of("verification", id).Count);
        var audit = Audit.CaseAudit.Entries((await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!, new Stores.KeyedHash(new byte[32]));
        Assert.Single(audit, e => e.Action == "verification-resend-not-sent");
        Assert.Equal(3, audit.Count(e => e.Key.StartsWith("verification-resent.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_request_for_identification_whose_staff_member_goes_away_while_it_is_mailed_is_recorded_as_sent()
    {
        // Session 45's hunt: the mail went whatever the browser did, but its sending was recorded under the browser's
        // request, so a colleague who closed the tab meanwhile left a case that never waited on the requester and whose
        // pages said the requester was not asked: a colleague asked again, and the requester got two requests.
        var mail = new SwitchableMail();
        await using var host = new InProcessHost(azurite) { Replace = services => mail.Wrap(services) };
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(language: "fr");
        await flows.VerifyAsync(id);
        var link = await flows.ApprovalLinkAsync(id);
        var fields = flows.StaffFormFields(await flows.Http.GetStringAsync(link), link, "Els Janssens", "decision", "reason");

        var held = mail.Hold(MailKind.IdentificationRequest);
        using var goAway = new CancellationTokenSource();
        var post = flows.Http.PostAsync("/approvals", Flows.Form([.. fields, ("decision", "request-identification"), ("reason", "Geef het nummer van een factuur.")]), goAway.Token);
        await held.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await goAway.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => post);
        held.Release();

        await host.Mailbox.WaitForAsync("identification-request", id);
        var until = DateTime.UtcNow.AddSeconds(10);
        PrivacyCase stored;
        while ((stored = (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!).IdentificationMailSentAt is null && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        Assert.NotNull(stored.IdentificationMailSentAt);
        Assert.True(stored.IdentificationRequestMailed);
    }

    [Fact]
    public async Task Two_lifts_of_a_restriction_sent_at_once_tell_the_requester_once_and_lift_once()
    {
        var mail = new SwitchableMail();
        await using var host = new InProcessHost(azurite) { Replace = services => mail.Wrap(services) };
        await host.StartAsync();
        using var flows = new Flows(host);
        // A person the stores hold: a restriction that found nobody restricted nothing, and offers no lift.
        var id = await flows.SubmitAsync(email: "sophie.dubois@example.be", language: "fr", entity: "be", type: "restriction");
        await flows.ApproveAsync(id);
        await host.Mailbox.WaitForAsync("action-report", id);
        var casePage = new Uri($"{host.BaseUrl}/cases/{id}");
        var page = await flows.Http.GetStringAsync(casePage);

        // The first click's notice is slow to go (a busy mail service); meanwhile the same form is sent again.
        var held = mail.Hold(MailKind.RestrictionLiftNotice);
        var first = flows.StaffPostFromPageAsync($"/cases/{id}/lift-restriction", page, casePage, "Els Janssens", ("reason", "La vérification de l'exactitude est terminée."));
        await held.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await flows.StaffPostFromPageAsync($"/cases/{id}/lift-restriction", page, casePage, "Els Janssens", ("reason", "La vérification de l'exactitude est terminée."));
        held.Release();

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(Texts.Get("CaseLiftUnderWay", Language.Nl).Split(':')[0]), await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(1000);
        Assert.Single(host.Mailbox.Of("restriction-lift-notice", id));
        var lift = (await host.Services.GetRequiredService<ICaseRegister>().GetAsync(id, default))!.RestrictionLift!;
        Assert.NotNull(lift.LiftedAt);
    }

    /// <summary>The host's mail sender, refusing mails of one kind while <see cref="Failing"/> names it, as a mail service that answers 503.</summary>
    private sealed class SwitchableMail
    {
        private readonly Lock gate = new();
        private MailKind? failing;

        public MailKind? Failing
        {
            get
            {
                lock (gate)
                {
                    return failing;
                }
            }

            set
            {
                lock (gate)
                {
                    failing = value;
                }
            }
        }

        public void Wrap(IServiceCollection services)
        {
            var existing = services.Last(d => d.ServiceType == typeof(IMailSender));
            services.Remove(existing);
            services.AddSingleton<IMailSender>(sp => new Sender(
                existing.ImplementationInstance as IMailSender
                    ?? existing.ImplementationFactory?.Invoke(sp) as IMailSender
                    ?? (IMailSender)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!),
                this));
        }

        /// <summary>Holds the next mail of <paramref name="kind"/> until <see cref="HeldMail.Release"/> (a slow mail service); later ones go as usual.</summary>
        public HeldMail Hold(MailKind kind)
        {
            var held = new HeldMail(kind);
            lock (gate)
            {
                holding = held;
            }

            return held;
        }

        private HeldMail? holding;

        private HeldMail? TakeHold(MailKind kind)
        {
            lock (gate)
            {
                var held = holding?.Kind == kind ? holding : null;
                holding = held is null ? holding : null;
                return held;
            }
        }

        private sealed class Sender(IMailSender inner, SwitchableMail owner) : IMailSender
        {
            public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
            {
                if (owner.Failing == mail.Kind)
                {
                    throw new InvalidOperationException($"The mail service refused the {mail.Kind.ToWire()} mail: HTTP 503 (injected fault).");
                }

                if (owner.TakeHold(mail.Kind) is { } held)
                {
                    held.Entered.TrySetResult();
                    await held.Released.Task;
                }

                await inner.SendAsync(mail, cancellationToken);
            }
        }
    }

    /// <summary>A mail held on its way out: <see cref="Entered"/> once its send started, sent on <see cref="Release"/>.</summary>
    private sealed class HeldMail(MailKind kind)
    {
        public MailKind Kind => kind;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => Released.TrySetResult();
    }
}
