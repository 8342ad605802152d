using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Adapters.Stores;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Endpoints;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>The one composition root: the Functions app and the local host both call <see cref="AddInfomatPrivacy"/>.</summary>
public static class PrivacyServices
{
    public static IServiceCollection AddInfomatPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateDataAnnotations()
            .Validate(o => TryKey(o.Tokens.SigningKey) is not null, "Privacy:Tokens:SigningKey must be a base64 key of at least 32 bytes.")
            .Validate(o => TryKey(o.Pseudonymisation.Key) is not null, "Privacy:Pseudonymisation:Key must be a base64 key of at least 32 bytes.")
            .Validate(o => o.PublicBaseUrl.IsAbsoluteUri, "Privacy:PublicBaseUrl must be an absolute URL.")
            .ValidateOnStart();
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
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section));

        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<PrivacyMetrics>();
        services.AddSingleton(sp => new LinkTokenService(TryKey(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.Tokens.SigningKey)!, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new KeyedHash(TryKey(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.Pseudonymisation.Key)!));
        // The data map: validated when the host starts (DataMapException lists every problem).
        services.AddSingleton(_ => DataMapLoader.Load(configuration["Privacy:DataMap"] is { Length: > 0 } path ? path : DataMapFiles.Default));

        services.AddSingleton(sp => new StorageClients(configuration));
        services.AddSingleton<TableCaseRegister>();
        services.AddSingleton(sp => new AuditChain(sp.GetRequiredService<KeyedHash>().DeriveKey("audit-chain")));
        services.AddSingleton<IAuditTrail, TableAuditTrail>();
        services.AddSingleton<ICaseRegister>(sp => new AuditedCaseRegister(
            sp.GetRequiredService<TableCaseRegister>(), sp.GetRequiredService<IAuditTrail>(), sp.GetRequiredService<KeyedHash>()));
        services.AddSingleton<IStagingStore, BlobStagingStore>();
        services.AddSingleton<IExportStore, BlobExportStore>();
        services.AddSingleton<PickupDirectoryMailSender>();
        services.AddOptions<SendGridOptions>().Bind(configuration.GetSection(SendGridOptions.Section))
            .Validate(o => o.Host is not { Length: > 0 } host || (Uri.TryCreate(host, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.IsLoopback)),
                "Mail:SendGrid:Host must be an https URL (or a loopback stand-in).")
            .ValidateOnStart();
        services.AddSingleton<SendGridMailSender>();
        services.AddSingleton<IMailSender, RoutingMailSender>();
        services.AddSingleton<SqlStoreCatalog>();
        services.AddSingleton<IEntityStoreCatalog>(sp => sp.GetRequiredService<SqlStoreCatalog>());
        services.AddSingleton<IEntityStoreMaintenance>(sp => sp.GetRequiredService<SqlStoreCatalog>());

        services.AddHostedService<StoreStartup>();
        services.AddSingleton<CaseWorkflow>();
        services.AddSingleton<HoldSweep>();
        services.AddSingleton<CaseMaintenance>();
        services.AddSingleton<MailIntake>();
        services.AddSingleton<InboundMailBacklog>();
        services.AddSingleton<GraphMailbox>();
        services.AddSingleton<IMailNotificationReader, GraphNotificationReader>();
        services.AddSingleton<IDeltaLinkStore, BlobDeltaLinkStore>();
        services.AddSingleton<GraphIntake>();
        services.AddSingleton<MailEndpoints>();
        services.AddSingleton<SubmissionLimits>();
        services.AddSingleton<StaffAccess>();
        services.AddDataProtection().SetApplicationName("infomat-privacy");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new BlobXmlRepository(sp.GetRequiredService<StorageClients>())));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "infomat-staff-af";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.FormFieldName = StaffForms.FieldName;
        });
        services.AddSingleton<StaffForms>();
        services.AddSingleton<StaffPages>();
        services.AddSingleton<CaseEndpoints>();
        services.AddSingleton<IntakeEndpoints>();
        services.AddSingleton<LinkEndpoints>();

        // Activities are resolved from DI by the Functions trigger wrappers; the durable worker creates its own.
        foreach (var activity in PrivacyWorkflow.Activities)
        {
            services.AddTransient(activity);
        }

        return services;
    }

    private static byte[]? TryKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(base64);
            return key.Length >= 32 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
