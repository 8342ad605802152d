using Infomat.Privacy.Audit;
using Infomat.Privacy.Http.Hosting;

namespace Infomat.LocalHost;

/// <summary>
/// <c>Infomat.LocalHost verify-audit PR-… [PR-…]</c>: verifies each case's audit chain (numbering, links, keyed hashes)
/// with the app's own configuration (appsettings, environment), prints one line per case, and exits 1 when any chain is
/// broken, naming the first event that does not hold. A case removed at the end of its retention is checked from its
/// signed checkpoint. Works against Azure storage too (identity-based settings).
/// </summary>
internal static class AuditCommand
{
    public static async Task<int> VerifyAsync(string[] caseIds, string[] args)
    {
        if (caseIds.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: verify-audit PR-XXXX-XXXX-XXXX [more references]");
            return 2;
        }

        var builder = Commands.Builder(args);
        builder.Services.AddInfomatPrivacy(builder.Configuration);
        using var host = builder.Build();
        var trail = host.Services.GetRequiredService<IAuditTrail>();
        var chain = host.Services.GetRequiredService<AuditChain>();
        var broken = 0;
        foreach (var caseId in caseIds.Where(c => !c.StartsWith("--", StringComparison.Ordinal)))
        {
            var events = await trail.ListAsync(caseId, CancellationToken.None);
            // A case removed at the end of its retention left a signed checkpoint: the chain is checked from it.
            var checkpoint = await trail.CheckpointAsync(caseId, CancellationToken.None);
            // Each event as recorded outside the table when it was appended: a deleted tail shows against it.
            var heads = await trail.HeadsAsync(caseId, CancellationToken.None);
            var result = events.Count == 0 && checkpoint is null ? new AuditVerification(false, 0, null, "no events") : chain.Verify(caseId, events, checkpoint, heads);
            broken += result.Intact ? 0 : 1;
            Console.WriteLine($"{caseId}: {result}");
        }

        return broken == 0 ? 0 : 1;
    }
}
