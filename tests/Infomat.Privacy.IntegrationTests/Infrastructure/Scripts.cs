using System.Diagnostics;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>Runs a script of <c>scripts/</c> as ops would, and returns its exit code and output.</summary>
internal static class Scripts
{
    public static async Task<(int Exit, string Output)> RunAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "scripts", script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
