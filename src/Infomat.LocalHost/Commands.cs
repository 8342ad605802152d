namespace Infomat.LocalHost;

/// <summary>What the host's commands (<c>verify-audit</c>, <c>seed-demo-stores</c>, <c>redrive-mail</c>) share: the host's own configuration.</summary>
internal static class Commands
{
    /// <summary>A builder with the host's settings (appsettings.json, the environment, <c>--key value</c> arguments).</summary>
    public static HostApplicationBuilder Builder(string[] args) => Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
    {
        Args = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray(),
        // The host's appsettings.json sits beside the executable, wherever the command is run from.
        ContentRootPath = AppContext.BaseDirectory,
    });
}
