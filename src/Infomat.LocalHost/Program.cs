using Infomat.LocalHost;
using Infomat.Privacy.Http.Hosting;
using Infomat.Privacy.Workflow;
using Microsoft.DurableTask.Testing;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddInfomatPrivacy(builder.Configuration);
builder.Services.AddInMemoryDurableTask(r => r.AddPrivacyWorkflow());
builder.Services.AddHostedService<LocalStartup>();
builder.Services.AddHostedService<LocalHoldSweep>();
builder.Services.AddHostedService<InboxDirectoryWatcher>();
builder.Services.AddHostedService<GraphMailboxWorker>();

var app = builder.Build();
app.MapInfomatPrivacy();
app.MapGet("/", () => Results.Redirect("/privacy"));
app.Run();

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
