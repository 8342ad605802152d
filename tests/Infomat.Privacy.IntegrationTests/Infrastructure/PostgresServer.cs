using System.Diagnostics;
using System.Globalization;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL server of its own for the test run: Debian's binaries (scripts/test.sh installs the package), a fresh
/// cluster in a temporary folder, listening on 127.0.0.1 at a free port. As root it runs as the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string dataDirectory = string.Empty;
    private string bin = string.Empty;

    public int Port { get; } = Repo.FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=false";

    /// <summary>A new empty database on this server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var database = prefix + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString.Replace("Database=postgres", "Database=" + database, StringComparison.Ordinal);
    }

    public async Task InitializeAsync()
    {
        bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault() ?? string.Empty
            : string.Empty;
        if (bin.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL is not installed: run scripts/test.sh (it installs Debian's postgresql package).");
        }

        dataDirectory = Repo.NewTempDirectory("pg");
        await RunAsync("chown", "-R", "postgres:postgres", dataDirectory);
        await AsPostgresAsync(Path.Combine(bin, "initdb"), "-D", dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8");
        await AsPostgresAsync(Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-w", "-l", Path.Combine(dataDirectory, "server.log"),
            "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    public async Task DisposeAsync()
    {
        if (dataDirectory.Length > 0 && bin.Length > 0)
        {
            await AsPostgresAsync(Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-m", "immediate", "stop");
        }

        // The cluster goes with the run: a spike benchmark's million contacts are gigabytes, and clusters left behind
        // filled this machine's disk after a few runs (CI then failed with "No space left on device").
        if (dataDirectory.Length > 0 && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static Task AsPostgresAsync(params string[] command) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", .. command]) : RunAsync(command[0], command[1..]);

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await output} {await error}");
        }
    }
}
