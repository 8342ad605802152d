using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Mails as people write them: each test is a sentence a requester wrote and the case it must become.</summary>
public sealed class MailClassifierTests
{
    private static MailVerdict Classify(string subject, string body) =>
        MailClassifier.Classify(new InboundMail("<1@x>", "someone@example.org", null, subject, body, DmarcVerdict.Pass, DateTimeOffset.UnixEpoch));

    [Theory]
    [InlineData("Auskunftsersuchen", "Sehr geehrte Damen und Herren,\n\nnach Art. 15 DSGVO bitte ich um Auskunft über meine personenbezogenen Daten und um eine Kopie.\n\nMit freundlichen Grüßen")]
    [InlineData("Löschung", "Bitte löschen Sie alle meine Daten, die Sie gespeichert haben (Datenschutz).")]
    public void A_request_in_German_goes_to_staff_rather_than_being_read_as_nothing(string subject, string body)
    {
        // Review of 7 December: German is an official language of Belgium, and the phrase tables read NL/FR/EN only: such
        // a request was "not a request", left alone with no deadline watched.
        var v = Classify(subject, body);

        Assert.Equal(MailVerdictKind.Triage, v.Kind);
        Assert.Contains("written in German", v.Reason, StringComparison.Ordinal);
        // German business mail with nothing about a right is left alone as before.
        Assert.Equal(MailVerdictKind.NotARequest, Classify("Termin", "Können wir am Dienstag um zehn Uhr über das Angebot sprechen?").Kind);
    }

    [Theory]
    [InlineData("auto-submitted (auto-generated)", "Triage")]
    [InlineData("sent by noreply", "Triage")]
    [InlineData("auto-submitted (auto-replied)", "Ignored")]
    [InlineData("delivery or read report", "Ignored")]
    [InlineData("mailing-list mail", "Ignored")]
    [InlineData("sent by mailer-daemon", "Ignored")]
    public void A_request_passed_on_by_a_form_or_a_no_reply_system_reaches_staff_and_replies_reports_and_lists_stay_ignored(string automatic, string kind)
    {
        // A web form or ticket system relays a person's words from noreply@, marked auto-generated: it was dropped with
        // only a log line, the legal month running with nobody knowing (hunt of 8 December).
        const string Body = "Via het contactformulier:\n\nNaam: Ethan Price\nBericht: Ik vraag inzage in al mijn persoonsgegevens (art. 15 AVG) en een kopie ervan.";
        var v = MailClassifier.Classify(new InboundMail("<1@x>", "noreply@forms.example.org", null, "Nieuw bericht via het contactformulier", Body, DmarcVerdict.Pass, DateTimeOffset.UnixEpoch, AutomaticReason: automatic));

        Assert.Equal(Enum.Parse<MailVerdictKind>(kind), v.Kind);
        if (v.Kind == MailVerdictKind.Triage)
        {
            // Never straight to a case: who asks, and where to answer, is for staff to see.
            Assert.Contains("but it reads as a request", v.Reason, StringComparison.Ordinal);
        }

        // Generated mail that asks for nothing is ignored as before.
        Assert.Equal(MailVerdictKind.Ignored, MailClassifier.Classify(new InboundMail("<2@x>", "noreply@forms.example.org", null, "Uw bestelling", "Uw bestelling is verzonden.", DmarcVerdict.Pass, DateTimeOffset.UnixEpoch, AutomaticReason: automatic)).Kind);
    }

