using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Staff;

/// <summary>What every staff page shares: the staff language, the no-sign-in notice, and the refusal pages.</summary>
public sealed partial class StaffPages(StaffAccess access, StaffForms forms, DataMap dataMap, IOptions<PrivacyOptions> options, ILogger<StaffPages> log)
{
    /// <summary>
    /// Runs a staff page's handler; when our storage or the task hub fails it (after the SDKs' own retries: <see cref="IsOutage"/>), answers 503
    /// with a page that says so and what to do, rather than a bare error: whatever the handler recorded before the fault
    /// stands, so the page does not say nothing changed, but to open the case again and see. Logged with the case id and
    /// the error's type only. A request the colleague cancelled (closed the page) is not answered.
    /// </summary>
    public async Task<IResult> GuardAsync(string? caseId, Func<Task<IResult>> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return await handler();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsOutage(ex))
        {
            Unavailable(log, caseId ?? "-", ex.GetType().Name);
            return Page(Texts.Get("TryAgainTitle", Language), "<p>" + System.Net.WebUtility.HtmlEncode(Texts.Get("StaffTryAgainBody", Language)) + "</p>", StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// A fault of storage or of the task hub as the SDKs report it once their own retries are spent: an Azure request that
    /// failed, a timeout, a network or gRPC fault (the durable client's channel). Anything else is a fault of the code and
    /// is not dressed up as an outage: it goes to the host's error handling, with its stack trace in the log. The SDKs'
    /// own exception types are named, not referenced: this layer stays behind the adapter wall (ArchitectureTests).
    /// </summary>
    internal static bool IsOutage(Exception ex) => ex switch
    {
        TimeoutException or System.Net.Http.HttpRequestException or System.IO.IOException or System.Net.Sockets.SocketException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsOutage),
        _ => ex.GetType().FullName is "Azure.RequestFailedException" or "Grpc.Core.RpcException",
    };

    [LoggerMessage(186, LogLevel.Warning, "Staff page of case {CaseId}: storage or the task hub failed ({Error}); answered 503 to try again")]
    private static partial void Unavailable(ILogger logger, string caseId, string error);

    public Language Language => options.Value.Staff.Language;

    public StaffAccess Access => access;

    public StaffForms Forms => forms;

    public IResult Page(string title, string body, int status = StatusCodes.Status200OK) =>
        Pages.Html.Page(dataMap, Language, title, body, status, staff: true, staffNotice: access.SignInRequired ? null : Texts.Get("ApprovalLocalNotice", Language));

    /// <summary>The page for a request that may not see staff pages (no sign-in, or not staff), or null.</summary>
    public async Task<IResult?> RefusedAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Refused(await access.IdentifyAsync(request, "-", cancellationToken));

    public IResult? Refused(StaffIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var l = Language;
        return identity.Refusal switch
        {
            StaffRefusal.NotSignedIn => Page(Texts.Get("StaffNotSignedInTitle", l), P(Texts.Get("StaffNotSignedInBody", l)), StatusCodes.Status401Unauthorized),
            StaffRefusal.NotStaff => Page(Texts.Get("StaffForbiddenTitle", l), P(Texts.Get("StaffForbiddenBody", l)), StatusCodes.Status403Forbidden),
            StaffRefusal.SignInOff => Page(Texts.Get("StaffSignInOffTitle", l), P(Texts.Get(access.SignInUnconfigured ? "StaffSignInUnconfiguredBody" : "StaffSignInOffBody", l)), StatusCodes.Status503ServiceUnavailable),
            _ => null,
        };
    }

    /// <summary>
    /// What every staff POST checks first, in this order: the form came from our page (antiforgery), then who sends it
    /// (signed in with the staff role, or a typed name without sign-in). On failure, the page to answer with.
    /// </summary>
    public async Task<StaffPost> ReadPostAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await forms.IsValidAsync(request))
        {
            return new StaffPost(FormCollection.Empty, new StaffIdentity(null, null, null), FormExpired());
        }

        var form = await request.ReadFormAsync(cancellationToken);
        var identity = await access.IdentifyAsync(request, form["staff_name"], cancellationToken);
        return new StaffPost(form, identity, Refused(identity));
    }

    /// <summary>The form was not sent from our page (antiforgery), or its page is too old.</summary>
    public IResult FormExpired() => Page(Texts.Get("FormExpiredTitle", Language), P(Texts.Get("FormExpiredBody", Language)), StatusCodes.Status400BadRequest);

    /// <summary>The name field of a staff form when there is no sign-in (the local host); nothing with sign-in.</summary>
    public string NameField(string id) => access.SignInRequired ? string.Empty
        : $"<label for=\"{E(id)}\">{E(Texts.Get("StaffName", Language))}</label><input type=\"text\" id=\"{E(id)}\" name=\"staff_name\" required maxlength=\"100\" autocomplete=\"name\">";

    public static string Error(string message) => $"<p class=\"error\" role=\"alert\">{E(message)}</p>";

    /// <summary>
    /// Nobody handles their own request (decision 105): the page refusing a staff member signed in with the requester's
    /// address (<see cref="PrivacyCase.IsRequestOf"/>) anything on that case, or null when they are not. Identity
    /// decisions have their own, audited, refusal (ApprovalDecisions).
    /// </summary>
    public IResult? OwnRequest(PrivacyCase c, StaffIdentity identity, string title)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(identity);
        return c.IsRequestOf(identity.Addresses ?? []) ? Page(title, Error(Texts.Get("StaffOwnRequest", Language)), StatusCodes.Status409Conflict) : null;
    }
}

/// <summary>A staff POST read and checked: its form, who sent it, and the refusal page when it may not go on.</summary>
public sealed record StaffPost(IFormCollection Form, StaffIdentity Identity, IResult? Failure);
