using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infomat.Privacy.Http.Hosting;

/// <summary>
/// Link tokens travel in query strings (<c>/verify?token=</c>, <c>/approvals?token=</c>, <c>/tasks?token=</c>,
/// <c>/download?token=</c>). ASP.NET Core's hosting diagnostics write the whole URL ("Request starting GET
/// …/download?token=…", "Request finished …") at Information, and HTTP logging would too; in the Functions worker
/// those lines go to Application Insights. Both categories are held at Warning here, for every logging provider and
/// after any configuration (a <c>Logging:LogLevel</c> or <c>Logging:Console:LogLevel</c> setting cannot turn them back
/// on): a link token is a key to a case and has no place in a log (decision 60).
/// </summary>
public static class TokenFreeLogging
{
    /// <summary>The categories that write request URLs (with their query strings).</summary>
    public static readonly IReadOnlyList<string> UrlCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.W3CLogging",
    ];

    public static IServiceCollection AddTokenFreeLogging(this IServiceCollection services)
    {
        // Post-configure runs after the configuration's rules are read; a rule for the same provider and category added
        // last wins, and a rule naming a provider beats one naming none, so one is added for each provider named.
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            foreach (var category in UrlCategories)
            {
                foreach (var provider in providers)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, filter: null));
                }
            }
        });
        return services;
    }
}
