using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Http.Pages;

/// <summary>
/// The requester's pages: the one layout, with a footer that names the controllers concerned (a case's controllers on
/// a page of a case, every controller in the data map otherwise) and their complaint authorities.
/// </summary>
public sealed class RequesterPages(DataMap dataMap)
{
    public IResult Page(Language language, string title, string body, int status = StatusCodes.Status200OK, ControllerScope? scope = null) =>
        Html.Page(dataMap, language, title, body, status, scope: scope);
}
