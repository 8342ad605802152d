using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// The local host as a user runs it (the built Infomat.LocalHost.dll in its own process, as scripts/run.sh does),
/// on a free port, against the test Azurite, with its own mail folder and demo stores.
/// </summary>
public sealed class LocalHostProcess : ITestHost, IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private Process? process;

    public string StorageConnectionString { get; }

    public LocalHostProcess(Azurite azurite, IDictionary<string, string>? settings = null)
    {
        StorageConnectionString = azurite.ConnectionString;
        Port = Repo.FreePort();
        MailDirectory = Repo.NewTempDirectory("mail");
        StoresDirectory = Repo.NewTempDirectory("stores");
        InboxDirectory = Repo.NewTempDirectory("inbox");
        environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy__PublicBaseUrl"] = BaseUrl,
            ["Privacy__Tokens__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // One key for every host of the run: they share the register and resume each other's cases, and the audit
            // chain of a case is keyed with it (as in production, where there is one key).
            ["Privacy__Pseudonymisation__Key"] = Convert.ToBase64String(PseudonymisationKey),
            // One for every host too: they share the data-protection key ring in Azurite, as instances do in Azure.
            ["Privacy__KeyRing__EncryptionKey"] = Convert.ToBase64String(KeyRingEncryptionKey),
            ["Mail__PickupDirectory"] = MailDirectory,
            ["Mail__InboxDirectory"] = InboxDirectory,
            ["Stores__Directory"] = StoresDirectory,
            ["Stores__SeedDemoData"] = "true",
            ["Logging__LogLevel__Default"] = "Information",
            // The submission limits of this host alone: every test posts from 127.0.0.1, and hosts of one run share the
            // Azurite, so one shared table would hold the whole run to one client's limit. Tests of the shared limit
            // give two hosts one table.
            ["Privacy__Intake__LimitTable"] = "limits" + Guid.NewGuid().ToString("N"),
            // A task hub of its own (queues, tables, leases), kept across its restarts: hosts of one run share the Azurite.
            ["LocalHost__Durable__TaskHub"] = TaskHub,
            // A test that looks for the case it just made wants the list read now, however loaded the machine: the list's
            // fallback to its last copy (decision 80) has tests of its own, and the spike runs with the product's default.
            ["Privacy__Staff__ListPatience"] = "00:01:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        Mailbox = new Mailbox(MailDirectory);
    }

    /// <summary>This host's durable task hub in the Azurite (its orchestrations' state: <c>{TaskHub}Instances</c>, <c>{TaskHub}History</c>).</summary>
    public string TaskHub { get; } = "t" + Guid.NewGuid().ToString("N");

    /// <summary>The pseudonymisation key all test hosts share.</summary>
    public static byte[] PseudonymisationKey { get; } = RandomNumberGenerator.GetBytes(32);

    public static byte[] KeyRingEncryptionKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The settings the host runs with (environment-variable form).</summary>
    public IReadOnlyDictionary<string, string> Environment => environment;

    /// <summary>Changes a setting for the next start (what an operator does between two restarts).</summary>
    public void Set(string key, string value) => environment[key] = value;

    /// <summary>Takes a setting of <see cref="Set"/> back for the next start: the host uses its default again.</summary>
    public void Unset(string key) => environment.Remove(key);

    /// <summary>Runs the host's executable as a command (e.g. <c>verify-audit</c>) with the same settings; returns exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunCommandAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Repo.LocalHostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Repo.LocalHostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var command = Process.Start(start) ?? throw new InvalidOperationException("The command did not start.");
        var output = command.StandardOutput.ReadToEndAsync();
        var error = command.StandardError.ReadToEndAsync();
        await command.WaitForExitAsync();
        return (command.ExitCode, await output + await error);
    }

    public int Port { get; private set; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string MailDirectory { get; }

    public string StoresDirectory { get; }

    /// <summary>The folder the host watches as the info@infomat.eu inbox.</summary>
    public string InboxDirectory { get; }

    public Mailbox Mailbox { get; }

    /// <summary>The running host's process id (its memory is read from <c>/proc/{id}/status</c>); null when stopped.</summary>
    public int? ProcessId => process is { HasExited: false } p ? p.Id : null;

    /// <summary>Everything the host wrote to stdout and stderr (to check that no personal data is logged).</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Before the first start: listen on <paramref name="port"/> (a test of two hosts handed the same free port).</summary>
    internal void UsePort(int port)
    {
        Port = port;
        environment["Privacy__PublicBaseUrl"] = BaseUrl;
    }

    /// <summary>Whether the host ran once already: a later start is a restart on the same port.</summary>
    private bool startedBefore;

    public async Task StartAsync()
    {
        if (!File.Exists(Repo.LocalHostDll))
        {
            throw new InvalidOperationException($"Build the solution first: {Repo.LocalHostDll} does not exist.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync();
                startedBefore = true;
                return;
            }
            catch (InvalidOperationException ex) when (attempt < 10 && ex.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                process?.Dispose();
                process = null;
                Output.Clear();
                if (startedBefore)
                {
                    // A restart: the port is still held by the process that just stopped. Keep it (the test's HTTP client and
                    // the links already mailed point at it) and try again once the system has let it go.
                    await Task.Delay(500);
                    continue;
                }

                // The free port found earlier was taken by another process meanwhile (tests run in parallel): take another.
                Port = Repo.FreePort();
                environment["Privacy__PublicBaseUrl"] = BaseUrl;
            }
        }
    }

    private async Task StartOnceAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Repo.LocalHostDll, "--urls", BaseUrl },
            WorkingDirectory = Path.GetDirectoryName(Repo.LocalHostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("The local host did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("The local host exited:\n" + string.Join("\n", Output));
            }

            try
            {
                // Answered, and by this process: another test's host that took the same free port answers /health too,
                // while this one then fails to bind and exits (a CI run on 6 December sent a test's requests to another
                // class's host, and its mail never came to this host's folder).
                if ((await http.GetAsync(BaseUrl + "/health")).IsSuccessStatusCode && Listens(process.Id, Port))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The local host did not answer /health within 60 s:\n" + string.Join("\n", Output));
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> holds the listening socket on 127.0.0.1:<paramref name="port"/> (Linux: the
    /// socket's inode in <c>/proc/net/tcp</c> among the process's descriptors). Elsewhere taken as yes.
    /// </summary>
    private static bool Listens(int pid, int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        var local = $"0100007F:{port:X4}";
        var inodes = File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[1] == local && f[3] == "0A")
            .Select(f => $"socket:[{f[9]}]")
            .ToHashSet(StringComparer.Ordinal);
        try
        {
            return Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process exited meanwhile: the loop sees it.
            return false;
        }
    }

    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
