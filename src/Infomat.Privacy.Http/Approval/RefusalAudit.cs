using System.Security.Cryptography;

using Infomat.Privacy.Audit;

namespace Infomat.Privacy.Http.Approval;

/// <summary>
/// A staff action on a known case that was refused, in the case's audit trail: who (the staff id, when known), what and
/// why (codes); never a token or an address. Each attempt is an event of its own (its key: the prefix, the time and a
/// random part). The refusal stands whether or not it could be written; the caller logs when it was not.
/// </summary>
internal static class RefusalAudit
{
    /// <summary>Appends the refusal; null when written, else the error's type name (for the caller's log line).</summary>
    public static async Task<string?> TryAppendAsync(
        IAuditTrail audit, TimeProvider time, string caseId, string keyPrefix, string action, string? actor, string why, CancellationToken cancellationToken)
    {
        try
        {
            var key = keyPrefix + "." + time.GetUtcNow().ToUnixTimeMilliseconds() + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            await audit.AppendAsync(new AuditEntry(caseId, key, action, actor ?? "unknown", why), cancellationToken);
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ex.GetType().Name;
        }
    }
}
