using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Infomat.Privacy.Audit;

/// <summary>The result of checking a case's chain; <see cref="Removed"/>: the signed checkpoint that stands for events removed at the end of their retention.</summary>
/// <see cref="Problem"/> says what broke in English (the command line, logs); <see cref="Kind"/> and <see cref="Numbers"/>
/// say the same for a page in the reader's language.
public sealed record AuditVerification(
    bool Intact, int Events, int? FirstBrokenSequence, string? Problem, AuditCheckpoint? Removed = null, AuditProblem? Kind = null, IReadOnlyList<int>? Numbers = null)
{
    public override string ToString() => (Intact, Removed) switch
    {
        (true, null) => $"intact: {Events} events",
        (true, { } r) => string.Create(CultureInfo.InvariantCulture,
            $"intact: {Events} events after a signed checkpoint (events 1-{r.Sequence} removed {r.At:yyyy-MM-dd}: {r.Reason})"),
        _ => $"BROKEN at event {FirstBrokenSequence}: {Problem}",
    };
}

/// <summary>What broke a chain (<see cref="AuditVerification.Numbers"/> gives the sequence numbers a kind names).</summary>
public enum AuditProblem
{
    /// <summary>The signed checkpoint of removed events does not match its signature.</summary>
    CheckpointSignature,

    /// <summary>An event of another case.</summary>
    OtherCase,

    /// <summary>An event numbered out of order: its number, then the one expected.</summary>
    Numbering,

    /// <summary>An event that does not link to the one before it.</summary>
    Link,

    /// <summary>An event whose content does not match its hash.</summary>
    Edited,

    /// <summary>Events the head kept outside the table records are gone: the first and the last missing.</summary>
    Missing,

    /// <summary>An event that is not the one the head kept outside the table records.</summary>
    Replaced,
}

/// <summary>
/// What stands in for the first <see cref="Sequence"/> events of a case's chain once they are removed (their retention
/// ended): the hash of the last one removed, when and why, signed with the chain's key. Verification starts from it, so
/// the events after it (if any) still chain, and a removal nobody signed (events deleted without a checkpoint, or a
/// checkpoint made without the key) shows as broken. It holds no personal data: a case id, a count, a hash, a date.
/// </summary>
public sealed record AuditCheckpoint(string CaseId, int Sequence, string LastHash, DateTimeOffset At, string Reason, string Signature);

/// <summary>
/// One event of a case's chain as recorded outside the audit table when it was appended, in an append-only blob (its
/// sequence and hash): what a deleted tail cannot take with it. It holds no personal data.
/// </summary>
public sealed record AuditHead(int Sequence, string Hash);

/// <summary>The hash chain: HMAC-SHA256 with a key derived from the pseudonymisation key, so nobody without it can re-chain an edit.</summary>
public sealed class AuditChain(byte[] key)
{
    public const string Genesis = "genesis";

