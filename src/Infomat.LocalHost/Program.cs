using Infomat.LocalHost;
using Infomat.LocalHost.Durable;
using Infomat.LocalHost.Faults;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Workflow;

if (args is ["verify-audit", .. var caseIds])
{
    // A command, not the host: checks each case's audit chain against the configured storage and key.
    return await AuditCommand.VerifyAsync(caseIds, args[1..]);
}

if (args is ["seed-demo-stores", ..])
{
    // A command: fills an empty PostgreSQL database with the demo stores (trying a deployment without Infomat's own).
    return await SeedStoresCommand.RunAsync(args[1..]);
}

if (args is ["redrive-mail", ..])
{
    // A command: moves the poisoned mail-intake items back to the queue once their cause is fixed.
    return await RedriveMailCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
// When each connection's bytes reach Kestrel's HTTP layer, for the case list's Server-Timing (issue 21 item 3).
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(TimedTransport.Use));
builder.Services.AddInfomatPrivacy(builder.Configuration);
// Test-only fault injection for the soak run (scripts/soak.sh): nothing unless LocalHost:Faults:Enabled is true.
builder.Services.AddLocalFaults(builder.Configuration);
// The orchestrations on the Azure Storage provider against the host's storage (Azurite), as in Azure (decision 72).
builder.Services.AddLocalDurableTask(builder.Configuration, r => r.AddPrivacyWorkflow());
builder.Services.AddHostedService<LocalStartup>();
builder.Services.AddHostedService<LocalHoldSweep>();
builder.Services.AddHostedService<LocalCaseMaintenance>();
builder.Services.AddHostedService<InboxDirectoryWatcher>();
builder.Services.AddHostedService<GraphMailboxWorker>();
// Both mail sources count before a case waiting on the requester's reply may expire.
builder.Services.AddSingleton<Infomat.Privacy.Intake.IMailIntakeProgress, LocalMailProgress>();

var app = builder.Build();
// Counts the thread pool's starvation for the case list's Server-Timing (issue 21 item 3; the local host only: the
// runtime's threading events cost a little on every worker that parks).
ThreadPoolStarvation.Start();
ThreadPoolDelay.Start();
// The headers every response carries (the Functions app applies the same ones as it runs a handler's result).
app.Use(async (context, next) =>
{
    // When the request entered the pipeline, for the case list's Server-Timing (its step "before"), and where the
    // previous answer on the connection went.
    ServerTiming.MarkStart(context, TimedTransport.LastReadAt(context), TimedTransport.PreviousAnswer(context));
    Infomat.Privacy.Http.Pages.SecurityHeaders.Apply(context.Response);
    await next(context);
    TimedTransport.MarkWritten(context);
});
app.MapInfomatPrivacy();
app.MapLocalFaults(builder.Configuration);
app.MapGet("/", () => Results.Redirect("/privacy"));
app.Run();
return 0;

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
