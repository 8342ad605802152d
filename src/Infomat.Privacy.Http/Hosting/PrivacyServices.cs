using Infomat.Privacy.Adapters;
using Infomat.Privacy.Audit;
using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Http.Approval;
using Infomat.Privacy.Http.Cases;
using Infomat.Privacy.Http.Download;
using Infomat.Privacy.Http.Intake;
using Infomat.Privacy.Http.Links;
using Infomat.Privacy.Http.MailNotifications;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Http.Pages;
using Infomat.Privacy.Http.Staff;
using Infomat.Privacy.Http.Review;
using Infomat.Privacy.Http.StaffTasks;
using Infomat.Privacy.Http.Triage;
using Infomat.Privacy.Http.Verification;
using Infomat.Privacy.Intake;
using Infomat.Privacy.Stores;
using Infomat.Privacy.Tokens;
using Infomat.Privacy.Workflow;
using Infomat.Privacy.Workflow.Activities.Verification;

using Microsoft.AspNetCore.DataProtection;
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
            .Validate(o => LinkTokenKeys.TryParse(o.Tokens.SigningKey) is not null, "Privacy:Tokens:SigningKey must be a base64 key of at least 32 bytes, or several separated by commas (the current one first).")
            .Validate(o => TryKey(o.Pseudonymisation.Key) is not null, "Privacy:Pseudonymisation:Key must be a base64 key of at least 32 bytes.")
            .Validate(o => o.PublicBaseUrl.IsAbsoluteUri, "Privacy:PublicBaseUrl must be an absolute URL.")
            .Validate(o => StaffMail.IsValidSetting(o.Staff.Address, required: true), "Privacy:Staff:Address must list one or more mail addresses, separated by ';' (addresses only, no names).")
            .Validate(o => StaffMail.IsValidSetting(o.Staff.EscalationAddress, required: false), "Privacy:Staff:EscalationAddress must be empty or list mail addresses, separated by ';' (addresses only, no names).")
            .Validate(o => System.Text.RegularExpressions.Regex.IsMatch(o.Intake.LimitTable, "^[A-Za-z][A-Za-z0-9]{2,62}$"), "Privacy:Intake:LimitTable must be a table name: 3 to 63 letters and digits, starting with a letter.")
            .ValidateOnStart();

        // Every adapter (storage, mail, entity stores) and its options, validated at start after the privacy options.
        services.AddInfomatAdapters(configuration);

        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<PrivacyMetrics>();
        services.AddSingleton(sp => new LinkTokenService(LinkTokenKeys.TryParse(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.Tokens.SigningKey)!, sp.GetRequiredService<TimeProvider>()));
        // No link token in any log line, whatever the configured levels (decision 60).
        services.AddTokenFreeLogging();
        services.AddSingleton(sp => new KeyedHash(TryKey(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.Pseudonymisation.Key)!));
        // The data map: validated when the host starts (DataMapException lists every problem).
        services.AddSingleton(_ => DataMapLoader.Load(configuration["Privacy:DataMap"] is { Length: > 0 } path ? path : DataMapFiles.Default));
        services.AddSingleton(sp => new AuditChain(sp.GetRequiredService<KeyedHash>().DeriveKey("audit-chain")));

        services.AddHostedService<StoreStartup>();
        services.AddSingleton<CaseWorkflow>();
        services.AddSingleton<VerificationMail>();
        services.AddSingleton<NewCases>();
        // Stopping, the host waits for the cases begun after their answer (decision 86).
        services.AddHostedService(sp => sp.GetRequiredService<NewCases>());
        services.AddSingleton<HoldSweep>();
        services.AddSingleton<CaseMaintenance>();
        services.AddSingleton<RetentionSweep>();
        services.AddSingleton<OpenRequests>();
        services.AddSingleton<TriagedMails>();
        services.AddSingleton<TriagedMailCases>();
        services.AddSingleton<TriageEndpoints>();
        services.AddSingleton<MailIntake>();
        services.AddSingleton<GraphIntake>();
        // How far the mailbox has been read, before a case waiting on the requester's reply may expire (the local host
        // adds its inbox folder).
        services.AddSingleton<IMailIntakeProgress>(sp => sp.GetRequiredService<GraphIntake>());
        services.AddSingleton<MailNotificationEndpoints>();
        services.AddSingleton<MailEvents.MailEventEndpoints>();
        services.AddSingleton<SubmissionLimits>();
        services.AddSingleton(HostingPlatform.From(configuration));
        services.AddSingleton(sp => new StaffSignIn(sp.GetRequiredService<IOptions<PrivacyOptions>>(), log: sp.GetService<Microsoft.Extensions.Logging.ILogger<StaffSignIn>>()));
        services.AddSingleton<StaffAccess>();
        services.AddDataProtection().SetApplicationName("infomat-privacy");
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "infomat-staff-af";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.FormFieldName = StaffForms.FieldName;
        });
        services.AddSingleton<StaffForms>();
        services.AddSingleton<StaffPages>();
        services.AddSingleton<CasePage>();
        services.AddSingleton<CaseEndpoints>();
        services.AddSingleton<CaseFollowUpEndpoints>();
        services.AddSingleton<RequestFormPage>();
        services.AddSingleton<PrivacyNoticePage>();
        services.AddSingleton<IntakeEndpoints>();
        services.AddSingleton<RequesterPages>();
        services.AddSingleton<CaseLinks>();
        services.AddSingleton<VerificationEndpoints>();
        services.AddSingleton<ApprovalPage>();
        services.AddSingleton<ApprovalDecisions>();
        services.AddSingleton<ApprovalEndpoints>();
        services.AddSingleton<ApprovalCardEndpoints>();
        services.AddSingleton<StaffTasksPage>();
        services.AddSingleton<StaffTaskEndpoints>();
        services.AddSingleton<ReviewPage>();
        services.AddSingleton<ReviewEndpoints>();
        services.AddSingleton<DownloadEndpoints>();

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
