using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

public static partial class PrivacyMails
{
    /// <summary>
    /// For an erasure that found earlier access or portability cases of the person: the sentence that no copy of them
    /// is kept (their zips and staged records were deleted by <c>EraseEarlierCopies</c>). Null when there were none.
    /// </summary>
    private static string? EarlierCopies(PrivacyCase c, Language l) =>
        c.EarlierCopiesErased is { CaseIds.Count: > 0 } copies
            ? Texts.Format("ReportEarlierCopiesErased", l, string.Join(", ", copies.CaseIds))
            : null;
}
