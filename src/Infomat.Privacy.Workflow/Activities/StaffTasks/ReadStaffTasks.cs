using Infomat.Privacy.Cases;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.StaffTasks;

/// <summary>Where the staff tasks stand; when none is open, the case is back in progress.</summary>
public sealed class ReadStaffTasks(ICaseRegister register, TimeProvider time) : TaskActivity<string, StaffTaskState>
{
    public static StaffTaskState State(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new StaffTaskState(c.OpenTaskCount, c.Tasks.Any(t => t.Outcome == StaffTaskOutcome.Upheld));
    }

    public override async Task<StaffTaskState> RunAsync(TaskActivityContext context, string input)
    {
        var c = await register.RequireAsync(input);
        var state = State(c);
        if (state.Open == 0 && c.Status == CaseStatus.AwaitingStaffAction)
        {
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.ResumeAfterTasks(at), CancellationToken.None)).Case;
        }

        return State(c);
    }
}

/// <summary>Where the staff tasks of a case stand. <see cref="RestrictAfter"/>: an upheld objection stops the processing.</summary>
public sealed record StaffTaskState(int Open, bool RestrictAfter);
