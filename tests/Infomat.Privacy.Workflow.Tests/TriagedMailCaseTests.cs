using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.Triage;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;
using Infomat.Privacy.Tokens;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using static Infomat.Privacy.Workflow.Tests.MailIntakeFaultTests;

namespace Infomat.Privacy.Workflow.Tests;

/// <summary>
/// A mail the classifier left to staff, which staff then make a case of from the link in the triage mail (issue 14,
/// item 9): the case is the mail's (its sender, name and language) and its legal clock runs from when the mail reached
/// info@, not from when staff pressed the button; pressing twice, or two colleagues, makes one case.
/// </summary>
public sealed class TriagedMailCaseTests
{
    private readonly BarrierRegister register = new();
    private readonly RecordingMail mail = new();
    private readonly FakeDurableClient client = new();
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private readonly PrivacyOptions options = new() { Staff = { Language = Language.En } };
    private readonly KeyedHash hash = new(RandomNumberGenerator.GetBytes(32));
    private readonly InMemoryTriagedMails records = new();
    private readonly LinkTokenService tokens;

    public TriagedMailCaseTests() => tokens = new LinkTokenService(RandomNumberGenerator.GetBytes(32), time);

    private TriagedMails Triage() => new(records, tokens, Options.Create(options));

    private MailIntake Intake() => new(
        register, TestWorkflows.Of(register), TestWorkflows.NewCases(register, mail, time, options), new OpenRequests(register, hash, time), hash, mail, new MimeKitInboundMailParser(Options.Create(new MailOptions())), TestDataMaps.Real,
        Options.Create(options), Options.Create(new MailboxIntakeOptions { OwnAddresses = ["info@infomat.eu"] }), time, NullLogger<MailIntake>.Instance, Triage(),
        new SubmissionLimits(new InMemorySubmissionCounters(), hash, Options.Create(options), time, NullLogger<SubmissionLimits>.Instance));

    private TriagedMailCases Cases() => new(
        records, register, TestWorkflows.NewCases(register, mail, time, options), new OpenRequests(register, hash, time), hash, TestDataMaps.Real, time, NullLogger<TriagedMailCases>.Instance);

    /// <summary>The token of the staff link in the one triage mail sent.</summary>
    private string TriageToken()
    {
        var triage = Assert.Single(mail.Of(MailKind.StaffTask));
        var at = triage.TextBody.IndexOf("/triage?token=", StringComparison.Ordinal);
        Assert.True(at >= 0, "The triage mail has no link to make the mail a case:\n" + triage.TextBody);
        var token = new string(triage.TextBody[(at + "/triage?token=".Length)..].TakeWhile(ch => !char.IsWhiteSpace(ch) && ch != '>' && ch != '"').ToArray());
        return Uri.UnescapeDataString(token);
    }

    [Fact]
    public async Task A_mail_staff_make_a_case_of_days_later_is_received_and_due_from_when_it_reached_the_mailbox_and_a_second_press_makes_no_second_case()
    {
        var delivered = time.GetUtcNow().AddDays(-9);
        var message = Message("noah.peeters@example.org", "GDPR question", "Hello,\n\nI am worried about my personal data and the GDPR. What happens with it?\n");
        message.From.Clear();
        message.From.Add(new MimeKit.MailboxAddress("Noah Peeters", "noah.peeters@example.org"));
        var triaged = await Intake().HandleAsync(new MemoryStream(Bytes(message)), delivered, client, default);
        Assert.Equal(MailOutcome.SentToTriage, triaged.Outcome);
        Assert.Empty(await register.ListAllAsync(default).ToListAsync());

        // Staff look at it four days later: the link works, and carries ids only (no address in the signed payload).
        time.Advance(TimeSpan.FromDays(4));
        var token = TriageToken();
        Assert.DoesNotContain("noah.peeters@example.org", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.', StringComparison.Ordinal)))), StringComparison.Ordinal);
        var (state, link) = tokens.Check(token, TokenPurpose.Triage);
        Assert.Equal(TokenState.Valid, state);
        var record = (await records.GetAsync(link!.CaseId, default))!;
        Assert.Equal(delivered, record.ReceivedAt);

        var choice = new TriageChoice("access", "both", null);
        var first = await Cases().MakeCaseAsync(record, choice, "Els Janssens (no sign-in)", client, default);
        var second = await Cases().MakeCaseAsync(record, choice, "Pieter Claes (no sign-in)", client, default);

        Assert.Empty(first.Errors);
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Case!.Id, second.Case!.Id);
        var c = Assert.Single(await register.ListAllAsync(default).ToListAsync());
        Assert.Equal(delivered, c.ReceivedAt);
        Assert.Equal(Deadlines.DueDateCalculator.DueDate(delivered, c.Entity, TestDataMaps.Real), c.DueDate);
        Assert.Equal(Channel.Email, c.Channel);
        Assert.Equal("noah.peeters@example.org", c.Email);
        Assert.Equal("Noah Peeters", c.Name);
        Assert.Equal(Language.En, c.Language);
        Assert.Equal(RequestType.Access, c.Type);
        // It runs as any mail case: started once.
        Assert.Equal([c.Id], client.Started);
        Assert.Single(client.StartCalls);
    }

