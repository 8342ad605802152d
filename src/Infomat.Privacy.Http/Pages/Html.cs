using System.Security.Cryptography;
using System.Text;

using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Infomat.Privacy.Http.Pages;

/// <summary>Server-rendered pages: plain HTML that works without JavaScript, one layout for every page.</summary>
public static class Html
{
    public static string E(string? value) => HtmlText.Encode(value);

    /// <summary>
    /// A page in the one layout. Its footer names the controllers of <paramref name="scope"/> (a page of a case: that
    /// case's controllers) or, without a case, every controller in the data map, with their complaint authorities.
    /// </summary>
    public static IResult Page(
        DataMap map, Language language, string title, string body, int statusCode = StatusCodes.Status200OK, bool staff = false, string? staffNotice = null, ControllerScope? scope = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(language.ToWire()).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").Append(E(title)).Append(" – Infomat</title>\n")
          .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n<header><p class=\"brand\">Infomat</p></header>\n<main id=\"main\">\n");
        if (staff && staffNotice is not null)
        {
            sb.Append("<p class=\"notice\" role=\"note\">").Append(E(staffNotice)).Append("</p>\n");
        }

        sb.Append("<h1>").Append(E(title)).Append("</h1>\n").Append(body).Append("\n</main>\n<footer>\n");
        foreach (var line in Texts.ControllerFooter(map, scope, language))
        {
            sb.Append("<p>").Append(E(line)).Append("</p>\n");
        }

        sb.Append("</footer>\n</body>\n</html>\n");
        return new SecurePage(TypedResults.Content(sb.ToString(), "text/html; charset=utf-8", Encoding.UTF8, statusCode));
    }

    /// <summary>The policy of every page: nothing but our own inline style (by its hash), no framing, no base, no plugins.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// A page with its security headers (issue 18): never stored by a browser or proxy (pages carry personal data and
    /// links carry tokens), never framed, no referrer sent on (a token in our URL must not reach another site).
    /// Forms post to our own routes; <c>form-action</c> is left open because the download form is answered with a
    /// redirect to the storage account, which browsers check against it.
    /// </summary>
    public sealed class SecurePage(ContentHttpResult inner) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        /// <summary>The page's HTML.</summary>
        public string? ResponseContent => inner.ResponseContent;

        public int? StatusCode => inner.StatusCode;

        public string? ContentType => inner.ContentType;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var headers = httpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            SecurityHeaders.Apply(httpContext.Response);
            return inner.ExecuteAsync(httpContext);
        }
    }

    public static string P(string text) => "<p>" + E(text) + "</p>";

    /// <summary>A definition list of facts (label, value).</summary>
    public static string Facts(IEnumerable<(string Label, string Value)> facts) => Facts(facts.Select(f => new Fact(f.Label, f.Value)));

    /// <summary>
    /// A definition list of facts; what the requester wrote (<see cref="Fact.FromRequester"/>) in a marked quote, its
    /// label saying whose it is, so none of its lines can pass for one of ours.
    /// </summary>
    public static string Facts(IEnumerable<Fact> facts)
    {
        var sb = new StringBuilder("<dl class=\"facts\">");
        foreach (var fact in facts)
        {
            sb.Append("<dt>").Append(E(fact.Label)).Append(fact.FromRequester ? "</dt><dd class=\"requester-text\">" : "</dt><dd>")
                .AppendJoin("<br>", fact.Value.Split('\n').Select(E)).Append("</dd>");
        }

        return sb.Append("</dl>").ToString();
    }

    /// <summary>A one-button form that posts the token back: the state change is the POST, never the GET.</summary>
    public static string TokenForm(string action, string token, string button, string extraFields = "") =>
        $"<form method=\"post\" action=\"{E(action)}\"><input type=\"hidden\" name=\"token\" value=\"{E(token)}\">{extraFields}<button type=\"submit\">{E(button)}</button></form>";

    private const string Style = """
        body{font-family:Arial,Helvetica,sans-serif;line-height:1.5;margin:0;color:#1b1b1b;background:#f6f7f9}
        header{background:#003b5c;color:#fff;padding:.5rem 1.5rem}.brand{font-weight:bold;font-size:1.25rem;margin:0}
        main{max-width:42rem;margin:1.5rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px}
        footer{max-width:42rem;margin:0 auto 2rem;font-size:.9rem;color:#333;padding:0 2rem}
        label,legend{font-weight:bold;display:block;margin-top:1rem}.hint{color:#444;font-size:.9rem;margin:.2rem 0}.choice .hint{display:block;font-weight:normal}
        input[type=text],input[type=email],select,textarea{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:2px solid #555;border-radius:4px}
        fieldset{border:none;padding:0;margin:0}.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.3rem 0}.choice label{font-weight:normal;margin:0}
        button{margin-top:1.25rem;padding:.7rem 1.4rem;font-size:1rem;background:#005a8c;color:#fff;border:none;border-radius:4px;cursor:pointer}
        button.secondary{background:#8c1d1d}
        :focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
        .table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}caption{text-align:left;font-weight:bold;margin:.5rem 0}
        th,td{border-bottom:1px solid #ccc;padding:.3rem .4rem;text-align:left;vertical-align:top}tr.overdue td{color:#b00020;font-weight:bold}
        .error{color:#b00020;font-weight:bold}.warning{border-left:4px solid #8a5a00;background:#fff8e1;padding:.25rem .75rem}.errors{border:3px solid #b00020;padding:.5rem 1rem;margin-bottom:1rem}
        .notice{background:#fff4ce;border-left:6px solid #8a6d00;padding:.5rem 1rem}.facts dt{font-weight:bold}.facts dd{margin:0 0 .5rem 0}.facts dd.requester-text{border-left:4px solid #767676;padding-left:.5rem;font-style:italic}.attention{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}.chart svg{max-width:100%;height:auto}.filters button{margin-top:1rem}
        .hp{position:absolute;left:-10000px}
        @media print{body,main{background:#fff}header{background:none;color:#000;padding:0}main,footer{max-width:none;margin:0;padding:0;border-radius:0}.table-wrap{overflow:visible}tr,figure,.facts dd{break-inside:avoid}thead{display:table-header-group}h1,h2,caption,.facts dt{break-after:avoid}a{color:#000}button,.no-print{display:none}.filters label,.filters select,.filters input{display:inline;width:auto;border:none;padding:0;margin:0 1rem 0 0;appearance:none;background:none;font-size:.9rem}.filters label{margin-right:.3rem}}
        """;
}