    [Theory]
    [InlineData("I object to the processing of my personal data in your helpdesk portal, on grounds relating to my particular situation: I have left the client company. Please also stop your newsletter.")]
    [InlineData("Ik maak bezwaar tegen het gebruik van mijn gegevens in uw helpdeskportaal; mijn bijzondere situatie weegt zwaarder. Stuur me ook geen nieuwsbrief meer.")]
    [InlineData("Je m'oppose au traitement de mes données dans votre portail, pour des raisons tenant à ma situation particulière, et je ne veux plus recevoir votre lettre d'information.")]
    public void An_objection_on_grounds_of_a_particular_situation_that_also_names_marketing_goes_to_staff_not_to_marketing_alone(string body)
    {
        // Hunt of 8 December: the marketing word made it an objection to direct marketing, applied at once and reported
        // as such; the Art. 21(1) objection beside it was never weighed or answered.
        var v = Classify("Objection", body);

        Assert.Equal(MailVerdictKind.Triage, v.Kind);
        Assert.Contains("Art. 21(1)", v.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_objection_to_direct_marketing_that_asks_to_leave_the_newsletter_is_an_objection_case()
    {
        var v = Classify("Direct marketing", "Hello,\n\nI object to the use of my personal data for direct marketing. Please remove me from your newsletter and your other mailings.\n\nKind regards,\nMia");
        Assert.Equal((MailVerdictKind.Request, RequestType.Objection, ObjectionScope.DirectMarketing), (v.Kind, v.Type, v.Objection));
        Assert.Empty(v.AlsoRights);
    }

    [Fact]
    public void A_French_question_for_a_copy_of_the_data_held_about_the_sender_is_an_access_case()
    {
        var v = Classify("Mes données", "Bonjour,\n\nPourriez-vous m'envoyer une copie des données personnelles que vous détenez à mon sujet ?\n\nMerci");
        Assert.Equal((MailVerdictKind.Request, RequestType.Access, Language.Fr), (v.Kind, v.Type, v.Language));
    }

    /// <summary>
    /// Client-relations mailings run on legitimate interest, where withdrawing consent stops nothing: an unsubscribe is
    /// an objection to direct marketing (Art. 21(2)-(3)), which stops every marketing mail and subsumes the marketing
    /// consent (decision 51).
    /// </summary>
    [Theory]
    [InlineData("uitschrijven", "Graag uitschrijven.", Language.Nl)]
    [InlineData("Nieuwsbrief", "Schrijf me uit aub, ik wil niets meer ontvangen.", Language.Nl)]
    [InlineData("désabonnement", "Merci.", Language.Fr)]
    [InlineData("Newsletter", "Désabonnez-moi s'il vous plaît.", Language.Fr)]
    [InlineData("désinscription", "Merci de faire le nécessaire.", Language.Fr)]
    [InlineData("Newsletter", "Please unsubscribe me.", Language.En)]
    [InlineData("Mailing", "Unsubscribe me please.", Language.En)]
    [InlineData("Mailing", "Please remove me from your mailing list.", Language.En)]
    public void An_unsubscribe_mail_is_an_objection_to_direct_marketing_that_stops_every_marketing_mail(string subject, string body, Language language)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Objection, language, ObjectionScope.DirectMarketing), (v.Kind, v.Type, v.Language, v.Objection));
        Assert.Empty(v.AlsoRights);
        Assert.Contains("unsubscribe", v.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("My details", "As I have the right to erasure, please delete my data.", Language.En)]
    [InlineData("Mijn gegevens", "Omdat ik het recht heb om vergeten te worden, vraag ik u mijn gegevens te verwijderen.", Language.Nl)]
    [InlineData("Mes données", "Comme je dispose du droit à l'effacement, je vous demande de supprimer mes données.", Language.Fr)]
    public void A_right_named_as_the_grounds_of_a_request_in_the_next_clause_is_asked_for(string subject, string body, Language language)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Erasure, language), (v.Kind, v.Type, v.Language));
    }

    [Theory]
    [InlineData("Klant", "Ik ben geen klant meer, dus verwijder al mijn gegevens.")]
    [InlineData("Client", "Je ne suis plus client, effacez toutes mes données.")]
    [InlineData("Client", "I'm not a client, delete all my data.")]
    public void A_negation_does_not_reach_over_a_comma_into_the_next_clause(string subject, string body)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Erasure), (v.Kind, v.Type));
    }

    [Theory]
    [InlineData("I hereby withdraw my consent, object to the use of my personal data for direct marketing and request the erasure of all my personal data.")]
    [InlineData("Hierbij trek ik mijn toestemming in, maak ik bezwaar tegen het gebruik van mijn gegevens voor direct marketing en verzoek ik om verwijdering van al mijn persoonsgegevens.")]
    [InlineData("Par la présente, je retire mon consentement, je m'oppose à la prospection commerciale et je demande l'effacement de toutes mes données.")]
    public void Three_rights_asked_for_in_one_sentence_are_decided_by_the_bundling_rule(string body)
    {
        var v = Classify("GDPR", body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Erasure, ObjectionScope.DirectMarketing), (v.Kind, v.Type, v.Objection));
        // The withdrawal stays on the case beside the erasure: it is applied at once, whatever becomes of the erasure (decision 49).
        Assert.Equal([RequestType.Objection, RequestType.WithdrawConsent], v.AlsoRights);
    }

    [Theory]
    [InlineData("Consent", "I withdraw all consent.", Language.En)]
    [InlineData("Toestemming", "Ik trek al mijn toestemmingen in.", Language.Nl)]
    [InlineData("Consentement", "Je retire tout consentement.", Language.Fr)]
    public void Withdrawing_all_consent_is_a_withdrawal_of_every_consent(string subject, string body, Language language)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.WithdrawConsent, ConsentScope.All, language), (v.Kind, v.Type, v.Consent, v.Language));
    }

    [Theory]
    [InlineData("Inzageverzoek", "Inzageverzoek conform art. 15 AVG.\nJan Jansen", Language.Nl)]
    [InlineData("Demande d'accès", "Demande d'accès conformément à l'article 15 du RGPD.\nMarie Dupont", Language.Fr)]
    [InlineData("Subject access request", "Subject access request under Article 15 GDPR.\nJohn Smith", Language.En)]
    public void A_request_citing_its_article_needs_no_first_person(string subject, string body, Language language)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Access, language), (v.Kind, v.Type, v.Language));
    }

    [Fact]
    public void A_webinar_invitation_citing_the_article_of_a_request_is_not_a_request()
    {
        var v = Classify("Webinar: handling a subject access request under Article 15 GDPR", "On 12 December we run a webinar on the subject access request under Article 15 GDPR: deadlines and pitfalls.");
        Assert.Equal(MailVerdictKind.NotARequest, v.Kind);
    }

    [Theory]
    [InlineData("My details", "Do you still have my details? I know I have the right to erasure.")]
    [InlineData("Mijn gegevens", "Hebben jullie mijn gegevens nog? Ik weet dat ik recht heb op verwijdering.")]
    [InlineData("Mes données", "Avez-vous encore mes coordonnées ? Je sais que je dispose du droit à l'effacement de mes données.")]
    [InlineData("My account", "Please don't delete my account yet.")]
    public void A_right_set_aside_in_a_mail_about_the_senders_own_data_goes_to_staff_with_the_reason(string subject, string body)
    {
        var v = Classify(subject, body);
        Assert.Equal(MailVerdictKind.Triage, v.Kind);
        Assert.Contains(Localization.Texts.RequestTypeName(RequestType.Erasure, Language.En), v.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("art. 15 AVG", RequestType.Access)]
    [InlineData("Demande au titre de l'article 17 du RGPD", RequestType.Erasure)]
    [InlineData("Request under Article 20 GDPR", RequestType.Portability)]
    [InlineData("Verzoek op grond van artikel 17 lid 1 AVG", RequestType.Erasure)]
    [InlineData("Article 7(3) GDPR", RequestType.WithdrawConsent)]
    [InlineData("artikel 18 AVG", RequestType.Restriction)]
    [InlineData("article 16 du RGPD", RequestType.Rectification)]
    public void A_subject_citing_the_article_of_a_right_is_a_request_for_it(string subject, RequestType type)
    {
        var v = Classify(subject, "Ik verwijs naar mijn gegevens bij u. / Je vous écris au sujet de mes données. / I write about my data.");
        Assert.Equal((MailVerdictKind.Request, type), (v.Kind, v.Type));
    }

    [Fact]
    public void A_list_of_the_rights_a_person_has_is_not_a_request_for_each()
    {
        var v = Classify("Subject access request", "I request a copy of my personal data (Article 15 GDPR). I know I also have the right to rectification, the right to erasure, the right to restriction of processing and the right to object.");
        Assert.Equal((MailVerdictKind.Request, RequestType.Access), (v.Kind, v.Type));
        Assert.Empty(v.AlsoRights);
    }

    [Theory]
    [InlineData("Subject access request", "Please send me a copy of my personal data (Article 15 GDPR). I reserve the right to request erasure at a later stage.")]
    [InlineData("Inzageverzoek", "Graag een kopie van mijn gegevens. Ik behoud mij het recht voor om later de verwijdering van mijn gegevens te vragen.")]
    [InlineData("Demande d'accès", "Merci de m'envoyer une copie de mes données. Je me réserve le droit de demander ultérieurement l'effacement de mes données.")]
    public void A_right_kept_for_later_is_not_asked_for_now(string subject, string body)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Access), (v.Kind, v.Type));
        Assert.Empty(v.AlsoRights);
    }

    [Fact]
    public void A_letter_asking_for_access_and_portability_is_one_case_with_both_rights_and_the_rule_as_reason()
    {
        var v = Classify("Access and portability", "This is both an access request and a portability request under the GDPR: please send me a copy of my data and the data I provided in a machine-readable format.");
        Assert.Equal((MailVerdictKind.Request, RequestType.Access), (v.Kind, v.Type));
        Assert.Equal([RequestType.Portability], v.AlsoRights);
        Assert.Contains("one export with both parts", v.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_withdrawal_that_names_the_recruitment_pool_takes_back_that_consent_only()
    {
        var v = Classify("Withdrawal of consent", "I withdraw my consent to keep my CV in your recruitment pool (Article 7(3) GDPR).");
        Assert.Equal((RequestType.WithdrawConsent, ConsentScope.Other), (v.Type, v.Consent));
    }

    /// <summary>Issue 15 second review: a weak word counts double only in the subject; outside an own-data sentence it is staff's at most.</summary>
    [Fact]
    public void A_weak_word_outside_the_own_data_sentence_is_not_a_request()
    {
        var v = Classify("CRM", "Please update my details in your CRM; also, could you delete the old draft contract?");
        Assert.NotEqual(MailVerdictKind.Request, v.Kind);
    }

    /// <summary>Issue 15 second review: business mail that uses a right's words about something else is left alone.</summary>
    [Theory]
    [InlineData("Invoice", "Please send me a copy of invoice 2026-113.")]
    [InlineData("Portal", "I submitted an access request for the customer portal last week and still cannot log in.")]
    [InlineData("Release", "What information do you have on the new release?")]
    [InlineData("Invoices", "Could you please delete all duplicate invoices in the portal?")]
    [InlineData("Facture", "Pouvez-vous rectifier la facture 123 ?")]
    [InlineData("Prijslijst", "Kunnen jullie de prijslijst machineleesbaar aanleveren?")]
    [InlineData("Opleiding", "Ik wil me afmelden voor de opleiding van dinsdag.")]
    [InlineData("Training", "I have to unsubscribe from the training session.")]
    [InlineData("Invoices", "Please stop sending me paper invoices.")]
    [InlineData("Invitation", "Please add an opt-out link to the invitation.")]
    public void Business_mail_in_the_words_of_a_right_is_not_a_request(string subject, string body) =>
        Assert.Equal(MailVerdictKind.NotARequest, Classify(subject, body).Kind);

    [Theory]
    [InlineData("Mailings", "Please remove my email address from your mailing list.")]
    [InlineData("Mailings", "Graag mijn e-mailadres verwijderen uit jullie mailinglijst.")]
    [InlineData("Envois", "Je souhaite que vous supprimiez mon adresse de votre liste de diffusion.")]
    [InlineData("Newsletter", "Please take me off your newsletter.")]
    [InlineData("Hi", "Stop mailing me, thanks.")]
    [InlineData("Nieuwsbrief", "Ik wil jullie nieuwsbrief niet meer ontvangen.")]
    [InlineData("Mails", "Ik wil niet meer dat jullie mij mailen.")]
    [InlineData("Hallo", "Gelieve mij uit te schrijven.")]
    [InlineData("Hi", "Unsubscribe me from all communications please.")]
    [InlineData("Hi", "Please take me off your list.")]
    public void Leaving_a_mailing_list_in_other_words_is_an_unsubscribe_not_an_erasure(string subject, string body)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.Objection, ObjectionScope.DirectMarketing), (v.Kind, v.Type, v.Objection));
    }

    [Fact]
    public void An_objection_to_direct_marketing_with_a_withdrawal_of_every_consent_keeps_the_withdrawal()
    {
        var v = Classify("Marketing", "I object to direct marketing. I also withdraw all my consent, including for the recruitment pool.");
        Assert.Equal((MailVerdictKind.Request, RequestType.Objection, ObjectionScope.DirectMarketing, ConsentScope.All), (v.Kind, v.Type, v.Objection, v.Consent));
        Assert.Equal([RequestType.WithdrawConsent], v.AlsoRights);
    }

    [Theory]
    [InlineData("Pool", "I would like to opt out of your recruitment pool.")]
    [InlineData("Wervingsreserve", "Graag schrijf me uit uit jullie wervingsreserve.")]
    [InlineData("Recrutement", "Merci de me désinscrire de votre réserve de recrutement.")]
    public void Leaving_the_recruitment_pool_withdraws_that_consent_and_objects_to_nothing(string subject, string body)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.WithdrawConsent, ConsentScope.Other), (v.Kind, v.Type, v.Consent));
        Assert.Empty(v.AlsoRights);
    }

    [Theory]
    [InlineData("Absence de réponse à ma demande d'accès", "Je renouvelle ma demande d'accès à mes données.", MailVerdictKind.Request)]
    [InlineData("Absence of reply to my request", "Please send me a copy of my personal data.", MailVerdictKind.Request)]
    [InlineData("Absence du bureau", "Je suis absente jusqu'au 3 décembre.", MailVerdictKind.Ignored)]
    [InlineData("Réponse automatique : demande d'accès", "Je suis absente.", MailVerdictKind.Ignored)]
    [InlineData("Out of office", "I am away.", MailVerdictKind.Ignored)]
    public void Only_an_auto_reply_subject_is_an_auto_reply(string subject, string body, MailVerdictKind kind) =>
        Assert.Equal(kind, Classify(subject, body).Kind);

    /// <summary>Issue 15 second review: a mail about the sender that names no right and no list goes to staff, never nowhere.</summary>
    [Theory]
    [InlineData("Hi", "Please remove me.")]
    [InlineData("Vraagje", "Verwijder mij a.u.b.")]
    [InlineData("Demande", "Merci de me retirer.")]
    public void Remove_me_with_nothing_named_goes_to_staff(string subject, string body) =>
        Assert.Equal(MailVerdictKind.Triage, Classify(subject, body).Kind);
}
