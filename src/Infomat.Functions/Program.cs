using Infomat.Functions;
using Infomat.Privacy.Http.Hosting;

using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddInfomatPrivacy(builder.Configuration);
builder.Services.AddInfomatTelemetry(builder.Configuration);
builder.Build().Run();
