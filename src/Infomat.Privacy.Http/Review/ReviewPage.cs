using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Export;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.Http;

using static Infomat.Privacy.Http.Pages.Html;

namespace Infomat.Privacy.Http.Review;

/// <summary>
/// The review page (Art. 15(4)): the case's facts and each free-text value of the records staged for its export, with
/// where it is (company, system, table, record, column) and a box to withhold it; or what the review recorded.
/// The values are read from blob staging for the page only; nothing of them is written anywhere.
/// </summary>
public sealed class ReviewPage(StaffPages staff, DataMap dataMap, IStagingStorage staging)
{
    /// <summary>The free-text values staged for the case while its review is open (none otherwise), in store order.</summary>
    public async Task<IReadOnlyList<FreeTextValue>> ValuesAsync(PrivacyCase c, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        var values = new List<FreeTextValue>();
        if (!c.AwaitsExportReview)
        {
            return values;
        }

        // Retired stores too (decision 114): records staged before a store was retired are built into the zip, so their
        // free text is reviewed like any other.
        foreach (var store in dataMap.StoresOf(c.Entity).Concat(dataMap.RetiredStores.Where(r => c.Entity.Codes.Contains(r.Entity))))
        {
            await foreach (var value in FreeTextReview.ValuesAsync(store, staging.ReadAsync(c.Id, store.Key, cancellationToken), cancellationToken))
            {
                values.Add(value);
            }
        }

        return values;
    }

    public async Task<string> BodyAsync(HttpRequest request, PrivacyCase c, string token, Language l, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(c);
        var body = new StringBuilder(Facts(PrivacyMails.Facts(c, dataMap, l)));
        if (Done(c, l) is { } done)
        {
            return body.Append(P(done)).ToString();
        }

        if (c.ReviewWaitsOnRetry)
        {
            return body.Append("<p class=\"error\" role=\"alert\">").Append(E(Texts.Format("ReviewCaseFailed", l, Texts.DateTime(c.FailedAt ?? c.ReceivedAt, l), c.Id))).Append("</p>").ToString();
        }

        if (!c.AwaitsExportReview)
        {
            return body.Append(P(Texts.Get("ReviewNotOpen", l))).ToString();
        }

        body.Append(P(Texts.Get("ReviewIntro", l)));
        var before = c.EarlierReviews.LastOrDefault(r => r.DoneAt is not null);
        if (before is not null)
        {
            // Opened again after a retry collected other free text (decision 117): what was withheld then is ticked.
            body.Append(P(Texts.Format("ReviewAgain", l, Texts.DateTime(before.DoneAt!.Value, l), before.DoneBy ?? "-")));
        }

        body
            .Append("<form method=\"post\" action=\"/review\"><input type=\"hidden\" name=\"token\" value=\"").Append(E(token)).Append("\">")
            // What the page was opened on: a review replaced since (the records collected again) refuses this form.
            .Append("<input type=\"hidden\" name=\"").Append(BasisField).Append("\" value=\"").Append(E(c.ExportReviewBasis ?? string.Empty)).Append("\">")
            .Append(staff.Forms.HiddenField(request))
            .Append("<table><thead><tr><th scope=\"col\">").Append(E(Texts.Get("ReviewWithhold", l))).Append("</th><th scope=\"col\">")
            .Append(E(Texts.Get("ReviewValue", l))).Append("</th></tr></thead><tbody>");
        var n = 0;
        foreach (var value in await ValuesAsync(c, cancellationToken))
        {
            var id = "withhold-" + (++n).ToString(System.Globalization.CultureInfo.InvariantCulture);
            body.Append("<tr><td><input type=\"checkbox\" id=\"").Append(id).Append("\" name=\"withhold\" value=\"").Append(E(value.At.FormValue))
                .Append(before?.Withheld.Contains(value.At) == true ? "\" checked>" : "\">").Append("</td><td><label for=\"")
                .Append(id).Append("\">").Append(E(Where(value.At, l))).Append("</label><blockquote>").Append(E(value.Text)).Append("</blockquote></td></tr>");
        }

        return body.Append("</tbody></table>").Append(staff.NameField("review-name"))
            .Append("<button type=\"submit\">").Append(E(Texts.Get("ReviewBuild", l))).Append("</button></form>").ToString();
    }

    /// <summary>The form field carrying <see cref="PrivacyCase.ExportReviewBasis"/>.</summary>
    public const string BasisField = "review_basis";

    /// <summary>What a finished review recorded (when, by whom, how many withheld), or null while it is open.</summary>
    public static string? Done(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Review is { DoneAt: { } at } review
            ? Texts.Format("ReviewAlreadyDone", l, Texts.DateTime(at, l), review.DoneBy ?? "?", review.Withheld.Count)
            : null;
    }

    /// <summary>Where a value is, as staff read it: company, system, table, record, column.</summary>
    private string Where(WithheldValue at, Language l)
    {
        var store = dataMap.Store(at.StoreKey);
        var table = store.TryTable(at.Table);
        return Texts.Format("ReviewWhere", l, dataMap.Controller(store.Entity).LegalName, store.Name.In(l), table?.Name.In(l) ?? at.Table, at.Record, at.Column);
    }
}
