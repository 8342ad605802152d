using System.Text.Json;
using System.Text.Json.Nodes;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Localization;
using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Mail;

/// <summary>
/// The approval request as Outlook shows it inside the mail: an Adaptive Card (an actionable message) with what the
/// decision page shows — the request, how the sender was verified, what each store holds, the due date, the approvals
/// so far — and, while the identity is undecided, the decisions themselves: approve (the evidence the pipeline
/// established chosen already, so a standard case is one click), reject with the reason, or ask for identification.
/// Each action posts to <c>/api/approvals/card</c> with the card's own token; the card asks for its current state when
/// opened (<c>autoInvokeAction</c>), so nobody acts on a stale one, and each decision says what the card showed of the
/// identity check (<see cref="BasisField"/>), so a click on a card Outlook did not refresh is refused rather than taken
/// on a case the staff member did not see. The link to the decision page stays in the mail.
/// </summary>
public static class ApprovalCard
{
    /// <summary>The Adaptive Card schema version the card declares (Outlook renders 1.4 in desktop, web and mobile).</summary>
    public const string Version = "1.4";

    /// <summary>The route every action of the card posts to.</summary>
    public const string Route = "api/approvals/card";

    /// <summary>
    /// The field of each decision's body that says what the card showed of the identity check
    /// (<see cref="PrivacyCase.DecisionBasis"/>): a click on a card older than a colleague's approval or request for more
    /// identification, or the requester's reply, is refused, not taken on a case the staff member did not see.
    /// </summary>
    public const string BasisField = "basis";

    /// <summary>
    /// The request for more identification on the case whose mail is not recorded as sent (<see cref="PrivacyCase.IdentificationRequestMailed"/>):
    /// its mail and its taking back both failed, or it is being sent this moment. One text for the decision page and the card.
    /// </summary>
    public static string NotMailedLine(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Texts.Format("ApprovalIdentificationNotMailed", l, Texts.DateTime(c.IdentificationRequestedAt ?? DateTimeOffset.MinValue, l), c.IdentificationRequestedBy ?? "?");
    }

