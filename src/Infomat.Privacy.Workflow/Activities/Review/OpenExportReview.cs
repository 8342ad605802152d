using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Export;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;

using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Workflow.Activities.Review;

/// <summary>
/// After collection, before the zip (Art. 15(4)): counts the free-text values in the records staged for the case; when
/// an access export holds any, opens the staff review once (the case waits, <c>AwaitingStaffAction</c>) and mails staff
/// the link once; a review still open is brought to what was staged again (a restart or retry collected again). Returns whether the export waits for the review (a flag and a count only).
/// </summary>
public sealed class OpenExportReview(
    ICaseRegister register, IStagingStorage staging, DataMap dataMap, IMailSender mail, LinkTokenService tokens, IOptions<PrivacyOptions> options, TimeProvider time, KeyedHash hash, ILogger<OpenExportReview> log)
    : TaskActivity<OpenExportReviewInput, ExportReviewState>
{
    public override async Task<ExportReviewState> RunAsync(TaskActivityContext context, OpenExportReviewInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var c = await register.RequireAsync(input.CaseId);
        if (FreeTextReview.Applies(c.Rights))
        {
            // Read once, in the stores' order (what the records are, not how they were fetched, makes the fingerprint).
            var (values, fingerprint) = await FreeTextReview.FingerprintAsync(
                input.StoreKeys.Order(StringComparer.Ordinal).Select(key => (dataMap.Store(key), staging.ReadAsync(c.Id, key, CancellationToken.None))), FingerprintKey(hash));

            if (c.NeedsExportReview(values))
            {
                var at = time.GetUtcNow();
                var opened = await register.ApplyAsync(c.Id, x => x.OpenExportReview(values, at, fingerprint), CancellationToken.None);
                c = opened.Case;
                if (c.Review is null)
                {
                    // Never an export of others' free text without the review: the step fails (and the case with it, for
                    // staff to retry) rather than go on as if there were nothing to review.
                    throw new InvalidOperationException($"Case {c.Id}: the review of its free text could not be opened ({opened.Refusal}); no export is built without it.");
                }
            }
            else if (c.NeedsExportReviewAgain(values, fingerprint))
            {
                // A retry collected again, and the free text is not what staff reviewed (decision 117): reviewed again.
                var at = time.GetUtcNow();
                var reopened = await register.ApplyAsync(c.Id, x => x.ReopenExportReview(values, fingerprint, at), CancellationToken.None);
                c = reopened.Case;
                if (c.Review is not { DoneAt: null })
                {
                    throw new InvalidOperationException($"Case {c.Id}: the review of its changed free text could not be opened ({reopened.Refusal}); no export is built without it.");
                }
            }
            else if (c.Review is { DoneAt: null } open && open.Fingerprint != fingerprint)
            {
                // Collected again before staff reviewed (a restart, a staff retry): they review what is staged now, which
                // is what the build will check (not the first collect's, which would fail the case after their review).
                var at = time.GetUtcNow();
                c = (await register.ApplyAsync(c.Id, x => x.RefreshOpenExportReview(values, fingerprint, at), CancellationToken.None)).Case;
            }
        }

        if (c.NeedsReviewMail)
        {
            var o = options.Value;
            var link = o.ReviewLink(tokens, c.Id);
            var opened = c;
            await log.SendToStaffAsync(mail, o.Staff, "Case " + c.Id, "export review", to => PrivacyMails.ExportReview(opened, dataMap, link, to, o.Staff.Language), CancellationToken.None);
            var at = time.GetUtcNow();
            c = (await register.ApplyAsync(c.Id, x => x.ExportReviewMailSent(at), CancellationToken.None)).Case;
            log.Step(c.Id, "export review opened");
        }

        return ReadExportReview.State(c);
    }

    /// <summary>The key the review's fingerprints are made under (derived from the pseudonymisation key; decision 117).</summary>
    public static byte[] FingerprintKey(KeyedHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash.DeriveKey("export-review-fingerprint");
    }
}

/// <summary>The case and the stores whose records are staged for it (ids only).</summary>
/// <remarks>The key of the review's fingerprints: <see cref="OpenExportReview.FingerprintKey"/>.</remarks>
public sealed record OpenExportReviewInput(string CaseId, IReadOnlyList<string> StoreKeys);

/// <summary>Whether the export still waits for staff to review its free text, and how many values it holds (a count only).</summary>
public sealed record ExportReviewState(bool Waiting, int Values);
