using Infomat.Privacy.Cases;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// A restriction or an upheld objection that found no data of the person restricted nothing: its report must not say
/// it did, nor promise to tell before lifting a restriction that does not exist, nor speak of recipients of "these
/// data" (Art. 18, 19, 21; found in a review of 5 December). With data, the report names the articles it acts under.
/// </summary>
public sealed class NothingFoundReportTests
{
    private static readonly DataMap Map = DataMapLoader.Load(DataMapFiles.Default);
    private static readonly DateTimeOffset Received = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1));

    private static PrivacyCase Case(RequestType type, Language language, ObjectionScope? objection = null) =>
        PrivacyCase.Received(new ValidRequest(type, "jan.devries@example.nl", "Jan", null, ControllerScope.Of("nl"), language, null, objection), Channel.Form, Received, Map);

    private static StoreOutcome Restricted(string store, int records) =>
        new(store, StoreAction.Restrict, [.. Map.Store(store).Tables.Select((t, i) => new TableOutcome(t.Table, i == 0 ? records : 0, 0, 0, i == 0 ? records : 0, 0, 0, [], i == 0 ? records : 0))], false);

    private static StoreOutcome[] Nowhere() => [.. Map.StoresOf(ControllerScope.Of("nl")).Select(s => Restricted(s.Key, 0))];

    private static PrivacyCase Upheld(Language language)
    {
        var c = Case(RequestType.Objection, language, ObjectionScope.Other);
        c = c.OpenTasks(c.PlanTasks([("nl/crm", 0)]), Received.AddDays(1)).Changed!;
        return c.CompleteTask("objection", StaffTaskOutcome.Upheld, null, "Els", Received.AddDays(2)).Changed!;
    }

    [Theory]
    [InlineData(Language.En, "found no personal data linked to your address, so nothing was restricted", "We have restricted", "before the restriction is lifted", "(Art. 19 GDPR)")]
    [InlineData(Language.Nl, "vonden geen persoonsgegevens bij uw adres; er werd dus niets beperkt", "We hebben de verwerking van uw gegevens beperkt", "voor we de beperking opheffen", "(art. 19 AVG)")]
    [InlineData(Language.Fr, "n'avons trouvé aucune donnée personnelle liée à votre adresse ; rien n'a donc été limité", "Nous avons limité", "avant de lever la limitation", "(art. 19 RGPD)")]
    public void A_restriction_that_found_nothing_says_nothing_was_restricted_and_promises_no_lift(Language language, string nothing, string restricted, string liftPromise, string art19)
    {
        var report = PrivacyMails.ActionReport(Case(RequestType.Restriction, language), Map, Nowhere()).TextBody;

        Assert.Contains(nothing, report, StringComparison.Ordinal);
        Assert.DoesNotContain(restricted, report, StringComparison.Ordinal);
        Assert.DoesNotContain(liftPromise, report, StringComparison.Ordinal);
        Assert.DoesNotContain(art19, report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "found no personal data linked to your address apart from the code on our suppression list named below", "No data about you, apart from the code on our suppression list named below.")]
    [InlineData(Language.Nl, "vonden geen persoonsgegevens bij uw adres, behalve de code op onze blokkeerlijst", "Geen gegevens over u, behalve de code op onze blokkeerlijst")]
    [InlineData(Language.Fr, "n'avons trouvé aucune donnée personnelle liée à votre adresse, hormis le code de notre liste d'exclusion", "hormis le code")]
    public void A_restriction_that_found_nothing_but_the_suppression_code_says_so_rather_than_no_personal_data(Language language, string opening, string block)
    {
        // Hunt of 8 December: an address on the suppression list (a keyed hash, pseudonymised personal data) read "no
        // personal data linked to your address" in a restriction's report.
        var outcomes = Nowhere().Select(o => o with { Suppressed = true }).ToArray();

        var report = PrivacyMails.ActionReport(Case(RequestType.Restriction, language), Map, outcomes).TextBody;

        Assert.Contains(opening, report, StringComparison.Ordinal);
        Assert.Contains(block, report, StringComparison.Ordinal);
        Assert.Contains(Localization.Texts.Get("ReportSuppressed", language), report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_restriction_that_found_records_beside_the_suppression_code_does_not_say_everything_is_only_stored()
    {
        var outcomes = Nowhere().Select((o, i) => i == 0 ? Restricted(o.StoreKey, 2) with { Suppressed = true } : o).ToArray();

        var report = PrivacyMails.ActionReport(Case(RequestType.Restriction, Language.En), Map, outcomes).TextBody;

        Assert.Contains("the records below are kept, but only stored, and used for nothing else without your consent; the code on our suppression list named below still serves its only purpose", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "so there was nothing to stop or restrict", "your records are restricted", "(Art. 19 GDPR)")]
    [InlineData(Language.Nl, "er was dus niets stop te zetten of te beperken", "de verwerking van uw gegevens is beperkt", "(art. 19 AVG)")]
    [InlineData(Language.Fr, "il n'y avait donc rien à arrêter ni à limiter", "le traitement de vos données est limité", "(art. 19 RGPD)")]
    public void An_upheld_objection_that_found_nothing_does_not_say_records_are_restricted(Language language, string nothing, string restricted, string art19)
    {
        var report = PrivacyMails.ActionReport(Upheld(language), Map, Nowhere()).TextBody;

        Assert.Contains(nothing, report, StringComparison.Ordinal);
        Assert.DoesNotContain(restricted, report, StringComparison.Ordinal);
        Assert.DoesNotContain(art19, report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "(request {0}; Art. 18(1) GDPR)", "before the restriction is lifted (Art. 18(3) GDPR)", "(request {0}; Art. 21(1) GDPR) and upheld it: we have stopped that processing")]
    [InlineData(Language.Nl, "(verzoek {0}; art. 18, lid 1, AVG)", "voor we de beperking opheffen (art. 18, lid 3, AVG)", "(verzoek {0}; art. 21, lid 1, AVG) afgewogen en ingewilligd: we hebben die verwerking stopgezet")]
    [InlineData(Language.Fr, "(demande {0} ; art. 18, paragraphe 1, RGPD)", "avant de lever la limitation (art. 18, paragraphe 3, RGPD)", "(demande {0} ; art. 21, paragraphe 1, RGPD) et l'avons acceptée : nous avons arrêté ce traitement")]
    public void With_data_found_the_restriction_and_the_upheld_objection_say_so_and_name_their_articles(Language language, string restriction, string lift, string upheld)
    {
        var found = Map.StoresOf(ControllerScope.Of("nl")).Select(s => Restricted(s.Key, s.Key == "nl/crm" ? 2 : 0)).ToArray();
        var restrictionCase = Case(RequestType.Restriction, language);
        var objectionCase = Upheld(language);

        var restrictionReport = PrivacyMails.ActionReport(restrictionCase, Map, found).TextBody;
        var objectionReport = PrivacyMails.ActionReport(objectionCase, Map, found).TextBody;

        Assert.Contains(restriction.Replace("{0}", restrictionCase.Id, StringComparison.Ordinal), restrictionReport, StringComparison.Ordinal);
        Assert.Contains(lift, restrictionReport, StringComparison.Ordinal);
        Assert.Contains(upheld.Replace("{0}", objectionCase.Id, StringComparison.Ordinal), objectionReport, StringComparison.Ordinal);
        // The records were restricted: Art. 19 is answered for them.
        Assert.Contains(language == Language.En ? "(Art. 19 GDPR)" : language == Language.Nl ? "(art. 19 AVG)" : "(art. 19 RGPD)", restrictionReport, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Language.En, "do not uphold it", "or for the establishment, exercise or defence of legal claims", "(Art. 12(4) GDPR)", "Our staff add: We stopped the profiling.")]
    [InlineData(Language.Nl, "willigen het niet in", "of voor de instelling, uitoefening of onderbouwing van een rechtsvordering", "(art. 12, lid 4, AVG)", "Onze medewerkers voegen toe: We stopped the profiling.")]
    [InlineData(Language.Fr, "ne l'acceptons pas", "ou pour la constatation, l'exercice ou la défense de droits en justice", "(art. 12, paragraphe 4, RGPD)", "Notre équipe ajoute : We stopped the profiling.")]
    public void A_refused_objection_names_both_grounds_art_21_allows_and_a_note_written_when_upholding_reaches_the_requester(
        Language language, string refused, string legalClaims, string reasonsArticle, string upheldNote)
    {
        var objection = Case(RequestType.Objection, language, ObjectionScope.Other);
        objection = objection.OpenTasks(objection.PlanTasks([("nl/crm", 2)]), Received.AddDays(1)).Changed!;
        var refusedCase = objection.CompleteTask("objection", StaffTaskOutcome.Refused, "Invoices are kept under the law.", "Els", Received.AddDays(2)).Changed!;
        var upheldCase = objection.CompleteTask("objection", StaffTaskOutcome.Upheld, "We stopped the profiling.", "Els", Received.AddDays(2)).Changed!;
        var found = Map.StoresOf(ControllerScope.Of("nl")).Select(s => Restricted(s.Key, s.Key == "nl/crm" ? 2 : 0)).ToArray();

        var refusal = PrivacyMails.ActionReport(refusedCase, Map, []).TextBody;
        var upheld = PrivacyMails.ActionReport(upheldCase, Map, found).TextBody;

        Assert.Contains(refused, refusal, StringComparison.Ordinal);
        Assert.Contains(legalClaims, refusal, StringComparison.Ordinal);
        Assert.Contains(reasonsArticle, refusal, StringComparison.Ordinal);
        Assert.Contains("Invoices are kept under the law.", refusal, StringComparison.Ordinal);
        Assert.Contains(upheldNote, upheld, StringComparison.Ordinal);
    }
}