    /// <summary>
    /// An approval set aside by a colleague's request for more identification (<see cref="PrivacyCase.SetAsideApprovals"/>):
    /// whose, and who asked when. One text for the decision page, the card and the case page.
    /// </summary>
    public static string SetAsideLine(IdentityApproval a, Language l)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Texts.Format("ApprovalSetAsideLine", l, a.By, Texts.DateTime(a.At, l), a.SetAsideBy ?? "?", Texts.DateTime(a.SetAsideAt ?? a.At, l));
    }

    /// <summary>The body each action posts (JSON; Outlook fills in the <c>{{id.value}}</c> of the inputs).</summary>
    public static class Actions
    {
        public const string Refresh = "refresh";
        public const string Approve = "approve";
        public const string Reject = "reject";
        public const string RequestIdentification = "request-identification";

        /// <summary>Whether <paramref name="action"/> is one the card offers (a post naming another is not the card's).</summary>
        public static bool Offered(string? action) => action is Refresh or Approve or Reject or RequestIdentification;
    }

    /// <summary>
    /// The card for <paramref name="c"/> in the staff language <paramref name="l"/>. <paramref name="status"/> is the line
    /// that says what an action just did (null in the mail). <paramref name="actionUrl"/> carries the card's token.
    /// </summary>
    /// <paramref name="decisionsOffered"/> false leaves the decisions off (the card's token has expired: its state is
    /// still shown, the decision page link works).
    public static JsonObject Build(PrivacyCase c, Stores.DataMap map, Language l, string originator, Uri actionUrl, Uri pageLink, string? status = null, bool decisionsOffered = true)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(actionUrl);
        ArgumentNullException.ThrowIfNull(pageLink);
        var open = decisionsOffered && c.Decision is null && !c.Status.IsFinished();
        var body = new JsonArray
        {
            TextBlock(Texts.Format("MailApprovalSubject", l, Texts.RightNames(c.Rights, l), c.Id, Texts.Date(c.DueDate, l)), "Bolder", "Medium"),
        };
        if (status is not null)
        {
            body.Add(Container("attention", TextBlock(status, "Bolder")));
        }

        body.Add(new JsonObject
        {
            ["type"] = "FactSet",
            ["facts"] = new JsonArray([.. PrivacyMails.Facts(c, map, l).Select(f => (JsonNode)new JsonObject { ["title"] = f.Label, ["value"] = f.FromRequester ? Literal(f.Value) : f.Value })]),
        });
        body.Add(TextBlock(Texts.Get("LabelHoldings", l), "Bolder"));
        body.Add(TextBlock(string.Join("\n", PrivacyMails.Holdings(c, map, l).Select(h => "- " + h))));
        foreach (var line in State(c, l))
        {
            body.Add(TextBlock(line));
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = Version,
            ["originator"] = originator,
            ["hideOriginalBody"] = false,
            ["lang"] = Languages.ToWire(l),
            ["autoInvokeAction"] = Http(null, actionUrl, $"{{\"action\":\"{Actions.Refresh}\"}}"),
            ["body"] = body,
        };
        var actions = new JsonArray();
        if (open)
        {
            var established = IdentityApproval.Established(c);
            body.Add(new JsonObject
            {
                ["type"] = "Input.ChoiceSet",
                ["id"] = "evidence",
                ["label"] = Texts.Get("ApprovalEvidence", l),
                ["style"] = "compact",
                ["isRequired"] = true,
                ["errorMessage"] = Texts.Get("CardEvidenceRequired", l),
                ["choices"] = new JsonArray([.. IdentityApproval.EvidenceKinds.Select(e => (JsonNode)new JsonObject { ["title"] = Texts.Evidence(e, l), ["value"] = e })]),
            });
            if (established is not null)
            {
                ((JsonObject)body[^1]!)["value"] = established;
            }

            body.Add(Input("note", Texts.Get("ApprovalEvidenceNote", l), required: false));
            // What this card shows of the identity check goes with every decision (PrivacyCase.DecisionBasisRefusal).
            var basis = $"\"{BasisField}\":\"{c.DecisionBasis}\"";
            actions.Add(WithStyle(Http(Texts.Get("ApprovalApprove", l), actionUrl,
                $"{{\"action\":\"{Actions.Approve}\",\"evidence\":\"{{{{evidence.value}}}}\",\"note\":\"{{{{note.value}}}}\",{basis}}}"), "positive"));
            actions.Add(ShowCard(Texts.Get("CardReject", l), Input("reason", Texts.Get("ApprovalReason", l), required: true, Texts.Get("CardReasonRequired", l)),
                Http(Texts.Get("ApprovalReject", l), actionUrl, $"{{\"action\":\"{Actions.Reject}\",\"reason\":\"{{{{reason.value}}}}\",{basis}}}")));
            if (c.IdentificationRequestedAt is null)
            {
                // Asked once from this card; asking again (after the answer) is done from the decision page.
                actions.Add(ShowCard(Texts.Get("CardAskIdentification", l), Input("needed", Texts.Get("ApprovalIdentification", l), required: true, Texts.Get("CardReasonRequired", l)),
                    Http(Texts.Get("ApprovalIdentificationButton", l), actionUrl, $"{{\"action\":\"{Actions.RequestIdentification}\",\"reason\":\"{{{{needed.value}}}}\",{basis}}}")));
            }
        }

        // Everything else (refusing a manifestly unfounded or excessive request, Art. 12(5)) and clients without cards: the page.
        actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = Texts.Get("CardOpenPage", l), ["url"] = pageLink.AbsoluteUri });
        card["actions"] = actions;
        return card;
    }

    /// <summary>
    /// The card for an approval mail (request, reminder, escalation) as JSON, or null when the cards are off
    /// (<see cref="Configuration.PrivacyOptions.ApprovalCardsOn"/>). <paramref name="issueToken"/> gives the card's
    /// token (<see cref="Tokens.TokenPurpose.ApprovalCard"/>); <paramref name="pageLink"/> is the mail's decision link.
    /// </summary>
    public static string? ForMail(PrivacyCase c, Stores.DataMap map, Configuration.PrivacyOptions options, Func<string> issueToken, Uri pageLink)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(issueToken);
        return options.ApprovalCardsOn
            ? ToJson(Build(c, map, options.Staff.Language, options.ActionableMessages.Originator!, options.Link(Route, issueToken()), pageLink))
            : null;
    }

    /// <summary>The card as the JSON that goes into the mail's HTML and into a refresh answer.</summary>
    public static string ToJson(JsonObject card)
    {
        ArgumentNullException.ThrowIfNull(card);
        // The default encoder escapes <, > and &: the JSON can sit in a <script> element without closing it.
        return card.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Where the decision stands: the approvals so far, the approvals still needed, an identification asked for, or the decision.</summary>
    public static IReadOnlyList<string> State(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        var lines = new List<string>();
        if (c.Decision is { } d)
        {
            lines.Add(Texts.Format("ApprovalDecided", l, Texts.Get("Decision" + d.Outcome, l), Texts.DateTime(d.DecidedAt, l), d.DecidedBy));
            return lines;
        }

        if (c.Status.IsFinished())
        {
            lines.Add(NotOpen(c, l));
            return lines;
        }

        foreach (var a in c.SetAsideApprovals)
        {
            lines.Add(SetAsideLine(a, l));
        }

        foreach (var a in c.Approvals)
        {
            lines.Add(Texts.Format("ApprovalSoFar", l, a.By, Texts.DateTime(a.At, l), Texts.Evidence(a.Evidence, l)));
        }

        if (c.ApprovalsRequired > 1)
        {
            lines.Add(c.Approvals.Count == 0
                ? Texts.Format("CardTwoApprovers", l, c.ApprovalsRequired)
                : Texts.Format("CardWaitingForApprover", l, c.Approvals.Count + 1, c.ApprovalsRequired));
        }

        if (c.IdentificationRequestedAt is { } askedAt)
        {
            lines.Add(c.IdentificationRequestMailed ? Texts.Format("CardIdentificationAsked", l, Texts.DateTime(askedAt, l), c.IdentificationRequestedBy ?? "?") : NotMailedLine(c, l));
            // The latest few: a card must stay small enough for Outlook (the decision page lists them all).
            lines.AddRange(c.IdentificationReplies.TakeLast(3).Select(r => PrivacyMails.IdentificationReplyLine(c, r, l)));
        }

        return lines;
    }

    /// <summary>
    /// Why the card takes no decision on an undecided case that is not open: closed (its status, since when), or failed
    /// (it needs attention: staff retry it from its case page, and then the card and the mail's link work again).
    /// </summary>
    public static string NotOpen(PrivacyCase c, Language l)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.DecisionResumesOnRetry
            ? Texts.Format("CardCaseFailed", l, Texts.DateTime(c.ClosedAt ?? c.ReceivedAt, l), c.Id)
            : Texts.Format("ApprovalCaseClosed", l, Texts.Status(c.StatusNamedWhenClosed, c.RejectedAs, l), Texts.DateTime(c.ClosedAt ?? c.ReceivedAt, l));
    }

    /// <summary>
    /// What the requester wrote, as literal text: Outlook reads card text as Markdown, so a link, emphasis or list the
    /// requester typed would otherwise show as ours (a "[confirmed](…)" above the Approve button). Each Markdown
    /// character is escaped with a backslash (CommonMark), and line breaks become spaces.
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var literal = new System.Text.StringBuilder(value.Length + 16);
        foreach (var ch in value.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' '))
        {
            if ("\\`*_{}[]()<>#+-.!|~".Contains(ch, StringComparison.Ordinal))
            {
                literal.Append('\\');
            }

            literal.Append(ch);
        }

        return literal.ToString();
    }

    private static JsonObject TextBlock(string text, string? weight = null, string? size = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (weight is not null)
        {
            block["weight"] = weight;
        }

        if (size is not null)
        {
            block["size"] = size;
        }

        return block;
    }

    private static JsonObject Container(string style, JsonObject item) =>
        new() { ["type"] = "Container", ["style"] = style, ["items"] = new JsonArray(item) };

    private static JsonObject Input(string id, string label, bool required, string? errorMessage = null)
    {
        var input = new JsonObject { ["type"] = "Input.Text", ["id"] = id, ["label"] = label, ["isMultiline"] = true, ["maxLength"] = 2000, ["isRequired"] = required };
        if (errorMessage is not null)
        {
            input["errorMessage"] = errorMessage;
        }

        return input;
    }

    /// <summary>
    /// An <c>Action.Http</c> POST of <paramref name="body"/> (JSON) to <paramref name="url"/>. The empty Authorization header
    /// makes Outlook send its token in <c>Action-Authorization</c>, so App Service Authentication in front of the app
    /// never takes it for a sign-in of its own.
    /// </summary>
    private static JsonObject Http(string? title, Uri url, string body)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Http",
            ["method"] = "POST",
            ["url"] = url.AbsoluteUri,
            ["body"] = body,
            ["headers"] = new JsonArray(
                new JsonObject { ["name"] = "Authorization", ["value"] = string.Empty },
                new JsonObject { ["name"] = "Content-Type", ["value"] = "application/json" }),
        };
        if (title is not null)
        {
            action["title"] = title;
        }

        return action;
    }

    private static JsonObject WithStyle(JsonObject action, string style)
    {
        action["style"] = style;
        return action;
    }

    private static JsonObject ShowCard(string title, JsonObject input, JsonObject submit) => new()
    {
        ["type"] = "Action.ShowCard",
        ["title"] = title,
        ["card"] = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(input),
            ["actions"] = new JsonArray(submit),
        },
    };
}