    [Fact]
    public async Task A_letter_asking_a_correction_and_a_restriction_meanwhile_becomes_two_cases_received_and_due_as_the_mail()
    {
        // Hunt of 8 December: the triage page made one case of a mail; the restriction asked beside the correction
        // (Art. 18(1)(a)) had no case, no due date and no answer.
        var delivered = time.GetUtcNow().AddDays(-3);
        var message = Message("ethan.price@example.org", "Inaccurate data - restriction while you check",
            "Dear Sir or Madam,\n\nThe address you hold for me is wrong and I ask you to correct my data. Until you have checked it, please restrict the processing of my personal data (Article 18(1)(a) GDPR).\n\nYours faithfully,\nEthan Price\n");
        Assert.Equal(MailOutcome.SentToTriage, (await Intake().HandleAsync(new MemoryStream(Bytes(message)), delivered, client, default)).Outcome);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var record = (await records.GetAsync(link!.CaseId, default))!;
        var first = await Cases().MakeCaseAsync(record, new TriageChoice("rectification", "both", null), "Els Janssens", client, default);
        record = (await records.GetAsync(link.CaseId, default))!;

        var same = await Cases().MakeCaseAsync(record, new TriageChoice("rectification", "both", null) { AnotherRight = true }, "Els Janssens", client, default);
        var second = await Cases().MakeCaseAsync(record, new TriageChoice("restriction", "both", null) { AnotherRight = true }, "Els Janssens", client, default);
        var again = await Cases().MakeCaseAsync(record, new TriageChoice("restriction", "both", null) { AnotherRight = true }, "Pieter Claes", client, default);

        Assert.Contains(same.Errors, e => e.Code == "TriageSameRight");
        Assert.True(first.Created);
        Assert.True(second.Created);
        Assert.False(again.Created);
        Assert.Equal(second.Case!.Id, again.Case!.Id);
        Assert.NotEqual(first.Case!.Id, second.Case.Id);
        var cases = await register.ListAllAsync(default).ToListAsync();
        Assert.Equal([RequestType.Rectification, RequestType.Restriction], cases.Select(c => c.Type).Order());
        Assert.All(cases, c => Assert.Equal((delivered, "ethan.price@example.org"), (c.ReceivedAt, c.Email)));
        Assert.Equal(first.Case.DueDate, second.Case.DueDate);
        // A second press names the mail's own case, not "a case the mail joined".
        Assert.False(Cases().Joined(record, again.Case));
        // Without "another right", the mail is its first case, as before.
        Assert.Equal(first.Case.Id, (await Cases().MakeCaseAsync(record, new TriageChoice("restriction", "both", null), "Pieter Claes", client, default)).Case!.Id);
    }

