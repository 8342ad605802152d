using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The report a requester gets, built from what the stores answered when the case's actions ran one after the other,
/// as the orchestration runs them (each action in every store of the case, in the order of the case's rights): every
/// sentence true of what the stores did.
/// </summary>
public partial class SqlStoreTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// "I object to direct marketing and withdraw every consent": both applied at once, no erasure (review of 5 December).
    /// The objection opts the contact out and marks the consent withdrawn; the withdrawal then finds it withdrawn (its
    /// date kept). The report said the contact and the consent were "not affected by this request", that the
    /// withdrawal was applied "before the erasure" (there is none), and left out the suppression list.
    /// </summary>
    [Theory]
    [InlineData(Language.En)]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    public async Task An_objection_to_direct_marketing_with_a_withdrawal_of_every_consent_reports_what_each_of_them_changed(Language l)
    {
        var catalog = await SeededAsync();
        var c = AtOnceCase(RequestType.Objection, "an.peeters@example.be", "be", l, [RequestType.WithdrawConsent], ObjectionScope.DirectMarketing, ConsentScope.All);
        Assert.Equal([StoreAction.ObjectToDirectMarketing, StoreAction.WithdrawConsent], c.ActionsAtOnce);

        var outcomes = await RunAsync(catalog, c, c.ActionsAtOnce);
        var report = PrivacyMails.ActionReport(c, Map, outcomes).TextBody;

        var crm = Map.Store("be/crm");
        var contacts = crm.Tables.Single(t => t.Table == "contacts");
        var consent = crm.Tables.Single(t => t.Table == "consent_records");
        Assert.DoesNotContain(Kept(contacts, l), report, StringComparison.Ordinal);
        Assert.DoesNotContain(Kept(consent, l), report, StringComparison.Ordinal);
        Assert.Contains(Texts.Plural("ReportOptedOut", 1, l, contacts.Name.In(l), 1, Texts.Get("ReportArticleObjection", l), Map.Purposes[contacts.Purpose].Name.In(l), Map.Purposes[contacts.Purpose].LegalBasis.In(l)), report, StringComparison.Ordinal);
        // The consent stands withdrawn under the withdrawal too (since 8 December a row withdrawn before counts as withdrawn).
        Assert.Contains(Texts.Plural("ReportUpdated", 1, l, consent.Name.In(l), 1, Texts.Get("ReportArticleWithdrawal", l)), report, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportSuppressed", l), report, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.Get("ReportAlsoWithdrawal", l), report, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportAlsoWithdrawalBesideObjection", l), report, StringComparison.Ordinal);
    }

    /// <summary>
    /// An erasure beside a withdrawal of every consent: the withdrawal, applied at once, put a keyed hash of the address on
    /// the suppression list, which the erasure keeps (decision 14). The report said nothing of it and that nothing in the
    /// system matches the address any more.
    /// </summary>
    [Theory]
    [InlineData(Language.En)]
    [InlineData(Language.Nl)]
    [InlineData(Language.Fr)]
    public async Task An_erasure_beside_a_withdrawal_names_the_code_left_on_the_suppression_list(Language l)
    {
        var catalog = await SeededAsync();
        var c = AtOnceCase(RequestType.Erasure, "zoe.maes@example.be", "be", l, [RequestType.WithdrawConsent], null, ConsentScope.All);

        var outcomes = await RunAsync(catalog, c, [.. c.ActionsAtOnce, StoreAction.Erase]);
        var report = PrivacyMails.ActionReport(c, Map, outcomes).TextBody;

        var crmBlock = report.Split("\n\n").Single(b => b.Contains(Map.Store("be/crm").Name.In(l), StringComparison.Ordinal));
        Assert.Contains(Texts.Get("ReportSuppressed", l), crmBlock, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.Get("ReportProofNone", l), crmBlock, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportProofNoneButSuppressed", l), crmBlock, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportAlsoWithdrawal", l), report, StringComparison.Ordinal);
    }

    /// <summary>
    /// An erasure of an address whose keyed hash an earlier case put on the suppression list (an objection to direct
    /// marketing last year): the erasure keeps it, and its report said "nothing in this system matches your address
    /// any more" without naming it (review of 5 December).
    /// </summary>
    [Fact]
    public async Task An_erasure_after_an_earlier_objection_names_the_code_its_suppression_left()
    {
        var catalog = await SeededAsync();
        var earlier = AtOnceCase(RequestType.Objection, "an.peeters@example.be", "be", Language.En, [], ObjectionScope.DirectMarketing, null);
        await RunAsync(catalog, earlier, earlier.ActionsAtOnce);

        var erasure = AtOnceCase(RequestType.Erasure, "an.peeters@example.be", "be", Language.En, [], null, null) with { AppliedAtOnceAt = null };
        var report = PrivacyMails.ActionReport(erasure, Map, await RunAsync(catalog, erasure, [StoreAction.Erase])).TextBody;

        var crmBlock = report.Split("\n\n").Single(b => b.Contains(Map.Store("be/crm").Name.In(Language.En), StringComparison.Ordinal));
        Assert.Contains(Texts.Get("ReportProofNoneButSuppressed", Language.En), crmBlock, StringComparison.Ordinal);
        Assert.Contains(Texts.Get("ReportSuppressed", Language.En), crmBlock, StringComparison.Ordinal);
        var portalBlock = report.Split("\n\n").Single(b => b.Contains(Map.Store("be/portal").Name.In(Language.En), StringComparison.Ordinal));
        Assert.Contains(Texts.Get("ReportProofNone", Language.En), portalBlock, StringComparison.Ordinal);
    }

    private static PrivacyCase AtOnceCase(RequestType type, string email, string entity, Language l, IReadOnlyList<RequestType> also, ObjectionScope? objection, ConsentScope? consent) =>
        PrivacyCase.Received(
            new ValidRequest(type, email, "Requester", null, ControllerScope.Of(entity), l, null, objection) { AlsoRights = also, Consent = consent },
            Channel.Form, Received, Map) with { AppliedAtOnceAt = Received.AddHours(1) };

    /// <summary>Each action in every store of the case, one action after the other, as the orchestration does.</summary>
    private static async Task<IReadOnlyList<StoreOutcome>> RunAsync(SqlStoreCatalog catalog, PrivacyCase c, IReadOnlyList<StoreAction> actions)
    {
        var outcomes = new List<StoreOutcome>();
        foreach (var action in actions)
        {
            foreach (var store in Map.StoresOf(c.Entity))
            {
                outcomes.Add(await catalog.Find(store.Key).ApplyAsync(new StoreActionRequest(c.Id, action, c.Email, Today), default));
            }
        }

        return outcomes;
    }

    private static string Kept(TableMap table, Language l) =>
        Texts.Plural("ReportKept", 1, l, table.Name.In(l), 1, Map.Purposes[table.Purpose].Name.In(l), Map.Purposes[table.Purpose].LegalBasis.In(l));
}
