using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Requests;
using Infomat.Privacy.Stores;
using Infomat.Privacy.TestSupport;

using Microsoft.Extensions.Configuration;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>Cases a test puts straight into the register the hosts share, as if received in the past.</summary>
public static class TestCases
{
    /// <summary>The register as the hosts see it (same storage, same key).</summary>
    public static ICaseRegister Register(Azurite azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        return new AuditedCaseRegister(new TableCaseRegister(Clients(azurite)), AuditTrail(azurite), new KeyedHash(LocalHostProcess.PseudonymisationKey));
    }

    /// <summary>The audit trail as the hosts write it (same storage, same chain key).</summary>
    public static TableAuditTrail AuditTrail(Azurite azurite) =>
        new(Clients(azurite), new AuditChain(new KeyedHash(LocalHostProcess.PseudonymisationKey).DeriveKey("audit-chain")), TimeProvider.System);

    private static StorageClients Clients(Azurite azurite) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build());

    /// <summary>A rectification waiting on staff since <paramref name="receivedAt"/>: it stays open whoever resumes it.</summary>
    public static async Task<PrivacyCase> WaitingAsync(Azurite azurite, DateTimeOffset receivedAt, string email, DateOnly? dueDate = null)
    {
        var request = new ValidRequest(RequestType.Rectification, email, "Test Person", null, ControllerScope.Of("be"), Language.Nl, "Mijn functie is gewijzigd.", null);
        var c = PrivacyCase.Received(request, Channel.Form, receivedAt, TestDataMaps.Real) with
        {
            EmailVerifiedAt = receivedAt,
            AcknowledgedAt = receivedAt,
            ApprovalMailSentAt = receivedAt,
            Decision = new IdentityDecision(DecisionOutcome.Approve, receivedAt.AddHours(1), "Staff One (no sign-in)", null),
            Tasks = [new StaffTask("be/crm", StaffTaskKind.Rectify, "be/crm", 1)],
            TasksMailSentAt = receivedAt.AddHours(1),
        };
        c = (c with { DueDate = dueDate ?? c.DueDate }).WithStatus(CaseStatus.InProgress, receivedAt.AddHours(1)).WithStatus(CaseStatus.AwaitingStaffAction, receivedAt.AddHours(1));
        await Register(azurite).CreateAsync(c, default);
        return c;
    }
}
