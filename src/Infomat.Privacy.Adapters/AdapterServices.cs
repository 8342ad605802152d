using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Storage;
using Infomat.Privacy.Stores;

using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Adapters;

/// <summary>
/// Registers every adapter behind the domain's ports: storage (register, audit trail, staging, exports, key ring),
/// mail (pickup directory, SendGrid, Graph, the inbound queue) and the SQL entity stores, with their options. The
/// composition root calls it once; nothing above this project names an adapter type to wire it.
/// </summary>
public static class AdapterServices
{
    public static IServiceCollection AddInfomatAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.PickupDirectory)
                    || (!string.IsNullOrWhiteSpace(configuration["Mail:SendGrid:ApiKey"]) && !string.IsNullOrWhiteSpace(configuration["Mail:Graph:Mailbox"])),
                "Mail:PickupDirectory is not set: set it (local), or set both Mail:SendGrid:ApiKey (requester mail) and Mail:Graph:Mailbox (staff mail).")
            .ValidateOnStart();
        services.AddOptions<GraphMailOptions>().Bind(configuration.GetSection(GraphMailOptions.Section))
            .Validate(o => !o.Enabled || o.ClientState is { Length: >= 32 and <= 128 },
                "Mail:Graph:ClientState must be a secret of 32 to 128 characters when Mail:Graph:Mailbox is set.")
            .Validate(o => !o.Enabled || o.BaseUrl.IsLoopback || o.BaseUrl.Scheme == Uri.UriSchemeHttps, "Mail:Graph:BaseUrl must be https.")
            .ValidateOnStart();
        // The intake's view of the same section: filled from GraphMailOptions, so one binding and one validation serve both.
        services.AddOptions<MailboxIntakeOptions>().Configure<IOptions<GraphMailOptions>, IOptions<MailOptions>>((intake, graph, mail) =>
        {
            var g = graph.Value;
            intake.OwnAddresses = new[] { g.Mailbox, mail.Value.From }.OfType<string>().Where(a => a.Length > 0).ToList();
            intake.Enabled = g.Enabled;
            intake.ClientState = g.ClientState;
            intake.Category = g.Category;
            intake.FirstSweepLookback = g.FirstSweepLookback;
            intake.PollInterval = g.PollInterval;
            intake.SweepInterval = g.SweepInterval;
            intake.RenewInterval = g.RenewInterval;
        });
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section))
            .Validate(o => o.FilesStorage is "folder" or "blob", "Stores:FilesStorage must be folder or blob.")
            .ValidateOnStart();
        services.AddOptions<SendGridOptions>().Bind(configuration.GetSection(SendGridOptions.Section))
            .Validate(o => o.Host is not { Length: > 0 } host || (Uri.TryCreate(host, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.IsLoopback)),
                "Mail:SendGrid:Host must be an https URL (or a loopback stand-in).")
            .Validate(o => SendGridEventReports.IsKey(o.EventWebhookPublicKey),
                "Mail:SendGrid:EventWebhookPublicKey must be the Event Webhook's verification key as SendGrid shows it (base64, an ECDSA P-256 public key), or empty.")
            .ValidateOnStart();

        // Storage: the case register (audited: every write appends what the trail lacks), staging and exports.
        services.AddSingleton(_ => new StorageClients(configuration));
        services.AddSingleton<TableCaseRegister>();
        services.AddSingleton<IRegisterCleanup>(sp => sp.GetRequiredService<TableCaseRegister>());
        services.AddSingleton<IAuditTrail, TableAuditTrail>();
        services.AddSingleton<ITriagedMails, TableTriagedMails>();
        services.AddSingleton<ICaseRegister>(sp => new AuditedCaseRegister(
            sp.GetRequiredService<TableCaseRegister>(), sp.GetRequiredService<IAuditTrail>(), sp.GetRequiredService<KeyedHash>()));
        services.AddSingleton<IStagingStorage, BlobStagingStorage>();
        // The submission limits' counters, shared by every instance (decision 63).
        services.AddSingleton<ISubmissionCounters, TableSubmissionCounters>();
        services.AddSingleton<IExportStorage, BlobExportStorage>();

        // Mail out: staff mail through Graph, requester mail through SendGrid, otherwise the pickup directory.
        services.AddSingleton<PickupDirectoryMailSender>();
        services.AddSingleton<SendGridMailSender>();
        services.AddSingleton<IMailSender, RoutingMailSender>();

        // Mail in: the info@ mailbox through Graph, the queue in front of it, where its delta sweep resumes.
        services.AddSingleton<GraphMailbox>();
        services.AddSingleton<IMailbox>(sp => sp.GetRequiredService<GraphMailbox>());
        services.AddSingleton<IInboundMailBacklog, InboundMailBacklog>();
        services.AddSingleton<IInboundMailParser, MimeKitInboundMailParser>();
        services.AddSingleton<IMailNotificationReader, GraphNotificationReader>();
        services.AddSingleton<IMailServiceReports, SendGridEventReports>();
        services.AddSingleton<IDeltaLinkStorage, BlobDeltaLinkStorage>();
        services.AddSingleton<IIntakeLock, BlobIntakeLock>();

        // Entity stores: one catalog serves the connectors and their upkeep.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreOptions>>();
            IStoreFileStorage files = options.Value.FilesStorage == "blob"
                ? new BlobFileStorage(sp.GetRequiredService<StorageClients>().Files)
                : new FolderFileStorage(options.Value.FilesRoot);
            return new SqlStoreCatalog(sp.GetRequiredService<DataMap>(), options, sp.GetRequiredService<KeyedHash>(), files);
        });
        services.AddSingleton<IEntityStoreCatalog>(sp => sp.GetRequiredService<SqlStoreCatalog>());
        services.AddSingleton<IEntityStoreMaintenance>(sp => sp.GetRequiredService<SqlStoreCatalog>());

        // The data-protection key ring (antiforgery) in blob storage, shared by every instance, encrypted (issue 18).
        services.AddEncryptedKeyRing(configuration);
        return services;
    }
}
