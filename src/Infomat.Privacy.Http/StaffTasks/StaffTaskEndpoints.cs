using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow.Orchestration;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.StaffTasks;

/// <summary><c>/tasks</c>: staff do a case's tasks (a correction per store, the objection to weigh) from the link in the staff-task mail.</summary>
public sealed class StaffTaskEndpoints(
    CaseLinks links, CaseWorkflow workflow, StaffTasksPage page, StaffPages staff, TimeProvider time)
{
    /// <summary><c>GET /tasks?token=</c>: the case's staff tasks, each with its own form.</summary>
    public async Task<IResult> TasksPageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (c, failure, _) = await links.OpenStaffPageAsync(request, TokenPurpose.StaffTask, cancellationToken);
        return failure ?? staff.Page(Texts.Format("TasksTitle", l, c!.Id), page.Body(request, c, request.Query["token"].ToString(), l));
    }

    /// <summary><c>POST /tasks</c>: marks one task done (a correction) or decides the objection.</summary>
    public async Task<IResult> CompleteTaskAsync(HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var l = staff.Language;
        var (form, identity, c, token, failure) = await links.OpenStaffPostAsync(request, TokenPurpose.StaffTask, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var tokenText = form["token"].ToString();
        var title = Texts.Format("TasksTitle", l, c!.Id);
        var task = c.Tasks.FirstOrDefault(t => t.Key == form["task"].ToString());
        // Which outcome fits which kind of task is the case's rule (TaskRefusal); here only the form's words.
        var outcome = form["outcome"].ToString() switch
        {
            "done" => StaffTaskOutcome.Done,
            "uphold" => StaffTaskOutcome.Upheld,
            "refuse" => StaffTaskOutcome.Refused,
            "nothing" => StaffTaskOutcome.NothingToCorrect,
            _ => (StaffTaskOutcome?)null,
        };
        var note = form["note"].ToString().Trim();
        var refusal = task is null || outcome is null ? CaseRefusal.UnknownTask : c.TaskRefusal(task.Key, outcome.Value, note);
        if (refusal == CaseRefusal.Finished)
        {
            // Closed as answered outside this system meanwhile (decision 118): the page says so, with no forms.
            return staff.Page(title, page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict);
        }

        if ((refusal is not null and not CaseRefusal.TaskDone) || note.Length > 2000 || identity.Name is null)
        {
            var message = identity.Name is null ? Texts.Get("StaffNameRequired", l) : Texts.Get("TaskChoiceRequired", l);
            return staff.Page(title, $"<p class=\"error\" role=\"alert\">{E(message)}</p>" + page.Body(request, c, tokenText, l), StatusCodes.Status400BadRequest);
        }

        if (refusal == CaseRefusal.TaskDone)
        {
            return staff.Page(title, P(Texts.Format("TaskAlreadyDone", l, Texts.DateTime(task!.DoneAt!.Value, l))) + page.Body(request, c, tokenText, l), StatusCodes.Status409Conflict);
        }

        // One use per task and link, spent in the same write as the task's outcome.
        var at = time.GetUtcNow();
        var by = identity.Name;
        if (await links.TakeAsync(c, token!.Id + "." + task!.Key.Replace('/', '.'), x => x.CompleteTask(task.Key, outcome!.Value, note, by, at), cancellationToken) is not { } done)
        {
            return links.TryAgain(l, c);
        }

        var stored = done.Case;
        if (done.Refusal == CaseRefusal.LinkUsed)
        {
            return links.Used(l, stored);
        }

        if (done.Refused && stored.Tasks.FirstOrDefault(t => t.Key == task.Key)?.DoneAt is { } doneAt)
        {
            // A colleague finished it from another page meanwhile: theirs stands.
            return staff.Page(title, P(Texts.Format("TaskAlreadyDone", l, Texts.DateTime(doneAt, l))) + page.Body(request, stored, tokenText, l), StatusCodes.Status409Conflict);
        }

        await workflow.SignalAsync(client, c.Id, CaseEvents.StaffTaskDone, cancellationToken);
        return staff.Page(title, P(Texts.Get(stored.TasksWaitOnRetry ? "TaskRecordedCaseFailed" : "TaskRecorded", l)) + page.Body(request, stored, tokenText, l));
    }
}

/// <summary>The routes of this feature (DESIGN §4): staff do the tasks of a case.</summary>
public static class StaffTaskRoutes
{
    public static IEndpointRouteBuilder MapStaffTasks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/tasks", (HttpRequest r, [FromServices] StaffTaskEndpoints e, CancellationToken ct) => e.TasksPageAsync(r, ct)).WithName("TasksPage");
        app.MapPost("/tasks", (HttpRequest r, [FromServices] StaffTaskEndpoints e, [FromServices] DurableTaskClient c, CancellationToken ct) => e.CompleteTaskAsync(r, c, ct)).WithName("CompleteTask").DisableAntiforgery();
        return app;
    }
}
