using System.Diagnostics;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>Runs a script of <c>scripts/</c> as ops would, and returns its exit code and output.</summary>
internal static class Scripts
{
    public static Task<(int Exit, string Output)> RunAsync(string script, params string[] args) => RunAsync(script, args, "bash", null);

    /// <param name="shell">What runs it: <c>sh</c> for the scripts azd runs (POSIX, dash on Debian).</param>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static async Task<(int Exit, string Output)> RunAsync(string script, IEnumerable<string> args, string shell, IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo(shell, [Path.Combine(Repo.Root, "scripts", script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
