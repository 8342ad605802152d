using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>The erasure report says exactly what the case did, per company, system and table, in NL, FR and EN (issue 16).</summary>
public sealed class ErasureReportTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);

    private static string Report(Language language, params StoreOutcome[] outcomes)
    {
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "jan.devries@example.nl", "Jan", null, ControllerScope.Of("nl"), language, null),
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map);
        return PrivacyMails.ActionReport(c, Map, outcomes).TextBody;
    }

    private static StoreOutcome Nothing(string store) =>
        new(store, StoreAction.Erase, Map.Store(store).Tables.Select(t => new TableOutcome(t.Table, 0, 0, 0, 0, 0, 0, [], 0)).ToList(), false);

    private static StoreOutcome OneInvoiceStillHeld() =>
        new("nl/finance", StoreAction.Erase, [new TableOutcome("invoices", 1, 0, 0, 1, 0, 1, [new HeldRecords(new DateOnly(2030, 12, 31), 1)], 1)], false);

    [Theory]
    [InlineData(Language.Nl, "We vonden niets meer over u om te wissen", "We bewaren 1 record omdat de wet ons dat oplegt")]
    [InlineData(Language.Fr, "Nous n'avons plus rien trouvé à effacer vous concernant", "Nous conservons 1 enregistrement parce que la loi nous y oblige")]
    [InlineData(Language.En, "We found nothing more to erase about you", "We keep 1 record because the law obliges us to")]
    public void A_second_erasure_says_it_found_nothing_more_to_erase_and_what_it_still_keeps(Language language, string nothing, string kept)
    {
        var report = Report(language, Nothing("nl/crm"), OneInvoiceStillHeld(), Nothing("nl/portal"), Nothing("nl/recruitment"));

        var opening = report.Split("\n\n")[1];
        Assert.Contains(nothing, opening, StringComparison.Ordinal);
        Assert.Contains(kept, opening, StringComparison.Ordinal);
        Assert.DoesNotContain("gewist zoals u vroeg", report, StringComparison.Ordinal);
        Assert.DoesNotContain("(s)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void An_objection_answered_beside_an_erasure_says_only_what_the_erasure_did()
    {
        // Hunt of 8 December: "the data we processed on our legitimate interest is erased ... until the date given below"
        // stood beside "we found nothing more to erase", with no date below.
        static string Bundled(params StoreOutcome[] outcomes)
        {
            var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "jan.devries@example.nl", "Jan", null, ControllerScope.Of("nl"), Language.En, null, ObjectionScope.Other) { AlsoRights = [RequestType.Objection] },
                Channel.Email, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map);
            return PrivacyMails.ActionReport(c, Map, outcomes).TextBody;
        }

        var erasedOne = new StoreOutcome("nl/crm", StoreAction.Erase, [new TableOutcome("contacts", 1, 1, 0, 0, 0, 0, [], 0)], false);
        var nothing = Bundled(Nothing("nl/crm"), Nothing("nl/finance"));
        var erased = Bundled(erasedOne, Nothing("nl/finance"));
        var keptOnly = Bundled(Nothing("nl/crm"), OneInvoiceStillHeld());
        var both = Bundled(erasedOne, OneInvoiceStillHeld());

        Assert.Contains("We found no data of yours to erase in the systems below, so there was no processing there to stop.", nothing, StringComparison.Ordinal);
        Assert.DoesNotContain("legitimate interest is erased", nothing, StringComparison.Ordinal);
        Assert.DoesNotContain("date given below", nothing, StringComparison.Ordinal);
        Assert.Contains("the data we processed on our legitimate interest is erased.", erased, StringComparison.Ordinal);
        Assert.DoesNotContain("date given below", erased, StringComparison.Ordinal);
        Assert.Contains("What we still hold of you in the systems below is what we must keep by law (Art. 17(3)(b) GDPR)", keptOnly, StringComparison.Ordinal);
        Assert.DoesNotContain("legitimate interest is erased", keptOnly, StringComparison.Ordinal);
        Assert.Contains("31 December 2030", keptOnly, StringComparison.Ordinal);
        Assert.Contains("is erased. What we must keep by law (Art. 17(3)(b) GDPR) is used only to meet that obligation, and only until the date given below.", both, StringComparison.Ordinal);
        // Kept by law beside the suppression list's code, which has no end date: the paragraph does not call all of it kept by law.
        var keptAndSuppressed = Bundled(Nothing("nl/crm") with { Suppressed = true }, OneInvoiceStillHeld());
        Assert.Contains("apart from the code on our suppression list named below, is what we must keep by law", keptAndSuppressed, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_table_says_deleted_anonymised_or_kept_until_when_under_which_law_and_how_it_was_checked()
    {
        var portal = new StoreOutcome("be/portal", StoreAction.Erase,
        [
            new TableOutcome("portal_accounts", 1, 1, 0, 0, 0, 0, [], 0),
            new TableOutcome("portal_logins", 2, 2, 0, 0, 0, 0, [], 0),
            new TableOutcome("helpdesk_tickets", 1, 0, 1, 0, 0, 0, [], 0),
        ], false);
        var finance = new StoreOutcome("be/finance", StoreAction.Erase,
            [new TableOutcome("invoices", 3, 1, 0, 2, 0, 2, [new HeldRecords(new DateOnly(2029, 12, 31), 1), new HeldRecords(new DateOnly(2034, 12, 31), 1)], 2)], false);

        var en = Report(Language.En, portal, finance);
        Assert.Contains("We erased 5 records about you, as you asked", en, StringComparison.Ordinal);
        Assert.Contains("We keep 2 records because the law obliges us to", en, StringComparison.Ordinal);
        Assert.Contains("Portal accounts: 1 record deleted.", en, StringComparison.Ordinal);
        Assert.Contains("Portal sign-ins: 2 records deleted.", en, StringComparison.Ordinal);
        Assert.Contains("Helpdesk tickets: 1 record anonymised: your address, every other detail that identified you", en, StringComparison.Ordinal);
        Assert.Contains("(Recital 26 GDPR)", en, StringComparison.Ordinal);
        Assert.Contains("Invoices: 1 record deleted.", en, StringComparison.Ordinal);
        Assert.Contains("Invoices: 2 records kept, because the law obliges us to keep them (Art. 17(3)(b) GDPR; Belgian accounting and VAT law (VAT Code art. 60 §3; Code of Economic Law art. III.88)), each until its own end date: 1 record until 31 December 2029 and 1 record until 31 December 2034.", en, StringComparison.Ordinal);
        Assert.Contains("How we checked: after the erasure, a separate search of every column", en, StringComparison.Ordinal);
        Assert.Contains("Result: only the 2 records kept above still match your address.", en, StringComparison.Ordinal);
        Assert.DoesNotContain("legitimate interest", en, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cannot be traced", en, StringComparison.Ordinal);

        var nl = Report(Language.Nl, portal, finance);
        Assert.Contains("Facturen: 2 records bewaard, omdat de wet ons verplicht ze te bewaren (art. 17, lid 3, b, AVG; de Belgische boekhoud- en btw-plicht", nl, StringComparison.Ordinal);
        Assert.Contains("1 record tot en met 31 december 2029 en 1 record tot en met 31 december 2034", nl, StringComparison.Ordinal);
        Assert.Contains("Helpdesktickets: 1 record geanonimiseerd", nl, StringComparison.Ordinal);
        Assert.DoesNotContain("gegeven(s)", nl, StringComparison.Ordinal);
        Assert.DoesNotContain("gerechtvaardigd belang", nl, StringComparison.Ordinal);

        var fr = Report(Language.Fr, portal, finance);
        Assert.Contains("Connexions au portail : 2 enregistrements supprimés.", fr, StringComparison.Ordinal);
        Assert.Contains("Comptes portail : 1 enregistrement supprimé.", fr, StringComparison.Ordinal);
        Assert.Contains("1 enregistrement jusqu'au 31 décembre 2029 et 1 enregistrement jusqu'au 31 décembre 2034", fr, StringComparison.Ordinal);
        Assert.DoesNotContain("intérêt légitime", fr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_check_that_finds_a_record_left_says_so_in_the_report()
    {
        var crm = new StoreOutcome("nl/crm", StoreAction.Erase, [new TableOutcome("contacts", 1, 1, 0, 0, 0, 0, [], 1)], false);
        var report = Report(Language.En, crm);
        Assert.Contains("Result: 1 record still matches your address though it should not.", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_system_holding_only_the_suppression_code_is_never_said_to_hold_no_data()
    {
        // Review of 7 December: an erasure of someone who objected earlier matched no record but the store's suppression
        // list held their code (pseudonymised personal data, Art. 4(5)); the block opened with "No data about you."
        var crm = new StoreOutcome("nl/crm", StoreAction.Erase, [new TableOutcome("contacts", 0, 0, 0, 0, 0, 0, [], 0)], true);
        foreach (var (l, none, apart) in new[]
        {
            (Language.En, "No data about you.", "No data about you, apart from the code on our suppression list named below."),
            (Language.Nl, "Geen gegevens over u.", "Geen gegevens over u, behalve de code op onze blokkeerlijst die hieronder wordt genoemd."),
            (Language.Fr, "Aucune donnée vous concernant.", "Aucune donnée vous concernant, hormis le code de notre liste d'exclusion mentionné ci-dessous."),
        })
        {
            var report = Report(l, crm);
            Assert.Contains(apart, report, StringComparison.Ordinal);
            Assert.DoesNotContain(none, report, StringComparison.Ordinal);
            Assert.Contains(none, Report(l, crm with { Suppressed = false }), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_single_held_record_names_its_own_end_date()
    {
        var report = Report(Language.En, OneInvoiceStillHeld());
        Assert.Contains("Invoices: 1 record kept until 31 December 2030, because the law obliges us to keep it (Art. 17(3)(b) GDPR; Dutch fiscal retention law (General State Taxes Act, AWR art. 52)).", report, StringComparison.Ordinal);
        Assert.Contains("Result: only the record kept above still matches your address.", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_the_withdrawal_beside_the_erasure_deleted_at_once_are_counted_in_what_this_case_erased()
    {
        // Review of decision 49: the withdrawal deletes the newsletter subscription when the address is confirmed; the
        // erasure after approval finds nothing there any more. The report must still count it (issue 16 item 10).
        var c = PrivacyCase.Received(new ValidRequest(RequestType.Erasure, "jan.devries@example.nl", "Jan", null, ControllerScope.Of("nl"), Language.En, null) { AlsoRights = [RequestType.WithdrawConsent] },
            Channel.Form, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1)), Map) with { AppliedAtOnceAt = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero) };
        var withdrawal = new StoreOutcome("nl/crm", StoreAction.WithdrawConsent,
            [new TableOutcome("newsletter_subscriptions", 1, 1, 0, 0, 0, 0, [], 0), new TableOutcome("consent_records", 1, 0, 0, 0, 1, 0, [], 1)], true);
        var erasure = new StoreOutcome("nl/crm", StoreAction.Erase,
            [new TableOutcome("contacts", 1, 1, 0, 0, 0, 0, [], 0), new TableOutcome("newsletter_subscriptions", 0, 0, 0, 0, 0, 0, [], 0), new TableOutcome("consent_records", 1, 1, 0, 0, 0, 0, [], 0)], true);

        var report = PrivacyMails.ActionReport(c, Map, [withdrawal, erasure]).TextBody;

        Assert.Contains("We erased 3 records about you", report, StringComparison.Ordinal);
        var newsletter = Map.Store("nl/crm").Tables.First(t => t.Table == "newsletter_subscriptions").Name.In(Language.En);
        Assert.Contains(newsletter + ": 1 record deleted.", report, StringComparison.Ordinal);
    }
    [Theory]
    [InlineData(Language.Nl, "de externe accountant van Infomat Nederland", "accountant", "(art. 19 AVG)")]
    [InlineData(Language.Fr, "l'expert-comptable externe d'Infomat Nederland", "comptable", "(art. 19 RGPD)")]
    [InlineData(Language.En, "Infomat Nederland's external accountant", "accountant", "(Art. 19 GDPR)")]
    public void The_art_19_notice_names_the_recipients_of_the_tables_it_acted_on_and_no_others(Language language, string accountant, string accountantWord, string article)
    {
        var portal = new StoreOutcome("nl/portal", StoreAction.Erase, [new TableOutcome("portal_accounts", 1, 1, 0, 0, 0, 0, [], 0)], false);

        // Portal data never went to the accountant: the notice names who did receive it.
        var portalOnly = Report(language, portal, Nothing("nl/finance"));
        var notice = portalOnly.Split("\n\n").Single(p => p.Contains(article, StringComparison.Ordinal));
        Assert.Contains(Map.Recipients["processors"].Name.In(language), notice, StringComparison.Ordinal);
        Assert.DoesNotContain(accountantWord, notice, StringComparison.OrdinalIgnoreCase);

        // Invoices kept under the legal hold are restricted (Art. 18): the accountant who received them is told; the tax
        // administration, which sees them only on an audit, is not a recipient to inform (Art. 4(9) GDPR).
        var withInvoices = Report(language, portal, OneInvoiceStillHeld());
        notice = withInvoices.Split("\n\n").Single(p => p.Contains(article, StringComparison.Ordinal));
        Assert.Contains(accountant, notice, StringComparison.Ordinal);
        Assert.DoesNotContain("Belastingdienst", notice, StringComparison.Ordinal);
    }
}
