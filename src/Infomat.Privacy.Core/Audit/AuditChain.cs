using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Infomat.Privacy.Audit;

/// <summary>The result of checking a case's chain.</summary>
public sealed record AuditVerification(bool Intact, int Events, int? FirstBrokenSequence, string? Problem)
{
    public override string ToString() => Intact
        ? $"intact: {Events} events"
        : $"BROKEN at event {FirstBrokenSequence}: {Problem}";
}

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

    /// <summary>Checks numbering, links and hashes in order; names the first event that does not hold.</summary>
    public AuditVerification Verify(string caseId, IReadOnlyList<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var previousHash = Genesis;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            string? problem = null;
            if (e.CaseId != caseId)
            {
                problem = "belongs to another case";
            }
            else if (e.Sequence != i + 1)
            {
                problem = $"numbered {e.Sequence} where {i + 1} was expected (an event is missing or inserted)";
            }
            else if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                problem = "does not link to the event before it";
            }
            else if (!CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(e.Hash),
                Encoding.ASCII.GetBytes(HashOf(e.CaseId, e.Sequence, e.At, e.Action, e.Actor, e.Outcome, e.Subject, e.PreviousHash))))
            {
                problem = "its content does not match its hash (edited)";
            }

            if (problem is not null)
            {
                return new AuditVerification(false, events.Count, i + 1, problem);
            }

            previousHash = e.Hash;
        }

        return new AuditVerification(true, events.Count, null, null);
    }
}
