using Infomat.Privacy.Cases;
using Infomat.Privacy.Storage;

namespace Infomat.Privacy.Http.Cases;

/// <summary>
/// Deletes a case's zip that is due to go (<see cref="PrivacyCase.ExportDeletionDue"/>: withdrawn, or its link ended), the
/// one way the withdrawal and the retention sweep both do it (decision 130). A staff retry of a failed case writes its
/// zip again under the same name (decision 101), so a delete by name could take the new zip, the requester's answer,
/// whose link may already have gone. The blob's version is read first, then the case again; only that version is
/// deleted, and only while the case still records the same zip as due (<see cref="PrivacyCase.RecordsSameExportAs"/>).
/// </summary>
internal static class DueExports
{
    /// <summary>
    /// The case as read last and whether the zip <paramref name="c"/> recorded as due at <paramref name="at"/> is gone:
    /// deleted now, or gone before. False, nothing deleted, when it is not due, was written again since (the new zip is
    /// not this rule's), or changed since its version was read. The caller records the deletion of the zip the case read
    /// last records (<see cref="PrivacyCase.RecordExportDeleted"/>, which refuses when another has been recorded since).
    /// </summary>
    public static async Task<(PrivacyCase Case, bool Gone)> DeleteAsync(ICaseRegister register, IExportStorage exports, PrivacyCase c, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!c.IsExportDueForDeletion(at))
        {
            return (c, false);
        }

        var version = await exports.GetVersionAsync(c.ExportBlobName!, cancellationToken);
        if (await register.GetAsync(c.Id, cancellationToken) is not { } reread)
        {
            return (c, false);
        }

        if (!reread.IsExportDueForDeletion(at) || !c.RecordsSameExportAs(reread))
        {
            return (reread, false);
        }

        // Still the zip read before the version: a retry's write of a recorded zip begins only after its record is
        // replaced, so the version is this zip's (or none, when it was gone already). A duplicate run of the build that
        // read the case while no zip was recorded and commits only now deletes its own zip (decision 135).
        return (reread, version is null || await exports.DeleteAsync(reread.ExportBlobName!, version, cancellationToken));
    }
}
