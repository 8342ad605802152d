using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Pages;

/// <summary>
/// The headers every response carries, pages or not (issue 18): the content type is taken as sent, nothing is stored
/// by a browser or a proxy (case status, the case list and its CSV, problem details), and no referrer is sent on. Both
/// hosts apply them to every response (the local host as middleware, the Functions app as it runs a handler's result);
/// pages add their own policy (<see cref="Html.ContentSecurityPolicy"/>).
/// </summary>
public static class SecurityHeaders
{
    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // no-cache too: it is what the antiforgery check writes on a page with a form, and it warns in the log each time
        // it has to override a value without it.
        headers.CacheControl = "no-cache, no-store";
        headers["Referrer-Policy"] = "no-referrer";
    }
}
