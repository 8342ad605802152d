using System.Text;

using Infomat.Privacy.Configuration;
using Infomat.Privacy.Export;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Retention;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Intake;

/// <summary>
/// <c>GET /privacy/notice?lang=</c>: the privacy notice of this system (Art. 13 GDPR) — who is responsible, what it keeps
/// about a person who exercises a right, why and on what legal basis, who sees it, whether anything is decided by a
/// program alone, how long each record is kept (<see cref="SystemRetention"/>, the one home of those periods) and the
/// person's rights over it. Linked from the form and from every mail to a requester.
/// </summary>
public sealed class PrivacyNoticePage(DataMap dataMap, RequesterPages pages, IOptions<PrivacyOptions> options, IOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions> antiforgery)
{
    /// <summary>The route, with the language a link from a mail or page asks for.</summary>
    public static string PathFor(Language language) => "/privacy/notice?lang=" + language.ToWire();

    public IResult Get(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = Languages.Negotiate(request.Query["lang"], request.Headers.AcceptLanguage);
        return pages.Page(l, Texts.Get("NoticeTitle", l), Body(l));
    }

    /// <summary>The notice's sections in <paramref name="l"/>.</summary>
    public string Body(Language l)
    {
        var sb = new StringBuilder(P(Texts.Get("NoticeIntro", l)));
        Section(sb, "notice-who", Texts.Get("NoticeWhoTitle", l),
            P(Texts.Format("NoticeWho", l, Texts.List([.. dataMap.Controllers.Select(c => $"{c.LegalName} ({c.EnterpriseNumber})")], l))));
        Section(sb, "notice-what", Texts.Get("NoticeWhatTitle", l), P(Texts.Get("NoticeWhat", l)));
        Section(sb, "notice-why", Texts.Get("NoticeWhyTitle", l), P(Texts.Get("NoticeWhy", l)) + P(Texts.Get("NoticeNeeded", l)));
        var processors = dataMap.RequestRecipients;
        var transfers = RecipientTexts.TransferLines(processors, l);
        Section(sb, "notice-who-sees", Texts.Get("NoticeWhoSeesTitle", l), P(Texts.Get("NoticeWhoSees", l)) + RecipientTexts.List(RecipientTexts.Lines(processors, l))
            + P(Texts.Get("NoticeTransfersTitle", l)) + (transfers.Count == 0 ? P(Texts.Get("SummaryNoTransfers", l)) : RecipientTexts.List(transfers)));
        Section(sb, "notice-automated", Texts.Get("NoticeAutomatedTitle", l), P(Texts.Get("NoticeAutomated", l)));
        Section(sb, "notice-retention", Texts.Get("RetentionNoticeTitle", l), RetentionList(l));
        // The one cookie: the form's antiforgery cookie (issue 18), named as configured so the sentence stays true.
        Section(sb, "notice-cookies", Texts.Get("NoticeCookiesTitle", l), P(Texts.Format("NoticeCookies", l, antiforgery.Value.Cookie.Name ?? string.Empty)));
        Section(sb, "notice-rights", Texts.Get("NoticeRightsTitle", l), P(Texts.Get("NoticeRights", l)));
        sb.Append("<p><a href=\"").Append(E(RequestFormPage.PathFor(l))).Append("\">").Append(E(Texts.Get("NoticeBackToForm", l))).Append("</a></p>");
        return sb.ToString();
    }

    private string RetentionList(Language l)
    {
        var linkLifetime = options.Value.Export.LinkLifetime;
        var sb = new StringBuilder("<ul>");
        foreach (var rule in SystemRetention.Rules)
        {
            sb.Append("<li>").Append(E(rule.Describe(l, linkLifetime))).Append("</li>");
        }

        return sb.Append("</ul>").ToString();
    }

    private static void Section(StringBuilder sb, string id, string title, string html) =>
        sb.Append("<section aria-labelledby=\"").Append(id).Append("\"><h2 id=\"").Append(id).Append("\">").Append(E(title)).Append("</h2>").Append(html).Append("</section>");
}