    public string HashOf(string caseId, int sequence, DateTimeOffset at, string action, string actor, string outcome, string? subject, string previousHash)
    {
        var canonical = string.Join('\n',
            "v1", caseId, sequence.ToString(CultureInfo.InvariantCulture), at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            action, actor, outcome, subject ?? string.Empty, previousHash);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical)));
    }

    public AuditEvent Next(AuditEntry entry, AuditEvent? previous, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sequence = (previous?.Sequence ?? 0) + 1;
        at = entry.At ?? at;
        var previousHash = previous?.Hash ?? Genesis;
        return new AuditEvent(entry.CaseId, sequence, at, entry.Action, entry.Actor, entry.Outcome, entry.Subject, previousHash,
            HashOf(entry.CaseId, sequence, at, entry.Action, entry.Actor, entry.Outcome, entry.Subject, previousHash));
    }

    /// <summary>
    /// The checkpoint that replaces <paramref name="events"/> (the whole chain so far, checked intact first): null when
    /// the chain does not verify, so a removal never hides an edit.
    /// </summary>
    public AuditCheckpoint? Checkpoint(string caseId, IReadOnlyList<AuditEvent> events, DateTimeOffset at, string reason, AuditCheckpoint? earlier = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!Verify(caseId, events, earlier).Intact)
        {
            return null;
        }

        var kept = events.Where(e => earlier is null || e.Sequence > earlier.Sequence).ToList();
        var (sequence, lastHash) = kept.Count > 0 ? (kept[^1].Sequence, kept[^1].Hash) : (earlier?.Sequence ?? 0, earlier?.LastHash ?? Genesis);
        return new AuditCheckpoint(caseId, sequence, lastHash, at, reason, SignatureOf(caseId, sequence, lastHash, at, reason));
    }

    private string SignatureOf(string caseId, int sequence, string lastHash, DateTimeOffset at, string reason) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(string.Join('\n',
            "checkpoint-v1", caseId, sequence.ToString(CultureInfo.InvariantCulture), lastHash, at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), reason))));

    /// <summary>
    /// Checks numbering, links and hashes in order; names the first event that does not hold. With a checkpoint (events
    /// removed at the end of their retention), its signature is checked and the chain starts from it; events it covers
    /// that are still there (a removal cut short) are passed over.
    /// </summary>
    /// <remarks>
    /// With <paramref name="heads"/> (each event's sequence and hash as appended, kept outside the table:
    /// <see cref="AuditHead"/>), a recorded event that is gone, or whose hash changed, breaks the chain: deleting the last
    /// events, or deleting them and letting the next write append new ones in their place, no longer verifies.
    /// </remarks>
    public AuditVerification Verify(string caseId, IReadOnlyList<AuditEvent> events, AuditCheckpoint? checkpoint = null, IReadOnlyList<AuditHead>? heads = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var previousHash = Genesis;
        var first = 1;
        if (checkpoint is not null)
        {
            if (checkpoint.CaseId != caseId || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(checkpoint.Signature),
                Encoding.ASCII.GetBytes(SignatureOf(checkpoint.CaseId, checkpoint.Sequence, checkpoint.LastHash, checkpoint.At, checkpoint.Reason))))
            {
                return new AuditVerification(false, events.Count, checkpoint.Sequence, "the checkpoint of removed events does not match its signature", Kind: AuditProblem.CheckpointSignature);
            }

            events = events.Where(e => e.Sequence > checkpoint.Sequence).ToList();
            previousHash = checkpoint.LastHash;
            first = checkpoint.Sequence + 1;
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            (string Text, AuditProblem Kind, IReadOnlyList<int>? Numbers)? problem = null;
            if (e.CaseId != caseId)
            {
                problem = ("belongs to another case", AuditProblem.OtherCase, null);
            }
            else if (e.Sequence != first + i)
            {
                problem = ($"numbered {e.Sequence} where {first + i} was expected (an event is missing or inserted)", AuditProblem.Numbering, [e.Sequence, first + i]);
            }
            else if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                problem = ("does not link to the event before it", AuditProblem.Link, null);
            }
            else if (!CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(e.Hash),
                Encoding.ASCII.GetBytes(HashOf(e.CaseId, e.Sequence, e.At, e.Action, e.Actor, e.Outcome, e.Subject, e.PreviousHash))))
            {
                problem = ("its content does not match its hash (edited)", AuditProblem.Edited, null);
            }

            if (problem is { } p)
            {
                return new AuditVerification(false, events.Count, first + i, p.Text, checkpoint, p.Kind, p.Numbers);
            }

            previousHash = e.Hash;
        }

        // Every event the head outside the table recorded must still be there, with the same hash.
        foreach (var recorded in (heads ?? []).Where(h => h.Sequence >= first).OrderBy(h => h.Sequence))
        {
            var atHead = events.FirstOrDefault(e => e.Sequence == recorded.Sequence);
            if (atHead is null)
            {
                var last = events.Count == 0 ? first - 1 : events[^1].Sequence;
                var (from, to) = (Math.Min(last + 1, recorded.Sequence), heads!.Max(h => h.Sequence));
                return new AuditVerification(false, events.Count, recorded.Sequence,
                    $"events {from} to {to} are missing (the head kept outside the table records them)", checkpoint, AuditProblem.Missing, [from, to]);
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(atHead.Hash), Encoding.ASCII.GetBytes(recorded.Hash)))
            {
                return new AuditVerification(false, events.Count, recorded.Sequence, "is not the event the head kept outside the table records (replaced)", checkpoint, AuditProblem.Replaced);
            }
        }

        return new AuditVerification(true, events.Count, null, null, checkpoint);
    }
}
