using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

public static partial class PrivacyMails
{
    /// <summary>
    /// For an erasure that found earlier access or portability cases of the person: the sentence that no copy of them
    /// is kept (their zips and staged records were deleted by <c>EraseEarlierCopies</c>), and which ones still being
    /// answered keep theirs until then. Null when there were none.
    /// </summary>
    private static string? EarlierCopies(PrivacyCase c, Language l)
    {
        if (c.EarlierCopiesErased is not { } copies)
        {
            return null;
        }

        var lines = new List<string>();
        if (copies.CaseIds.Count > 0)
        {
            lines.Add(Texts.Format("ReportEarlierCopiesErased", l, string.Join(", ", copies.CaseIds)));
        }

        if (copies.AnsweredAgain.Count > 0)
        {
            lines.Add(Texts.Format("ReportEarlierCopiesAnsweredAgain", l, string.Join(", ", copies.AnsweredAgain)));
        }

        if (copies.RetriedMeanwhile.Count > 0)
        {
            lines.Add(Texts.Format("ReportEarlierCopiesRetried", l, string.Join(", ", copies.RetriedMeanwhile)));
        }

        if (copies.KeptWhileAnswered.Count > 0)
        {
            lines.Add(Texts.Format("ReportEarlierCopiesKept", l, string.Join(", ", copies.KeptWhileAnswered)));
        }

        return lines.Count == 0 ? null : string.Join("\n", lines);
    }
}