    [Fact]
    public async Task A_request_a_web_form_passed_on_becomes_a_case_at_the_address_staff_give_which_the_requester_must_confirm()
    {
        // Review of 8 December: a form relay (auto-generated, from noreply@) went to triage, and "make a case" used its
        // sender: the link and the answers went to the form's no-reply address, the requester heard nothing.
        var delivered = time.GetUtcNow().AddDays(-2);
        var message = Message("noreply@forms.example.org", "Nieuw bericht via het contactformulier",
            "Via het contactformulier:\n\nNaam: Ethan Price\nE-mail: ethan.price@example.org\nBericht: Ik vraag inzage in al mijn persoonsgegevens (art. 15 AVG) en een kopie ervan.\n");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var triaged = await Intake().HandleAsync(new MemoryStream(Bytes(message)), delivered, client, default);
        Assert.Equal(MailOutcome.SentToTriage, triaged.Outcome);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var record = (await records.GetAsync(link!.CaseId, default))!;
        Assert.True(record.SentOnBehalf);

        // Without the requester's address: refused, no case.
        var refused = await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null), "Els Janssens", client, default);
        Assert.Null(refused.Case);
        Assert.Contains(refused.Errors, e => e.Field == "email");
        Assert.Empty(await register.ListAllAsync(default).ToListAsync());

        var made = await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null) { Email = " ethan.price@example.org ", Name = "Ethan Price" }, "Els Janssens", client, default);

        var c = made.Case!;
        Assert.True(made.Created);
        Assert.Equal("ethan.price@example.org", c.Email);
        Assert.Equal("Ethan Price", c.Name);
        Assert.Equal(delivered, c.ReceivedAt);
        // The form's DMARC pass proves nothing of the requester's address: they confirm it by the link, sent there.
        Assert.Null(c.EmailVerifiedAt);
        var verification = Assert.Single(mail.Of(MailKind.Verification));
        Assert.Equal("ethan.price@example.org", verification.To);
        Assert.DoesNotContain(mail.Sent, m => m.To.Contains("noreply@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mail_staff_make_a_case_of_whose_sender_is_not_proven_gets_its_verification_link_as_the_case_is_written_once()
    {
        var message = Message("noah.peeters@example.org", "GDPR question", "Hello,\n\nI am worried about my personal data and the GDPR. What happens with it?\n");
        message.Headers.Remove("Authentication-Results");
        await Intake().HandleAsync(new MemoryStream(Bytes(message)), null, client, default);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var record = (await records.GetAsync(link!.CaseId, default))!;

        var made = await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null), "Els Janssens (no sign-in)", client, default);
        await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null), "Pieter Claes (no sign-in)", client, default);

        // The fake client runs no orchestration: the link went as staff made the case (decision 81), once for two presses.
        var sent = Assert.Single(mail.Of(MailKind.Verification));
        Assert.Equal(("noah.peeters@example.org", made.Case!.Id), (sent.To, sent.RequestId));
        Assert.NotNull((await register.GetAsync(made.Case.Id, default))!.VerificationMailSentAt);
        Assert.Equal([made.Case.Id], client.Started);
    }

    [Fact]
    public async Task A_mail_that_joined_the_senders_open_case_is_shown_as_part_of_it_and_never_made_a_second_case()
    {
        // Review of 7 December: the triage page looked for a case under the mail's own id only. A mail staff had joined
        // to the sender's open case showed a colleague the whole form again, and "erasure" pressed then made a second
        // case of the same mail (a second verification mail to the requester), or "not a privacy request" marked a mail
        // that was part of a case.
        var first = await Intake().HandleAsync(new MemoryStream(Bytes(Message("noah.peeters@example.org", "Subject access request", "Under the GDPR I would like a copy of my personal data."))), null, client, default);
        Assert.Equal(MailOutcome.CaseCreated, first.Outcome);
        await Intake().HandleAsync(new MemoryStream(Bytes(Message("noah.peeters@example.org", "GDPR question", "Hello,\n\nI am worried about my personal data and the GDPR. What happens with it?\n"))), null, client, default);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var joined = await Cases().MakeCaseAsync((await records.GetAsync(link!.CaseId, default))!, new TriageChoice("access", "both", null), "Els Janssens", client, default);
        Assert.Equal((first.CaseId, false), (joined.Case!.Id, joined.Created));

        // A colleague opens the same link later.
        var record = (await records.GetAsync(link.CaseId, default))!;
        var existing = await Cases().ExistingAsync(record, default);
        Assert.Equal(first.CaseId, existing?.Id);
        Assert.True(Cases().Joined(record, existing!));
        Assert.Equal(Localization.Texts.Format("TriageJoined", Language.En, first.CaseId!), TriageEndpoints.Already(existing!, Cases().Joined(record, existing!), Language.En));
        var other = await Cases().MakeCaseAsync(record, new TriageChoice("erasure", "both", null), "Pieter Claes", client, default);

        Assert.Equal((first.CaseId, false), (other.Case!.Id, other.Created));
        Assert.Single(await register.ListAllAsync(default).ToListAsync());
        Assert.Single(client.Started);
    }

    [Fact]
    public async Task A_mail_made_a_case_whose_sender_the_mail_service_refuses_tells_staff_it_closed_not_when_it_is_due()
    {
        // Decision 141 from the triage page: the link's mail, sent as staff make the case, is refused for good.
        var message = Message("noah.peeters@example.org", "GDPR question", "Hello,\n\nI am worried about my personal data and the GDPR. What happens with it?\n");
        message.Headers.Remove("Authentication-Results");
        await Intake().HandleAsync(new MemoryStream(Bytes(message)), null, client, default);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var record = (await records.GetAsync(link!.CaseId, default))!;
        mail.Refuses = "noah.peeters@example.org";

        var made = await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null), "Els Janssens", client, default);
        var again = await Cases().MakeCaseAsync(record, new TriageChoice("access", "both", null), "Pieter Claes", client, default);

        Assert.True(made.Created);
        Assert.Equal(CaseStatus.Expired, made.Case!.Status);
        Assert.True(made.Case.ClosedAsAddressRefused);
        // Closed: no run is started for it.
        Assert.Empty(client.Started);
        foreach (var said in new[] { TriageEndpoints.Made(made.Case, "Els Janssens", Language.En), TriageEndpoints.Already(again.Case!, joined: false, Language.En) })
        {
            Assert.Contains("refused the requester's address for good", said, StringComparison.Ordinal);
            Assert.Contains("Art. 12(6)", said, StringComparison.Ordinal);
            Assert.DoesNotContain("due", said, StringComparison.Ordinal);
            Assert.Contains("reply from the info@infomat.eu mailbox may still reach the requester", said, StringComparison.Ordinal);
        }

        Assert.Contains("onze maildienst weigerde daarna het adres van de verzoeker definitief", TriageEndpoints.Made(made.Case, "Els Janssens", Language.Nl), StringComparison.Ordinal);
        Assert.Contains("refusé définitivement l'adresse du demandeur", TriageEndpoints.Already(again.Case!, joined: false, Language.Fr), StringComparison.Ordinal);
        // A case whose link went still says when it is due.
        var open = made.Case with { Status = CaseStatus.AwaitingEmailVerification, VerificationMailRefusedAt = null };
        Assert.Contains("due " + Localization.Texts.Date(open.DueDate, Language.En), TriageEndpoints.Made(open, "Els Janssens", Language.En), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_left_in_triage_reminds_staff_before_its_date_and_flags_it_overdue_until_they_make_it_a_case_or_mark_it_not_a_request()
    {
        // Review of 7 December: a mail in triage was one staff mail with a link; if nobody acted on it (holidays), its
        // legal month passed with nothing flagging it, while a case gets reminders and overdue flags.
        options.Staff.EscalationAddress = "dpo@infomat.eu";
        var sweep = new Http.Cases.CaseMaintenance(register, mail, hash, Options.Create(options), time, TestWorkflows.Metrics(), NullLogger<Http.Cases.CaseMaintenance>.Instance, TestDataMaps.Real, records, tokens);
        TriagedMail Mail(string name, int daysAgo) =>
            new("triage." + name, $"<{name}@example.be>", time.GetUtcNow().AddDays(-daysAgo), "unclear", name + "@example.be", null, Language.Nl, "Wat weten jullie over mij?", DmarcVerdict.Pass);
        var forgotten = Mail("forgotten", 26);
        var alsoForgotten = Mail("alsoforgotten", 25);
        var fresh = Mail("fresh", 2);
        var dismissed = Mail("dismissed", 26) with { NotARequestAt = time.GetUtcNow().AddDays(-20), NotARequestBy = "Els" };
        foreach (var m in new[] { forgotten, alsoForgotten, fresh, dismissed })
        {
            await records.SaveAsync(m, default);
        }

        var result = await sweep.RunAsync(client, default);

        // One mail for both (a flood must not become a flood of reminders), a link to each page, no sender or text.
        Assert.Equal(2, result.TriageReminders);
        var reminder = Assert.Single(mail.Of(MailKind.StaffTask));
        Assert.Equal(options.Staff.Address, reminder.To);
        Assert.Contains(Localization.Texts.Format("MailTriageDueSubject", Language.En, Localization.Texts.Date(forgotten.DueDate(TestDataMaps.Real), Language.En)), reminder.Subject, StringComparison.Ordinal);
        Assert.Equal(2, reminder.TextBody.Split("/triage?token=").Length - 1);
        Assert.DoesNotContain("forgotten@example.be", reminder.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Wat weten jullie", reminder.TextBody, StringComparison.Ordinal);
        await Cases().MarkNotARequestAsync((await records.GetAsync(alsoForgotten.Id, default))!, "Els", default);
        Assert.Equal(["due-7." + forgotten.DueDate(TestDataMaps.Real).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)], (await records.GetAsync(forgotten.Id, default))!.Reminders);

        // Once: the same day again sends nothing more.
        Assert.Equal(0, (await sweep.RunAsync(client, default)).TriageReminders);

        // Past its date, flagged overdue to staff and the escalation address.
        time.Advance(TimeSpan.FromDays(10));
        await sweep.RunAsync(client, default);
        Assert.Equal(["dpo@infomat.eu", options.Staff.Address], mail.Of(MailKind.StaffTask).Skip(1).Select(m => m.To).Order());
        Assert.All(mail.Of(MailKind.StaffTask).Skip(1), m => Assert.Contains(Localization.Texts.Format("MailTriageOverdueLine", Language.En, Localization.Texts.DateTime(forgotten.ReceivedAt, Language.En), Localization.Texts.Date(forgotten.DueDate(TestDataMaps.Real), Language.En)), m.TextBody, StringComparison.Ordinal));
        Assert.All(mail.Of(MailKind.StaffTask).Skip(1), m => Assert.Equal(1, m.TextBody.Split("/triage?token=").Length - 1));

        // Staff mark it not a request (from its page): no more flags, a week later neither.
        var marked = await Cases().MarkNotARequestAsync((await records.GetAsync(forgotten.Id, default))!, "Els", default);
        Assert.False(marked.AwaitsStaff);
        time.Advance(TimeSpan.FromDays(7));
        var sent = mail.Of(MailKind.StaffTask).Count;
        await sweep.RunAsync(client, default);
        Assert.Equal(sent, mail.Of(MailKind.StaffTask).Count);
    }

    [Fact]
    public async Task An_objection_without_its_scope_is_refused_and_makes_no_case()
    {
        await Intake().HandleAsync(new MemoryStream(Bytes(Message("noah@example.org", "GDPR question", "I am worried about my personal data and the GDPR. What happens with it?"))), null, client, default);
        var (_, link) = tokens.Check(TriageToken(), TokenPurpose.Triage);
        var record = (await records.GetAsync(link!.CaseId, default))!;

        var result = await Cases().MakeCaseAsync(record, new TriageChoice("objection", "both", "sideways"), "Els Janssens", client, default);

        Assert.Null(result.Case);
        Assert.Contains(result.Errors, e => e.Field == "objection");
        Assert.Empty(await register.ListAllAsync(default).ToListAsync());
    }
}

/// <summary>The triage records in memory.</summary>
internal sealed class InMemoryTriagedMails : ITriagedMails
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TriagedMail> rows = new();

    public Task<TriagedMail> SaveAsync(TriagedMail triaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triaged);
        return Task.FromResult(rows.GetOrAdd(triaged.Id, triaged));
    }

    public Task<TriagedMail?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult(rows.GetValueOrDefault(id));

    public IAsyncEnumerable<TriagedMail> ListAsync(CancellationToken cancellationToken) => rows.Values.ToArray().ToAsyncEnumerable();

    public Task<TriagedMail?> ChangeAsync(string id, Func<TriagedMail, TriagedMail?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (rows)
        {
            if (!rows.TryGetValue(id, out var stored))
            {
                return Task.FromResult<TriagedMail?>(null);
            }

            var changed = change(stored) ?? stored;
            rows[id] = changed;
            return Task.FromResult<TriagedMail?>(changed);
        }
    }
}
