using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// A sentence a requester reads that relies on an article names it, in each language (a DPO's review found these
/// without): the month to answer and its extension, a refusal on identity and the duty to say why, the weighing of an
/// objection, the withdrawal of consent.
/// </summary>
public sealed class ArticleReferenceTests
{
    [Theory]
    [InlineData("MailAckBody", "Art. 12(3)", "art. 12, lid 3", "art. 12, paragraphe 3")]
    [InlineData("MailExtensionBody", "Art. 12(3)", "art. 12, lid 3", "art. 12, paragraphe 3")]
    [InlineData("MailRejectionBody", "Art. 12(2) and (6)", "art. 12, leden 2 en 6", "art. 12, paragraphes 2 et 6")]
    [InlineData("MailRejectionBody", "Art. 12(4)", "art. 12, lid 4", "art. 12, paragraphe 4")]
    [InlineData("MailRejectionBodyPartly", "Art. 12(2) and (6)", "art. 12, leden 2 en 6", "art. 12, paragraphes 2 et 6")]
    [InlineData("ReportIntroObjectionRefused", "Art. 21(1)", "art. 21, lid 1", "art. 21, paragraphe 1")]
    [InlineData("ReportIntroWithdrawConsent", "Art. 7(3)", "art. 7, lid 3", "art. 7, paragraphe 3")]
    [InlineData("MailIdentificationHow", "Art. 12(6) and 12(4)", "art. 12, leden 6 en 4", "art. 12, paragraphes 6 et 4")]
    public void The_text_names_the_article_it_relies_on_in_every_language(string key, string en, string nl, string fr)
    {
        Assert.Contains(en, Texts.Get(key, Language.En), StringComparison.Ordinal);
        Assert.Contains(nl, Texts.Get(key, Language.Nl), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(fr, Texts.Get(key, Language.Fr), StringComparison.OrdinalIgnoreCase);
    }
}
