using Infomat.Privacy.Requests;

namespace Infomat.Privacy.Intake;

// What the words around a phrase make of it (issue 15 second review, decision 51): data or a mailing list beside a
// phrase that needs them, the recruitment pool beside a word for leaving, and the clause a withdrawal names its consent in.
public static partial class MailClassifier
{
    /// <summary>Every consent, some, or marketing, read from the whole mail when the withdrawal's clause says nothing.</summary>
    private static ConsentScope WholeMailScope(string own)
    {
        var forMarketing = MailPhrases.Marketing.IsMatch(own) || MailPhrases.Unsubscribe.IsMatch(own);
        var forOther = MailPhrases.OtherConsent.IsMatch(own);
        return forMarketing && !forOther ? ConsentScope.Marketing : forOther && !forMarketing ? ConsentScope.Other : ConsentScope.All;
    }

    /// <summary>The clause around a phrase: cut at commas, colons and the conjunctions that join two requests.</summary>
    private static string ClauseOf(string sentence, int start, int end)
    {
        var from = 0;
        var to = sentence.Length;
        foreach (System.Text.RegularExpressions.Match m in ClauseBreak.Matches(sentence))
        {
            if (m.Index + m.Length <= start)
            {
                from = m.Index + m.Length;
            }
            else if (m.Index >= end && m.Index < to)
            {
                to = m.Index;
            }
        }

        return sentence[from..to];
    }

    private static readonly System.Text.RegularExpressions.Regex ClauseBreak = new(
        "[,:]|\\b(en|and|et|but|maar|mais)\\b", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// What the words around a phrase make of it (issue 15 second review): a phrase that needs data is strong only with
    /// the sender's own data or a data word in its sentence or the subject, and weak otherwise; a word for leaving is an
    /// unsubscribe beside a marketing word or alone, a withdrawal of consent beside the recruitment pool (in its clause
    /// first), and a mere hint beside anything else.
    /// </summary>
    private static List<Hit> Context(List<Hit> hits, string sentence, string subject)
    {
        var data = MailPhrases.SelfData.IsMatch(sentence) || MailPhrases.DataWord.IsMatch(sentence) || MailPhrases.SelfData.IsMatch(subject) || MailPhrases.DataWord.IsMatch(subject);
        var result = new List<Hit>(hits.Count);
        foreach (var hit in hits)
        {
            if (hit.NeedsData && hit.Weight == PhraseWeight.Strong && !data)
            {
                result.Add(hit with { Weight = PhraseWeight.Weak });
            }
            else if (hit.NeedsList)
            {
                var clause = ClauseOf(sentence, hit.Start, hit.End);
                var leave = new[] { clause, sentence, subject }
                    .Select(t => MailPhrases.Recruitment.IsMatch(t) ? RequestType.WithdrawConsent : MailPhrases.MailingList.IsMatch(t) ? RequestType.Objection : (RequestType?)null)
                    .FirstOrDefault(t => t is not null)
                    ?? (MailPhrases.NothingElse.IsMatch(sentence[hit.End..]) ? RequestType.Objection : null);
                result.Add(leave switch
                {
                    RequestType.WithdrawConsent => hit with { Type = RequestType.WithdrawConsent, Unsubscribe = false, Recruitment = true },
                    RequestType.Objection => hit,
                    _ => hit with { Weight = PhraseWeight.Hint, Unsubscribe = false },
                });
            }
            else
            {
                result.Add(hit);
            }
        }

        return result;
    }
}
