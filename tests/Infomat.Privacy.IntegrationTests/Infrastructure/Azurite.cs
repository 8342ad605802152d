using System.Diagnostics;

using Infomat.Privacy.Adapters.Storage;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>
/// An Azurite instance of its own for the test run (in memory, free ports), started from the pinned npm package
/// (<c>npm ci</c> installs it; scripts/test.sh does that).
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    // Azurite's well-known development account key (public, documented; not a secret).
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private Process? process;

    private readonly System.Text.StringBuilder output = new();

    public int BlobPort { get; private set; } = Repo.FreePort();
    public int QueuePort { get; private set; } = Repo.FreePort();
    public int TablePort { get; private set; } = Repo.FreePort();

    /// <summary>The running Azurite's process id (its CPU time is read from <c>/proc/{id}/stat</c>); null when stopped.</summary>
    public int? ProcessId => process is { HasExited: false } p ? p.Id : null;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>
    /// Clients of this Azurite whose table requests pass through <paramref name="tablePolicies"/> (faults, counts) before
    /// they leave the process; blobs and queues plain.
    /// </summary>
    public StorageClients ClientsWithTablePolicies(params Azure.Core.Pipeline.HttpPipelinePolicy[] tablePolicies)
    {
        var tableOptions = new Azure.Data.Tables.TableClientOptions();
        foreach (var policy in tablePolicies)
        {
            tableOptions.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerCall);
        }

        return new StorageClients(new Azure.Storage.Blobs.BlobServiceClient(ConnectionString), new Azure.Data.Tables.TableServiceClient(ConnectionString, tableOptions),
            new Azure.Storage.Queues.QueueServiceClient(ConnectionString));
    }

    public async Task InitializeAsync()
    {
        var azurite = Path.Combine(Repo.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed ({azurite}): run 'npm ci' at the repository root, or scripts/test.sh.");
        }

        // A free port can be taken by another process between the check and Azurite's bind (test groups and other
        // runs on the same machine start their own instances): then Azurite exits, and we try again on new ports.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(azurite, TimeSpan.FromSeconds(60)))
            {
                return;
            }

            Stop();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"Azurite did not start in three attempts. Its last output: {output}");
            }

            (BlobPort, QueuePort, TablePort) = (Repo.FreePort(), Repo.FreePort(), Repo.FreePort());
        }
    }

    private async Task<bool> TryStartAsync(string azurite, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        output.Clear();
        process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Started when each service says it listens. A port that merely answers may be another process's (taken
        // between FreePort and Azurite's bind): this Azurite then exits on EADDRINUSE, and the tests would have talked
        // to someone else's storage.
        var until = DateTime.UtcNow + timeout;
        while (!process.HasExited && DateTime.UtcNow < until)
        {
            string said;
            lock (output)
            {
                said = output.ToString();
            }

            if (new[] { "Blob", "Queue", "Table" }.All(service => said.Contains($"Azurite {service} service is successfully listening", StringComparison.Ordinal)))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private void Stop()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process?.Dispose();
        process = null;
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }
}
