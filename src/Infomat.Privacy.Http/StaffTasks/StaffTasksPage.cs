using Infomat.Privacy.Cases;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.StaffTasks;

/// <summary>The staff task page: the case's facts and, per task, what was done or the form to do it.</summary>
public sealed class StaffTasksPage(StaffPages staff, DataMap dataMap)
{
    public string Body(HttpRequest request, PrivacyCase c, string token, Language l)
    {
        var body = new System.Text.StringBuilder(Facts(PrivacyMails.Facts(c, dataMap, l)));
        if (c.AnsweredOutside is { } outside)
        {
            // Staff answered the case themselves (decision 118): its tasks are no longer done here.
            body.Append(P(Texts.Format("TasksAnsweredOutside", l, Texts.Date(outside.AnsweredOn, l))));
        }
        else if (c.TasksWaitOnRetry)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(E(Texts.Format("TasksCaseFailed", l, Texts.DateTime(c.FailedAt ?? c.ReceivedAt, l), c.Id))).Append("</p>");
        }

        var t = E(token);
        var antiforgery = staff.Forms.HiddenField(request);
        foreach (var task in c.Tasks)
        {
            if (task.IsOpen && c.AnsweredOutside is not null)
            {
                // Closed with the case: no form.
                continue;
            }

            var label = E(PrivacyMails.TaskLabel(dataMap, task, l));
            if (!task.IsOpen)
            {
                body.Append("<section class=\"task\"><h2>").Append(label).Append("</h2>")
                    .Append(P(Texts.Format("TaskDoneBy", l, Texts.Get(OutcomeKey(task), l), Texts.DateTime(task.DoneAt!.Value, l), task.DoneBy ?? "?"))).Append("</section>");
                continue;
            }

            var id = "note-" + E(task.Key.Replace('/', '-'));
            body.Append("<section class=\"task\"><h2>").Append(label).Append("</h2>")
                .Append("<form method=\"post\" action=\"/tasks\"><input type=\"hidden\" name=\"token\" value=\"").Append(t).Append("\">")
                .Append("<input type=\"hidden\" name=\"task\" value=\"").Append(E(task.Key)).Append("\">").Append(antiforgery)
                .Append(staff.NameField("name-" + id))
                .Append("<label for=\"").Append(id).Append("\">").Append(E(Texts.Get(task.Kind == StaffTaskKind.Rectify ? "TaskNoteRectifyOrRefuse" : "TaskNoteObjection", l))).Append("</label>")
                .Append("<textarea id=\"").Append(id).Append("\" name=\"note\" rows=\"3\" maxlength=\"2000\"></textarea>");
            if (task.Kind == StaffTaskKind.Rectify)
            {
                // A correction can be refused, with the reasons (Art. 16, 12(4)): the report tells the requester, store by store.
                body.Append("<button type=\"submit\" name=\"outcome\" value=\"done\">").Append(E(Texts.Get("TaskMarkDone", l))).Append("</button>")
                    .Append("<button type=\"submit\" class=\"secondary\" name=\"outcome\" value=\"refuse\">").Append(E(Texts.Get("TaskRefuseRectify", l))).Append("</button>")
                    // This system holds the person but nothing the correction is about: neither made nor refused here.
                    .Append("<button type=\"submit\" class=\"secondary\" name=\"outcome\" value=\"nothing\">").Append(E(Texts.Get("TaskNothingToCorrect", l))).Append("</button>");
            }
            else
            {
                body.Append("<button type=\"submit\" name=\"outcome\" value=\"uphold\">").Append(E(Texts.Get("TaskUphold", l))).Append("</button>")
                    .Append("<button type=\"submit\" class=\"secondary\" name=\"outcome\" value=\"refuse\">").Append(E(Texts.Get("TaskRefuse", l))).Append("</button>");
            }

            body.Append("</form></section>");
        }

        return body.ToString();
    }

    /// <summary>The words for a finished task's outcome: a refused correction is not a refused objection.</summary>
    private static string OutcomeKey(StaffTask task) =>
        task.Kind == StaffTaskKind.Rectify && task.Outcome == StaffTaskOutcome.Refused ? "TaskOutcomeRectifyRefused" : "TaskOutcome" + task.Outcome;
}
