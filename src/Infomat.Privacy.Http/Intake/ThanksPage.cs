using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Intake;

/// <summary>The thank-you page after a form submission: the reference, the due date, and the way to have the link sent again.</summary>
public static class ThanksPage
{
    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    public static string Body(PrivacyCase c, Language language, bool resent, bool canResend)
    {
        ArgumentNullException.ThrowIfNull(c);
        var body = new StringBuilder(P(Texts.Format("ThanksBody", language, c.Id, Texts.Date(c.DueDate, language))));
        if (resent)
        {
            body.Append("<p role=\"status\"><strong>").Append(E(Texts.Get("ResentDone", language))).Append("</strong></p>");
        }

        if (canResend)
        {
            body.Append("<form method=\"post\" action=\"/privacy/resend\"><input type=\"hidden\" name=\"request\" value=\"").Append(E(c.Id))
                .Append("\"><input type=\"hidden\" name=\"lang\" value=\"").Append(language.ToWire()).Append("\"><p>").Append(E(Texts.Get("ResentHint", language)))
                .Append("</p><button type=\"submit\" class=\"secondary\">").Append(E(Texts.Get("ResendButton", language))).Append("</button></form>");
        }

        body.Append(Inv, $"<p><a href=\"/api/requests/{E(c.Id)}\">{E(Texts.Get("StatusLink", language))}</a></p>");
        return body.ToString();
    }
}
