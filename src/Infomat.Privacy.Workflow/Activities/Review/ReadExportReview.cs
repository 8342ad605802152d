using Infomat.Privacy.Cases;

using Microsoft.DurableTask;

namespace Infomat.Privacy.Workflow.Activities.Review;

/// <summary>Where the staff review of the export's free text stands (read after the signal that staff finished it).</summary>
public sealed class ReadExportReview(ICaseRegister register) : TaskActivity<string, ExportReviewState>
{
    public static ExportReviewState State(PrivacyCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ExportReviewState(c.AwaitsExportReview, c.Review?.Values ?? 0);
    }

    public override async Task<ExportReviewState> RunAsync(TaskActivityContext context, string input) =>
        State(await register.RequireAsync(input));
}
