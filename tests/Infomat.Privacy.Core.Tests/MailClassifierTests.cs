using Infomat.Privacy.Intake;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>Mails as people write them: each test is a sentence a requester wrote and the case it must become.</summary>
public sealed class MailClassifierTests
{
    private static MailVerdict Classify(string subject, string body) =>
        MailClassifier.Classify(new InboundMail("<1@x>", "someone@example.org", null, subject, body, DmarcVerdict.Pass, DateTimeOffset.UnixEpoch));

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

    [Theory]
    [InlineData("uitschrijven", "Graag uitschrijven.", Language.Nl)]
    [InlineData("désabonnement", "Merci.", Language.Fr)]
    [InlineData("Newsletter", "Please unsubscribe me.", Language.En)]
    public void An_unsubscribe_mail_withdraws_consent_for_marketing(string subject, string body, Language language)
    {
        var v = Classify(subject, body);
        Assert.Equal((MailVerdictKind.Request, RequestType.WithdrawConsent, language, ConsentScope.Marketing), (v.Kind, v.Type, v.Language, v.Consent));
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
}
